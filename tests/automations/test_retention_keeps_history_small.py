"""Finished runs and spent events are deleted after their retention, in bounded batches, and
what reports count of runs stays in the per-day roll-up, exactly once even with four sweepers
at once."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Sum

from automations.models import (
    AutomationActionRun,
    AutomationEvent,
    AutomationExecution,
    AutomationRunDay,
)
from automations.retention import automation_history_prune
from tests.factories import (
    AutomationActionRunFactory,
    AutomationEventFactory,
    AutomationExecutionFactory,
    AutomationFactory,
)

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


def finished_run(automation, *, days_ago: float, status="completed"):
    at = NOW - timedelta(days=days_ago)
    run = AutomationExecutionFactory(automation=automation, status=status, finished_at=at)
    AutomationActionRunFactory(execution=run, action_index=0)
    return run


@pytest.mark.django_db
def test_old_finished_runs_go_and_are_counted_per_rule_and_day(workspace, settings):
    settings.AUTOMATION_RUN_RETENTION_DAYS = 30
    rule = AutomationFactory(workspace=workspace)
    old = [finished_run(rule, days_ago=40) for _ in range(3)]
    old.append(finished_run(rule, days_ago=40, status="failed"))
    old.append(finished_run(rule, days_ago=41, status="cancelled"))
    recent = finished_run(rule, days_ago=5)
    # A run waiting for a delay of weeks is not finished: it stays, whatever its age.
    waiting = AutomationExecutionFactory(automation=rule, status="waiting", finished_at=None)
    AutomationExecution.objects.filter(pk=waiting.pk).update(created_at=NOW - timedelta(days=90))

    pruned = automation_history_prune(now=NOW)

    assert pruned.runs == 5
    left = set(AutomationExecution.objects.values_list("pk", flat=True))
    assert left == {recent.pk, waiting.pk}
    assert not AutomationActionRun.objects.filter(execution_id__in=[r.pk for r in old]).exists()
    days = {
        (row.day, row.completed, row.failed, row.cancelled)
        for row in AutomationRunDay.objects.filter(automation=rule)
    }
    assert days == {(date(2026, 5, 21), 3, 1, 0), (date(2026, 5, 20), 0, 0, 1)}


@pytest.mark.django_db
def test_spent_events_go_but_pending_ones_and_those_of_kept_runs_stay(workspace, settings):
    settings.AUTOMATION_EVENT_RETENTION_DAYS = 7
    settings.AUTOMATION_RUN_RETENTION_DAYS = 30
    rule = AutomationFactory(workspace=workspace)
    spent = AutomationEventFactory(workspace=workspace, status="skipped")
    pending = AutomationEventFactory(workspace=workspace, status="pending")
    kept_run = finished_run(rule, days_ago=10)
    fresh = AutomationEventFactory(workspace=workspace, status="dispatched")
    AutomationEvent.objects.exclude(pk=fresh.pk).update(created_at=NOW - timedelta(days=10))

    pruned = automation_history_prune(now=NOW)

    assert pruned.events == 1
    assert not AutomationEvent.objects.filter(pk=spent.pk).exists()
    assert set(AutomationEvent.objects.values_list("pk", flat=True)) == {
        pending.pk,
        kept_run.event_id,
        fresh.pk,
    }


@pytest.mark.django_db
def test_a_run_of_small_batches_still_deletes_everything_due(workspace, settings):
    rule = AutomationFactory(workspace=workspace)
    for _ in range(7):
        finished_run(rule, days_ago=60)
    AutomationEvent.objects.update(created_at=NOW - timedelta(days=60))

    pruned = automation_history_prune(now=NOW, batch_size=2)

    assert pruned.runs == 7 and pruned.events == 7
    assert AutomationRunDay.objects.get().completed == 7


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_sweepers_at_once_count_each_run_exactly_once(workspace):
    rules = [AutomationFactory(workspace=workspace) for _ in range(3)]
    event = AutomationEventFactory(workspace=workspace)
    finished = NOW - timedelta(days=60)
    AutomationExecution.objects.bulk_create(
        AutomationExecution(
            workspace=workspace,
            automation=rules[i % 3],
            event=event,
            status="completed" if i % 5 else "failed",
            finished_at=finished - timedelta(hours=i % 48),
        )
        for i in range(2000)
    )
    start = threading.Barrier(4)
    counted: list[int] = []
    errors: list[BaseException] = []

    def sweeper():
        try:
            start.wait()
            counted.append(automation_history_prune(now=NOW, batch_size=100).runs)
        except BaseException as exc:  # reported by the main thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    assert not errors, errors
    assert sum(counted) == 2000
    assert not AutomationExecution.objects.exists()
    totals = AutomationRunDay.objects.aggregate(done=Sum("completed"), failed=Sum("failed"))
    assert (totals["done"], totals["failed"]) == (1600, 400)
