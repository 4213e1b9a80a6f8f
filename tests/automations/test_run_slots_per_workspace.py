"""At most AUTOMATION_MAX_CONCURRENT_RUNS runs of one workspace perform actions at once; the
others queue and start as slots free, and other workspaces are not held up."""

import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from automations.models import AutomationExecution
from automations.runner import execution_run
from tests.factories import AutomationExecutionFactory, AutomationFactory, ContactFactory

Run = AutomationExecution


def pending_runs(workspace, n, actions=None):
    rule = AutomationFactory(
        workspace=workspace,
        actions=actions or [{"type": "create_task", "params": {"subject": "Call"}}],
    )
    contact = ContactFactory(prospect__workspace=workspace)
    runs = []
    for _ in range(n):
        run = AutomationExecutionFactory(
            automation=rule, status=Run.Status.RUNNING, next_action_index=0, finished_at=None
        )
        run.event.payload = {"contact": {"id": contact.pk}, "prospect": {"id": contact.prospect_id}}
        run.event.save()
        runs.append(run)
    return runs


def hold_slots(runs):
    Run.objects.filter(pk__in=[r.pk for r in runs]).update(
        lease_token=uuid.uuid4(), lease_expires_at=timezone.now() + timedelta(minutes=1)
    )


def test_a_run_over_the_limit_queues_and_starts_when_a_slot_frees(
    settings, workspace, other_workspace, background
):
    settings.AUTOMATION_MAX_CONCURRENT_RUNS = 2
    busy = pending_runs(workspace, 2)
    hold_slots(busy)
    waiting, later = pending_runs(workspace, 2)

    assert execution_run(execution_id=waiting.pk) is None
    assert execution_run(execution_id=later.pk) is None
    waiting.refresh_from_db()
    assert waiting.status == Run.Status.QUEUED

    # Another workspace has its own slots.
    (elsewhere,) = pending_runs(other_workspace, 1)
    assert execution_run(execution_id=elsewhere.pk) == Run.Status.COMPLETED

    # A busy run ends: its slot goes to the oldest queued run.
    Run.objects.filter(pk=busy[0].pk).update(lease_token=None, lease_expires_at=None)
    with background():
        assert execution_run(execution_id=busy[0].pk) == Run.Status.COMPLETED
    waiting.refresh_from_db()
    later.refresh_from_db()
    assert waiting.status == Run.Status.COMPLETED
    assert later.status == Run.Status.COMPLETED  # the slot was handed on again


def test_slots_are_handed_on_each_time_runs_queue_again(settings, workspace, background):
    settings.AUTOMATION_MAX_CONCURRENT_RUNS = 1
    for _ in range(2):
        busy, queued = pending_runs(workspace, 2)
        hold_slots([busy])
        assert execution_run(execution_id=queued.pk) is None
        workspace.refresh_from_db()
        assert workspace.automation_runs_queued

        Run.objects.filter(pk=busy.pk).update(lease_token=None, lease_expires_at=None)
        with background():
            assert execution_run(execution_id=busy.pk) == Run.Status.COMPLETED
        queued.refresh_from_db()
        assert queued.status == Run.Status.COMPLETED
        # The queue is empty again: runs that finish from now on do not look for it.
        workspace.refresh_from_db()
        assert not workspace.automation_runs_queued


def test_an_expired_lease_does_not_hold_a_slot(settings, workspace):
    settings.AUTOMATION_MAX_CONCURRENT_RUNS = 1
    (crashed,) = pending_runs(workspace, 1)
    Run.objects.filter(pk=crashed.pk).update(
        lease_token=uuid.uuid4(), lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    (fresh,) = pending_runs(workspace, 1)
    assert execution_run(execution_id=fresh.pk) == Run.Status.COMPLETED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_never_run_more_than_the_limit(settings, workspace):
    settings.AUTOMATION_MAX_CONCURRENT_RUNS = 2
    runs = pending_runs(
        workspace,
        8,
        actions=[
            {
                "type": "call_webhook",
                "params": {"url": "http://127.0.0.1:9/unused"},
            }
        ],
    )
    peak = 0
    watching = True

    def watch():
        nonlocal peak
        while watching:
            busy = Run.objects.filter(
                workspace=workspace, status=Run.Status.RUNNING, lease_expires_at__gt=timezone.now()
            ).count()
            peak = max(peak, busy)
            time.sleep(0.005)
        connection.close()

    def slow_perform(*args, **kwargs):
        time.sleep(0.2)
        return {"status_code": 200}

    def work(run_id):
        try:
            execution_run(execution_id=run_id)
        finally:
            connection.close()

    from automations.actions.webhook import CallWebhook

    original = CallWebhook.perform
    CallWebhook.perform = slow_perform
    try:
        watcher = threading.Thread(target=watch)
        watcher.start()
        threads = [threading.Thread(target=work, args=(run.pk,)) for run in runs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        watching = False
        watcher.join(timeout=5)
    finally:
        CallWebhook.perform = original

    statuses = list(
        Run.objects.filter(pk__in=[r.pk for r in runs]).values_list("status", flat=True)
    )
    assert peak <= 2
    assert statuses.count(Run.Status.COMPLETED) >= 2
    # The rest queued (workers refused a slot); with on_commit hand-offs they start later.
    assert set(statuses) <= {Run.Status.COMPLETED, Run.Status.QUEUED, Run.Status.RUNNING}
