"""Disabling an automation while its runs wait in a delay cancels them at their next action."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from automations.models import AutomationActionRun, AutomationExecution
from automations.runner import executions_resume_due
from automations.services import automation_set_enabled
from outreach.crm.services.prospects import contact_create
from outreach.models import OutreachLog


def test_runs_waiting_in_a_delay_are_cancelled_when_they_wake(
    workspace, stripe, automation, background
):
    rule = automation(
        actions=[
            {"type": "create_task", "params": {"subject": "Intro call"}, "delay_seconds": 3600},
            {"type": "create_task", "params": {"subject": "Follow up"}, "delay_seconds": 0},
        ]
    )
    start = timezone.now()
    with time_machine.travel(start, tick=False), background():
        for name in ("Dana", "Eli", "Fay"):
            contact_create(workspace=workspace, prospect=stripe, first_name=name)
    assert AutomationExecution.objects.filter(status="waiting").count() == 3

    automation_set_enabled(automation=rule, enabled=False)
    with time_machine.travel(start + timedelta(hours=1, seconds=1), tick=False), background():
        executions_resume_due()

    runs = AutomationExecution.objects.filter(automation=rule)
    assert {run.status for run in runs} == {AutomationExecution.Status.CANCELLED}
    assert all("disabled" in run.reason for run in runs)
    assert set(
        AutomationActionRun.objects.filter(execution__in=runs).values_list("status", flat=True)
    ) == {AutomationActionRun.Status.CANCELLED}
    assert not OutreachLog.objects.exists()


def test_a_rule_enabled_again_before_the_delay_ends_carries_on(
    workspace, stripe, automation, background
):
    rule = automation(
        actions=[{"type": "create_task", "params": {"subject": "Intro call"}, "delay_seconds": 60}]
    )
    start = timezone.now()
    with time_machine.travel(start, tick=False), background():
        contact_create(workspace=workspace, prospect=stripe, first_name="Dana")
    automation_set_enabled(automation=rule, enabled=False)
    automation_set_enabled(automation=rule, enabled=True)
    with time_machine.travel(start + timedelta(minutes=2), tick=False), background():
        executions_resume_due()
    assert AutomationExecution.objects.get().status == AutomationExecution.Status.COMPLETED
    assert OutreachLog.objects.get().subject == "Intro call"
