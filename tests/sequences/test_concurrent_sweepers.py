"""Four sweepers running at once over 10,000 due steps promote every step exactly once, and so
do four worker processes consuming the same queues, each running the cadence sweep beat sends."""

import threading
from datetime import time, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from config.celery import app
from outreach.models import Contact, OutreachLog, OutreachSequence, OutreachStep
from outreach.sequences import tasks
from outreach.sequences.services.sweep import cadence_sweep
from tests.celery_workers import shared_queue_workers
from tests.factories import (
    MembershipFactory,
    ProspectFactory,
    UserFactory,
    WorkspaceFactory,
    sequence_with_steps,
)

DUE_STEPS = 10_000
SWEEPERS = 4
# Enough for every worker to get sweeps with work in them, few enough to stay well under a
# minute on a busy machine.
DUE_STEPS_FOR_WORKERS = 3_000


def due_sequences(n: int):
    workspace = WorkspaceFactory(
        business_days=list(range(7)),
        business_day_start=time(0, 0),
        business_day_end=time(23, 59, 59),
    )
    rep = UserFactory(username="bob")
    MembershipFactory(workspace=workspace, user=rep)
    prospects = [ProspectFactory(workspace=workspace, owner=rep) for _ in range(20)]
    template = sequence_with_steps(
        workspace,
        {"channel": "call"},
        {"channel": "call", "delay_days": 1, "subject_template": "Call {{contact.first_name}}"},
    )
    first, second = template.steps.order_by("position")
    contacts = Contact.objects.bulk_create(
        Contact(
            workspace=workspace,
            prospect=prospects[i % len(prospects)],
            first_name=f"Pat{i}",
            email=f"pat{i}@example.com",
        )
        for i in range(n)
    )
    sequences = OutreachSequence.objects.bulk_create(
        OutreachSequence(
            workspace=workspace,
            template=template,
            prospect_id=contact.prospect_id,
            contact=contact,
            sender=rep,
        )
        for contact in contacts
    )
    due = timezone.now() - timedelta(minutes=1)
    OutreachStep.objects.bulk_create(
        step
        for sequence in sequences
        for step in (
            OutreachStep(
                sequence=sequence,
                template_step=first,
                step_order=1,
                channel="call",
                status=OutreachStep.Status.DONE,
                next_step_ready_at=due,
            ),
            OutreachStep(sequence=sequence, template_step=second, step_order=2, channel="call"),
        )
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_sweepers_at_once_promote_each_of_10000_due_steps_exactly_once():
    due_sequences(DUE_STEPS)
    start = threading.Barrier(SWEEPERS)
    promoted: list[int] = []
    errors: list[BaseException] = []

    def sweeper():
        try:
            start.wait()
            promoted.append(cadence_sweep(batch_size=250, time_budget=120))
        except BaseException as exc:  # reported by the main thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper) for _ in range(SWEEPERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    assert not errors, errors
    assert sum(promoted) == DUE_STEPS
    assert sum(1 for n in promoted if n) > 1, f"the sweepers did not share the work: {promoted}"
    assert_each_step_promoted_once(DUE_STEPS)


def assert_each_step_promoted_once(due_steps: int) -> None:
    tasks = OutreachLog.objects.filter(metadata__kind="touch_task")
    assert tasks.count() == due_steps
    per_step = tasks.values("metadata__stepId").annotate(n=Count("pk"))
    assert per_step.count() == due_steps and not per_step.filter(n__gt=1).exists()
    assert OutreachStep.objects.filter(step_order=2, status="open").count() == due_steps
    assert not OutreachStep.objects.filter(next_step_ready_at__isnull=False).exists()


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.REDIS_URL, reason="real workers need Redis (set REDIS_URL)")
@pytest.mark.timeout(180)
def test_four_worker_processes_on_the_same_queues_promote_each_due_step_once(tmp_path):
    due_sequences(DUE_STEPS_FOR_WORKERS)
    # Small batches, so that the sweeps of the four workers overlap on the same rows.
    with shared_queue_workers(tmp_path, CADENCE_SWEEP_BATCH_SIZE="100") as workers:
        workers.start(SWEEPERS)

        def sweep_on_every_worker() -> None:
            for _ in range(SWEEPERS):
                tasks.cadence_sweep.delay()

        sweep_on_every_worker()
        promoted = OutreachLog.objects.filter(metadata__kind="touch_task")
        workers.wait_until(
            lambda: (
                promoted.count() >= DUE_STEPS_FOR_WORKERS
                and not OutreachStep.objects.filter(next_step_ready_at__isnull=False).exists()
            ),
            seconds=120,
            what="every due step to be promoted",
            meanwhile=sweep_on_every_worker,
        )
        ran = sweeps_run(name="outreach.cadence_sweep")

    assert len(ran) == SWEEPERS, f"not every worker ran sweeps: {ran}"
    assert_each_step_promoted_once(DUE_STEPS_FOR_WORKERS)


def sweeps_run(*, name: str) -> dict[str, int]:
    """How many of these tasks each worker has run, by worker."""
    stats = app.control.inspect(timeout=2).stats() or {}
    return {
        worker: info.get("total", {}).get(name, 0)
        for worker, info in stats.items()
        if info.get("total", {}).get(name)
    }
