"""Leases and the per-workspace run slots: which worker holds a run, and how many runs of a
workspace do actions at once."""

import logging
import uuid
from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from automations.models import (
    AutomationExecution,
)
from outreach.models import Workspace
from outreach.outbox.services import publish

logger = logging.getLogger(__name__)


Run = AutomationExecution


# Runs handed to one task by the sweeps: enough to save messages, few enough to spread out.
RUNS_PER_TASK = 20


def lease_expiry():
    return timezone.now() + timedelta(seconds=settings.AUTOMATION_RUN_LEASE_SECONDS)


def claim(execution_id: int) -> uuid.UUID | None:
    """Take the run's lease if it is free and the workspace has a free run slot."""
    now = timezone.now()
    free = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)
    active = [Run.Status.RUNNING, Run.Status.QUEUED]
    with transaction.atomic():
        workspace_id = (
            Run.objects.filter(free, pk=execution_id, status__in=active)
            .values_list("workspace_id", flat=True)
            .first()
        )
        if workspace_id is None:
            return None
        if free_slots(workspace_id, now) < 1:
            Run.objects.filter(free, pk=execution_id, status=Run.Status.RUNNING).update(
                status=Run.Status.QUEUED
            )
            mark_queued(workspace_id)
            return None
        token = uuid.uuid4()
        claimed = Run.objects.filter(free, pk=execution_id, status__in=active).update(
            status=Run.Status.RUNNING, lease_token=token, lease_expires_at=lease_expiry()
        )
    return token if claimed else None


def free_slots(workspace_id: int, now) -> int:
    """Run slots of the workspace nobody holds, counted under the workspace's lock (so two
    workers cannot both take the last one); the lock is held until the caller commits."""
    lock_workspace(workspace_id)
    limit = settings.AUTOMATION_MAX_CONCURRENT_RUNS
    busy = Run.objects.filter(
        workspace_id=workspace_id, status=Run.Status.RUNNING, lease_expires_at__gt=now
    ).values_list("pk", flat=True)[:limit]
    return limit - len(busy)


def hand_on_slot(*, workspace_id: int) -> None:
    """A slot freed (in the caller's transaction): start the workspace's oldest queued run."""
    # The same lock as free_slots: a run queued while we looked is seen here (with the
    # workspace's flag that says runs are queued), or saw our freed slot itself.
    if not lock_workspace(workspace_id):
        return
    queued = list(
        Run.objects.select_for_update(skip_locked=True)
        .filter(workspace_id=workspace_id, status=Run.Status.QUEUED)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:1]
    )
    if queued:
        Run.objects.filter(pk__in=queued).update(
            status=Run.Status.RUNNING, enqueued_at=timezone.now()
        )
        enqueue_runs(queued)
    else:
        # Queued runs that another transaction has locked are being handed to a worker
        # already; if they find no slot there, they set the flag again.
        Workspace.objects.filter(pk=workspace_id).update(automation_runs_queued=False)


def lock_workspace(workspace_id: int) -> bool:
    """Lock the workspace row for run-slot bookkeeping; returns whether runs may be queued."""
    # FOR NO KEY UPDATE: serialises run-slot bookkeeping without blocking the inserts of rows
    # that point at the workspace (they take FOR KEY SHARE).
    locked = (
        Workspace.objects.select_for_update(no_key=True)
        .filter(pk=workspace_id)
        .values_list("automation_runs_queued", flat=True)
    )
    return any(locked)


def mark_queued(workspace_id: int) -> None:
    """Runs of the workspace wait for a slot (under the lock, in the caller's transaction)."""
    Workspace.objects.filter(pk=workspace_id).update(automation_runs_queued=True)


def enqueue_runs(execution_ids: Iterable[int]) -> None:
    """Ask workers to run these runs once the current transaction commits. A broker outage
    only delays them: the sweep hands out runs whose task never came."""
    from automations import tasks

    ids = list(execution_ids)
    for start in range(0, len(ids), RUNS_PER_TASK):
        chunk = ids[start : start + RUNS_PER_TASK]
        transaction.on_commit(partial(publish, task=tasks.run_executions, args=[chunk]))
