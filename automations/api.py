"""REST endpoints for automations: build and switch rules, try them on a sample event, and read,
stop or retry their runs. Members read; admins change."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from automations import selectors, services
from automations.actions import ACTIONS
from automations.conditions import OPERATORS, TRIGGER_FILTERS
from automations.models import Automation, AutomationExecution, TriggerType
from automations.schemas import (
    AutomationCreatedOut,
    AutomationIn,
    AutomationListOut,
    AutomationOut,
    AutomationPatch,
    DryRunIn,
    DryRunOut,
    ExecutionDetailOut,
    ExecutionFilter,
    ExecutionOut,
    SigningSecretOut,
)
from config.errors import ValidationFailed
from config.fast_rows import rows_of
from config.schemas import PathId
from outreach.models import Contact, Deal, OutreachLog, Prospect, Stage, Tag
from outreach.workspaces.auth import principal_of, require_admin
from outreach.workspaces.selectors import ref_in_workspace

router = Router(tags=["automations"])


def _automation(request: HttpRequest, automation_id: int) -> Automation:
    return selectors.automation_get(workspace=principal_of(request).workspace, pk=automation_id)


def _execution(request: HttpRequest, execution_id: int) -> AutomationExecution:
    return selectors.execution_get(workspace=principal_of(request).workspace, pk=execution_id)


@router.get("", response=list[AutomationListOut])
@rows_of(AutomationListOut)
@paginate
def automation_list(request: HttpRequest):
    return selectors.automation_list(workspace=principal_of(request).workspace)


@router.post("", response={201: AutomationCreatedOut})
def automation_create(request: HttpRequest, payload: AutomationIn):
    principal = require_admin(principal_of(request), to="change automations")
    automation = services.automation_create(
        workspace=principal.workspace, by=principal.user, **payload.dict()
    )
    return Status(201, automation)


@router.get("/catalog", response=dict[str, Any])
def automation_catalog(request: HttpRequest):
    """What a builder can offer: triggers and their filters, operators, and actions with the
    JSON schema of their parameters."""
    return {
        "triggers": [
            {"type": value, "label": label, "filters": list(TRIGGER_FILTERS[value])}
            for value, label in TriggerType.choices
        ],
        "operators": OPERATORS,
        "actions": [
            {"type": a.type, "label": a.label, "params": a.Params.model_json_schema()}
            for a in ACTIONS.values()
        ],
    }


@router.get("/executions", response=list[ExecutionOut], tags=["automation runs"])
@rows_of(ExecutionOut)
@paginate
def execution_list(request: HttpRequest, filters: Query[ExecutionFilter]):
    """Runs, newest first, each with its trigger event and its action log."""
    return selectors.execution_list(workspace=principal_of(request).workspace, **filters.dict())


@router.get("/executions/{execution_id}", response=ExecutionDetailOut, tags=["automation runs"])
def execution_get(request: HttpRequest, execution_id: PathId):
    return _execution(request, execution_id)


@router.post(
    "/executions/{execution_id}/cancel", response=ExecutionDetailOut, tags=["automation runs"]
)
def execution_cancel(request: HttpRequest, execution_id: PathId):
    """Stop a run that has not finished: no further action of it starts."""
    principal = require_admin(principal_of(request), to="change automations")
    services.execution_cancel(execution=_execution(request, execution_id), by=principal.user)
    return _execution(request, execution_id)


@router.post(
    "/executions/{execution_id}/retry", response=ExecutionDetailOut, tags=["automation runs"]
)
def execution_retry(request: HttpRequest, execution_id: PathId):
    """Run a failed run again from the action that failed."""
    principal = require_admin(principal_of(request), to="change automations")
    services.execution_retry(execution=_execution(request, execution_id), by=principal.user)
    return _execution(request, execution_id)


@router.get("/{automation_id}", response=AutomationOut)
def automation_get(request: HttpRequest, automation_id: PathId):
    return _automation(request, automation_id)


@router.patch("/{automation_id}", response=AutomationOut)
def automation_patch(request: HttpRequest, automation_id: PathId, payload: AutomationPatch):
    require_admin(principal_of(request), to="change automations")
    return services.automation_update(
        automation=_automation(request, automation_id), changes=payload.dict(exclude_unset=True)
    )


@router.delete("/{automation_id}", response={204: None})
def automation_delete(request: HttpRequest, automation_id: PathId):
    require_admin(principal_of(request), to="change automations")
    services.automation_delete(automation=_automation(request, automation_id))
    return Status(204, None)


@router.post("/{automation_id}/enable", response=AutomationOut)
def automation_enable(request: HttpRequest, automation_id: PathId):
    require_admin(principal_of(request), to="change automations")
    return services.automation_set_enabled(
        automation=_automation(request, automation_id), enabled=True
    )


@router.post("/{automation_id}/disable", response=AutomationOut)
def automation_disable(request: HttpRequest, automation_id: PathId):
    """Turn the automation off; its unfinished runs stop before their next action."""
    require_admin(principal_of(request), to="change automations")
    return services.automation_set_enabled(
        automation=_automation(request, automation_id), enabled=False
    )


@router.post("/{automation_id}/signing-secret", response=SigningSecretOut)
def automation_rotate_secret(request: HttpRequest, automation_id: PathId):
    """Replace the webhook signing secret; the old one stops working at once."""
    require_admin(principal_of(request), to="change automations")
    secret = services.automation_rotate_secret(automation=_automation(request, automation_id))
    return {"signing_secret": secret}


@router.post("/{automation_id}/dry-run", response=DryRunOut)
def automation_dry_run(request: HttpRequest, automation_id: PathId, payload: DryRunIn):
    """What the automation would do for a sample event, without doing any of it."""
    principal = require_admin(principal_of(request), to="change automations")
    workspace = principal.workspace
    automation = _automation(request, automation_id)
    data = payload.dict()

    def ref(model, field: str):
        return ref_in_workspace(
            model.objects.all(), workspace=workspace, pk=data.pop(field), field=field
        )

    records = {
        "deal": ref(Deal, "deal_id"),
        "task": ref(OutreachLog, "task_id"),
        "contact": ref(Contact, "contact_id"),
        "prospect": ref(Prospect, "prospect_id"),
        "tag": ref(Tag, "tag_id"),
    }
    from_stage_id = data.pop("from_stage_id")
    if from_stage_id:
        data["from_stage"] = Stage.objects.filter(
            pipeline__workspace=workspace, pk=from_stage_id
        ).first()
        if data["from_stage"] is None:
            raise ValidationFailed.for_field("from_stage_id", "No such stage in this workspace.")
    return services.automation_dry_run(
        automation=automation,
        data={key: value for key, value in data.items() if value is not None},
        **records,
    )
