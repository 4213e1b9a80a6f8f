"""Dashboard pages: the automations, their builder and dry run, and the history of their runs."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from automations import selectors, services
from automations.conditions import TRIGGER_FILTERS
from automations.forms import (
    ActionForm,
    ActionFormSet,
    AutomationForm,
    ConditionForm,
    ConditionFormSet,
    DryRunForm,
    GroupForm,
    GroupFormSet,
    action_initial,
    condition_initial,
    field_suggestions,
)
from automations.models import Automation, AutomationExecution
from automations.options import WorkspaceOptions
from config.errors import ApplicationError
from config.pagination import dashboard_page
from outreach.models import Contact, Deal, OutreachLog, Stage, Tag
from outreach.workspaces.access import admin_required, member_required

Run = AutomationExecution


@member_required
def automation_list(request: HttpRequest) -> HttpResponse:
    automations = selectors.automation_list(workspace=request.workspace)
    options = WorkspaceOptions(request.workspace)
    rows = [
        {
            "automation": automation,
            "trigger": selectors.describe_trigger(automation, options),
            "steps": [
                {
                    "summary": selectors.describe_action(spec, options),
                    "delay_seconds": spec.get("delay_seconds") or 0,
                }
                for spec in automation.actions
            ],
        }
        for automation in automations
    ]
    return render(request, "automations/automation_list.html", {"rows": rows})


@member_required
def automation_detail(request: HttpRequest, automation_id: int) -> HttpResponse:
    automation = _automation(request, automation_id)
    options = WorkspaceOptions(request.workspace)
    return render(
        request,
        "automations/automation_detail.html",
        _detail_context(request, automation, options, _dry_run_form(request, automation, options)),
    )


@admin_required
def automation_create(request: HttpRequest) -> HttpResponse:
    return _builder(request, Automation(workspace=request.workspace))


@admin_required
def automation_edit(request: HttpRequest, automation_id: int) -> HttpResponse:
    return _builder(request, _automation(request, automation_id))


@admin_required
@require_POST
def automation_toggle(request: HttpRequest, automation_id: int) -> HttpResponse:
    automation = _automation(request, automation_id)
    services.automation_set_enabled(automation=automation, enabled=not automation.enabled)
    if automation.enabled:
        messages.success(request, f"“{automation.name}” is on.")
    else:
        messages.success(
            request, f"“{automation.name}” is off. Its unfinished runs stop before their next step."
        )
    if request.POST.get("next") == "list":
        return redirect("automations:automation_list")
    return redirect("automations:automation_detail", automation_id=automation.pk)


@admin_required
@require_POST
def automation_delete(request: HttpRequest, automation_id: int) -> HttpResponse:
    automation = _automation(request, automation_id)
    services.automation_delete(automation=automation)
    messages.success(request, f"Deleted “{automation.name}” and its run history.")
    return redirect("automations:automation_list")


@admin_required
@require_POST
def automation_rotate_secret(request: HttpRequest, automation_id: int) -> HttpResponse:
    automation = _automation(request, automation_id)
    secret = services.automation_rotate_secret(automation=automation)
    options = WorkspaceOptions(request.workspace)
    context = _detail_context(
        request, automation, options, _dry_run_form(request, automation, options)
    )
    context["new_secret"] = secret
    return render(request, "automations/automation_detail.html", context)


@admin_required
@require_POST
def automation_dry_run(request: HttpRequest, automation_id: int) -> HttpResponse:
    automation = _automation(request, automation_id)
    options = WorkspaceOptions(request.workspace)
    form = _dry_run_form(request, automation, options, data=request.POST)
    result, error = None, ""
    if form.is_valid():
        workspace = request.workspace
        data = form.cleaned_data

        def record(model, field):
            pk = data.get(field)
            return model.objects.filter(workspace=workspace, pk=pk).first() if pk else None

        event_data = form.event_data()
        if data.get("from_stage_id"):
            event_data["from_stage"] = Stage.objects.filter(
                pipeline__workspace=workspace, pk=data["from_stage_id"]
            ).first()
        try:
            result = services.automation_dry_run(
                automation=automation,
                deal=record(Deal, "deal_id"),
                task=record(OutreachLog, "task_id"),
                contact=record(Contact, "contact_id"),
                tag=record(Tag, "tag_id"),
                data=event_data,
            )
        except ApplicationError as exc:
            error = exc.message
    if result:
        for step in result["actions"]:
            step["summary"] = selectors.describe_action(automation.actions[step["index"]], options)
    context = {"automation": automation, "dry_run_form": form, "result": result, "error": error}
    if request.htmx:
        return render(request, "automations/partials/dry_run.html", context)
    full = _detail_context(request, automation, options, form)
    full.update(result=result, error=error)
    return render(request, "automations/automation_detail.html", full)


@admin_required
def builder_condition_row(request: HttpRequest) -> HttpResponse:
    """A blank condition row for the builder (htmx), numbered as the next form of the set."""
    index = _int(request.GET.get("index"))
    group = _int(request.GET.get("group"))
    form = ConditionForm(prefix=f"conditions-{index}", initial={"group": group})
    return render(request, "automations/partials/condition_row.html", {"form": form})


@admin_required
def builder_group(request: HttpRequest) -> HttpResponse:
    index = _int(request.GET.get("index"))
    form = GroupForm(prefix=f"groups-{index}")
    return render(
        request,
        "automations/partials/condition_group.html",
        {"group_form": form, "number": index + 1, "rows": []},
    )


@admin_required
def builder_action_row(request: HttpRequest) -> HttpResponse:
    """An action row for the builder (htmx): a new one, or one whose type was just changed."""
    index = _int(request.GET.get("index"))
    prefix = f"actions-{index}"
    initial = {"type": request.GET.get(f"{prefix}-type") or request.GET.get("type")}
    for name in ("delay_amount", "delay_unit"):
        if request.GET.get(f"{prefix}-{name}"):
            initial[name] = request.GET[f"{prefix}-{name}"]
    form = ActionForm(prefix=prefix, initial=initial, options=WorkspaceOptions(request.workspace))
    return render(
        request, "automations/partials/action_row.html", {"form": form, "number": index + 1}
    )


@member_required
def execution_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in Run.Status.values:
        status = None
    automation_id = _int(request.GET.get("automation")) or None
    runs = selectors.execution_list(
        workspace=request.workspace, automation_id=automation_id, status=status
    )
    page = dashboard_page(request, runs)
    return render(
        request,
        "automations/execution_list.html",
        {
            "page": page,
            "status": status or "",
            "automation_id": automation_id,
            "statuses": Run.Status.choices,
            "automations": Automation.objects.filter(workspace=request.workspace)
            .order_by("name")
            .values_list("pk", "name"),
        },
    )


@member_required
def execution_detail(request: HttpRequest, execution_id: int) -> HttpResponse:
    execution = _execution(request, execution_id)
    options = WorkspaceOptions(request.workspace)
    logged = {step.action_index: step for step in execution.action_runs.all()}
    steps = [
        {
            "index": index,
            "summary": selectors.describe_action(spec, options),
            "delay_seconds": spec.get("delay_seconds") or 0,
            "log": logged.get(index),
        }
        for index, spec in enumerate(execution.actions)
    ]
    return render(
        request,
        "automations/execution_detail.html",
        {"run": execution, "steps": steps, "event": execution.event},
    )


@admin_required
@require_POST
def execution_stop(request: HttpRequest, execution_id: int) -> HttpResponse:
    return _change_run(
        request,
        execution_id,
        services.execution_cancel,
        "The run is stopped; no further step of it will start.",
    )


@admin_required
@require_POST
def execution_retry(request: HttpRequest, execution_id: int) -> HttpResponse:
    return _change_run(
        request, execution_id, services.execution_retry, "Retrying from the step that failed."
    )


def _change_run(request: HttpRequest, execution_id: int, change, done: str) -> HttpResponse:
    execution = _execution(request, execution_id)
    try:
        change(execution=execution, by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("automations:automation_run_detail", execution_id=execution.pk)


# --- the builder -------------------------------------------------------------------------------


def _builder(request: HttpRequest, automation: Automation) -> HttpResponse:
    options = WorkspaceOptions(request.workspace)
    creating = automation.pk is None
    if request.method == "POST":
        form = AutomationForm(request.POST, options=options)
        conditions = ConditionFormSet(request.POST, prefix="conditions")
        groups = GroupFormSet(request.POST, prefix="groups")
        actions = ActionFormSet(request.POST, prefix="actions", form_kwargs={"options": options})
        forms_valid = all(
            [form.is_valid(), conditions.is_valid(), groups.is_valid(), actions.is_valid()]
        )
        if forms_valid:
            definition, places = _definition(form, conditions, groups, actions)
            try:
                if creating:
                    automation = services.automation_create(
                        workspace=request.workspace, by=request.user, **definition
                    )
                else:
                    services.automation_update(automation=automation, changes=definition)
            except ApplicationError as exc:
                _show_errors(exc, form, places)
            else:
                messages.success(request, f"Saved “{automation.name}”.")
                if creating:
                    request.session["automation_secret"] = automation.signing_secret
                return redirect("automations:automation_detail", automation_id=automation.pk)
        status = 422
    else:
        initial_rows, initial_groups = condition_initial(automation.conditions or {})
        form = AutomationForm(
            initial=AutomationForm.initial_for(automation) if not creating else {"match": "and"},
            options=options,
        )
        conditions = ConditionFormSet(prefix="conditions", initial=initial_rows)
        groups = GroupFormSet(prefix="groups", initial=initial_groups)
        actions = ActionFormSet(
            prefix="actions",
            initial=[action_initial(spec) for spec in automation.actions]
            or [{"type": "create_task"}],
            form_kwargs={"options": options},
        )
        status = 200
    return render(
        request,
        "automations/builder.html",
        {
            "automation": automation,
            "creating": creating,
            "form": form,
            "conditions": conditions,
            "root_rows": [f for f in conditions if _group_of(f) == 0],
            "groups": [
                {
                    "group_form": group_form,
                    "number": i + 1,
                    "rows": [f for f in conditions if _group_of(f) == i + 1],
                }
                for i, group_form in enumerate(groups)
            ],
            "group_formset": groups,
            "actions": actions,
            "field_suggestions": field_suggestions(),
            "trigger_filters": {trigger: list(keys) for trigger, keys in TRIGGER_FILTERS.items()},
        },
        status=status,
    )


def _definition(form, conditions, groups, actions) -> tuple[dict[str, Any], dict[str, Any]]:
    """The rule as the service takes it, and where each of its parts came from in the forms
    (`places["actions.2"]` is the third action form), to put service errors back on them."""
    places: dict[str, Any] = {"": form}
    deleted_groups = {
        i + 1 for i, group in enumerate(groups.forms) if group.cleaned_data.get("DELETE")
    }
    root: list[dict] = []
    inner: dict[int, list] = {}
    for condition in conditions.forms:
        if not condition.cleaned_data or condition.cleaned_data.get("DELETE"):
            continue
        group = condition.cleaned_data["group"]
        if group in deleted_groups:
            continue
        if group == 0:
            places[f"conditions.{len(root)}"] = condition
            root.append(condition.condition())
        else:
            inner.setdefault(group, []).append(condition)
    for number in sorted(inner):
        group_form = groups.forms[number - 1] if number <= len(groups.forms) else None
        where = f"conditions.{len(root)}"
        places[where] = group_form or form
        for j, condition in enumerate(inner[number]):
            places[f"{where}.conditions.{j}"] = condition
        op = group_form.cleaned_data.get("op", "or") if group_form else "or"
        root.append({"op": op, "conditions": [c.condition() for c in inner[number]]})
    steps = []
    for action in actions.forms:
        if not action.cleaned_data or action.cleaned_data.get("DELETE"):
            continue
        places[f"actions.{len(steps)}"] = action
        steps.append(action.action())
    definition = {
        "name": form.cleaned_data["name"],
        "description": form.cleaned_data["description"],
        "trigger_type": form.cleaned_data["trigger_type"],
        "trigger_config": form.trigger_config(),
        "conditions": {"op": form.cleaned_data["match"], "conditions": root},
        "actions": steps,
    }
    definition["enabled"] = form.cleaned_data["enabled"]
    return definition, places


def _show_errors(exc: ApplicationError, form, places: dict[str, Any]) -> None:
    """Put each error of the service on the form field it is about."""
    renames = {"conditions.op": "match"}
    for path, errors in (exc.field_errors or {"__all__": [exc.message]}).items():
        path = renames.get(path, path)
        path = path.removeprefix("trigger_config.")
        owners = [p for p in places if p and (path == p or path.startswith(p + "."))]
        owner_path = max(owners, key=len) if owners else ""
        target = places[owner_path]
        field = path[len(owner_path) :].lstrip(".").removeprefix("params.")
        field = {"delay_seconds": "delay_amount"}.get(field, field)
        for error in errors:
            target.add_error(field if field in target.fields else None, error)


def _group_of(form) -> int:
    value = form["group"].value()
    return _int(value)


def _int(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


# --- shared ------------------------------------------------------------------------------------


def _automation(request: HttpRequest, automation_id: int) -> Automation:
    automation = Automation.objects.filter(workspace=request.workspace, pk=automation_id).first()
    if automation is None:
        raise Http404("No such automation.")
    return automation


def _execution(request: HttpRequest, execution_id: int) -> AutomationExecution:
    try:
        return selectors.execution_get(workspace=request.workspace, pk=execution_id)
    except ApplicationError as exc:
        raise Http404(exc.message) from exc


def _dry_run_form(
    request: HttpRequest, automation: Automation, options: WorkspaceOptions, data=None
) -> DryRunForm:
    workspace = request.workspace
    records = {
        "deals": [
            (d.pk, f"{d.name} · {d.stage.name}")
            for d in Deal.objects.filter(workspace=workspace)
            .select_related("stage")
            .order_by("-updated_at")[:100]
        ],
        "contacts": [
            (c.pk, f"{c} · {c.prospect.name}")
            for c in Contact.objects.filter(workspace=workspace)
            .select_related("prospect")
            .order_by("-updated_at")[:100]
        ],
        "tasks": list(
            OutreachLog.objects.filter(workspace=workspace, metadata__kind=OutreachLog.TOUCH_TASK)
            .order_by("-updated_at")
            .values_list("pk", "subject")[:100]
        ),
    }
    return DryRunForm(data, automation=automation, options=options, records=records)


def _detail_context(
    request: HttpRequest, automation: Automation, options: WorkspaceOptions, dry_run_form
) -> dict:
    recent = selectors.execution_list(workspace=request.workspace, automation_id=automation.pk)[:10]
    return {
        "automation": automation,
        "trigger": selectors.describe_trigger(automation, options),
        "conditions": selectors.describe_conditions(automation.conditions),
        "match": "all" if automation.conditions.get("op", "and") == "and" else "any",
        "steps": [
            {
                "summary": selectors.describe_action(spec, options),
                "delay_seconds": spec.get("delay_seconds") or 0,
            }
            for spec in automation.actions
        ],
        "recent_runs": recent,
        "dry_run_form": dry_run_form,
        "new_secret": request.session.pop("automation_secret", None),
    }
