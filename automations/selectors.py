"""Reads of automations and their runs, scoped to one workspace and shaped for lists."""

from typing import Any

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from automations.actions import ACTIONS
from automations.conditions import describe_condition
from automations.models import (
    Automation,
    AutomationActionRun,
    AutomationEvent,
    AutomationExecution,
    TriggerType,
)
from automations.options import WorkspaceOptions
from config.errors import NotFound
from config.filters import given
from outreach.models import Workspace


def automation_list(*, workspace: Workspace) -> QuerySet[Automation]:
    # Subqueries rather than joins: each reads one automation's runs through an index, however
    # long the history grows.
    runs = AutomationExecution.objects.filter(automation=OuterRef("pk"))
    active = (
        runs.filter(status__in=AutomationExecution.ACTIVE_STATUSES)
        .order_by()
        .values("automation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Automation.objects.filter(workspace=workspace)
        .annotate(
            last_run_at=Subquery(runs.order_by("-created_at").values("created_at")[:1]),
            active_run_count=Coalesce(Subquery(active), 0),
        )
        .order_by("name", "pk")
    )


def automation_get(*, workspace: Workspace, pk: int) -> Automation:
    automation = Automation.objects.filter(workspace=workspace, pk=pk).first()
    if automation is None:
        raise NotFound(f"No automation with id {pk}.")
    return automation


def execution_list(
    *,
    workspace: Workspace,
    automation_id: int | None = None,
    status: str | None = None,
) -> QuerySet[AutomationExecution]:
    executions = AutomationExecution.objects.filter(
        workspace=workspace, **given(automation_id=automation_id, status=status)
    )
    return (
        executions.select_related("automation", "event", "event__caused_by_execution")
        .prefetch_related(
            Prefetch("action_runs", queryset=AutomationActionRun.objects.order_by("action_index"))
        )
        .order_by("-created_at", "-pk")
    )


def execution_get(*, workspace: Workspace, pk: int) -> AutomationExecution:
    """A run with its log, its trigger event and that event's cause, and the events its
    actions caused (with the runs those started): the run's lineage both ways."""
    execution = (
        execution_list(workspace=workspace)
        .select_related("event__caused_by_execution__automation", "stopped_by")
        .prefetch_related(
            Prefetch(
                "caused_events",
                queryset=AutomationEvent.objects.order_by("pk").prefetch_related(
                    Prefetch(
                        "executions",
                        queryset=AutomationExecution.objects.select_related("automation"),
                    )
                ),
            )
        )
        .filter(pk=pk)
        .first()
    )
    if execution is None:
        raise NotFound(f"No automation run with id {pk}.")
    return execution


def describe_trigger(automation: Automation, options: WorkspaceOptions) -> str:
    """The trigger as a sentence: 'A deal moves to Proposal (Sales)', 'The tag “hot” is added'."""
    config, trigger = automation.trigger_config, automation.trigger_type
    stage_id, pipeline_id, tag_id = (
        config.get(key) for key in ("stage_id", "pipeline_id", "tag_id")
    )
    channel = f" on {config['channel']}" if config.get("channel") else ""
    if trigger == TriggerType.DEAL_STAGE_CHANGED:
        if stage_id:
            return f"A deal moves to {options.stage_name(stage_id)}"
        if pipeline_id:
            return f"A deal in {options.pipeline_name(pipeline_id)} moves to another stage"
    if trigger == TriggerType.DEAL_CREATED:
        if stage_id:
            return f"A deal is created at {options.stage_name(stage_id)}"
        if pipeline_id:
            return f"A deal is created in {options.pipeline_name(pipeline_id)}"
    if trigger in (TriggerType.TAG_ASSIGNED, TriggerType.TAG_REMOVED) and tag_id:
        verb = "added" if trigger == TriggerType.TAG_ASSIGNED else "removed"
        return f"The tag “{options.tag_name(tag_id)}” is {verb}"
    if trigger == TriggerType.FIELD_CHANGED and config.get("field"):
        return f"{config['field']} changes"
    if trigger == TriggerType.MESSAGE_KEYWORD_MATCH and config.get("keyword"):
        return f"A message{channel} contains “{config['keyword']}”"
    if trigger == TriggerType.MESSAGE_RECEIVED:
        return f"A message arrives{channel}"
    return TriggerType(trigger).label


def describe_action(spec: dict[str, Any], options: WorkspaceOptions) -> str:
    """One step as a sentence, in its action's words: 'Add the tag “hot” to the contact'."""
    action = ACTIONS.get(spec.get("type", ""))
    if action is None:
        return f"Unavailable action ({spec.get('type')})"
    return action.describe(spec.get("params") or {}, options)


def describe_conditions(group: dict[str, Any]) -> list[str]:
    """One line per condition or group, joined by the group's and/or."""
    lines = []
    for item in group.get("conditions", []):
        if "conditions" in item:
            inner = f" {item['op']} ".join(describe_condition(c) for c in item["conditions"])
            lines.append(f"({inner})")
        else:
            lines.append(describe_condition(item))
    return lines
