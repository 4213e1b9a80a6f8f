"""A rep creates a wizard link; the prospect opens it on a phone, reaches the video step and
downloads the report; the rep then sees their progress and two high-priority call tasks at the
top of the queue."""

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from outreach.models import Prospect
from tests.browser.conftest import sign_in
from tests.factories import ContactFactory, ProspectFactory, TouchTaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_prospect_on_a_phone_engages_and_the_rep_gets_call_tasks(phone, desktop, workspace, bob):
    prospect = ProspectFactory(workspace=workspace, name="Société Générale", owner=bob)
    ContactFactory(prospect=prospect, first_name="Camille", last_name="Martin")
    TouchTaskFactory(prospect=prospect, assignee=bob, subject="Send the case study")
    sign_in(desktop, "bob")
    desktop.goto(f"/prospects/{prospect.pk}/")
    desktop.get_by_role("button", name="New link").click()
    panel = desktop.locator("#wizard-links")
    url = panel.locator("input.wizard-link-url").input_value()
    desktop.context.grant_permissions(["clipboard-read", "clipboard-write"])
    panel.get_by_role("button", name="Copy").click()
    panel.get_by_role("button", name="Copied").wait_for()
    assert desktop.evaluate("navigator.clipboard.readText()") == url

    phone.goto(url.removeprefix("http://127.0.0.1:8000"))
    phone.get_by_role("heading", name="Hi Société Générale team").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    phone.get_by_role("link", name="Start").click()
    phone.get_by_role("heading", name="What we learned about Société Générale").wait_for()
    phone.get_by_role("link", name="Next: your video").click()
    phone.get_by_text("Your personalized video is being prepared").wait_for()
    assert Prospect.objects.get(pk=prospect.pk).status == Prospect.Status.ENGAGED

    phone.get_by_role("link", name="Next steps", exact=True).click()
    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="Download your PDF report").click()
    download = download_info.value
    assert download.suggested_filename == "societe-generale-report.pdf"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "A report for Société Générale" in text

    desktop.goto(f"/prospects/{prospect.pk}/")
    assert "Reached step 4 of 4" in panel.inner_text()
    assert "1 PDF download" in panel.inner_text()

    desktop.goto("/tasks/")
    rows = desktop.locator("#task-queue tbody tr")
    subjects = [rows.nth(i).locator(".strong").first.inner_text() for i in range(rows.count())]
    assert sorted(subjects[:2]) == [
        "Follow-up: prospect downloaded PDF report",
        "Follow-up: prospect engaged with wizard (step 3+)",
    ]
    assert subjects[2] == "Send the case study"
    assert rows.nth(0).locator(".prio-high").count() == 1
    assert rows.nth(1).locator(".prio-high").count() == 1
    assert "Camille Martin" in rows.nth(0).inner_text()
