"""The beat sweeps: runs whose wait is over, runs and events whose worker or message was lost."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from automations.events import hand_events_to_workers
from automations.models import (
    AutomationEvent,
    AutomationExecution,
)
from automations.runner.slots import enqueue_runs

logger = logging.getLogger(__name__)
Run = AutomationExecution


def executions_sweep() -> int:
    """The beat sweep: resume the runs that are due, then recover the stalled ones."""
    return executions_resume_due() + executions_recover()


def executions_resume_due(*, batch_size: int = 1000, max_batches: int = 20) -> int:
    """Wake the parked runs whose delay (or retry backoff) is over; return how many."""
    woken = 0
    for _ in range(max_batches):
        now = timezone.now()
        with transaction.atomic():
            due = list(
                Run.objects.select_for_update(skip_locked=True)
                .filter(status=Run.Status.WAITING, resume_at__lte=now)
                .order_by("resume_at")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not due:
                break
            Run.objects.filter(pk__in=due, status=Run.Status.WAITING).update(
                status=Run.Status.RUNNING, resume_at=None, resumed_at=now, enqueued_at=now
            )
            enqueue_runs(due)
        woken += len(due)
        if len(due) < batch_size:
            break
    return woken


def executions_recover(*, batch_size: int = 500) -> int:
    """Hand to a worker again the runs nobody is working on: a lease that expired (its worker
    died), or a run whose task never arrived."""
    now = timezone.now()
    forgotten = now - timedelta(seconds=settings.AUTOMATION_REQUEUE_AFTER_SECONDS)
    with transaction.atomic():
        stalled = list(
            Run.objects.select_for_update(skip_locked=True)
            .filter(status__in=[Run.Status.RUNNING, Run.Status.QUEUED])
            .filter(
                Q(lease_expires_at__lt=now)
                | Q(lease_expires_at__isnull=True, enqueued_at__lt=forgotten)
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if stalled:
            Run.objects.filter(pk__in=stalled).update(enqueued_at=now)
            enqueue_runs(stalled)
    if stalled:
        logger.info("Handed %s stalled automation runs to workers again", len(stalled))
    return len(stalled)


def events_redispatch(*, batch_size: int = 200) -> int:
    """The safety net for the after-commit dispatch: events still pending after a while."""
    forgotten = timezone.now() - timedelta(seconds=settings.AUTOMATION_REQUEUE_AFTER_SECONDS)
    pending = list(
        AutomationEvent.objects.filter(
            status=AutomationEvent.Status.PENDING, created_at__lt=forgotten
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:batch_size]
    )
    hand_events_to_workers(pending)
    return len(pending)
