"""Engagement triggers: one high-priority call task per prospect and signal, for the right
contact, and a new one only after the rep has closed the last."""

import logging

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from outreach.crm.services import engagement_triggers
from outreach.crm.services.engagement_triggers import TriggerSource, create_engagement_call_task
from outreach.crm.services.tasks import touch_task_complete, touch_task_create
from outreach.models import Contact, OutreachLog
from tests.factories import (
    ContactFactory,
    OutreachSequenceFactory,
    ProspectFactory,
    TouchTaskFactory,
)


@pytest.fixture
def stripe(workspace, bob):
    return ProspectFactory(workspace=workspace, name="Stripe", owner=bob)


def test_a_signal_puts_a_high_priority_call_task_due_now_in_the_owners_queue(stripe, bob):
    avery = ContactFactory(prospect=stripe, first_name="Avery")
    before = timezone.now()

    result = create_engagement_call_task(prospect=stripe, trigger_source=TriggerSource.WIZARD_STEP3)

    assert result.created is True
    assert result.reason == "created"
    task = OutreachLog.objects.get(pk=result.task_id)
    assert task.log_type == OutreachLog.Type.FOLLOW_UP
    assert task.channel == OutreachLog.Channel.CALL
    assert task.status == OutreachLog.Status.TOUCH_OPEN
    assert task.subject == "Follow-up: prospect engaged with wizard (step 3+)"
    assert task.contact == avery
    assert task.assignee == bob
    assert task.priority_label == "high"
    assert before <= task.due_at <= timezone.now()
    assert task.metadata == {
        "kind": "touch_task",
        "priority": "high",
        "dueAt": task.due_at.isoformat(),
        "notes": task.metadata["notes"],
        "createdBy": "engagement-trigger",
        "triggerSource": "wizard_step3",
        "prospectId": stripe.pk,
    }
    assert "Stripe" in task.metadata["notes"]


@pytest.mark.parametrize(
    ("source", "subject"),
    [
        ("wizard_step3", "Follow-up: prospect engaged with wizard (step 3+)"),
        ("pdf_download", "Follow-up: prospect downloaded PDF report"),
        ("interested_reply", "Follow-up: prospect replied with interest"),
    ],
)
def test_each_source_has_its_own_subject(stripe, source, subject):
    ContactFactory(prospect=stripe)
    result = create_engagement_call_task(prospect=stripe, trigger_source=source)
    assert OutreachLog.objects.get(pk=result.task_id).subject == subject


def test_a_repeated_signal_returns_the_open_task_instead_of_a_second_one(stripe):
    ContactFactory(prospect=stripe)
    first = create_engagement_call_task(prospect=stripe, trigger_source="pdf_download")
    again = create_engagement_call_task(prospect=stripe, trigger_source="pdf_download")

    assert again.created is False
    assert again.reason == "already_exists"
    assert again.task_id == first.task_id
    assert OutreachLog.objects.filter(prospect=stripe).count() == 1


def test_different_sources_each_get_their_own_task(stripe):
    ContactFactory(prospect=stripe)
    for source in TriggerSource.values:
        assert create_engagement_call_task(prospect=stripe, trigger_source=source).created
    subjects = set(OutreachLog.objects.filter(prospect=stripe).values_list("subject", flat=True))
    assert len(subjects) == 3


def test_the_same_source_on_another_prospect_is_another_task(workspace, stripe):
    plaid = ProspectFactory(workspace=workspace, name="Plaid")
    ContactFactory(prospect=stripe)
    ContactFactory(prospect=plaid)
    assert create_engagement_call_task(prospect=stripe, trigger_source="pdf_download").created
    assert create_engagement_call_task(prospect=plaid, trigger_source="pdf_download").created


def test_once_the_rep_completes_the_task_a_new_signal_creates_a_new_one(stripe, bob):
    ContactFactory(prospect=stripe)
    first = create_engagement_call_task(prospect=stripe, trigger_source="wizard_step3")
    touch_task_complete(task=OutreachLog.objects.get(pk=first.task_id), by=bob)

    second = create_engagement_call_task(prospect=stripe, trigger_source="wizard_step3")

    assert second.created is True
    assert second.task_id != first.task_id
    assert OutreachLog.objects.filter(prospect=stripe, status="touch_open").count() == 1


def test_the_contact_of_the_most_recently_updated_sequence_is_called(stripe):
    ContactFactory(prospect=stripe, first_name="Earliest")
    older = OutreachSequenceFactory(contact=ContactFactory(prospect=stripe, first_name="Older"))
    newer = OutreachSequenceFactory(contact=ContactFactory(prospect=stripe, first_name="Newer"))
    older.save()  # touched last: its contact is the one in conversation now

    result = create_engagement_call_task(prospect=stripe, trigger_source="pdf_download")

    assert result.contact_id == older.contact_id
    assert newer.contact_id != older.contact_id


def test_without_a_sequence_the_earliest_contact_who_has_not_opted_out_is_called(stripe):
    ContactFactory(
        prospect=stripe, first_name="Gone", outreach_status=Contact.OutreachStatus.OPTED_OUT
    )
    earliest_reachable = ContactFactory(prospect=stripe, first_name="Reachable")
    ContactFactory(prospect=stripe, first_name="Later")

    result = create_engagement_call_task(prospect=stripe, trigger_source="pdf_download")

    assert result.contact_id == earliest_reachable.pk


def test_a_sequence_contact_who_opted_out_is_never_called(stripe):
    OutreachSequenceFactory(
        contact=ContactFactory(
            prospect=stripe, first_name="Gone", outreach_status=Contact.OutreachStatus.OPTED_OUT
        )
    )
    reachable = ContactFactory(prospect=stripe, first_name="Reachable")

    result = create_engagement_call_task(prospect=stripe, trigger_source="pdf_download")

    assert result.contact_id == reachable.pk


def test_a_prospect_with_no_contact_to_call_is_skipped_with_a_warning(stripe, caplog):
    ContactFactory(prospect=stripe, outreach_status=Contact.OutreachStatus.OPTED_OUT)

    with caplog.at_level(logging.WARNING, logger="outreach.crm.services.engagement_triggers"):
        result = create_engagement_call_task(prospect=stripe, trigger_source="wizard_step3")

    assert (result.created, result.reason, result.task_id) == (False, "no_contact", None)
    assert not OutreachLog.objects.filter(prospect=stripe).exists()
    assert "Stripe" in caplog.text and "no contact" in caplog.text


def test_the_database_refuses_a_second_open_task_for_the_same_signal(stripe):
    ContactFactory(prospect=stripe)
    create_engagement_call_task(prospect=stripe, trigger_source="pdf_download")

    # Even a writer that skips the service's check cannot add a duplicate.
    with pytest.raises(IntegrityError), transaction.atomic():
        touch_task_create(
            workspace=stripe.workspace,
            prospect=stripe,
            channel="call",
            subject="Another one",
            extra_metadata={"triggerSource": "pdf_download"},
        )


def test_ordinary_tasks_are_not_limited_by_the_trigger_rule(stripe):
    TouchTaskFactory(prospect=stripe, subject="Call one")
    TouchTaskFactory(prospect=stripe, subject="Call two")
    ContactFactory(prospect=stripe)
    assert create_engagement_call_task(prospect=stripe, trigger_source="pdf_download").created
    assert OutreachLog.objects.filter(prospect=stripe, status="touch_open").count() == 3


def test_losing_the_insert_race_returns_the_winners_task_and_keeps_the_callers_transaction(
    stripe, monkeypatch
):
    ContactFactory(prospect=stripe)
    winner = create_engagement_call_task(prospect=stripe, trigger_source="interested_reply")
    real_lookup = engagement_triggers.open_trigger_task
    lookups = []

    def blind_to_the_winner_at_first(**kwargs):
        # As if the winner committed between our check and our insert.
        lookups.append(kwargs)
        return None if len(lookups) == 1 else real_lookup(**kwargs)

    monkeypatch.setattr(engagement_triggers, "open_trigger_task", blind_to_the_winner_at_first)
    with transaction.atomic():
        result = create_engagement_call_task(prospect=stripe, trigger_source="interested_reply")
        # The refused insert was rolled back to its savepoint; the caller's work goes on.
        assert OutreachLog.objects.filter(prospect=stripe).count() == 1

    assert (result.created, result.reason) == (False, "already_exists")
    assert result.task_id == winner.task_id


def test_an_unknown_source_is_a_programming_error(stripe):
    with pytest.raises(ValueError, match="Unknown engagement trigger source"):
        create_engagement_call_task(prospect=stripe, trigger_source="tweet")
