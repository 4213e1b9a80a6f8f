"""The deal board: a pipeline's stages as columns with their deal counts and values, and moves
that go through the stage-change service, so `deal.stage_changed` automations run."""

from decimal import Decimal

from automations.models import AutomationEvent
from outreach.crm.selectors import BOARD_CARDS_PER_STAGE
from outreach.models import Deal
from tests.factories import AutomationFactory, DealFactory, PipelineFactory, ProspectFactory

HTMX = {"HX-Request": "true"}


def test_the_board_shows_each_stage_with_its_deals_count_and_value(bob_client, workspace):
    sales = PipelineFactory(workspace=workspace, name="Sales")
    first, proposal, _ = sales.stages.order_by("position")
    prospect = ProspectFactory(workspace=workspace, name="Stripe")
    DealFactory(prospect=prospect, pipeline=sales, stage=first, value=Decimal("1000"))
    DealFactory(prospect=prospect, pipeline=sales, stage=first, value=Decimal("2500"))
    DealFactory(prospect=prospect, pipeline=sales, stage=proposal, name="Big one")
    PipelineFactory(workspace=workspace, name="Partners")

    page = bob_client.get(f"/deals/board/?pipeline={sales.pk}")
    columns = page.context["columns"]
    assert [c.stage.name for c in columns] == ["Qualification", "Proposal", "Closed Won"]
    assert [(c.deal_count, c.total_value) for c in columns] == [
        (2, Decimal("3500")),
        (1, Decimal("1000")),
        (0, Decimal("0")),
    ]
    html = page.content.decode()
    assert "$3,500" in html and "Big one" in html and "Partners" in html


def test_a_move_on_the_board_runs_the_stage_change_automations(bob_client, workspace, alice):
    AutomationFactory(workspace=workspace, trigger_type="deal.stage_changed")
    deal = DealFactory(prospect__workspace=workspace, name="Pilot")
    proposal = deal.pipeline.stages.get(name="Proposal")

    board = bob_client.post(f"/deals/{deal.pk}/move/", {"stage": proposal.pk}, headers=HTMX)
    assert board.status_code == 200
    assert "Moved Pilot to Proposal." in board.content.decode()
    assert b"Undo" in board.content
    deal.refresh_from_db()
    assert deal.stage == proposal
    event = AutomationEvent.objects.get(event_type="deal.stage_changed")
    assert event.payload["stage"]["name"] == "Proposal"
    assert event.payload["from_stage"]["name"] == "Qualification"


def test_without_javascript_a_move_comes_back_to_the_board(bob_client, workspace):
    deal = DealFactory(prospect__workspace=workspace)
    response = bob_client.post(f"/deals/{deal.pk}/move/", {"stage": deal.pipeline.stages.last().pk})
    assert (response.status_code, response.url) == (
        302,
        f"/deals/board/?pipeline={deal.pipeline_id}",
    )


def test_a_deal_cannot_move_to_another_pipelines_stage(bob_client, workspace, other_workspace):
    deal = DealFactory(prospect__workspace=workspace)
    for stage in (
        PipelineFactory(workspace=workspace).stages.first(),
        PipelineFactory(workspace=other_workspace).stages.first(),
    ):
        refused = bob_client.post(f"/deals/{deal.pk}/move/", {"stage": stage.pk}, headers=HTMX)
        assert refused.status_code == 422
        assert b"No such stage in that pipeline." in refused.content
    junk = bob_client.post(f"/deals/{deal.pk}/move/", {"stage": "9" * 40}, headers=HTMX)
    assert junk.status_code == 422
    assert Deal.objects.get(pk=deal.pk).stage == deal.stage


def test_a_column_shows_its_latest_cards_and_counts_the_rest(bob_client, workspace):
    deal = DealFactory(prospect__workspace=workspace)
    DealFactory.create_batch(
        BOARD_CARDS_PER_STAGE + 2, prospect=deal.prospect, pipeline=deal.pipeline
    )
    page = bob_client.get("/deals/board/")
    first = page.context["columns"][0]
    assert len(first.cards) == BOARD_CARDS_PER_STAGE
    assert first.deal_count == BOARD_CARDS_PER_STAGE + 3
    assert "and 3 more in this stage" in page.content.decode()


def test_without_a_pipeline_the_board_says_how_to_start(alice_client, bob_client, workspace):
    assert "Create a pipeline" in alice_client.get("/deals/board/").content.decode()
    assert "Ask an admin" in bob_client.get("/deals/board/").content.decode()


def test_another_workspaces_pipeline_is_not_found(bob_client, workspace, other_workspace):
    PipelineFactory(workspace=workspace)
    foreign = PipelineFactory(workspace=other_workspace)
    assert bob_client.get(f"/deals/board/?pipeline={foreign.pk}").status_code == 404
    assert bob_client.get("/deals/board/?pipeline=abc").status_code == 404
