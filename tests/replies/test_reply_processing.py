"""A stored reply is triaged after commit: confident triage acts by itself, the rest waits for a
rep; each message is stored once and acted on once, however often it is delivered or its task
runs; and it is matched to the right contact, within its own workspace only."""

from datetime import timedelta
from unittest import mock
from unittest.mock import ANY

import pytest
from django.utils import timezone

from outreach.models import Activity, OutreachLog, Prospect, Reply
from outreach.replies.inbound.message import from_fields
from outreach.replies.inbound.triage import RuleClassifier
from outreach.replies.services.intake import replies_sweep_unprocessed, reply_receive
from outreach.replies.services.triage import reply_process
from outreach.replies.tasks import process_reply
from tests.factories import ContactFactory, ProspectFactory, ReplyFactory
from tests.replies.conftest import sent_email


@pytest.fixture
def contact(workspace, bob):
    prospect = ProspectFactory(workspace=workspace, name="Northwind", owner=bob)
    return ContactFactory(prospect=prospect, first_name="Jane", email="jane@northwind.example")


def inbound(text: str, *, sender: str = "jane@northwind.example", **fields) -> dict:
    return {
        "message_id": fields.pop("message_id", "<r1@mail.northwind.example>"),
        "from": {"email": sender, "name": "Jane Cooper"},
        "subject": "Re: Quick question",
        "text": text,
        **fields,
    }


def test_a_confident_reply_acts_by_itself_after_commit(
    api, contact, reply_effects, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "replies/inbound", inbound("Sounds great - let's set up a call Tuesday.")
        )

    assert response.status_code == 201
    reply = Reply.objects.get(pk=response.json()["id"])
    assert (reply.state, reply.intent, reply.triage_source) == ("applied", "interested", "rules")
    assert reply.confidence >= 0.75
    reply_effects.call_task.assert_called_once_with(contact.prospect, notes=ANY)
    contact.prospect.refresh_from_db()
    assert contact.prospect.status == Prospect.Status.ENGAGED
    # The reply is in the prospect's outreach log as a received email.
    entry = reply.log_entry
    assert (entry.status, entry.contact, entry.prospect) == ("received", contact, contact.prospect)
    assert entry.metadata == {
        "replyId": reply.pk,
        "replyKind": "human",
        "messageId": "<r1@mail.northwind.example>",
        "inReplyTo": "",
    }


def test_a_reply_the_rules_are_unsure_of_waits_for_a_rep(
    api, contact, reply_effects, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("replies/inbound", inbound("Hmm. Thanks."))

    reply = Reply.objects.get(pk=response.json()["id"])
    assert reply.state == Reply.State.NEEDS_REVIEW
    assert reply.confidence < 0.75
    assert not reply.effects.exclude(effect="activity").exists()
    reply_effects.call_task.assert_not_called()
    reply_effects.stop.assert_not_called()
    # Engagement still counts the reply; the intent is the classifier's guess until a rep decides.
    assert Activity.objects.get(kind=Activity.Kind.REPLY).contact == contact


def test_the_confidence_needed_to_act_is_a_setting(
    api, contact, reply_effects, django_capture_on_commit_callbacks, settings
):
    settings.REPLIES_AUTO_APPLY_MIN_CONFIDENCE = 0.99
    with django_capture_on_commit_callbacks(execute=True):
        api.post("replies/inbound", inbound("Sounds great - let's set up a call Tuesday."))
    assert Reply.objects.get().state == Reply.State.NEEDS_REVIEW
    reply_effects.call_task.assert_not_called()


def test_the_same_message_posted_twice_is_stored_once_and_acted_on_once(
    api, contact, reply_effects, django_capture_on_commit_callbacks
):
    payload = inbound("Yes please, send me a calendar invite.")
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post("replies/inbound", payload)
    with django_capture_on_commit_callbacks(execute=True) as second_callbacks:
        second = api.post("replies/inbound", payload)

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert second.json()["created"] is False
    assert second_callbacks == []  # nothing enqueued for the duplicate
    assert Reply.objects.count() == 1
    assert OutreachLog.objects.filter(status="received").count() == 1
    reply_effects.call_task.assert_called_once()
    reply_effects.stop.assert_called_once()


def test_a_triage_task_that_runs_twice_acts_once(contact, workspace, reply_effects):
    receipt = reply_receive(
        workspace=workspace,
        message=from_fields(
            message_id="<r2@x>", from_email="jane@northwind.example", text="Please unsubscribe me."
        ),
        source=Reply.Source.API,
    )
    process_reply(receipt.reply.pk)
    assert reply_process(reply_id=receipt.reply.pk) == "gone or done"
    reply_effects.stop.assert_called_once()
    assert receipt.reply.effects.filter(effect="opt_out").count() == 1


def test_a_reply_whose_task_was_lost_is_triaged_by_the_sweep(workspace, contact, reply_effects):
    stale = ReplyFactory(contact=contact, state=Reply.State.NEW, intent="", body="Not interested.")
    Reply.objects.filter(pk=stale.pk).update(received_at=timezone.now() - timedelta(minutes=10))
    fresh = ReplyFactory(contact=contact, state=Reply.State.NEW, intent="", body="Not interested.")

    assert replies_sweep_unprocessed() == 1

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.state, stale.intent) == ("applied", "not_interested")
    assert fresh.state == Reply.State.NEW


def test_the_thread_finds_the_email_answered_even_from_another_address(api, contact):
    email = sent_email(contact, "<outreach-42@acme-sales.example>")
    response = api.post(
        "replies/inbound",
        inbound(
            "Happy to chat.",
            sender="jane.cooper@gmail.example",
            in_reply_to="outreach-42@acme-sales.example",
        ),
    )
    reply = Reply.objects.get(pk=response.json()["id"])
    assert (reply.contact, reply.answers, reply.matched_by) == (contact, email, "thread")


def test_a_colleague_who_answers_the_thread_is_matched_as_themselves(api, contact, workspace):
    colleague = ContactFactory(prospect=contact.prospect, email="sam@northwind.example")
    sent_email(contact, "<outreach-43@acme-sales.example>")
    response = api.post(
        "replies/inbound",
        inbound(
            "Jane forwarded this - I'm interested.",
            sender="sam@northwind.example",
            references=["<outreach-43@acme-sales.example>"],
        ),
    )
    assert Reply.objects.get(pk=response.json()["id"]).contact == colleague


def test_a_reply_to_a_reply_follows_the_earlier_one(api, contact, workspace):
    earlier = ReplyFactory(contact=contact, message_id="<first@mail.northwind.example>")
    response = api.post(
        "replies/inbound",
        inbound(
            "One more thing.",
            sender="jane@home.example",
            message_id="<second@home.example>",
            references=["<first@mail.northwind.example>"],
        ),
    )
    reply = Reply.objects.get(pk=response.json()["id"])
    assert (reply.contact, reply.prospect) == (earlier.contact, earlier.prospect)


def test_an_unknown_sender_is_kept_unmatched_in_the_inbox(
    api, workspace, reply_effects, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("replies/inbound", inbound("Let's talk!", sender="who@nowhere.example"))
    reply = Reply.objects.get(pk=response.json()["id"])
    assert (reply.contact, reply.prospect, reply.matched_by) == (None, None, "")
    assert (reply.state, reply.intent) == ("needs_review", "interested")
    assert reply.log_entry is None
    reply_effects.call_task.assert_not_called()


def test_nothing_matches_across_workspaces(stranger_api, contact, other_workspace):
    """Another workspace receives a reply from our contact, answering our email: it stays theirs
    and unmatched."""
    sent_email(contact, "<outreach-44@acme-sales.example>")
    response = stranger_api.post(
        "replies/inbound",
        inbound("Interested!", in_reply_to="<outreach-44@acme-sales.example>"),
    )
    reply = Reply.objects.get(pk=response.json()["id"])
    assert reply.workspace == other_workspace
    assert (reply.contact, reply.prospect, reply.answers) == (None, None, None)
    assert not contact.replies.exists()


def test_the_same_message_id_in_two_workspaces_is_two_replies(
    api, stranger_api, contact, other_workspace
):
    api.post("replies/inbound", inbound("Interested!"))
    stranger_api.post("replies/inbound", inbound("Interested!"))
    workspaces = set(Reply.objects.values_list("workspace_id", flat=True))
    assert workspaces == {contact.workspace_id, other_workspace.pk}


def test_a_reps_decision_made_while_the_classifier_read_stands(contact, workspace, reply_effects):
    reply = ReplyFactory(contact=contact, state=Reply.State.NEW, intent="", body="Interested!")
    real_classify = RuleClassifier.classify

    def rep_decides_meanwhile(self, request):
        Reply.objects.filter(pk=reply.pk).update(state=Reply.State.IGNORED)
        return real_classify(self, request)

    with mock.patch.object(RuleClassifier, "classify", rep_decides_meanwhile):
        assert reply_process(reply_id=reply.pk) == "already triaged"
    reply_effects.call_task.assert_not_called()
    assert Reply.objects.get(pk=reply.pk).state == Reply.State.IGNORED
