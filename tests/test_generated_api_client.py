"""Clients can be generated from the API's OpenAPI document: openapi-python-client reads
/api/v1/openapi.json from a running server with no warning and generates every endpoint, and the
generated client creates a prospect, enrolls a contact and reads a campaign's progress."""

import importlib
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from outreach.models import OutreachSequence, Role
from tests.factories import SequenceTemplateFactory, SequenceTemplateStepFactory, api_key_for

pytestmark = pytest.mark.django_db(transaction=True)

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
OPERATIONS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def generated_client(live_server, tmp_path, monkeypatch):
    """The client generated from the live server's document, importable as `crm_api_client`."""
    if not GENERATOR.exists():
        pytest.fail(f"openapi-python-client is missing at {GENERATOR}: make setup installs it")
    output = tmp_path / "crm_api_client"
    environment = {**os.environ, "PATH": f"{GENERATOR.parent}:{os.environ['PATH']}"}
    result = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--url",
            f"{live_server.url}/api/v1/openapi.json",
            "--output-path",
            str(output),
            "--meta",
            "none",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "Warning" not in report and "Unable" not in report, report
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("crm_api_client"), output
    for name in [name for name in sys.modules if name.startswith("crm_api_client")]:
        del sys.modules[name]
    shutil.rmtree(output, ignore_errors=True)


def test_the_generated_client_has_every_endpoint_and_works(
    generated_client, live_server, workspace, alice
):
    package, output = generated_client
    with urllib.request.urlopen(f"{live_server.url}/api/v1/openapi.json") as response:
        document = json.load(response)
    operation_ids = {
        operation["operationId"]
        for path in document["paths"].values()
        for method, operation in path.items()
        if method in OPERATIONS
    }
    generated = {module.stem for module in (output / "api").rglob("*.py")} - {"__init__"}
    assert generated == operation_ids

    from crm_api_client.api.campaigns import (
        campaigns_api_campaign_create,
        campaigns_api_campaign_progress,
    )
    from crm_api_client.api.contacts import outreach_crm_api_contact_create
    from crm_api_client.api.prospects import outreach_crm_api_prospect_create
    from crm_api_client.api.sequences import outreach_sequences_api_sequence_enroll
    from crm_api_client.models import (
        CampaignIn,
        CampaignProspectIn,
        ContactIn,
        EnrollIn,
        ProspectIn,
    )

    client = package.AuthenticatedClient(
        base_url=live_server.url, token=api_key_for(workspace, role=Role.ADMIN)
    )
    created = outreach_crm_api_prospect_create.sync_detailed(
        client=client, body=ProspectIn(name="Ramp", domain="ramp.com")
    )
    assert created.status_code == 201
    prospect = created.parsed
    assert prospect.name == "Ramp"
    assert prospect.status.value == "NEW"

    contact = outreach_crm_api_contact_create.sync(
        client=client,
        body=ContactIn(prospect_id=prospect.id, first_name="Eric", email="eric@ramp.com"),
    )
    assert contact.prospect_id == prospect.id

    cadence = SequenceTemplateFactory(workspace=workspace, name="Fintech intro", created_by=alice)
    SequenceTemplateStepFactory(template=cadence, position=0)
    enrolled = outreach_sequences_api_sequence_enroll.sync_detailed(
        client=client, sequence_id=cadence.pk, body=EnrollIn(contact_ids=[contact.id])
    )
    assert enrolled.status_code == 200, enrolled.content
    assert OutreachSequence.objects.filter(contact_id=contact.id, template=cadence).exists()

    campaign = campaigns_api_campaign_create.sync(
        client=client,
        body=CampaignIn(
            name="Intros",
            sender_name="Alice",
            prospects=[CampaignProspectIn(prospect_id=prospect.id)],
        ),
    )
    progress = campaigns_api_campaign_progress.sync(client=client, campaign_id=campaign.id)
    assert progress.campaign_id == campaign.id
    assert progress.status.value == "draft"
    assert progress.total_prospects == 1
    assert [row.prospect_id for row in progress.prospects] == [prospect.id]
