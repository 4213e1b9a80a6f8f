"""A rep signs in, opens a prospect and completes a task, in a real browser."""

import pytest

from outreach.models import OutreachLog
from tests.browser.conftest import htmx_settled, sign_in
from tests.factories import ContactFactory, ProspectFactory, TouchTaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_signs_in_opens_a_prospect_and_completes_a_task(desktop, workspace, bob):
    prospect = ProspectFactory(workspace=workspace, name="Mercury", owner=bob)
    contact = ContactFactory(prospect=prospect, first_name="Drew", last_name="Kim")
    task = TouchTaskFactory(
        prospect=prospect, contact=contact, assignee=bob, subject="Call Drew about the pilot"
    )

    sign_in(desktop, "bob")
    desktop.click("text=Prospects")
    desktop.click("text=Mercury")
    desktop.wait_for_selector("h1:has-text('Mercury')")
    assert desktop.is_visible("text=Drew Kim")

    row = desktop.locator(f"#task-{task.pk}")
    htmx_settled(desktop)
    row.get_by_role("link", name="Complete").click()
    dialog = desktop.get_by_role("dialog", name="Complete: Call Drew about the pilot")
    htmx_settled(desktop)
    dialog.get_by_label("Connected").check()
    dialog.get_by_role("button", name="Complete task").click()
    desktop.locator(f"#task-{task.pk} .badge:has-text('Done')").wait_for()
    assert not dialog.is_visible()

    task.refresh_from_db()
    assert task.status == OutreachLog.Status.DONE
    assert task.completed_by == bob
    assert task.metadata["callOutcome"] == "connected"
    desktop.click("text=Tasks")
    assert desktop.is_visible("text=No open tasks here.")
