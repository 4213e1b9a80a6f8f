"""A rep moves a deal to the next stage on the board by dragging its card, and another with the
keyboard alone; both moves run the deal.stage_changed automation."""

import pytest

from automations.models import AutomationEvent
from outreach.models import Deal
from tests.browser.conftest import htmx_settled, sign_in
from tests.factories import AutomationFactory, DealFactory, PipelineFactory, ProspectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_drags_a_deal_to_the_next_stage_and_moves_one_by_keyboard(
    desktop, workspace, alice, bob
):
    AutomationFactory(workspace=workspace, trigger_type="deal.stage_changed")
    sales = PipelineFactory(workspace=workspace, name="Sales")
    first, proposal, won = sales.stages.order_by("position")
    prospect = ProspectFactory(workspace=workspace, name="Stripe")
    dragged = DealFactory(prospect=prospect, pipeline=sales, stage=first, name="Expansion")
    keyed = DealFactory(prospect=prospect, pipeline=sales, stage=first, name="Atlas add-on")

    sign_in(desktop, "bob")
    desktop.goto("/deals/board/")
    htmx_settled(desktop)
    card = desktop.locator(f"#deal-card-{dragged.pk}")
    target = desktop.locator(f".board-cards[data-stage='{proposal.pk}']")
    card.drag_to(target)
    desktop.locator(f".board-cards[data-stage='{proposal.pk}'] #deal-card-{dragged.pk}").wait_for()
    desktop.get_by_text("Moved Expansion to Proposal.").first.wait_for()
    assert Deal.objects.get(pk=dragged.pk).stage == proposal
    htmx_settled(desktop)

    # The keyboard's way: tab to the card's "on to" button and press Enter, twice.
    button = desktop.get_by_role("button", name="Move Atlas add-on on to Proposal")
    button.focus()
    desktop.keyboard.press("Enter")
    desktop.locator(f".board-cards[data-stage='{proposal.pk}'] #deal-card-{keyed.pk}").wait_for()
    # The focus stays on the card's button, so the next Enter moves it on again.
    focused = desktop.get_by_role("button", name="Move Atlas add-on on to Closed Won")
    focused.wait_for()
    htmx_settled(desktop)
    assert focused.evaluate("element => element === document.activeElement")
    desktop.keyboard.press("Enter")
    desktop.locator(f".board-cards[data-stage='{won.pk}'] #deal-card-{keyed.pk}").wait_for()
    assert Deal.objects.get(pk=keyed.pk).stage == won

    stages = [
        e.payload["stage"]["name"]
        for e in AutomationEvent.objects.filter(event_type="deal.stage_changed").order_by("pk")
    ]
    assert stages == ["Proposal", "Proposal", "Closed Won"]
    column = desktop.locator(f"section:has(#stage-{won.pk}) .board-total")
    assert "$1,000" in column.inner_text()
