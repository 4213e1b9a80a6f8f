"""A failed action stops its run as failed, with the error in the log; an admin can retry the
run from that action once the cause is fixed, or stop a run that has not finished."""

import pytest

from automations.models import AutomationActionRun, AutomationExecution
from automations.services import automation_update, execution_cancel, execution_retry
from config.errors import Conflict
from outreach.crm.services.deals import deal_move_stage
from outreach.models import OutreachLog
from tests.factories import PipelineFactory


@pytest.fixture
def misconfigured(workspace, sales, stage, automation):
    """Moves Sales deals into a stage of another pipeline: that cannot work."""
    partners = PipelineFactory(workspace=workspace, name="Partners", stages=["Intro", "Live"])
    return automation(
        "deal.stage_changed",
        trigger_config={"pipeline_id": sales.pk, "stage_id": stage("Proposal").pk},
        actions=[
            {"type": "create_task", "params": {"subject": "Prepare the proposal"}},
            {
                "type": "change_deal_stage",
                "params": {"stage_id": partners.stages.get(name="Live").pk},
            },
            {"type": "create_task", "params": {"subject": "Send the contract"}},
        ],
    )


def test_the_run_fails_at_the_action_and_goes_no_further(misconfigured, deal, stage, background):
    with background():
        deal_move_stage(deal=deal, stage=stage("Proposal"))
    run = AutomationExecution.objects.get()
    assert run.status == AutomationExecution.Status.FAILED
    assert run.failed_action_index == 1
    assert "belongs to another one" in run.reason
    log = {s.action_index: (s.status, s.error) for s in run.action_runs.all()}
    assert log[0][0] == AutomationActionRun.Status.SUCCEEDED
    assert log[1] == (AutomationActionRun.Status.FAILED, run.reason)
    assert 2 not in log
    assert list(OutreachLog.objects.values_list("subject", flat=True)) == ["Prepare the proposal"]


def test_a_fixed_run_is_retried_from_the_failed_action(
    misconfigured, deal, stage, alice, background
):
    with background():
        deal_move_stage(deal=deal, stage=stage("Proposal"))
    run = AutomationExecution.objects.get()
    fixed = [dict(a) for a in misconfigured.actions]
    fixed[1] = {"type": "change_deal_stage", "params": {"stage_id": stage("Negotiation").pk}}
    automation_update(automation=misconfigured, changes={"actions": fixed})

    with background():
        execution_retry(execution=run, by=alice)

    run.refresh_from_db()
    deal.refresh_from_db()
    assert run.status == AutomationExecution.Status.COMPLETED
    assert [(r["by"], r["action_index"]) for r in run.retries] == [("alice", 1)]
    assert "belongs to another one" in run.retries[0]["error"]
    assert deal.stage.name == "Negotiation"
    # The first action is not done again.
    assert sorted(OutreachLog.objects.values_list("subject", flat=True)) == [
        "Prepare the proposal",
        "Send the contract",
    ]
    retried = run.action_runs.get(action_index=1)
    assert (retried.status, retried.error) == (AutomationActionRun.Status.SUCCEEDED, "")
    with pytest.raises(Conflict, match="Only a failed run"):
        execution_retry(execution=run, by=alice)


def test_an_admin_stops_a_waiting_run(workspace, stripe, automation, alice, background):
    from outreach.crm.services.prospects import contact_create

    automation(
        actions=[{"type": "create_task", "params": {"subject": "Later"}, "delay_seconds": 3600}]
    )
    with background():
        contact_create(workspace=workspace, prospect=stripe, first_name="Dana")
    run = AutomationExecution.objects.get()
    execution_cancel(execution=run, by=alice)
    run.refresh_from_db()
    assert run.status == AutomationExecution.Status.CANCELLED
    assert run.reason == "Stopped by alice."
    assert run.resume_at is None
    assert run.action_runs.get().status == AutomationActionRun.Status.CANCELLED
    with pytest.raises(Conflict, match="already cancelled"):
        execution_cancel(execution=run, by=alice)
