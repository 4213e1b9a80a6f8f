"""The PDF report is rendered in the background whenever what it shows changes, so a prospect's
download streams the stored file: no rendering while they wait, and the same few queries
however much the report says."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from outreach.crm.services.prospects import prospect_update
from outreach.models import Prospect
from outreach.wizard import report as wizard_report
from outreach.wizard.services import (
    wizard_link_create,
    wizard_link_revoke,
    wizard_reports_refresh,
)
from outreach.workspaces.services.workspaces import workspace_update
from tests.factories import (
    CampaignProspectFactory,
    ContactFactory,
    ProspectFactory,
    TagFactory,
)

RESEARCH = {
    "url": "https://stripe.com/",
    "what_they_do": "Financial infrastructure for the internet.",
    "who_they_serve": "Millions of businesses, from startups to public companies.",
    "headlines": ["Stripe Sessions 2026: what we announced"],
    "own_words": ["We build economic infrastructure for the internet."],
}


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    """The prospect names of the reports rendered from now on, in order."""
    names: list[str] = []
    real = wizard_report.render_prospect_report

    def counting(content: wizard_report.ReportContent) -> bytes:
        names.append(content.name)
        return real(content)

    monkeypatch.setattr(wizard_report, "render_prospect_report", counting)
    return names


@pytest.fixture
def stripe(workspace, bob) -> Prospect:
    prospect = ProspectFactory(workspace=workspace, name="Stripe", domain="stripe.com", owner=bob)
    ContactFactory(prospect=prospect, first_name="Avery")
    return prospect


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the block as a committed change: its background tasks run (eagerly) at the end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_new_link_has_its_report_ready_before_the_first_download(
    prospect_client, stripe, bob, renders, committed
):
    with committed():
        link = wizard_link_create(prospect=stripe, by=bob)
    assert renders == ["Stripe"]
    assert wizard_report.report_stored(link=link)

    with committed():
        response = prospect_client.get(f"/w/{link.token}/report.pdf")

    assert response.status_code == 200 and response.streaming
    assert "A report for Stripe" in pdf_text(response.getvalue())
    assert renders == ["Stripe"], "the download rendered the report again"


def test_each_change_to_what_the_report_shows_renders_it_again_before_the_download(
    prospect_client, stripe, bob, workspace, renders, committed
):
    with committed():
        link = wizard_link_create(prospect=stripe, by=bob)
    with committed():
        prospect_update(prospect=stripe, changes={"name": "Stripe, Inc."})
    with committed():
        prospect_update(prospect=stripe, changes={}, tags=["payments"])
    with committed():
        workspace_update(workspace=workspace, company_description="We answer every buyer.")
    assert renders == ["Stripe", "Stripe, Inc.", "Stripe, Inc.", "Stripe, Inc."]

    with committed():
        response = prospect_client.get(f"/w/{link.token}/report.pdf")

    text = pdf_text(response.getvalue())
    assert "A report for Stripe, Inc." in text
    assert "payments" in text and "We answer every buyer." in text
    assert len(renders) == 4, "the download rendered the report again"


def test_finished_research_renders_the_report_with_what_it_read(
    stripe, bob, renders, committed, prospect_client
):
    from media_pipeline.services import research_record

    campaign_prospect = CampaignProspectFactory(
        campaign__workspace=stripe.workspace, prospect=stripe
    )
    with committed():
        link = wizard_link_create(prospect=stripe, by=bob)
    with committed():
        research_record(campaign_prospect=campaign_prospect, research=RESEARCH, provider="test")
    assert renders == ["Stripe", "Stripe"]

    with committed():
        response = prospect_client.get(f"/w/{link.token}/report.pdf")

    assert "Financial infrastructure for the internet." in pdf_text(response.getvalue())
    assert len(renders) == 2


def test_changes_the_report_does_not_show_render_nothing(
    stripe, bob, workspace, renders, committed
):
    with committed():
        link = wizard_link_create(prospect=stripe, by=bob)
    with committed():
        prospect_update(prospect=stripe, changes={"status": Prospect.Status.CONTACTED})
    with committed():
        workspace_update(workspace=workspace, time_zone="Europe/Paris")
    with committed():
        # The same report asked for again (a task delivered twice): already stored.
        wizard_reports_refresh(link_ids=[link.pk])
    assert renders == ["Stripe"]

    with committed():
        wizard_link_revoke(link=link)
        prospect_update(prospect=stripe, changes={"name": "Stripe, Inc."})
    assert renders == ["Stripe"], "a revoked link's report was rendered"


def test_a_download_that_finds_no_stored_report_still_gets_one(
    prospect_client, stripe, bob, renders, committed, monkeypatch
):
    """The background render is a head start: a change it has not caught up with (the broker
    was down) is rendered by the download itself, once."""
    with committed():
        link = wizard_link_create(prospect=stripe, by=bob)
    monkeypatch.setattr(
        "outreach.wizard.services.publish", lambda **kwargs: False
    )  # the broker is down
    with committed():
        prospect_update(prospect=stripe, changes={"name": "Stripe, Inc."})
    assert renders == ["Stripe"]

    for _ in range(2):
        with committed():
            response = prospect_client.get(f"/w/{link.token}/report.pdf")
        assert "A report for Stripe, Inc." in pdf_text(response.getvalue())
    assert renders == ["Stripe", "Stripe, Inc."]


def test_a_download_costs_the_same_few_queries_however_much_the_report_says(
    prospect_client, workspace, bob, renders, committed
):
    def later_download_queries(prospect: Prospect, *, earlier: int) -> int:
        with committed():
            link = wizard_link_create(prospect=prospect, by=bob)
        for _ in range(earlier):
            with committed():
                prospect_client.get(f"/w/{link.token}/report.pdf")
        with CaptureQueriesContext(connection) as queries, committed():
            response = prospect_client.get(f"/w/{link.token}/report.pdf")
        assert response.getvalue().startswith(b"%PDF-")
        return len(queries)

    small = ProspectFactory(workspace=workspace, name="Small", owner=bob)
    ContactFactory(prospect=small)
    large = ProspectFactory(
        workspace=workspace,
        name="Large",
        owner=bob,
        website="https://large.example",
        custom_fields={f"field_{n}": f"value {n}" for n in range(12)},
        tags=[TagFactory(workspace=workspace, name=f"topic-{n}") for n in range(6)],
    )
    for n in range(3):
        ContactFactory(prospect=large, first_name=f"Contact {n}")
    CampaignProspectFactory(campaign__workspace=workspace, prospect=large, research_data=RESEARCH)

    few = later_download_queries(small, earlier=1)
    many = later_download_queries(large, earlier=4)

    assert few == many
    # The link, the report's fingerprint (research, tags), the session, the activity and
    # whom it is for, the open call task: in one transaction.
    assert many <= 12
    assert renders == ["Small", "Large"]
