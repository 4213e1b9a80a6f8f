"""A prospect in Sydney books a call with their rep in Los Angeles from the wizard on a phone:
the times are in their zone, both sides get a calendar invitation, the rep's overview shows
the meeting and the prospect is Meeting; cancelling from the link frees the slot."""

import os
import re
from pathlib import Path

import icalendar
import pytest
from django.core import mail

from outreach.meetings import selectors
from outreach.meetings.services.pages import booking_page_save
from outreach.models import Meeting, Prospect
from tests.browser.conftest import phone_page, sign_in, wait_until
from tests.factories import ContactFactory, ProspectFactory, WizardLinkFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set SCREENSHOTS=/some/dir to keep a picture of each page at phone and desktop sizes.
SCREENSHOTS = os.environ.get("SCREENSHOTS", "")


def snap(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


@pytest.fixture
def sydney_phone(browser, live_server):
    page = phone_page(browser, live_server.url, timezone_id="Australia/Sydney")
    yield page
    page.context.close()


def test_a_prospect_books_cancels_and_the_slot_is_free_again(sydney_phone, desktop, workspace, bob):
    phone = sydney_phone
    bob.first_name, bob.last_name, bob.email = "Bob", "Reyes", "bob@acme.example"
    bob.save()
    page = booking_page_save(
        workspace=workspace,
        user=bob,
        time_zone="America/Los_Angeles",
        weekly_hours={str(day): [["09:00", "17:00"]] for day in range(5)},
    )
    prospect = ProspectFactory(workspace=workspace, name="Canva", owner=bob)
    ContactFactory(prospect=prospect, first_name="Avery", email="avery@canva.com")
    link = WizardLinkFactory(prospect=prospect)

    phone.goto(f"/w/{link.token}/4/")
    phone.get_by_role("heading", name="Let's talk").wait_for()
    # The browser said where it is: the times are Sydney's, and the list says so.
    wait_until(phone, "document.querySelector('#slot-zone-select').value === 'Australia/Sydney'")
    first = phone.locator(".slot").first
    first.wait_for()
    wait_until(phone, "!document.querySelector('.slot-picker.is-loading')")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    snap(phone, "wizard-slots-phone")
    href = first.get_attribute("href")
    assert "tz=Australia%2FSydney" in href
    start = re.search(r"start=([0-9T:%A-Z-]+)", href).group(1).replace("%3A", ":")
    first.click()

    phone.get_by_text("Australia/Sydney").first.wait_for()
    snap(phone, "wizard-book-form-phone")
    phone.fill("#id_name", "Avery Chen")
    phone.fill("#id_email", "avery@canva.com")
    phone.fill("#id_note", "Keen to talk about onboarding.")
    phone.get_by_role("button", name="Book the call with Bob Reyes").click()
    phone.get_by_role("heading", name="See you then, Avery Chen").wait_for()
    snap(phone, "meeting-booked-phone")

    meeting = Meeting.objects.get()
    assert meeting.start_at.strftime("%Y-%m-%dT%H:%M:%SZ") == start
    assert meeting.invitee_time_zone == "Australia/Sydney"
    assert Prospect.objects.get(pk=prospect.pk).status == Prospect.Status.MEETING
    assert sorted(m.to[0] for m in mail.outbox) == ["avery@canva.com", "bob@acme.example"]
    for message in mail.outbox:
        (ics,) = [content for name, content, _ in message.attachments if name == "invite.ics"]
        (event,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
        assert event.decoded("DTSTART") == meeting.start_at

    sign_in(desktop, "bob")
    desktop.goto("/")
    panel = desktop.locator("#overview-meetings")
    assert "Canva" in panel.inner_text() and "Avery Chen" in panel.inner_text()
    snap(desktop, "overview-with-meeting-desktop")

    phone.get_by_role("button", name="Cancel the meeting").click()
    phone.get_by_role("heading", name="This meeting is cancelled").wait_for()
    snap(phone, "meeting-cancelled-phone")
    intro = selectors.meeting_types_for(workspace=workspace, user=bob)[0]
    assert meeting.start_at in selectors.open_slots(page=page, meeting_type=intro)
    desktop.goto("/")
    assert "Canva" not in desktop.locator("#overview-meetings").inner_text()
