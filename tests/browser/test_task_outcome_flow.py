"""A rep works the task queue from the keyboard: completes a call task with its outcome in the
dialog, and snoozes the next one."""

import pytest

from outreach.models import Activity, OutreachLog, Prospect
from tests.browser.conftest import htmx_settled, sign_in
from tests.factories import ContactFactory, ProspectFactory, TouchTaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_completes_a_call_task_with_an_outcome_and_snoozes_the_next(desktop, workspace, bob):
    prospect = ProspectFactory(workspace=workspace, name="Brex", owner=bob)
    contact = ContactFactory(prospect=prospect, first_name="Avery", last_name="Park")
    call = TouchTaskFactory(
        prospect=prospect,
        contact=contact,
        assignee=bob,
        subject="Call Avery about pricing",
        priority_label="high",
    )
    later = TouchTaskFactory(prospect=prospect, assignee=bob, subject="Call the CFO")

    sign_in(desktop, "bob")
    desktop.goto("/tasks/")
    htmx_settled(desktop)
    assert desktop.locator("#task-shortcuts").inner_text().startswith("Keys:")
    desktop.keyboard.press("j")  # the first task
    desktop.keyboard.press("c")  # complete it: a call asks how it went
    dialog = desktop.get_by_role("dialog", name="Complete: Call Avery about pricing")
    dialog.wait_for()
    htmx_settled(desktop)
    dialog.get_by_role("button", name="Complete task").click()
    dialog.get_by_text("Choose what happened on the call.").wait_for()
    htmx_settled(desktop)

    dialog = desktop.get_by_role("dialog", name="Complete: Call Avery about pricing")
    dialog.get_by_label("Connected").focus()
    desktop.keyboard.press("5")  # Meeting booked
    assert dialog.get_by_label("Meeting booked").is_checked()
    dialog.get_by_label("Note").fill("Demo on Tuesday at 10")
    dialog.get_by_role("button", name="Complete task").click()
    desktop.locator(f"#task-{call.pk} .badge:has-text('Meeting booked')").wait_for()
    assert not dialog.is_visible()

    call.refresh_from_db()
    assert call.status == OutreachLog.Status.DONE
    assert call.metadata["callOutcome"] == "meeting_booked"
    assert call.metadata["outcome"] == "Demo on Tuesday at 10"
    assert Activity.objects.get(contact=contact).metadata["outcome"] == "meeting_booked"
    assert Prospect.objects.get(pk=prospect.pk).status == Prospect.Status.MEETING

    # The next task is selected; Z opens its snooze menu.
    row = desktop.locator(f"#task-{later.pk}")
    row.and_(desktop.locator(".selected")).wait_for()
    htmx_settled(desktop)
    desktop.keyboard.press("z")
    row.get_by_role("button", name="Until tomorrow 9:00").click()
    row.get_by_text("Snoozed until").wait_for()
    later.refresh_from_db()
    assert later.is_snoozed

    desktop.goto("/tasks/")
    assert desktop.get_by_text("No open tasks here.").is_visible()
