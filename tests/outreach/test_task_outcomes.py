"""Closing a call task records what happened on the call; a task can be snoozed out of the
queue until later. The dashboard asks a call's outcome in a dialog, the API takes it too."""

from datetime import timedelta

import pytest
from django.utils import timezone

from automations.models import AutomationEvent
from config.errors import Conflict, ValidationFailed
from outreach.crm import selectors
from outreach.crm.services.tasks import touch_task_complete, touch_task_snooze
from outreach.models import Activity, CallOutcome, OutreachLog, Prospect
from tests.factories import AutomationFactory, ContactFactory, ProspectFactory, TouchTaskFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def call_task(workspace, bob):
    prospect = ProspectFactory(workspace=workspace, name="Plaid", owner=bob)
    contact = ContactFactory(prospect=prospect, first_name="Morgan", phone="+1 415 555 0100")
    return TouchTaskFactory(prospect=prospect, contact=contact, assignee=bob, subject="Call Morgan")


def test_completing_a_call_records_its_outcome_and_the_call_for_scoring(call_task, bob):
    touch_task_complete(
        task=call_task, by=bob, outcome="Wants a demo", call_outcome=CallOutcome.CONNECTED
    )
    call_task.refresh_from_db()
    assert call_task.status == OutreachLog.Status.DONE
    assert call_task.metadata["callOutcome"] == "connected"
    assert call_task.metadata["outcome"] == "Wants a demo"
    activity = Activity.objects.get(contact=call_task.contact)
    assert activity.kind == Activity.Kind.CALL_DONE
    assert activity.metadata == {"taskId": call_task.pk, "outcome": "connected"}


def test_a_booked_meeting_moves_the_prospect_to_meeting_but_never_back_from_won(
    workspace, call_task, bob
):
    touch_task_complete(task=call_task, by=bob, call_outcome=CallOutcome.MEETING_BOOKED)
    assert Prospect.objects.get(pk=call_task.prospect_id).status == Prospect.Status.MEETING

    won = ProspectFactory(workspace=workspace, status=Prospect.Status.WON)
    task = TouchTaskFactory(prospect=won)
    touch_task_complete(task=task, by=bob, call_outcome=CallOutcome.MEETING_BOOKED)
    assert Prospect.objects.get(pk=won.pk).status == Prospect.Status.WON


def test_only_a_call_has_an_outcome_and_only_a_known_one(workspace, call_task, bob):
    email = TouchTaskFactory(
        prospect=call_task.prospect, channel=OutreachLog.Channel.EMAIL, assignee=bob
    )
    with pytest.raises(ValidationFailed) as refused:
        touch_task_complete(task=email, by=bob, call_outcome=CallOutcome.CONNECTED)
    assert "call_outcome" in refused.value.field_errors
    with pytest.raises(ValidationFailed):
        touch_task_complete(task=call_task, by=bob, call_outcome="hung up on us")
    for task in (email, call_task):
        task.refresh_from_db()
        assert task.status == OutreachLog.Status.TOUCH_OPEN
    assert not Activity.objects.exists()


def test_task_completed_automations_hear_the_call_outcome(workspace, call_task, alice, bob):
    AutomationFactory(workspace=workspace, trigger_type="task.completed")
    touch_task_complete(task=call_task, by=bob, call_outcome=CallOutcome.NO_ANSWER)
    event = AutomationEvent.objects.get(event_type="task.completed")
    assert event.payload["task"]["call_outcome"] == "no_answer"


def test_a_snoozed_task_leaves_the_queue_until_it_is_due(workspace, call_task, bob):
    later = TouchTaskFactory(prospect=call_task.prospect, assignee=bob, subject="Later")
    until = timezone.now() + timedelta(hours=3)
    touch_task_snooze(task=call_task, until=until, by=bob)

    def queue(**filters):
        return list(selectors.task_queue(workspace=workspace, **filters))

    assert queue(snoozed=False) == [later]
    assert queue(snoozed=True) == [call_task]
    call_task.refresh_from_db()
    assert call_task.due_at == until
    assert call_task.metadata["snoozeCount"] == 1
    # Once its time comes it is back, due.
    OutreachLog.objects.filter(pk=call_task.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    assert {task.pk for task in queue(snoozed=False)} == {call_task.pk, later.pk}


def test_a_task_is_snoozed_into_the_future_and_only_while_open(call_task, bob):
    with pytest.raises(ValidationFailed):
        touch_task_snooze(task=call_task, until=timezone.now() - timedelta(minutes=1), by=bob)
    touch_task_complete(task=call_task, by=bob, call_outcome=CallOutcome.CONNECTED)
    with pytest.raises(Conflict):
        touch_task_snooze(task=call_task, until=timezone.now() + timedelta(hours=1), by=bob)


def test_the_api_takes_a_call_outcome_and_a_snooze(api, call_task):
    until = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    snoozed = api.post(f"tasks/{call_task.pk}/snooze", {"until": until.isoformat()})
    assert snoozed.status_code == 200, snoozed.json()
    assert snoozed.json()["metadata"]["snoozedUntil"] == until.isoformat()

    done = api.post(f"tasks/{call_task.pk}/complete", {"call_outcome": "wrong_number"})
    assert done.status_code == 200, done.json()
    assert done.json()["metadata"]["callOutcome"] == "wrong_number"
    assert api.post(f"tasks/{call_task.pk}/complete", {"call_outcome": "maybe"}).status_code == (
        422
    )


# --- In the dashboard -----------------------------------------------------------------------


def test_completing_a_call_in_the_dashboard_asks_how_it_went(bob_client, call_task):
    dialog = bob_client.get(f"/tasks/{call_task.pk}/complete/", headers=HTMX)
    assert b"<dialog" in dialog.content
    assert b"Meeting booked" in dialog.content

    unsaid = bob_client.post(f"/tasks/{call_task.pk}/complete/", {}, headers=HTMX)
    assert unsaid.status_code == 422
    assert b"Choose what happened on the call." in unsaid.content
    assert unsaid["HX-Retarget"] == f"#task-dialog-{call_task.pk}"
    call_task.refresh_from_db()
    assert call_task.is_open

    done = bob_client.post(
        f"/tasks/{call_task.pk}/complete/",
        {"call_outcome": "meeting_booked", "outcome": "Tuesday 10:00"},
        headers=HTMX,
    )
    assert done.status_code == 200
    assert b"Meeting booked" in done.content and b"Done" in done.content
    call_task.refresh_from_db()
    assert call_task.metadata["callOutcome"] == "meeting_booked"


def test_without_javascript_the_outcome_form_is_a_page_that_goes_back(bob_client, call_task):
    page = bob_client.get(f"/tasks/{call_task.pk}/complete/?next=/prospects/")
    assert page.status_code == 200 and b"<html" in page.content
    done = bob_client.post(
        f"/tasks/{call_task.pk}/complete/", {"call_outcome": "no_answer", "next": "/prospects/"}
    )
    assert (done.status_code, done.url) == (302, "/prospects/")


def test_snoozing_from_the_queue_takes_the_task_off_it(bob_client, call_task):
    row = bob_client.post(f"/tasks/{call_task.pk}/snooze/", {"preset": "tomorrow"}, headers=HTMX)
    assert b"Snoozed until" in row.content
    call_task.refresh_from_db()
    local = timezone.localtime(call_task.due_at, timezone.get_fixed_timezone(0))
    assert (local.hour, local.minute) == (9, 0)  # the workspace's zone is UTC
    assert "Call Morgan" not in bob_client.get("/tasks/").content.decode()
    assert "Call Morgan" in bob_client.get("/tasks/?show=snoozed").content.decode()

    no_time = bob_client.post(f"/tasks/{call_task.pk}/snooze/", {"preset": "custom"}, headers=HTMX)
    assert b"Choose when the task comes back." in no_time.content


def test_the_queue_shows_its_keyboard_shortcuts(bob_client, call_task):
    page = bob_client.get("/tasks/").content.decode()
    for key, action in (("J", "next"), ("C", "complete"), ("S", "skip"), ("Z", "snooze")):
        assert f"<kbd>{key}</kbd> {action}" in page
