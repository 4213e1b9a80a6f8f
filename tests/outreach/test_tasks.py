"""Touch tasks: the queue order, completing and skipping, and what completion records."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config.errors import Conflict
from outreach.crm.services.tasks import touch_task_complete
from outreach.models import Activity, OutreachLog, Prospect
from tests.factories import ContactFactory, ProspectFactory, TouchTaskFactory


def test_the_queue_lists_high_priority_first_then_soonest_due(api, workspace):
    now = timezone.now()
    prospect = ProspectFactory(workspace=workspace)
    later_high = TouchTaskFactory(
        prospect=prospect, priority_label="high", due_at=now + timedelta(hours=5)
    )
    soon_normal = TouchTaskFactory(
        prospect=prospect, priority_label="normal", due_at=now + timedelta(minutes=10)
    )
    soon_high = TouchTaskFactory(
        prospect=prospect, priority_label="high", due_at=now + timedelta(hours=1)
    )
    low = TouchTaskFactory(prospect=prospect, priority_label="low", due_at=now - timedelta(days=1))
    TouchTaskFactory(prospect=prospect, status=OutreachLog.Status.DONE)

    ids = [t["id"] for t in api.get("tasks").json()["items"]]
    assert ids == [soon_high.pk, later_high.pk, soon_normal.pk, low.pk]
    high = api.get("tasks", priority="high").json()["items"]
    assert [t["id"] for t in high] == [soon_high.pk, later_high.pk]
    overdue = api.get("tasks", overdue=True).json()["items"]
    assert [t["id"] for t in overdue] == [low.pk]


def test_a_created_task_has_the_touch_task_shape(api, workspace, alice):
    prospect = ProspectFactory(workspace=workspace, owner=alice)
    contact = ContactFactory(prospect=prospect)
    response = api.post(
        "tasks",
        {
            "prospect_id": prospect.pk,
            "contact_id": contact.pk,
            "channel": "call",
            "subject": "Call about the pilot",
            "priority": "high",
            "notes": "They asked for pricing",
            "due_at": "2030-01-02T15:00:00+02:00",
        },
    )
    assert response.status_code == 201, response.json()
    task = OutreachLog.objects.get(pk=response.json()["id"])
    assert task.status == "touch_open"
    assert task.assignee == alice
    assert task.metadata["kind"] == "touch_task"
    assert task.metadata["priority"] == "high"
    assert task.metadata["notes"] == "They asked for pricing"
    assert task.metadata["dueAt"] == "2030-01-02T13:00:00+00:00"
    assert task.metadata["createdBy"] == "api:tests"
    assert response.json()["due_at"].startswith("2030-01-02T13:00:00")


def test_completing_a_call_records_activity_and_marks_a_new_prospect_contacted(api, workspace):
    prospect = ProspectFactory(workspace=workspace, status=Prospect.Status.NEW)
    contact = ContactFactory(prospect=prospect)
    task = TouchTaskFactory(prospect=prospect, contact=contact, channel="call")

    response = api.post(f"tasks/{task.pk}/complete", {"outcome": "Booked a demo"})
    assert response.status_code == 200
    assert response.json()["status"] == "done"
    assert response.json()["metadata"]["outcome"] == "Booked a demo"
    prospect.refresh_from_db()
    assert prospect.status == Prospect.Status.CONTACTED
    assert Activity.objects.filter(contact=contact, kind=Activity.Kind.CALL_DONE).count() == 1
    assert api.get("tasks").json()["count"] == 0


def test_a_task_cannot_be_closed_twice(api, workspace, alice):
    task = TouchTaskFactory(prospect__workspace=workspace)
    assert api.post(f"tasks/{task.pk}/skip", {"outcome": "Wrong number"}).status_code == 200
    response = api.post(f"tasks/{task.pk}/complete", {})
    assert response.status_code == 409
    assert response.json()["detail"] == "This task is already skipped."
    task.refresh_from_db()
    assert task.status == OutreachLog.Status.SKIPPED
    assert not Activity.objects.exists()


def test_two_completions_of_one_task_record_one_activity(workspace, alice):
    task = TouchTaskFactory(
        prospect__workspace=workspace, contact=ContactFactory(prospect__workspace=workspace)
    )
    stale_copy = OutreachLog.objects.get(pk=task.pk)
    touch_task_complete(task=task, by=alice)
    with pytest.raises(Conflict, match="already done"):
        touch_task_complete(task=stale_copy, by=alice)
    assert Activity.objects.filter(kind=Activity.Kind.CALL_DONE).count() == 1


def test_editing_a_task_keeps_metadata_in_step(api, workspace):
    task = TouchTaskFactory(prospect__workspace=workspace, priority_label="low")
    response = api.patch(
        f"tasks/{task.pk}",
        {"priority": "high", "notes": "Urgent", "due_at": "2031-05-01T09:00:00Z"},
    )
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.priority == 1
    assert task.metadata["priority"] == "high"
    assert task.metadata["notes"] == "Urgent"
    assert task.metadata["dueAt"] == "2031-05-01T09:00:00+00:00"
