"""A rep's list work in a real browser: imports a CSV with a bad row and downloads its error
report, enrolls three prospects in a sequence at once, and finds a contact from the top bar by
part of their email. With SCREENSHOT_DIR set, each page is saved there at 1280x800 and 390x844,
to look at."""

import csv
import io
import os
from pathlib import Path

import pytest

from outreach.models import Contact, ImportJob, OutreachSequence, Prospect
from tests.browser.conftest import htmx_settled, sign_in
from tests.factories import ContactFactory, ProspectFactory, sequence_with_steps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ["SCREENSHOT_DIR"]) if os.environ.get("SCREENSHOT_DIR") else None


def shoot(browser, live_server, path: str, name: str) -> None:
    """The page at 1280x800 and 390x844, signed in as bob."""
    for width, height in ((1280, 800), (390, 844)):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}
        )
        page = context.new_page()
        sign_in(page, "bob")
        page.goto(path)
        page.wait_for_load_state("networkidle")
        if SHOTS:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        context.close()


LEADS = (
    "Company;Website;First name;Last name;Email;Job title;Lead source\n"
    "Stripe;stripe.com;Pat;Lee;pat@stripe.com;CFO;Webinar\n"
    "Plaid;plaid.com;Ann;Ng;ann@plaid;VP Sales;Referral\n"
    'Brex;brex.com;Bo;Diaz;bo@brex.com;"Head of\nFinance";Webinar\n'
)


def test_a_rep_imports_a_csv_with_a_bad_row_and_downloads_its_error_report(
    desktop, browser, live_server, workspace, bob, tmp_path
):
    leads = tmp_path / "leads.csv"
    leads.write_bytes(LEADS.encode("cp1252"))

    sign_in(desktop, "bob")
    desktop.goto("/prospects/")
    desktop.get_by_role("link", name="Import CSV").click()
    desktop.get_by_label("CSV file").set_input_files(str(leads))
    desktop.get_by_role("button", name="Upload and preview").click()

    # The preview shows the rows as read, with the mapping it detected.
    desktop.get_by_role("heading", name="Columns").wait_for()
    assert desktop.get_by_label("Email is imported as").input_value() == "email"
    assert desktop.get_by_label("Lead source is imported as").input_value() == ""
    desktop.get_by_label("Lead source is imported as").select_option("custom:lead_source")
    job = ImportJob.objects.get()
    shoot(browser, live_server, f"/imports/{job.pk}/", "import-mapping")
    desktop.get_by_label("Update: fill the existing record").check()
    desktop.get_by_role("button", name="Start the import").click()

    desktop.get_by_text("Rows not imported").wait_for()
    assert "Line 3" in desktop.locator(".import-errors").inner_text()
    assert "'ann@plaid' is not an email address" in desktop.locator(".import-errors").inner_text()
    assert desktop.get_by_role("progressbar").get_attribute("aria-valuenow") == "100"
    with desktop.expect_download() as download_info:
        desktop.get_by_role("link", name="Download the error report (CSV)").click()
    report = Path(download_info.value.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(report)))
    assert rows[0][:3] == ["line", "reason", "Company"]
    assert rows[1][:3] == ["3", "'ann@plaid' is not an email address.", "Plaid"]
    shoot(browser, live_server, f"/imports/{job.pk}/", "import-done")

    stripe = Prospect.objects.get(workspace=workspace, domain="stripe.com")
    assert stripe.custom_fields == {"lead_source": "Webinar"}
    assert Contact.objects.get(email="bo@brex.com").title == "Head of\nFinance"
    assert not Prospect.objects.filter(domain="plaid.com").exists()


def test_a_rep_enrolls_three_prospects_in_a_sequence_at_once(
    desktop, browser, live_server, workspace, bob
):
    sequence = sequence_with_steps(
        workspace, {"channel": "call", "subject_template": "Intro call"}, name="Fintech intro"
    )
    picked = []
    for name in ("Brex", "Mercury", "Plaid"):
        prospect = ProspectFactory(workspace=workspace, name=name)
        ContactFactory(prospect=prospect, email=f"lead@{name.lower()}.com")
        picked.append(prospect)
    ContactFactory(prospect=ProspectFactory(workspace=workspace, name="Ramp"))

    sign_in(desktop, "bob")
    desktop.goto("/prospects/")
    for prospect in picked:
        desktop.get_by_label(f"Select {prospect.name}", exact=True).check()
    desktop.get_by_text("3 selected").wait_for()
    shoot_page(desktop, "bulk-selected")
    desktop.get_by_label("Action").select_option("enroll")
    desktop.get_by_label("Sequence").select_option(str(sequence.pk))
    desktop.get_by_role("button", name="Apply").click()

    desktop.get_by_text("Enrolled 3 contacts of 3 prospects in Fintech intro.").wait_for()
    enrolled = OutreachSequence.objects.filter(template=sequence)
    assert sorted(s.prospect.name for s in enrolled) == ["Brex", "Mercury", "Plaid"]
    bulk_url = desktop.url.removeprefix(live_server.url)
    shoot(browser, live_server, bulk_url, "bulk-result")
    shoot(browser, live_server, "/prospects/?sort=-created", "prospect-list")
    shoot(browser, live_server, "/contacts/", "contact-list")


def test_a_rep_finds_a_contact_by_part_of_their_email_from_the_top_bar(
    desktop, browser, live_server, workspace, bob
):
    prospect = ProspectFactory(workspace=workspace, name="Analytical Engines")
    ada = ContactFactory(
        prospect=prospect, first_name="Ada", last_name="Lovelace", email="ada.l@engines.io"
    )
    ContactFactory(prospect=prospect, first_name="Charles", email="charles@engines.io")

    sign_in(desktop, "bob")
    desktop.goto("/tasks/")
    desktop.get_by_label("Search everything").fill("ada.l@eng")
    hit = desktop.locator("#search-dropdown .search-hit", has_text="Ada Lovelace")
    hit.wait_for()
    assert "Charles" not in desktop.locator("#search-dropdown").inner_text()
    shoot_page(desktop, "search-dropdown")
    hit.click()
    desktop.wait_for_url(f"**/contacts/{ada.pk}/")
    htmx_settled(desktop)
    shoot(browser, live_server, "/search/?q=engines", "search-page")


def shoot_page(page, name: str) -> None:
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}-{page.viewport_size['width']}.png"))
