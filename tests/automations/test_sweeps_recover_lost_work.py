"""The sweeps are the source of truth: runs whose worker died or whose message was lost, and
events whose dispatch never happened, are handed to workers again."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from automations.models import AutomationEvent, AutomationExecution
from automations.runner import event_dispatch, events_redispatch, executions_recover
from automations.tasks import sweep_runs
from outreach.crm.services.prospects import contact_create
from outreach.models import OutreachLog

Run = AutomationExecution


@pytest.fixture
def start():
    return timezone.now()


@pytest.fixture
def undispatched_event(workspace, stripe, automation, start, django_capture_on_commit_callbacks):
    """A new contact's event, written, whose after-commit dispatch never happened."""
    automation(actions=[{"type": "create_task", "params": {"subject": "Call"}}])
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=False):
        contact_create(workspace=workspace, prospect=stripe, first_name="Dana")
    return AutomationEvent.objects.get()


def test_a_run_whose_worker_died_is_taken_over_when_its_lease_expires(
    settings, undispatched_event, start, background
):
    with time_machine.travel(start, tick=False):
        # A worker dispatched the event, took the new run's lease, and died.
        (run_id,) = event_dispatch(event_id=undispatched_event.pk)
    assert Run.objects.get(pk=run_id).lease_token is not None

    with time_machine.travel(start + timedelta(seconds=30), tick=False), background():
        assert executions_recover() == 0  # still leased
    expired = start + timedelta(seconds=settings.AUTOMATION_RUN_LEASE_SECONDS + 1)
    with time_machine.travel(expired, tick=False), background():
        assert sweep_runs() == 1
    assert Run.objects.get().status == Run.Status.COMPLETED
    assert OutreachLog.objects.count() == 1


def test_a_run_whose_task_never_arrived_is_handed_out_again(
    settings, undispatched_event, start, background
):
    with time_machine.travel(start, tick=False):
        (run_id,) = event_dispatch(event_id=undispatched_event.pk)
    # Woken by the sweep, say, but the message to a worker was lost on the way.
    Run.objects.filter(pk=run_id).update(lease_token=None, lease_expires_at=None)

    soon = start + timedelta(seconds=10)
    with time_machine.travel(soon, tick=False), background():
        assert executions_recover() == 0  # its task may still be in the queue
    forgotten = start + timedelta(seconds=settings.AUTOMATION_REQUEUE_AFTER_SECONDS + 1)
    with time_machine.travel(forgotten, tick=False), background():
        assert executions_recover() == 1
    assert Run.objects.get().status == Run.Status.COMPLETED


def test_an_event_whose_dispatch_was_lost_is_dispatched_by_the_safety_net(
    settings, undispatched_event, start, background
):
    assert undispatched_event.status == AutomationEvent.Status.PENDING
    with time_machine.travel(start + timedelta(seconds=5), tick=False), background():
        assert events_redispatch() == 0  # give the normal dispatch its chance
    later = start + timedelta(seconds=settings.AUTOMATION_REQUEUE_AFTER_SECONDS + 1)
    with time_machine.travel(later, tick=False), background():
        assert events_redispatch() == 1
    undispatched_event.refresh_from_db()
    assert undispatched_event.status == AutomationEvent.Status.DISPATCHED
    assert Run.objects.get(event=undispatched_event).status == Run.Status.COMPLETED
    # Dispatching twice creates no second run.
    assert event_dispatch(event_id=undispatched_event.pk) == []


def test_a_batch_that_runs_out_of_time_hands_the_rest_on(workspace, automation, background):
    from automations.runner import executions_run
    from tests.factories import AutomationExecutionFactory, ContactFactory

    rule = automation(actions=[{"type": "create_task", "params": {"subject": "Call"}}])
    contact = ContactFactory(prospect__workspace=workspace)
    runs = []
    for _ in range(3):
        run = AutomationExecutionFactory(
            automation=rule, status=Run.Status.RUNNING, next_action_index=0, finished_at=None
        )
        run.event.payload = {"contact": {"id": contact.pk}, "prospect": {"id": contact.prospect_id}}
        run.event.save()
        runs.append(run.pk)
    with background():
        assert executions_run(execution_ids=runs, budget_seconds=0) == 0
    # Nothing ran in the batch itself; the runs went to another task, which ran them.
    assert set(Run.objects.values_list("status", flat=True)) == {Run.Status.COMPLETED}


def test_an_event_two_workers_picked_up_starts_its_runs_once(undispatched_event, background):
    from automations.runner import dispatch

    # Both workers read the event while it was pending; the first one dispatches it.
    (stale,) = dispatch._pending_events([undispatched_event.pk])
    with background():
        assert len(event_dispatch(event_id=undispatched_event.pk)) == 1
    with transaction.atomic():
        assert dispatch._dispatch([stale], dispatch._Rules()) == (1, [])
    assert Run.objects.count() == 1
