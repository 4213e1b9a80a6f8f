"""A sales manager opens the reports from the menu, on a laptop and on a phone, walks through
each one, changes the range (a preset, then dates of their own), and finds the chart drawn with
its bars and the table behind it. Nothing runs off the side of the page.

With SCREENSHOT_DIR set, each report is saved there as a PNG at both sizes, to look at."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from reports.registry import REPORTS
from tests.browser.conftest import sign_in
from tests.reports.histories import a_month_of_work

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"laptop": (1280, 800), "phone": (390, 844)}


def bars(page) -> int:
    return page.locator("svg.report-chart:visible rect.bar").count()


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_a_manager_walks_every_report_and_changes_the_range(
    browser, live_server, workspace, alice, bob
):
    a_month_of_work(workspace, [alice, bob])
    shots = os.environ.get("SCREENSHOT_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
    too_wide = []
    for size, (width, height) in SIZES.items():
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height},
            is_mobile=size == "phone",
            has_touch=size == "phone",
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, "alice")
        if size == "phone":
            page.get_by_role("button", name="Menu").click()
        page.locator("#sidebar-menu nav").get_by_role("link", name="Reports").click()
        page.wait_for_url("**/reports/")

        for report in REPORTS.values():
            page.locator("a.report-card").filter(
                has=page.get_by_role("heading", name=report.title, exact=True)
            ).click()
            page.wait_for_url(f"**/reports/{report.name}/")
            assert bars(page) > 0, f"{report.name} at {size}: no bars"
            assert page.locator("table.report-table tbody tr").count() > 0
            if overflow(page) > 0:
                too_wide.append(f"{report.name} at {size}: {overflow(page)}px too wide")
            if shots:
                page.screenshot(path=f"{shots}/report-{report.name}-{size}.png", full_page=True)

            # A preset: the last 7 days, kept in the URL.
            page.get_by_role("button", name="Last 7 days").click()
            page.wait_for_url("**range=7d**")
            assert (
                page.get_by_role("button", name="Last 7 days").get_attribute("aria-pressed")
                == "true"
            )
            assert page.locator("svg.report-chart:visible").count() == 1

            # Dates of one's own, by week where the report has buckets.
            sixty_days_ago = (timezone.localdate() - timedelta(days=60)).isoformat()
            page.locator("input[name=start]").fill(sixty_days_ago)
            if report.buckets:
                page.locator("select[name=by]").select_option("week")
            page.get_by_role("button", name="Apply").click()
            page.wait_for_url(f"**start={sixty_days_ago}**")
            if report.buckets:
                assert "by=week" in page.url
                assert page.locator(".field-error").count() == 0
                assert bars(page) > 0, f"{report.name} by week at {size}: no bars"
            else:
                assert bars(page) > 0, f"{report.name} over 60 days at {size}: no bars"
            page.locator(".report-tabs").get_by_role("link", name=report.title).wait_for()
            page.goto("/reports/")
        context.close()
    assert not too_wide


def test_the_csv_downloads_from_the_page(desktop, workspace, alice, bob):
    a_month_of_work(workspace, [alice, bob])
    sign_in(desktop, "alice")
    desktop.goto("/reports/replies/?range=30d")
    with desktop.expect_download() as download_info:
        desktop.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("replies-")
    text = Path(download.path()).read_text()
    assert text.startswith("Replies over time,")
    assert "Triaged automatically" in text
