"""Celery tasks of the automations app (thin: each calls one service)."""

from celery import shared_task
from django.conf import settings

from automations import events, retention, runner


@shared_task(name="automations.process_events", acks_late=True, reject_on_worker_lost=True)
def process_events(event_ids: list[int]) -> int:
    """Dispatch these events and run what they started; returns how many runs they started."""
    budget = settings.CELERY_TASK_SOFT_TIME_LIMIT / 2
    return runner.events_process(event_ids=event_ids, budget_seconds=budget)


@shared_task(name="automations.run_executions", acks_late=True, reject_on_worker_lost=True)
def run_executions(execution_ids: list[int]) -> int:
    """Run (or go on running) these runs; each is skipped if another worker holds it."""
    # Half the soft time limit: a batch of slow webhooks hands its rest on in good time.
    budget = settings.CELERY_TASK_SOFT_TIME_LIMIT / 2
    return runner.executions_run(execution_ids=execution_ids, budget_seconds=budget)


@shared_task(name="automations.sweep_runs", acks_late=True, reject_on_worker_lost=True)
def sweep_runs() -> int:
    """Wake the runs whose delay is over and hand stalled runs to workers again."""
    return runner.executions_sweep()


@shared_task(name="automations.redispatch_events", acks_late=True, reject_on_worker_lost=True)
def redispatch_events() -> int:
    return runner.events_redispatch()


@shared_task(name="automations.emit_overdue_tasks", acks_late=True, reject_on_worker_lost=True)
def emit_overdue_tasks() -> int:
    return events.overdue_tasks_emit()


@shared_task(name="automations.retention_sweep", acks_late=True, reject_on_worker_lost=True)
def retention_sweep() -> int:
    """Delete finished runs and spent events past their retention (counted per day first)."""
    pruned = retention.automation_history_prune()
    return pruned.runs + pruned.events
