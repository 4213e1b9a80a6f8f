"""Handing tasks to workers so that a broker outage delays work and never drops it.

`outbox_enqueue` records the task in the caller's transaction and publishes it once that
commits; a task the broker could not take stays a row that `outbox_sweep` (beat) publishes
later. `publish` is for work a sweep already derives from the rows it is about (a pipeline's
due prospects, pending automation events): it only keeps a broker outage from failing the
request that committed the change.
"""

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from celery import Task
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from config.celery import app
from outreach.models import OutboxMessage

logger = logging.getLogger(__name__)

# Connection refused while publishing surfaces as kombu's OperationalError; a socket that
# fails in the middle of a publish as a plain OSError.
BROKER_ERRORS = (BrokerUnreachable, OSError)


def publish(*, task: Task | str, args: Sequence[Any]) -> bool:
    """Give the task to the broker now; False, with a warning in the log, while it is down."""
    task_object = app.tasks[task] if isinstance(task, str) else task
    try:
        # Gives up quickly (CELERY_TASK_PUBLISH_RETRY_POLICY): the caller's rows keep the work.
        task_object.delay(*args)
    except BROKER_ERRORS as exc:
        logger.warning("Broker unreachable, %s%s not handed out now: %s", task, tuple(args), exc)
        return False
    return True


def outbox_enqueue(*, task: Task, args: Sequence[Any]) -> OutboxMessage:
    """Record the task with the caller's change, and publish it once that commits."""
    grace = timedelta(seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS)
    # No savepoint inside the caller's transaction: the row is part of the caller's change,
    # and a failure to record it fails that change.
    with transaction.atomic(savepoint=False):
        message = OutboxMessage.objects.create(
            task_name=task.name, args=list(args), next_attempt_at=timezone.now() + grace
        )
        # Robust: whatever goes wrong here is logged, and the row keeps the work for the sweep.
        transaction.on_commit(lambda: _publish_message(message), robust=True)
    return message


def _publish_message(message: OutboxMessage) -> bool:
    if message.task_name not in app.tasks:
        # A task renamed or removed by a deploy: no worker could run it, so keeping the row
        # would only block the sweep.
        logger.error("Outbox message %s names no known task; dropped: %s", message.pk, message)
    elif not publish(task=message.task_name, args=message.args):
        return False
    _forget(message)
    return True


def _forget(message: OutboxMessage) -> None:
    """Remove a published row without waiting for the disk to have it (a flush of the log
    costs more than the rest of publishing). Were the removal lost in a crash, the sweep would
    publish the task once more, as it does when a worker dies, and every task is safe to run
    twice."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        # A row nothing depends on is deleted by one DELETE.
        message.delete()


def outbox_sweep(*, batch: int | None = None, max_batches: int = 20) -> int:
    """Publish the tasks whose publish after commit never happened; returns how many.

    Each batch is claimed in a short transaction (skip_locked, so two sweeps share the work)
    by moving its next attempt back, then published outside it. A sweep stops at the first
    publish that fails: the broker is still down and the rest wait for the next sweep.
    """
    size = batch or settings.OUTBOX_SWEEP_BATCH_SIZE
    published = 0
    for _ in range(max_batches):
        now = timezone.now()
        with transaction.atomic():
            claimed = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(next_attempt_at__lte=now)
                .order_by("next_attempt_at", "pk")[:size]
            )
            retry_at = now + timedelta(seconds=settings.OUTBOX_RETRY_SECONDS)
            OutboxMessage.objects.filter(pk__in=[m.pk for m in claimed]).update(
                attempts=F("attempts") + 1, next_attempt_at=retry_at
            )
        for message in claimed:
            if not _publish_message(message):
                return published
            published += 1
        if len(claimed) < size:
            break
    if published:
        logger.info("Outbox sweep handed %s waiting task(s) to workers.", published)
    return published
