"""Retention of the automation tables that grow with every CRM change: finished runs (with
their action logs) and the events that no run needs any more.

Why nothing is counted twice or lost: each batch claims its runs with
`select_for_update(skip_locked=True)`, adds them to the per-day roll-up (`AutomationRunDay`) and
deletes them in one transaction, so a second sweeper skips the rows the first holds, and a
crash rolls the roll-up back with the deletion. Runs that have not finished (running, queued,
waiting for a delay) are never touched, whatever their age, and neither are pending events.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from automations.models import AutomationEvent, AutomationExecution, AutomationRunDay
from config.sweeps import in_batches, sweep_deadline

FINISHED = (
    AutomationExecution.Status.COMPLETED,
    AutomationExecution.Status.FAILED,
    AutomationExecution.Status.CANCELLED,
)


@dataclass
class Pruned:
    runs: int = 0
    events: int = 0


def automation_history_prune(
    *,
    now: datetime | None = None,
    batch_size: int | None = None,
    time_budget_seconds: float | None = None,
) -> Pruned:
    """Delete finished runs older than AUTOMATION_RUN_RETENTION_DAYS (counted per day first)
    and dispatched or skipped events older than AUTOMATION_EVENT_RETENTION_DAYS that no run
    refers to, in batches, each in its own short transaction, until done or out of time."""
    now = now or timezone.now()
    deadline = sweep_deadline(time_budget_seconds)
    runs_before = now - timedelta(days=settings.AUTOMATION_RUN_RETENTION_DAYS)
    events_before = now - timedelta(days=settings.AUTOMATION_EVENT_RETENTION_DAYS)
    return Pruned(
        runs=in_batches(
            lambda batch: _runs_prune(before=runs_before, batch=batch),
            batch_size=batch_size,
            deadline=deadline,
        ),
        events=in_batches(
            lambda batch: _events_prune(before=events_before, batch=batch),
            batch_size=batch_size,
            deadline=deadline,
        ),
    )


def _runs_prune(*, before: datetime, batch: int) -> int:
    with transaction.atomic():
        # The oldest rows have the lowest ids: the primary key leads straight to them.
        runs = list(
            AutomationExecution.objects.filter(status__in=FINISHED, finished_at__lt=before)
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", "automation_id", "status", "finished_at")[:batch]
        )
        if not runs:
            return 0
        counts: Counter[tuple[int, date, str]] = Counter(
            (automation_id, finished_at.date(), status)
            for _, automation_id, status, finished_at in runs
            if finished_at is not None  # always set: the filter asked for finished_at < before
        )
        # In one order for every sweeper: two sweepers adding to the same days' roll-ups lock
        # those rows in the same order, so neither waits on the other in a circle.
        days = sorted({(automation_id, day) for automation_id, day, _ in counts})
        AutomationRunDay.objects.bulk_create(
            [AutomationRunDay(automation_id=a, day=d) for a, d in days], ignore_conflicts=True
        )
        for automation_id, day in days:
            AutomationRunDay.objects.filter(automation_id=automation_id, day=day).update(
                **{
                    status: F(status) + counts[(automation_id, day, status)]
                    for status in FINISHED
                    if counts[(automation_id, day, status)]
                }
            )
        AutomationExecution.objects.filter(pk__in=[run[0] for run in runs]).delete()
        return len(runs)


def _events_prune(*, before: datetime, batch: int) -> int:
    with transaction.atomic():
        events = list(
            AutomationEvent.objects.filter(created_at__lt=before)
            .exclude(status=AutomationEvent.Status.PENDING)
            .exclude(Exists(AutomationExecution.objects.filter(event=OuterRef("pk"))))
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:batch]
        )
        if events:
            AutomationEvent.objects.filter(pk__in=events).delete()
        return len(events)
