"""A delay parks the run as a row with a due time; the beat sweep resumes it when it is due."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from automations.models import AutomationActionRun, AutomationExecution
from automations.runner import executions_resume_due
from outreach.crm.services.prospects import contact_create
from outreach.models import OutreachLog

TWO_DAYS = 2 * 24 * 3600


def call_task(subject: str, delay: int = 0) -> dict:
    return {
        "type": "create_task",
        "params": {"subject": subject, "channel": "call"},
        "delay_seconds": delay,
    }


def test_a_run_waits_two_days_then_creates_the_call_task(workspace, stripe, automation, background):
    rule = automation(
        actions=[
            call_task("Welcome {{contact.first_name}}"),
            call_task("Call {{contact.first_name}}", TWO_DAYS),
        ]
    )
    start = timezone.now()
    with time_machine.travel(start, tick=False), background():
        contact_create(workspace=workspace, prospect=stripe, first_name="Dana")

    run = AutomationExecution.objects.get(automation=rule)
    assert run.status == AutomationExecution.Status.WAITING
    assert run.resume_at == start + timedelta(seconds=TWO_DAYS)
    assert run.lease_token is None  # a parked run holds no worker
    waiting = run.action_runs.get(action_index=1)
    assert waiting.status == AutomationActionRun.Status.SCHEDULED
    assert list(OutreachLog.objects.values_list("subject", flat=True)) == ["Welcome Dana"]

    with time_machine.travel(start + timedelta(days=1, hours=23), tick=False), background():
        assert executions_resume_due() == 0
    with time_machine.travel(start + timedelta(days=2, seconds=5), tick=False), background():
        assert executions_resume_due() == 1

    run.refresh_from_db()
    assert run.status == AutomationExecution.Status.COMPLETED
    assert run.resumed_at == start + timedelta(days=2, seconds=5)
    assert sorted(OutreachLog.objects.values_list("subject", flat=True)) == [
        "Call Dana",
        "Welcome Dana",
    ]
    assert run.action_runs.get(action_index=1).status == AutomationActionRun.Status.SUCCEEDED


def test_a_run_woken_early_goes_back_to_sleep(workspace, stripe, automation, background):
    from automations.runner import execution_run

    automation(actions=[call_task("Later", TWO_DAYS)])
    with background():
        contact_create(workspace=workspace, prospect=stripe, first_name="Dana")
    run = AutomationExecution.objects.get()
    due = run.resume_at
    # A stray task message for the run (say, redelivered by the broker) must not skip the wait.
    AutomationExecution.objects.filter(pk=run.pk).update(status=AutomationExecution.Status.RUNNING)
    execution_run(execution_id=run.pk)
    run.refresh_from_db()
    assert run.status == AutomationExecution.Status.WAITING
    assert run.resume_at == due
    assert not OutreachLog.objects.exists()
