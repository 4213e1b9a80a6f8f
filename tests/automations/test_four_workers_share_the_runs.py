"""Four worker processes consuming the same queues, with the sweeps sent to all of them at once:
parked runs that came due, events whose dispatch was lost and events a CRM change just made each
lead to exactly one run, and each run's action is done exactly once."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from automations import tasks
from automations.events import payload_for
from automations.models import (
    AutomationActionRun,
    AutomationEvent,
    AutomationExecution,
    TriggerType,
)
from config.celery import app
from outreach.crm.services.tags import tag_assign
from outreach.models import Contact, OutreachLog
from tests.celery_workers import shared_queue_workers

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="real workers need Redis (set REDIS_URL)"),
    pytest.mark.timeout(180),
]

WORKERS = 4
PARKED = 400
FORGOTTEN = 200
LIVE = 200
Run = AutomationExecution
RUN_TASKS = ("automations.process_events", "automations.run_executions")


def test_four_workers_run_each_due_run_and_each_event_once(tmp_path, automation, hot, stripe):
    rule = automation(
        TriggerType.TAG_ASSIGNED,
        trigger_config={"tag_id": hot.pk},
        actions=[{"type": "create_task", "params": {"subject": "Call {{contact.first_name}}"}}],
    )
    contacts = Contact.objects.bulk_create(
        Contact(workspace=stripe.workspace, prospect=stripe, first_name=f"Pat{i}")
        for i in range(PARKED + FORGOTTEN + LIVE)
    )
    parked, forgotten, live = (
        contacts[:PARKED],
        contacts[PARKED : PARKED + FORGOTTEN],
        contacts[PARKED + FORGOTTEN :],
    )
    park_runs_due_now(rule, parked, hot)
    # Events whose after-commit dispatch never reached the broker: the safety net finds them.
    AutomationEvent.objects.bulk_create(
        AutomationEvent(
            workspace=rule.workspace,
            event_type=TriggerType.TAG_ASSIGNED,
            payload=payload_for(record=contact, tag=hot),
        )
        for contact in forgotten
    )
    AutomationEvent.objects.update(created_at=timezone.now() - timedelta(minutes=10))
    total = PARKED + FORGOTTEN + LIVE

    with shared_queue_workers(tmp_path, AUTOMATION_REQUEUE_AFTER_SECONDS="2") as workers:
        workers.start(WORKERS)

        def sweep_on_every_worker() -> None:
            for _ in range(WORKERS):
                tasks.sweep_runs.delay()
                tasks.redispatch_events.delay()

        sweep_on_every_worker()
        # A CRM change while the sweeps run: its events go to the workers in batches.
        with transaction.atomic():
            for contact in live:
                tag_assign(target=contact, tag=hot)
        completed = Run.objects.filter(status=Run.Status.COMPLETED)
        workers.wait_until(
            lambda: completed.count() >= total,
            seconds=120,
            what="every run to complete",
            meanwhile=sweep_on_every_worker,
        )
        ran = automation_tasks_by_worker()

    assert len(ran) == WORKERS, f"not every worker ran runs: {ran}"
    assert Run.objects.count() == total
    assert set(Run.objects.values_list("status", flat=True)) == {Run.Status.COMPLETED}
    # Each event led to one run, the parked ones included.
    assert not AutomationEvent.objects.exclude(status=AutomationEvent.Status.DISPATCHED).exists()
    runs_per_event = Run.objects.values("event_id").annotate(n=Count("pk"))
    assert runs_per_event.count() == total and not runs_per_event.filter(n__gt=1).exists()
    # Each run's action was done once: one task, one succeeded step at its first attempt.
    tasks_per_run = (
        OutreachLog.objects.filter(metadata__kind="touch_task")
        .values("metadata__automationExecutionId")
        .annotate(n=Count("pk"))
    )
    assert tasks_per_run.count() == total and not tasks_per_run.filter(n__gt=1).exists()
    assert OutreachLog.objects.count() == total
    steps = AutomationActionRun.objects.all()
    assert steps.count() == total
    assert set(steps.values_list("status", "attempts")) == {("succeeded", 1)}
    # And each contact got its one call task.
    assert set(OutreachLog.objects.values_list("contact_id", flat=True)) == {
        contact.pk for contact in contacts
    }


def park_runs_due_now(rule, contacts: list[Contact], tag) -> None:
    """Runs parked on a delay that is over: the next sweep wakes them all at once."""
    events = AutomationEvent.objects.bulk_create(
        AutomationEvent(
            workspace=rule.workspace,
            event_type=TriggerType.TAG_ASSIGNED,
            payload=payload_for(record=contact, tag=tag),
            status=AutomationEvent.Status.DISPATCHED,
        )
        for contact in contacts
    )
    due = timezone.now() - timedelta(seconds=1)
    actions = [{**rule.actions[0], "delay_seconds": 3600}]
    runs = Run.objects.bulk_create(
        Run(
            workspace=rule.workspace,
            automation=rule,
            event=event,
            status=Run.Status.WAITING,
            actions=actions,
            resume_at=due,
        )
        for event in events
    )
    AutomationActionRun.objects.bulk_create(
        AutomationActionRun(
            execution=run,
            action_index=0,
            action_type="create_task",
            status=AutomationActionRun.Status.SCHEDULED,
            due_at=due,
        )
        for run in runs
    )


def automation_tasks_by_worker() -> dict[str, int]:
    """How many tasks that run runs each worker took (the sweeps aside)."""
    stats = app.control.inspect(timeout=2).stats() or {}
    ran = {
        worker: sum(info.get("total", {}).get(name, 0) for name in RUN_TASKS)
        for worker, info in stats.items()
    }
    return {worker: n for worker, n in ran.items() if n}
