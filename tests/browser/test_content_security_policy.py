"""The pages work under the Content-Security-Policy: a rep on the overview and the prospect page,
an admin building an automation, a prospect walking their wizard on a phone; the browser reports
no violation of the policy on the way."""

import pytest

from automations.models import Automation
from outreach.models import Prospect
from outreach.wizard.services import wizard_link_create
from tests.browser.conftest import sign_in
from tests.factories import ContactFactory, ProspectFactory, TagFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Registered by Playwright before any page script, so it hears every violation; the browser
# also blocks what the policy forbids, so the walks below break if a page still needs it.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
});
"""


def watched(page):
    page.context.add_init_script(LISTEN)
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return console


def violations(page, console) -> list[str]:
    return [*page.evaluate("window.__violations || []"), *console]


def test_the_dashboard_and_the_builder_run_without_violations(desktop, workspace, alice):
    prospect = ProspectFactory(workspace=workspace, name="Stripe")
    TagFactory(workspace=workspace, name="hot")
    console = watched(desktop)
    response = desktop.goto("/accounts/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    sign_in(desktop, "alice")
    desktop.get_by_role("heading", name="Good to see you").wait_for()
    assert violations(desktop, console) == []

    # The prospect page: a wizard link is made and copied, then revoked after a confirmation.
    desktop.goto(f"/prospects/{prospect.pk}/")
    assert violations(desktop, console) == []
    desktop.get_by_role("button", name="New link").click()
    panel = desktop.locator("#wizard-links")
    desktop.context.grant_permissions(["clipboard-read", "clipboard-write"])
    panel.get_by_role("button", name="Copy").click()
    panel.get_by_role("button", name="Copied").wait_for()
    desktop.once("dialog", lambda dialog: dialog.dismiss())
    panel.get_by_role("button", name="Revoke").click()
    assert panel.get_by_role("button", name="Revoke").is_visible()  # dismissed: still there
    assert violations(desktop, console) == []

    # The builder: trigger filters, conditions, a group, steps added and one removed.
    desktop.goto("/automations/new/")
    desktop.fill("#id_name", "Hot contacts get a call")
    desktop.select_option("#id_trigger_type", "tag.assigned")
    assert desktop.is_visible("#id_tag_id")
    desktop.select_option("#id_trigger_type", "contact.created")
    assert desktop.is_hidden("#id_tag_id")
    desktop.click("text=+ Condition")
    desktop.locator("#root-conditions .condition-row input[name$='-field']").fill("contact.title")
    desktop.locator("#root-conditions .condition-row input[name$='-value']").fill("CFO")
    desktop.click("text=+ Group of conditions")
    desktop.locator("#condition-groups .condition-group").wait_for()
    desktop.locator("#condition-groups .condition-group [data-remove-row]").first.click()
    desktop.fill("#id_actions-0-subject", "Call {{contact.first_name}}")
    desktop.click("text=+ Step")
    desktop.wait_for_selector("#id_actions-1-subject")
    desktop.locator(".action-row:nth-child(2) [data-remove-row]").click()
    desktop.click("text=Create automation")
    desktop.get_by_role("heading", name="Hot contacts get a call").wait_for()
    automation = Automation.objects.get(workspace=workspace)
    assert len(automation.actions) == 1
    assert automation.conditions["conditions"][0]["field"] == "contact.title"
    assert violations(desktop, console) == []


def test_a_prospect_walks_the_wizard_without_violations(phone, workspace, bob):
    prospect = ProspectFactory(workspace=workspace, name="Brex", owner=bob)
    ContactFactory(prospect=prospect, first_name="Pedro")
    link = wizard_link_create(prospect=prospect, by=bob)
    console = watched(phone)
    response = phone.goto(f"/w/{link.token}/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    phone.get_by_role("link", name="Start").click()
    phone.get_by_role("link", name="Next: your video").click()
    phone.get_by_role("link", name="Next steps", exact=True).click()
    with phone.expect_download():
        phone.get_by_role("link", name="Download your PDF report").click()
    assert Prospect.objects.get(pk=prospect.pk).status == Prospect.Status.ENGAGED
    assert violations(phone, console) == []
