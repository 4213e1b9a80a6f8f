"""A rep creates a prospect and a contact from the dashboard and changes the prospect's status
in place, in a real browser."""

import pytest

from outreach.models import Contact, Prospect
from tests.browser.conftest import htmx_settled, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_creates_a_prospect_and_a_contact_then_edits_the_status_in_place(
    desktop, workspace, bob
):
    sign_in(desktop, "bob")
    desktop.goto("/prospects/new/")
    desktop.get_by_label("Name").fill("Ramp")
    desktop.get_by_label("Website").fill("ramp.com")
    desktop.get_by_label("Owner").select_option(label="Bob")
    desktop.get_by_role("button", name="Create prospect").click()
    desktop.wait_for_selector("h1:has-text('Ramp')")
    prospect = Prospect.objects.get(workspace=workspace, name="Ramp")
    assert (prospect.domain, prospect.owner) == ("ramp.com", bob)

    desktop.get_by_role("link", name="Add contact").click()
    desktop.get_by_label("First name").fill("Jordan")
    desktop.get_by_label("Last name").fill("Lee")
    desktop.get_by_label("Email").fill("jordan@ramp")  # not an address yet
    desktop.get_by_role("button", name="Create contact").click()
    # The mistake is said next to the field, and nothing is saved.
    desktop.locator(".form-field.has-error:has(#id_email) .field-error").wait_for()
    assert not Contact.objects.exists()
    desktop.get_by_label("Email").fill("jordan@ramp.com")
    desktop.get_by_role("button", name="Create contact").click()
    desktop.wait_for_selector("h1:has-text('Jordan Lee')")
    assert Contact.objects.get(prospect=prospect).email == "jordan@ramp.com"

    desktop.get_by_role("link", name="Ramp", exact=True).first.click()
    desktop.wait_for_selector("h1:has-text('Ramp')")
    assert desktop.get_by_role("link", name="Jordan Lee").is_visible()
    url = desktop.url
    status = desktop.locator("#prospect-field-status")
    status.get_by_role("link", name="Change status").click()
    htmx_settled(desktop)
    select = status.get_by_label("Status of Ramp")
    assert select.evaluate("element => element === document.activeElement")
    select.select_option(label="Engaged")
    status.get_by_role("button", name="Save").click()
    status.locator(".badge:has-text('Engaged')").wait_for()
    htmx_settled(desktop)
    assert status.get_by_text("Saved").is_visible()
    assert desktop.url == url  # no page load
    prospect.refresh_from_db()
    assert prospect.status == Prospect.Status.ENGAGED

    # Escape cancels an edit in place.
    status.get_by_role("link", name="Change status").click()
    htmx_settled(desktop)
    status.get_by_label("Status of Ramp").press("Escape")
    status.get_by_role("link", name="Change status").wait_for()
