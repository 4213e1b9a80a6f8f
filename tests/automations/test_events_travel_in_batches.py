"""The events of one transaction reach workers in batches once it commits; an event a savepoint
rolled back never runs, and the batch survives whatever rolled back around it."""

from unittest import mock

import pytest
from django.db import transaction

from automations import runner, tasks
from automations.events import EVENTS_PER_TASK
from automations.models import AutomationEvent, AutomationExecution, TriggerType
from automations.runner import dispatch
from outreach.crm.services import tasks as task_services
from outreach.crm.services.tags import tag_assign
from outreach.models import OutreachLog
from tests.factories import ContactFactory


class Undo(Exception):
    pass


@pytest.fixture
def calls_pat(automation, hot):
    return automation(
        TriggerType.TAG_ASSIGNED,
        trigger_config={"tag_id": hot.pk},
        actions=[{"type": "create_task", "params": {"subject": "Call {{contact.first_name}}"}}],
    )


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run the block's after-commit hooks and return the event-id lists sent to workers."""

    class Sent:
        def __init__(self):
            self.batches: list[list[int]] = []

        def __enter__(self):
            self.capture = django_capture_on_commit_callbacks(execute=True)
            self.patch = mock.patch.object(
                tasks.process_events, "delay", side_effect=self.batches.append
            )
            self.patch.start()
            self.capture.__enter__()
            return self

        def __exit__(self, *exc):
            self.capture.__exit__(*exc)
            self.patch.stop()

    return Sent


def test_one_transaction_sends_its_events_in_batches(calls_pat, stripe, hot, sent):
    contacts = [ContactFactory(prospect=stripe) for _ in range(EVENTS_PER_TASK * 2 + 5)]
    with sent() as out, transaction.atomic():
        for contact in contacts:
            tag_assign(target=contact, tag=hot)
    assert [len(batch) for batch in out.batches] == [EVENTS_PER_TASK, EVENTS_PER_TASK, 5]
    events = AutomationEvent.objects.order_by("pk").values_list("pk", flat=True)
    assert [pk for batch in out.batches for pk in batch] == list(events)


def test_an_event_rolled_back_with_its_savepoint_is_not_sent_and_the_next_one_is(
    calls_pat, stripe, hot, sent
):
    undone, kept = ContactFactory(prospect=stripe), ContactFactory(prospect=stripe)
    with sent() as out, transaction.atomic():
        with pytest.raises(Undo), transaction.atomic():
            tag_assign(target=undone, tag=hot)  # the batch is first registered in here
            raise Undo
        tag_assign(target=kept, tag=hot)
    kept_event = AutomationEvent.objects.get()
    assert kept_event.payload["contact"]["id"] == kept.pk
    assert out.batches == [[kept_event.pk]]


def test_an_id_whose_row_was_rolled_back_is_skipped_by_the_worker(calls_pat, stripe, hot, sent):
    kept, undone = ContactFactory(prospect=stripe), ContactFactory(prospect=stripe)
    with sent() as out, transaction.atomic():
        tag_assign(target=kept, tag=hot)
        with pytest.raises(Undo), transaction.atomic():
            tag_assign(target=undone, tag=hot)  # joins the batch registered outside
            raise Undo
    assert len(out.batches) == 1 and len(out.batches[0]) == 2
    assert runner.events_process(event_ids=out.batches[0], budget_seconds=60) == 1
    assert OutreachLog.objects.get().contact == kept


def test_a_failing_event_does_not_stop_the_rest_of_its_batch(calls_pat, stripe, hot, sent):
    first, second = ContactFactory(prospect=stripe), ContactFactory(prospect=stripe)
    with sent() as out, transaction.atomic():
        tag_assign(target=first, tag=hot)
        tag_assign(target=second, tag=hot)
    broken, fine = out.batches[0]
    real = dispatch._dispatch

    def flaky(events, rules):
        if any(event.pk == broken for event in events):
            raise RuntimeError("database went away")
        return real(events, rules)

    with mock.patch.object(dispatch, "_dispatch", side_effect=flaky):
        assert runner.events_process(event_ids=[broken, fine], budget_seconds=60) == 1
    assert AutomationEvent.objects.get(pk=broken).status == AutomationEvent.Status.PENDING
    assert AutomationExecution.objects.get().event_id == fine


def test_a_batch_out_of_time_hands_the_rest_to_another_task(calls_pat, stripe, hot, sent):
    contacts = [ContactFactory(prospect=stripe) for _ in range(3)]
    with sent() as out, transaction.atomic():
        for contact in contacts:
            tag_assign(target=contact, tag=hot)
    ids = out.batches[0]
    with mock.patch.object(tasks.process_events, "delay") as handed_on:
        assert runner.events_process(event_ids=ids, budget_seconds=0) == 0
    handed_on.assert_called_once_with(ids)
    assert not AutomationExecution.objects.exists()


def test_a_rule_disabled_while_its_batch_is_worked_on_cancels_the_rest(
    calls_pat, stripe, hot, sent
):
    first, second = ContactFactory(prospect=stripe), ContactFactory(prospect=stripe)
    with sent() as out, transaction.atomic():
        tag_assign(target=first, tag=hot)
        tag_assign(target=second, tag=hot)
    real = task_services.touch_task_create

    def admin_disables_after_the_first_task(**task):
        created = real(**task)
        type(calls_pat).objects.filter(pk=calls_pat.pk).update(enabled=False)
        return created

    with mock.patch.object(
        task_services, "touch_task_create", side_effect=admin_disables_after_the_first_task
    ):
        runner.events_process(event_ids=out.batches[0], budget_seconds=60)
    runs = AutomationExecution.objects.order_by("pk")
    assert [run.status for run in runs] == ["completed", "cancelled"]
    assert runs[1].reason == runner.DISABLED
    assert OutreachLog.objects.get().contact == first
