"""A rep sets their hours and adds a meeting type, shares their booking page, and a visitor
books and then moves the meeting, at desktop and phone sizes; the wizard's "What we learned"
reads the research. Every page fits its window (no sideways scroll)."""

import os
from pathlib import Path

import pytest

from outreach.models import BookingPage, Meeting
from tests.browser.conftest import sign_in, wait_until
from tests.factories import CampaignProspectFactory, ProspectFactory, WizardLinkFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("SCREENSHOTS", "")
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
RESEARCH = {
    "url": "https://gocardless.com/",
    "what_they_do": "GoCardless is a global bank payment company that helps businesses collect "
    "recurring and one-off payments directly from their customers' bank accounts.",
    "who_they_serve": "Over 100,000 businesses, from start-ups to enterprises.",
    "headlines": [
        "Open banking payments now live in Germany and France",
        "Late payments cost small businesses millions: our 2026 report",
    ],
    "own_words": ["No more chasing late invoices, no more card failures eating into your revenue."],
    "fetched_at": "2026-03-02T10:00:00+00:00",
}


@pytest.fixture(params=list(SIZES))
def window(request, browser, live_server):
    width, height = SIZES[request.param]
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": height},
        timezone_id="Europe/London",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.size_name = request.param
    yield page
    context.close()


def look(page, name: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/{name}-{page.size_name}.png", full_page=True)


def test_a_reps_booking_page_from_set_up_to_a_moved_meeting(window, workspace, bob):
    page = window
    bob.first_name, bob.last_name = "Bob", "Reyes"
    bob.save()
    sign_in(page, "bob")
    page.goto("/meetings/")
    look(page, "meetings-empty")
    page.get_by_role("link", name="Hours and meeting types").click()
    page.select_option("#id_time_zone", "Europe/London")
    for day in (5, 6):  # and weekends, to always have times to pick in this test
        page.check(f"#id_on_{day}")
    page.get_by_role("button", name="Save hours").click()
    page.get_by_text("Your working hours are saved.").wait_for()
    page.fill("#id_name", "Product demo")
    page.fill("#id_duration_minutes", "45")
    page.fill("#id_min_notice_minutes", "0")
    page.get_by_role("button", name="Add meeting type").click()
    page.get_by_text("Product demo is on your page.").wait_for()
    look(page, "meeting-settings")

    page.goto("/meetings/")
    url = page.locator("input[aria-label='Booking page link']").input_value()
    slug = BookingPage.objects.get(user=bob).slug
    assert url.endswith(f"/book/{slug}/")
    # Their only meeting type now: the page goes straight to its times.
    page.goto(f"/book/{slug}/")
    page.get_by_role("heading", name="Product demo with Bob Reyes").wait_for()
    wait_until(page, "document.querySelector('#slot-zone-select').value === 'Europe/London'")
    page.locator(".slot").first.wait_for()
    look(page, "booking-slots")
    page.locator(".slot").first.click()
    page.fill("#id_name", "Sam Lee")
    page.fill("#id_email", "sam@example.com")
    page.get_by_role("button", name="Book the call with Bob Reyes").click()
    page.get_by_role("heading", name="See you then, Sam Lee").wait_for()
    first_start = Meeting.objects.get().start_at

    page.get_by_role("link", name="Pick another time").click()
    page.locator(".slot").nth(2).click()
    look(page, "reschedule-confirm")
    page.get_by_role("button", name="Move it").click()
    page.get_by_role("heading", name="Your meeting with Bob Reyes").wait_for()
    meeting = Meeting.objects.get()
    assert meeting.start_at > first_start and meeting.sequence == 1
    look(page, "meeting-moved")

    page.goto("/meetings/")
    assert "Sam Lee" in page.locator("#upcoming").inner_text()
    look(page, "meetings-upcoming")


def test_what_we_learned_reads_like_a_page_about_them(window, workspace, bob):
    prospect = ProspectFactory(workspace=workspace, name="GoCardless", owner=bob)
    CampaignProspectFactory(
        campaign__workspace=workspace, prospect=prospect, research_data=RESEARCH
    )
    link = WizardLinkFactory(prospect=prospect)
    window.goto(f"/w/{link.token}/2/")
    window.get_by_text("Over 100,000 businesses").wait_for()
    assert "read on March 2, 2026" in window.locator(".learned-source").inner_text()
    look(window, "wizard-what-we-learned")
