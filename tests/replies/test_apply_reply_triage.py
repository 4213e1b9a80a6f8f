"""apply_reply_triage is the one service that acts on a reply's intent, and it does each thing
at most once per reply, however often the triage is applied or corrected."""

import logging
from datetime import UTC, date, datetime
from unittest.mock import ANY

import pytest
import time_machine
from django.db import IntegrityError

from config.errors import Conflict, ValidationFailed
from outreach.models import Activity, Contact, OutreachLog, Prospect, Reply, ReplyTriage
from outreach.replies.services.effects import CallTaskResult
from outreach.replies.services.intake import reply_link_contact
from outreach.replies.services.triage import apply_reply_triage
from tests.factories import ContactFactory, ProspectFactory, ReplyFactory


@pytest.fixture
def prospect(workspace, bob):
    return ProspectFactory(workspace=workspace, name="Northwind", owner=bob)


@pytest.fixture
def contact(prospect):
    return ContactFactory(prospect=prospect, first_name="Jane", last_name="Cooper")


def reply_from(contact, **fields) -> Reply:
    return ReplyFactory(contact=contact, **fields)


def test_interested_engages_the_prospect_and_asks_once_for_the_call_task(
    contact, prospect, alice, reply_effects
):
    reply = reply_from(contact)

    outcome = apply_reply_triage(reply=reply, intent="interested", by=alice)

    prospect.refresh_from_db()
    assert prospect.status == Prospect.Status.ENGAGED
    reply_effects.call_task.assert_called_once_with(
        prospect,
        notes="Jane Cooper replied with interest: \u201cSounds good, let's talk next week.\u201d",
    )
    assert outcome.call_task == CallTaskResult(created=True, reason="created", task_id=4242)
    reply_effects.stop.assert_called_once_with(contact, "Replied: interested")
    reply.refresh_from_db()
    assert (reply.state, reply.intent, reply.applied_by) == ("applied", "interested", alice)
    assert set(outcome.applied_effects) == {"engaged", "call_task", "stop_sequences"}
    assert reply.effects.get(effect="call_task").result["task_id"] == 4242
    activity = Activity.objects.get(kind=Activity.Kind.REPLY)
    assert (activity.contact, activity.metadata["intent"]) == (contact, "interested")
    assert ReplyTriage.objects.get(reply=reply).by == alice


def test_applying_the_same_triage_again_does_nothing_more(contact, alice, bob, reply_effects):
    reply = reply_from(contact)
    apply_reply_triage(reply=reply, intent="interested", by=alice)

    again = apply_reply_triage(reply=reply, intent="interested", by=bob)

    assert again.applied_effects == [] and again.call_task is None
    reply_effects.call_task.assert_called_once()
    reply_effects.stop.assert_called_once()
    assert Activity.objects.filter(kind=Activity.Kind.REPLY).count() == 1
    assert ReplyTriage.objects.filter(reply=reply).count() == 2  # both decisions are kept


def test_a_prospect_further_along_is_not_moved_back_to_engaged(contact, prospect, alice):
    Prospect.objects.filter(pk=prospect.pk).update(status=Prospect.Status.MEETING)
    apply_reply_triage(reply=reply_from(contact), intent="interested", by=alice)
    prospect.refresh_from_db()
    assert prospect.status == Prospect.Status.MEETING


@pytest.mark.parametrize(
    "failure", [IntegrityError("one open call task per prospect"), Conflict("Already queued")]
)
def test_a_failed_call_task_is_logged_and_the_triage_still_applies(
    contact, prospect, alice, reply_effects, caplog, failure
):
    reply_effects.call_task.side_effect = failure
    with caplog.at_level(logging.ERROR):
        outcome = apply_reply_triage(reply=reply_from(contact), intent="interested", by=alice)

    assert outcome.call_task.created is False
    assert outcome.call_task.reason.startswith("failed:")
    assert "interested-reply call task" in caplog.text
    prospect.refresh_from_db()
    assert prospect.status == Prospect.Status.ENGAGED
    assert outcome.reply.state == Reply.State.APPLIED
    reply_effects.stop.assert_called_once()


def test_an_effect_that_is_not_wired_in_fails_the_whole_triage(
    contact, prospect, alice, reply_effects
):
    reply_effects.stop.side_effect = NotImplementedError("not wired in yet")
    reply = reply_from(contact)
    with pytest.raises(NotImplementedError):
        apply_reply_triage(reply=reply, intent="not_interested", by=alice)
    reply.refresh_from_db()
    assert reply.state == Reply.State.NEEDS_REVIEW
    assert not reply.effects.exists()


def test_unsubscribe_opts_the_contact_out_and_stops_its_sequences(contact, alice, reply_effects):
    apply_reply_triage(reply=reply_from(contact), intent="unsubscribe", by=alice)
    contact.refresh_from_db()
    assert contact.outreach_status == Contact.OutreachStatus.OPTED_OUT
    reply_effects.stop.assert_called_once_with(contact, "Replied: unsubscribe")
    reply_effects.call_task.assert_not_called()


@time_machine.travel(datetime(2025, 3, 3, 12, 0, tzinfo=UTC), tick=False)
def test_out_of_office_pauses_until_the_return_date_instead_of_stopping(
    contact, alice, reply_effects, workspace
):
    workspace.time_zone = "Europe/Berlin"
    workspace.save()
    reply = reply_from(contact, return_date=date(2025, 3, 17))

    apply_reply_triage(reply=reply, intent="out_of_office", by=alice)

    reply_effects.pause.assert_called_once()
    paused, reason, until = reply_effects.pause.call_args.args
    assert (paused, reason) == (contact, "Out of office")
    assert until.isoformat() == "2025-03-17T09:00:00+01:00"
    reply_effects.stop.assert_not_called()


def test_referral_adds_the_named_person_as_a_contact_and_a_task_to_reach_them(
    contact, prospect, alice, bob, reply_effects
):
    reply = reply_from(
        contact,
        body="Not me - talk to Sarah Chen (sarah.chen@northwind.example).",
        referral={
            "email": "sarah.chen@northwind.example",
            "first_name": "Sarah",
            "last_name": "Chen",
        },
    )

    outcome = apply_reply_triage(reply=reply, intent="referral", by=alice)

    sarah = Contact.objects.get(email="sarah.chen@northwind.example")
    assert (sarah.prospect, sarah.full_name) == (prospect, "Sarah Chen")
    assert sarah.custom_fields["referredBy"] == "Jane Cooper"
    task = OutreachLog.objects.get(metadata__replyId=reply.pk, status="touch_open")
    assert task.subject == "Reach out to Sarah Chen (referred by Jane Cooper)"
    assert task.assignee == bob  # the prospect's owner
    assert "referral_contact" in outcome.applied_effects
    reply_effects.stop.assert_called_once_with(contact, "Replied: referral")

    apply_reply_triage(reply=reply, intent="referral", by=alice)
    assert Contact.objects.filter(email="sarah.chen@northwind.example").count() == 1


def test_a_referral_to_someone_already_known_adds_nobody(contact, prospect, alice):
    known = ContactFactory(prospect=prospect, email="dana@northwind.example")
    reply = reply_from(contact, referral={"email": "dana@northwind.example", "first_name": "Dana"})
    apply_reply_triage(reply=reply, intent="referral", by=alice)
    assert reply.effects.get(effect="referral_contact").result == {
        "contactId": known.pk,
        "created": False,
    }
    assert Contact.objects.filter(prospect=prospect).count() == 2


def test_a_question_puts_a_task_to_answer_it_in_the_owners_queue(contact, alice, bob):
    reply = reply_from(contact, body="Does this integrate with HubSpot?")
    apply_reply_triage(reply=reply, intent="question", by=alice)
    task = OutreachLog.objects.get(status="touch_open")
    assert task.subject == "Answer Jane Cooper's question"
    assert task.metadata["notes"] == "Does this integrate with HubSpot?"
    assert (task.assignee, task.channel, task.contact) == (bob, "email", contact)


def test_a_correction_adds_only_what_had_not_happened(contact, prospect, alice, reply_effects):
    reply = reply_from(contact, return_date=date(2030, 3, 17))
    apply_reply_triage(reply=reply, intent="out_of_office", by=None, source="rules")
    reply_effects.pause.assert_called_once()

    corrected = apply_reply_triage(reply=reply, intent="interested", by=alice)
    assert set(corrected.applied_effects) == {"engaged", "call_task", "stop_sequences"}

    apply_reply_triage(reply=reply, intent="not_interested", by=alice)
    apply_reply_triage(reply=reply, intent="interested", by=alice)
    reply_effects.call_task.assert_called_once()
    reply_effects.stop.assert_called_once()
    reply_effects.pause.assert_called_once()
    # Engagement scoring reads the latest intent.
    activity = Activity.objects.get(kind=Activity.Kind.REPLY)
    assert activity.metadata["intent"] == "interested"


def test_the_activity_follows_a_correction(contact, alice):
    reply = reply_from(contact)
    apply_reply_triage(reply=reply, intent="interested", by=alice)
    apply_reply_triage(reply=reply, intent="not_interested", by=alice)
    assert Activity.objects.get(kind=Activity.Kind.REPLY).metadata == {
        "intent": "not_interested",
        "replyId": reply.pk,
    }


def test_a_reply_from_an_unknown_sender_acts_only_once_linked_to_a_contact(
    contact, workspace, alice, reply_effects
):
    reply = ReplyFactory(workspace=workspace, contact=None, from_email="jane@gmail.example")
    with pytest.raises(Conflict, match="Link this reply to a contact"):
        apply_reply_triage(reply=reply, intent="interested", by=alice)

    reply_link_contact(reply=reply, contact=contact)
    apply_reply_triage(reply=reply, intent="interested", by=alice)

    reply.refresh_from_db()
    assert (reply.contact, reply.matched_by) == (contact, "rep")
    assert reply.log_entry.prospect == contact.prospect
    reply_effects.call_task.assert_called_once_with(contact.prospect, notes=ANY)


def test_a_bounce_has_no_intent_to_apply(contact, alice):
    bounce = reply_from(contact, kind=Reply.Kind.BOUNCE_HARD, intent="")
    with pytest.raises(Conflict):
        apply_reply_triage(reply=bounce, intent="interested", by=alice)


def test_an_unknown_intent_is_refused(contact, alice):
    with pytest.raises(ValidationFailed):
        apply_reply_triage(reply=reply_from(contact), intent="maybe", by=alice)


def test_a_rep_who_reads_an_automatic_reply_as_a_persons_makes_it_one(
    contact, alice, reply_effects
):
    reply = reply_from(contact, kind=Reply.Kind.AUTO_REPLY, intent="out_of_office")
    apply_reply_triage(reply=reply, intent="interested", by=alice)
    reply.refresh_from_db()
    assert reply.kind == Reply.Kind.HUMAN
    reply_effects.call_task.assert_called_once()
    assert Activity.objects.filter(kind=Activity.Kind.REPLY).count() == 1


def test_a_rep_who_spots_a_referral_the_rules_missed_gets_the_person_added(contact, alice):
    reply = reply_from(
        contact,
        intent="question",
        body="Could Tom Hale help? tom.hale@northwind.example",
        referral={},
    )
    apply_reply_triage(reply=reply, intent="referral", by=alice)
    tom = Contact.objects.get(email="tom.hale@northwind.example")
    assert (tom.first_name, tom.last_name) == ("Tom", "Hale")


@time_machine.travel(datetime(2025, 3, 3, 12, 0, tzinfo=UTC), tick=False)
def test_a_rep_who_marks_a_reply_out_of_office_pauses_until_the_date_it_gives(
    contact, alice, reply_effects
):
    reply = reply_from(contact, intent="interested", body="I'm away, back on March 12th.")
    apply_reply_triage(reply=reply, intent="out_of_office", by=alice)
    reply.refresh_from_db()
    assert reply.return_date == date(2025, 3, 12)
    assert reply_effects.pause.call_args.args[2].date() == date(2025, 3, 12)


def test_the_classifiers_triage_never_overrides_a_reps(contact, alice, reply_effects):
    reply = reply_from(contact)
    apply_reply_triage(reply=reply, intent="not_interested", by=alice)

    late = apply_reply_triage(
        reply=reply, intent="interested", by=None, confidence=0.9, source="rules", automatic=True
    )

    assert late.applied_effects == []
    reply.refresh_from_db()
    assert (reply.intent, reply.applied_by) == ("not_interested", alice)
    reply_effects.call_task.assert_not_called()
