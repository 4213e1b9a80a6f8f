"""Every write to automations: building rules, switching them on and off, and what admins do
to runs (stop one, retry one from its failed action). Running them is automations.runner."""

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from automations.actions import ACTIONS
from automations.conditions import (
    OPERATORS,
    TRIGGER_FILTERS,
    clean_condition_group,
    conditions_trace,
    matches_trigger_config,
)
from automations.context import CUSTOMIZABLE, RuleContext, check_path, variables_in
from automations.events import payload_for
from automations.models import (
    Automation,
    AutomationActionRun,
    AutomationExecution,
    TriggerType,
    new_signing_secret,
)
from automations.runner import enqueue_runs, hand_on_slot
from config.errors import ApplicationError, Conflict, ValidationFailed
from outreach.models import Contact, Deal, OutreachLog, Pipeline, Prospect, Stage, Tag, Workspace

MAX_ACTIONS = 20
MAX_DELAY_SECONDS = 365 * 24 * 3600
DEFINITION_FIELDS = {
    "name",
    "description",
    "trigger_type",
    "trigger_config",
    "conditions",
    "actions",
}


def automation_create(
    *,
    workspace: Workspace,
    name: str,
    trigger_type: str,
    actions: list[dict[str, Any]],
    trigger_config: dict[str, Any] | None = None,
    conditions: dict[str, Any] | None = None,
    description: str = "",
    enabled: bool = False,
    by: User | None = None,
) -> Automation:
    definition = clean_definition(
        workspace=workspace,
        name=name,
        description=description,
        trigger_type=trigger_type,
        trigger_config=trigger_config or {},
        conditions=conditions,
        actions=actions,
    )
    with transaction.atomic():
        return Automation.objects.create(
            workspace=workspace, enabled=enabled, created_by=by, **definition
        )


def automation_update(*, automation: Automation, changes: dict[str, Any]) -> Automation:
    """Change any part of the rule; runs already started keep the actions they started with."""
    unknown = set(changes) - DEFINITION_FIELDS - {"enabled"}
    if unknown:
        raise ValidationFailed(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    current = {field: getattr(automation, field) for field in DEFINITION_FIELDS}
    if "trigger_type" in changes and "trigger_config" not in changes:
        # Filters of one trigger mean nothing to another.
        current["trigger_config"] = {}
    definition = clean_definition(
        workspace=automation.workspace,
        **{**current, **{k: v for k, v in changes.items() if k in DEFINITION_FIELDS}},
    )
    for field, value in definition.items():
        setattr(automation, field, value)
    if "enabled" in changes:
        automation.enabled = bool(changes["enabled"])
    with transaction.atomic():
        automation.save()
    return automation


def automation_set_enabled(*, automation: Automation, enabled: bool) -> Automation:
    """Turn the rule on or off. Runs of a disabled rule stop before their next action."""
    with transaction.atomic():
        Automation.objects.filter(pk=automation.pk).update(
            enabled=enabled, updated_at=timezone.now()
        )
    automation.enabled = enabled
    return automation


def automation_delete(*, automation: Automation) -> None:
    """Delete the rule and its run history; unfinished runs end with it."""
    with transaction.atomic():
        automation.delete()


def automation_rotate_secret(*, automation: Automation) -> str:
    """A new webhook signing secret, returned this once."""
    automation.signing_secret = new_signing_secret()
    with transaction.atomic():
        automation.save(update_fields=["signing_secret", "updated_at"])
    return automation.signing_secret


def execution_cancel(*, execution: AutomationExecution, by: User | None) -> AutomationExecution:
    """Stop a run that has not finished. An action already in flight finishes; none starts."""
    who = by.get_username() if by else "an integration"
    with transaction.atomic():
        stopped = AutomationExecution.objects.filter(
            pk=execution.pk, status__in=AutomationExecution.ACTIVE_STATUSES
        ).update(
            status=AutomationExecution.Status.CANCELLED,
            reason=f"Stopped by {who}.",
            stopped_by=by,
            finished_at=timezone.now(),
            resume_at=None,
            lease_token=None,
            lease_expires_at=None,
        )
        if not stopped:
            execution.refresh_from_db()
            raise Conflict(f"This run already {execution.get_status_display().lower()}.")
        AutomationActionRun.objects.filter(
            execution=execution,
            status__in=[AutomationActionRun.Status.SCHEDULED, AutomationActionRun.Status.RETRYING],
        ).update(status=AutomationActionRun.Status.CANCELLED, due_at=None)
        hand_on_slot(workspace_id=execution.workspace_id)
    execution.refresh_from_db()
    return execution


def execution_retry(*, execution: AutomationExecution, by: User | None) -> AutomationExecution:
    """Run a failed run again from the action that failed, with the automation's current
    settings for that action and the ones after it (so a fixed setting takes effect)."""
    with transaction.atomic():
        locked = (
            AutomationExecution.objects.select_for_update(of=("self",))
            .select_related("automation")
            .filter(pk=execution.pk)
            .first()
        )
        if locked is None or locked.status != AutomationExecution.Status.FAILED:
            raise Conflict("Only a failed run can be retried.")
        automation = locked.automation
        if not automation.enabled:
            raise Conflict("The automation is disabled; enable it before retrying its runs.")
        index = locked.failed_action_index or 0
        if index >= len(automation.actions):
            raise Conflict("The automation no longer has the step that failed.")
        AutomationActionRun.objects.filter(execution=locked, action_index=index).update(
            action_type=automation.actions[index]["type"],
            status=AutomationActionRun.Status.SCHEDULED,
            attempts=0,
            due_at=None,
            started_at=None,
            finished_at=None,
            duration_ms=None,
            result={},
            error="",
        )
        retry = {
            "at": timezone.now().isoformat(),
            "by": by.get_username() if by else "an integration",
            "action_index": index,
            "error": locked.reason,
        }
        AutomationExecution.objects.filter(pk=locked.pk).update(
            status=AutomationExecution.Status.RUNNING,
            actions=locked.actions[:index] + automation.actions[index:],
            next_action_index=index,
            failed_action_index=None,
            reason="",
            finished_at=None,
            enqueued_at=timezone.now(),
            retries=[*locked.retries, retry],
        )
        enqueue_runs([locked.pk])
    execution.refresh_from_db()
    return execution


# --- dry runs ----------------------------------------------------------------------------------


def automation_dry_run(
    *,
    automation: Automation,
    contact: Contact | None = None,
    prospect: Prospect | None = None,
    deal: Deal | None = None,
    task: OutreachLog | None = None,
    tag: Tag | None = None,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the automation would do for an event about these records: does the trigger filter
    match, which conditions hold (with the values read), and each action with its variables
    filled in. Nothing is changed."""
    record = deal or task or contact or prospect
    if record is None:
        raise ValidationFailed("Choose a deal, task, contact or prospect for the sample event.")
    payload = payload_for(record=record, tag=tag, data=data or {})
    matches = matches_trigger_config(
        trigger_type=automation.trigger_type,
        config=automation.trigger_config,
        event_type=automation.trigger_type,
        payload=payload,
    )
    context = RuleContext(
        workspace_id=automation.workspace_id, event_type=automation.trigger_type, payload=payload
    )
    met, trace = conditions_trace(automation.conditions, context)
    actions = [
        {
            "index": index,
            "type": spec["type"],
            "label": ACTIONS[spec["type"]].label if spec["type"] in ACTIONS else spec["type"],
            "delay_seconds": spec.get("delay_seconds", 0),
            "params": spec["params"],
            # What the {{ variables }} would say for this event.
            "filled_in": _filled_in(spec["params"], context),
        }
        for index, spec in enumerate(automation.actions)
    ]
    for item in trace:
        item["operator_words"] = OPERATORS.get(item["operator"], item["operator"])
    return {
        "event": {"type": automation.trigger_type, "payload": payload},
        "matches_trigger": matches,
        "conditions_met": met,
        "conditions": trace,
        "would_run": matches and met,
        "actions": actions,
    }


def _filled_in(params: dict[str, Any], context: RuleContext) -> dict[str, str]:
    filled = {}
    for name, value in params.items():
        if isinstance(value, str) and "{{" in value:
            filled[name] = context.render(value)
        elif isinstance(value, dict):
            for key, text in value.items():
                if isinstance(text, str) and "{{" in text:
                    filled[f"{name}.{key}"] = context.render(text)
    return filled


# --- validation --------------------------------------------------------------------------------


def clean_definition(
    *,
    workspace: Workspace,
    name: str,
    description: str,
    trigger_type: str,
    trigger_config: dict[str, Any],
    conditions: dict[str, Any] | None,
    actions: list[dict[str, Any]],
) -> dict[str, Any]:
    """The rule as stored, or one ValidationFailed listing every problem by field path
    (`trigger_config.stage_id`, `conditions.1.value`, `actions.2.params.tag_id`…)."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {
        "name": " ".join(str(name or "").split()),
        "description": description or "",
    }
    if not cleaned["name"]:
        errors["name"] = ["Give the automation a name."]
    elif len(cleaned["name"]) > 200:
        errors["name"] = ["A name is at most 200 characters."]
    if trigger_type not in TriggerType.values:
        errors["trigger_type"] = ["Choose what starts the automation."]
    else:
        cleaned["trigger_type"] = trigger_type
        cleaned["trigger_config"] = _collect(
            errors,
            "trigger_config",
            lambda: _clean_trigger_config(workspace, trigger_type, trigger_config),
        )
    cleaned["conditions"] = _collect(errors, "", lambda: clean_condition_group(conditions))
    cleaned["actions"] = _clean_actions(workspace, actions, errors)
    if errors:
        first_field, messages = next(iter(errors.items()))
        raise ValidationFailed(f"{first_field}: {messages[0]}", field_errors=errors)
    return cleaned


def _collect(errors: dict[str, list[str]], prefix: str, clean) -> Any:
    try:
        return clean()
    except ApplicationError as exc:
        for field, messages in (exc.field_errors or {"__all__": [exc.message]}).items():
            key = f"{prefix}.{field}" if prefix else field
            errors.setdefault(key, []).extend(messages)
        return None


def _clean_trigger_config(
    workspace: Workspace, trigger_type: str, config: dict[str, Any]
) -> dict[str, Any]:
    if not isinstance(config, dict):
        raise ValidationFailed("The trigger filter is an object.")
    allowed = TRIGGER_FILTERS[trigger_type]
    given = {key: value for key, value in config.items() if value not in (None, "")}
    errors: dict[str, list[str]] = {}
    for key in set(given) - set(allowed):
        errors[key] = [f"{TriggerType(trigger_type).label} cannot be filtered by {key}."]
    pipeline_id, stage_id = given.get("pipeline_id"), given.get("stage_id")
    if pipeline_id and not Pipeline.objects.filter(workspace=workspace, pk=pipeline_id).exists():
        errors["pipeline_id"] = ["No such pipeline in this workspace."]
    if stage_id:
        stage = Stage.objects.filter(pipeline__workspace=workspace, pk=stage_id).first()
        if stage is None:
            errors["stage_id"] = ["No such stage in this workspace."]
        elif pipeline_id and stage.pipeline_id != pipeline_id:
            errors["stage_id"] = ["That stage is not in the chosen pipeline."]
    if (
        given.get("tag_id")
        and not Tag.objects.filter(workspace=workspace, pk=given["tag_id"]).exists()
    ):
        errors["tag_id"] = ["No such tag in this workspace."]
    if "field" in given:
        given["field"] = str(given["field"]).strip()
        problem = check_path(given["field"])
        if problem or given["field"].split(".")[0] not in CUSTOMIZABLE:
            errors["field"] = [problem or "Name a field of a contact, prospect or deal."]
    if (
        trigger_type == TriggerType.MESSAGE_KEYWORD_MATCH
        and not str(given.get("keyword", "")).strip()
    ):
        errors["keyword"] = ["Give the keyword to look for."]
    if "keyword" in given:
        given["keyword"] = str(given["keyword"]).strip()
        if len(given["keyword"]) > 100:
            errors["keyword"] = ["A keyword is at most 100 characters."]
    if given.get("channel") and given["channel"] not in OutreachLog.Channel.values:
        errors["channel"] = [f"Choose a channel ({', '.join(OutreachLog.Channel.values)})."]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], field_errors=errors)
    return given


def _clean_actions(
    workspace: Workspace, actions: Any, errors: dict[str, list[str]]
) -> list[dict[str, Any]]:
    if not isinstance(actions, list) or not actions:
        errors["actions"] = ["Add at least one action."]
        return []
    if len(actions) > MAX_ACTIONS:
        errors["actions"] = [f"An automation has at most {MAX_ACTIONS} actions."]
        return []
    cleaned = []
    for index, spec in enumerate(actions):
        where = f"actions.{index}"
        spec = spec if isinstance(spec, dict) else {}
        action = ACTIONS.get(spec.get("type", ""))
        if action is None:
            errors[f"{where}.type"] = ["Choose what the action does."]
            continue
        delay = spec.get("delay_seconds") or 0
        if not isinstance(delay, int) or not 0 <= delay <= MAX_DELAY_SECONDS:
            errors[f"{where}.delay_seconds"] = ["A delay is between 0 and 365 days."]
        params = _collect(
            errors,
            f"{where}.params",
            lambda a=action, s=spec: a.clean(s.get("params"), workspace=workspace),
        )
        if params is None:
            continue
        for name in action.templated:
            for variable in variables_in(params.get(name) or ""):
                problem = check_path(variable)
                if problem:
                    errors.setdefault(f"{where}.params.{name}", []).append(
                        f"Unknown variable {{{{{variable}}}}}: {problem}"
                    )
        cleaned.append({"type": action.type, "params": params, "delay_seconds": delay})
    return cleaned
