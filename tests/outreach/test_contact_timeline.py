"""A contact's page shows their timeline, where a rep logs a call (with how it went), an email
sent from another mailbox, or a note; integrations log the same through the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config.errors import ValidationFailed
from outreach.crm.services.tasks import contact_touch_log
from outreach.models import Activity, CallOutcome, OutreachLog, Prospect
from tests.factories import ContactFactory, OutreachLogFactory, ProspectFactory


@pytest.fixture
def morgan(workspace):
    prospect = ProspectFactory(workspace=workspace, name="Plaid")
    return ContactFactory(prospect=prospect, first_name="Morgan", last_name="Patel")


def test_a_logged_call_is_on_the_timeline_and_counts_as_a_call_held(morgan, bob):
    entry = contact_touch_log(
        contact=morgan, kind="call", by=bob, call_outcome=CallOutcome.CONNECTED, body="Keen."
    )
    assert (entry.log_type, entry.channel, entry.status) == ("CALL", "call", "done")
    assert entry.subject == "Call with Morgan Patel: connected"
    assert entry.metadata["callOutcome"] == "connected"
    activity = Activity.objects.get(contact=morgan)
    assert (activity.kind, activity.metadata["outcome"]) == ("call_done", "connected")
    assert Prospect.objects.get(pk=morgan.prospect_id).status == Prospect.Status.CONTACTED


def test_an_email_sent_elsewhere_is_our_touch_and_a_note_is_neither(morgan, bob):
    contact_touch_log(contact=morgan, kind="email", by=bob, subject="Pricing", body="Attached.")
    assert Activity.objects.get(contact=morgan).kind == Activity.Kind.EMAIL_SENT
    note = contact_touch_log(contact=morgan, kind="note", by=bob, body="Prefers mornings.")
    assert (note.log_type, note.channel) == ("NOTE", "")
    assert Activity.objects.filter(contact=morgan).count() == 1


def test_what_cannot_be_logged(morgan, bob):
    cases = [
        ({"kind": "call"}, "call_outcome"),
        ({"kind": "call", "call_outcome": "shouted"}, "call_outcome"),
        ({"kind": "email", "call_outcome": "connected"}, "call_outcome"),
        ({"kind": "note", "body": "  "}, "body"),
        (
            {"kind": "email", "occurred_at": timezone.now() + timedelta(hours=1)},
            "occurred_at",
        ),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            contact_touch_log(contact=morgan, by=bob, **fields)
        assert field in refused.value.field_errors
    assert not OutreachLog.objects.exists()


def test_the_contact_page_logs_a_call_and_shows_it(bob_client, morgan):
    OutreachLogFactory(prospect=morgan.prospect, contact=morgan, subject="Intro email")
    page = bob_client.get(f"/contacts/{morgan.pk}/")
    assert "Intro email" in page.content.decode()

    missing = bob_client.post(f"/contacts/{morgan.pk}/log/", {"kind": "call"})
    assert missing.status_code == 422
    assert "Say what happened on the call." in missing.content.decode()

    logged = bob_client.post(
        f"/contacts/{morgan.pk}/log/",
        {"kind": "call", "call_outcome": "meeting_booked", "body": "Demo on Tuesday"},
    )
    assert logged.status_code == 302 and logged.url.endswith("#timeline")
    page = bob_client.get(f"/contacts/{morgan.pk}/").content.decode()
    assert "Call with Morgan Patel: meeting booked" in page
    assert "Demo on Tuesday" in page
    assert Prospect.objects.get(pk=morgan.prospect_id).status == Prospect.Status.MEETING


def test_the_api_logs_a_touch(api, morgan):
    response = api.post(
        f"contacts/{morgan.pk}/touches",
        {"kind": "call", "call_outcome": "left_voicemail", "occurred_at": "2026-01-05T10:00:00Z"},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["channel"] == "call"
    assert response.json()["created_at"].startswith("2026-01-05T10:00:00")
    note = api.post(f"contacts/{morgan.pk}/touches", {"kind": "note", "body": "Hi"})
    assert note.json()["channel"] == ""
    log = api.get(f"prospects/{morgan.prospect_id}/outreach-log").json()["items"]
    assert {entry["log_type"] for entry in log} == {"CALL", "NOTE"}
    assert api.post(f"contacts/{morgan.pk}/touches", {"kind": "call"}).status_code == 422
