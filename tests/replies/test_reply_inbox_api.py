"""The reply inbox through the API: filter by intent and state, read a reply with its thread,
correct a triage (idempotently), dismiss a reply, link one to a contact, see the mailbox."""

from unittest.mock import ANY

import pytest

from outreach.models import Reply
from tests.factories import ContactFactory, ProspectFactory, ReplyFactory
from tests.replies.conftest import sent_email


@pytest.fixture
def contact(workspace):
    prospect = ProspectFactory(workspace=workspace, name="Northwind")
    return ContactFactory(prospect=prospect, first_name="Jane", last_name="Cooper")


def test_the_inbox_filters_by_intent_and_state(api, contact, workspace):
    waiting = ReplyFactory(contact=contact, intent="question", state="needs_review")
    done = ReplyFactory(contact=contact, intent="interested", state="applied")
    stranger = ReplyFactory(workspace=workspace, contact=None, intent="interested")

    def ids(**filters):
        return [item["id"] for item in api.get("replies", **filters).json()["items"]]

    assert ids(intent="interested") == [stranger.pk, done.pk]
    assert ids(state="open") == [stranger.pk, waiting.pk]
    assert ids(state="applied") == [done.pk]
    assert ids(intent="interested", state="open") == [stranger.pk]
    assert ids(contact_id=contact.pk) == [done.pk, waiting.pk]
    item = api.get("replies", intent="question").json()["items"][0]
    assert (item["contact_name"], item["prospect_name"], item["snippet"]) == (
        "Jane Cooper",
        "Northwind",
        "Sounds good, let's talk next week.",
    )


def test_a_filter_value_that_is_not_an_intent_is_a_422(api):
    assert api.get("replies", intent="maybe").status_code == 422
    assert api.get("replies", state="pending").status_code == 422


def test_a_reply_reads_with_its_thread_history_and_effects(api, contact, alice, reply_effects):
    sent = sent_email(contact, "<o1@acme>", subject="Quick question", body="Worth a call?")
    earlier = ReplyFactory(contact=contact, subject="Re: Quick question", body="Who are you?")
    reply = ReplyFactory(contact=contact, subject="Re: Re: Quick question", answers=sent)
    api.post(f"replies/{reply.pk}/triage", {"intent": "interested"})

    detail = api.get(f"replies/{reply.pk}").json()

    assert [m["direction"] for m in detail["thread"]] == ["sent", "received", "received"]
    assert [m["reply_id"] for m in detail["thread"]][1:] == [earlier.pk, reply.pk]
    assert detail["thread"][0]["body"] == "Worth a call?"
    assert detail["answers_id"] == sent.pk
    assert [t["intent"] for t in detail["triages"]] == ["interested"]
    assert {e["effect"] for e in detail["effects"]} >= {"engaged", "call_task", "stop_sequences"}


def test_correcting_a_triage_through_the_api_reports_the_call_task_once(
    api, contact, reply_effects
):
    reply = ReplyFactory(contact=contact, intent="question", state="needs_review")

    first = api.post(f"replies/{reply.pk}/triage", {"intent": "interested"}).json()
    second = api.post(f"replies/{reply.pk}/triage", {"intent": "interested"}).json()

    assert first["call_task"] == {"created": True, "reason": "created", "task_id": 4242}
    assert first["reply"]["state"] == "applied"
    assert second["call_task"] is None and second["applied_effects"] == []
    reply_effects.call_task.assert_called_once_with(contact.prospect, notes=ANY)


def test_a_triage_by_an_api_key_is_recorded_without_a_user(api, contact):
    reply = ReplyFactory(contact=contact)
    api.post(f"replies/{reply.pk}/triage", {"intent": "not_interested"})
    triage = reply.triages.get()
    assert (triage.by, triage.source, triage.applied) == (None, "rep", True)


def test_a_reply_can_be_ignored_once(api, contact):
    reply = ReplyFactory(contact=contact)
    assert api.post(f"replies/{reply.pk}/ignore").json()["state"] == "ignored"
    response = api.post(f"replies/{reply.pk}/ignore")
    assert response.status_code == 409
    assert response.json()["detail"] == "This reply is already ignored."


def test_an_unmatched_reply_is_linked_to_a_contact_then_triaged(api, workspace, contact):
    reply = ReplyFactory(workspace=workspace, contact=None, from_email="jane@gmail.example")
    assert api.post(f"replies/{reply.pk}/triage", {"intent": "interested"}).status_code == 409

    linked = api.post(f"replies/{reply.pk}/contact", {"contact_id": contact.pk})

    assert linked.status_code == 200
    assert (linked.json()["contact_id"], linked.json()["matched_by"]) == (contact.pk, "rep")
    assert api.post(f"replies/{reply.pk}/triage", {"intent": "interested"}).status_code == 200
    assert api.post(f"replies/{reply.pk}/contact", {"contact_id": contact.pk}).status_code == 409


def test_another_workspaces_reply_or_contact_is_out_of_reach(api, stranger_api, contact, workspace):
    reply = ReplyFactory(contact=contact)
    assert stranger_api.get(f"replies/{reply.pk}").status_code == 404
    assert (
        stranger_api.post(f"replies/{reply.pk}/triage", {"intent": "interested"}).status_code == 404
    )
    assert stranger_api.get("replies").json()["count"] == 0
    mine = ReplyFactory(workspace=workspace, contact=None)
    theirs = ContactFactory()
    response = api.post(f"replies/{mine.pk}/contact", {"contact_id": theirs.pk})
    assert response.status_code == 422
    assert Reply.objects.get(pk=mine.pk).contact is None


def test_the_mailbox_address_is_for_everyone_and_the_delivery_url_for_admins(
    api, rep_api, workspace, settings
):
    settings.REPLIES_INBOUND_DOMAIN = "replies.acme.example"
    admin_view = api.get("replies/mailbox").json()
    rep_view = rep_api.get("replies/mailbox").json()
    token = workspace.inbound_mailbox.address_token
    assert admin_view["address"] == rep_view["address"] == f"replies+{token}@replies.acme.example"
    secret = workspace.inbound_mailbox.delivery_secret
    assert admin_view["raw_delivery_url"] == f"http://testserver/inbound/{secret}/raw"
    assert rep_view["raw_delivery_url"] is None
    assert rep_api.post("replies/mailbox/rotate").status_code == 403

    rotated = api.post("replies/mailbox/rotate").json()
    assert rotated["address"] != admin_view["address"]
    assert rotated["rotated_at"] is not None
