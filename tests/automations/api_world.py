"""The automations app's objects for the API-wide tenancy walk and query-count test."""

from automations.models import (
    Automation,
    AutomationActionRun,
    AutomationEvent,
    AutomationExecution,
)
from tests.factories import (
    AutomationActionRunFactory,
    AutomationEventFactory,
    AutomationExecutionFactory,
    AutomationFactory,
    ContactFactory,
)


def build(workspace, owner, mark, world) -> dict[str, int]:
    automation = AutomationFactory(
        workspace=workspace,
        name=f"{mark} automation",
        actions=[
            {"type": "assign_tag", "params": {"tag_id": world["tag_id"], "target": "contact"}},
            {"type": "notify_admins", "params": {"title": f"Hot lead {mark}", "body": ""}},
        ],
    )
    event = AutomationEventFactory(
        workspace=workspace, payload={"contact": {"id": world["contact_id"], "name": mark}}
    )
    # A failed run, so that retrying it is a request that succeeds.
    execution = AutomationExecutionFactory(
        automation=automation,
        event=event,
        status=AutomationExecution.Status.FAILED,
        reason=f"{mark} webhook said 400",
        next_action_index=1,
        failed_action_index=1,
    )
    AutomationActionRunFactory(execution=execution, action_index=0, action_type="assign_tag")
    AutomationActionRunFactory(
        execution=execution,
        action_index=1,
        status=AutomationActionRun.Status.FAILED,
        error=f"{mark} failed",
    )
    return {"automation_id": automation.pk, "execution_id": execution.pk}


def rows(workspace) -> list:
    return [
        Automation.objects.filter(workspace=workspace),
        AutomationEvent.objects.filter(workspace=workspace),
        AutomationExecution.objects.filter(workspace=workspace),
        AutomationActionRun.objects.filter(execution__workspace=workspace),
    ]


def populate(workspace, owner, n, ids) -> dict[str, int]:
    first_automation = first_execution = None
    for i in range(n):
        automation = AutomationFactory(workspace=workspace, name=f"Rule {i:03}")
        contact = ContactFactory(prospect__workspace=workspace)
        event = AutomationEventFactory(
            workspace=workspace, payload={"contact": {"id": contact.pk, "name": str(contact)}}
        )
        execution = AutomationExecutionFactory(automation=automation, event=event)
        for index in range(2):
            AutomationActionRunFactory(execution=execution, action_index=index)
        first_automation = first_automation or automation
        first_execution = first_execution or execution
    return {"automation_id": first_automation.pk, "execution_id": first_execution.pk}
