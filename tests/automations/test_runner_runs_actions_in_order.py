"""A run performs its automation's actions in order and logs each one."""

from automations.models import AutomationActionRun, AutomationExecution
from outreach.crm.services.deals import deal_move_stage
from outreach.models import OutreachLog


def test_moving_a_big_deal_to_proposal_tags_the_contact_and_creates_a_call_task(
    workspace, alice, deal, pat, hot, stage, sales, automation, background
):
    rule = automation(
        "deal.stage_changed",
        trigger_config={"pipeline_id": sales.pk, "stage_id": stage("Proposal").pk},
        conditions={
            "op": "and",
            "conditions": [{"field": "deal.value", "operator": "gt", "value": 10000}],
        },
        actions=[
            {"type": "assign_tag", "params": {"tag_id": hot.pk, "target": "contact"}},
            {
                "type": "create_task",
                "params": {
                    "subject": "Call {{contact.first_name}} about {{deal.name}}",
                    "channel": "call",
                    "priority": "high",
                    "due_in_hours": 0,
                    "notes": "Worth {{deal.value}}",
                    "assignee_id": None,
                },
            },
        ],
    )

    with background():
        deal_move_stage(deal=deal, stage=stage("Proposal"))

    run = AutomationExecution.objects.get(automation=rule)
    assert run.status == AutomationExecution.Status.COMPLETED
    assert run.cascade_depth == 0
    assert run.event.event_type == "deal.stage_changed"
    assert run.event.payload["from_stage"]["name"] == "Qualification"
    assert list(pat.tags.values_list("name", flat=True)) == ["hot"]
    task = OutreachLog.objects.get(metadata__automationExecutionId=run.pk)
    assert task.subject == "Call Pat about Stripe expansion"
    assert task.metadata["notes"] == "Worth 12000"
    assert task.priority_label == "high"
    assert task.assignee == alice  # the prospect's owner
    log = list(run.action_runs.values_list("action_index", "action_type", "status"))
    assert log == [
        (0, "assign_tag", AutomationActionRun.Status.SUCCEEDED),
        (1, "create_task", AutomationActionRun.Status.SUCCEEDED),
    ]
    assert all(step.duration_ms is not None for step in run.action_runs.all())


def test_a_small_deal_does_not_meet_the_conditions(deal, stage, sales, hot, automation, background):
    deal.value = 500
    deal.save()
    automation(
        "deal.stage_changed",
        trigger_config={"pipeline_id": sales.pk},
        conditions={
            "op": "and",
            "conditions": [{"field": "deal.value", "operator": "gt", "value": 10000}],
        },
        actions=[{"type": "assign_tag", "params": {"tag_id": hot.pk, "target": "deal"}}],
    )
    with background():
        deal_move_stage(deal=deal, stage=stage("Proposal"))
    assert not AutomationExecution.objects.exists()
    assert not deal.tags.exists()
