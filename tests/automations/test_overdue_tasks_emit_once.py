"""The beat job emits task.overdue once for each task that goes past its due time."""

from datetime import timedelta

from django.utils import timezone

from automations.events import overdue_tasks_emit
from automations.models import AutomationEvent, AutomationExecution
from outreach.models import OutreachLog
from tests.factories import TouchTaskFactory


def test_each_overdue_task_fires_its_automation_once(stripe, pat, alice, automation, background):
    automation(
        "task.overdue",
        actions=[{"type": "notify_admins", "params": {"title": "Overdue: {{task.subject}}"}}],
    )
    now = timezone.now()
    late = TouchTaskFactory(
        prospect=stripe, contact=pat, subject="Call Pat", due_at=now - timedelta(minutes=5)
    )
    TouchTaskFactory(prospect=stripe, subject="Not yet", due_at=now + timedelta(hours=1))
    TouchTaskFactory(
        prospect=stripe,
        subject="Done",
        due_at=now - timedelta(hours=1),
        status=OutreachLog.Status.DONE,
    )
    TouchTaskFactory(prospect=stripe, subject="Ancient", due_at=now - timedelta(days=30))

    with background():
        assert overdue_tasks_emit() == 1
    with background():
        assert overdue_tasks_emit() == 0

    event = AutomationEvent.objects.get(event_type="task.overdue")
    assert event.payload["task"]["id"] == late.pk
    assert AutomationExecution.objects.get().status == AutomationExecution.Status.COMPLETED
    assert alice.notifications.get().title == "Overdue: Call Pat"
