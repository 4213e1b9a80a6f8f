"""An admin reads why a contact is engaged, overrides the level and clears it again, in a
real browser."""

import pytest

from engagement.models import EngagementOverrideHistory
from engagement.providers.rules import RulesEngagementProvider
from engagement.services import engagement_compute_workspace
from outreach.models import Activity
from tests.browser.conftest import sign_in
from tests.factories import ActivityFactory, ContactFactory, ProspectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_overrides_a_contacts_level_and_clears_it(desktop, workspace, alice):
    prospect = ProspectFactory(workspace=workspace, name="Stripe")
    avery = ContactFactory(prospect=prospect, first_name="Avery", last_name="Collins")
    ContactFactory(prospect=prospect, first_name="Jordan", last_name="Lee")
    for kind in (Activity.Kind.WIZARD_STEP, Activity.Kind.PDF_DOWNLOAD, Activity.Kind.MEETING_DONE):
        ActivityFactory(contact=avery, kind=kind)
    engagement_compute_workspace(workspace=workspace, provider=RulesEngagementProvider())

    sign_in(desktop, "alice")
    desktop.click("nav >> text=Engagement")
    desktop.wait_for_selector("h1:has-text('Engagement')")
    desktop.click(".stat:has(.level-highly_engaged)")
    desktop.wait_for_url("**/engagement/?level=highly_engaged")
    assert desktop.is_visible("text=Avery Collins")
    assert not desktop.is_visible("text=Jordan Lee")

    desktop.click("text=Avery Collins")
    desktop.wait_for_selector("h1:has-text('Avery Collins')")
    assert desktop.is_visible("text=Thanks for staying so involved, Avery!")
    desktop.select_option("#id_level", "at_risk")
    desktop.fill("#id_notes", "Our champion is leaving Stripe next month.")
    desktop.click("button:has-text('Override')")
    desktop.wait_for_selector("text=Level set to At risk.")
    assert desktop.is_visible("text=Overridden to At risk")

    desktop.click("button:has-text('Clear the override')")
    desktop.wait_for_selector("text=Override cleared: back to Highly engaged.")
    history = desktop.locator("table:has(th:has-text('Change')) tbody tr")
    assert history.count() == 2
    assert list(
        EngagementOverrideHistory.objects.order_by("pk").values_list("action", flat=True)
    ) == ["override", "clear"]
