"""An admin composes an automation in the builder, in a real browser: trigger, filter, a
condition, steps with a delay, an email from the template library; mistakes are shown on the
form."""

import pytest

from automations.models import Automation
from tests.browser.conftest import sign_in
from tests.browser.test_email_flow import SHOTS
from tests.factories import EmailTemplateFactory, PipelineFactory, TagFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_builds_a_big_deal_automation(desktop, workspace, alice):
    sales = PipelineFactory(workspace=workspace, name="Sales", stages=["Qualification", "Proposal"])
    hot = TagFactory(workspace=workspace, name="hot")
    proposal = sales.stages.get(name="Proposal")

    sign_in(desktop, "alice")
    desktop.click("text=Automations")
    desktop.click("text=New automation")
    desktop.fill("#id_name", "Big deals at Proposal")
    desktop.select_option("#id_trigger_type", "deal.stage_changed")
    assert desktop.is_hidden("#id_tag_id")  # only the filters of this trigger show
    desktop.select_option("#id_pipeline_id", str(sales.pk))
    desktop.select_option("#id_stage_id", str(proposal.pk))

    desktop.click("text=+ Condition")
    desktop.locator("#root-conditions .condition-row input[name$='-field']").fill("deal.value")
    desktop.locator("#root-conditions .condition-row select[name$='-operator']").select_option("gt")
    desktop.locator("#root-conditions .condition-row input[name$='-value']").fill("10000")

    # The first step becomes "Add a tag": its row is swapped for one with the tag fields.
    desktop.select_option("#id_actions-0-type", "assign_tag")
    desktop.wait_for_selector("#id_actions-0-tag_id")
    desktop.select_option("#id_actions-0-tag_id", str(hot.pk))

    desktop.click("text=+ Step")
    desktop.wait_for_selector("#id_actions-1-subject")
    desktop.fill("#id_actions-1-delay_amount", "2")
    desktop.select_option("#id_actions-1-delay_unit", "days")
    desktop.click("text=Create automation")

    # Forgot the subject of the call task: the form says so and keeps everything.
    error = desktop.locator(".action-row:nth-child(2) .field-error")
    error.wait_for()
    assert "required" in error.inner_text()
    assert desktop.input_value("#id_name") == "Big deals at Proposal"
    desktop.fill("#id_actions-1-subject", "Call {{contact.first_name}}")
    desktop.check("#id_enabled")
    desktop.click("text=Create automation")

    desktop.wait_for_selector("h1:has-text('Big deals at Proposal')")
    assert desktop.is_visible("text=A deal moves to Proposal (Sales)")
    assert desktop.is_visible("text=Webhook signing secret")
    automation = Automation.objects.get(workspace=workspace)
    assert automation.enabled
    assert automation.trigger_config == {"pipeline_id": sales.pk, "stage_id": proposal.pk}
    assert automation.conditions == {
        "op": "and",
        "conditions": [{"field": "deal.value", "operator": "gt", "value": "10000"}],
    }
    assert [(a["type"], a["delay_seconds"]) for a in automation.actions] == [
        ("assign_tag", 0),
        ("create_task", 2 * 86400),
    ]
    assert automation.actions[1]["params"]["subject"] == "Call {{contact.first_name}}"


def test_an_admin_sends_a_library_template_when_a_contact_is_created(desktop, workspace, alice):
    intro = EmailTemplateFactory(workspace=workspace, name="Welcome aboard")

    sign_in(desktop, "alice")
    desktop.goto("/automations/new/")
    desktop.fill("#id_name", "Welcome new contacts")
    desktop.select_option("#id_trigger_type", "contact.created")
    desktop.select_option("#id_actions-0-type", "send_email")
    desktop.wait_for_selector("#id_actions-0-template_id")
    desktop.select_option("#id_actions-0-template_id", label="Welcome aboard")
    SHOTS.mkdir(exist_ok=True)
    for width, height in ((1280, 800), (390, 844)):
        desktop.set_viewport_size({"width": width, "height": height})
        desktop.screenshot(path=str(SHOTS / f"automation-template-{width}.png"), full_page=True)
    desktop.set_viewport_size({"width": 1280, "height": 900})
    desktop.click("text=Create automation")

    desktop.wait_for_selector("h1:has-text('Welcome new contacts')")
    assert desktop.is_visible("text=Email the contact the template “Welcome aboard”")
    (action,) = Automation.objects.get(workspace=workspace).actions
    assert action["params"] == {"template_id": intro.pk, "subject": "", "body": ""}
