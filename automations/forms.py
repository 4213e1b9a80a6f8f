"""The automation builder's forms: the rule itself, its conditions (with groups), its actions
(each with its own parameters and an optional delay), and the dry-run sample."""

import json
from typing import Any

from django import forms
from django.urls import reverse

from automations.actions import ACTIONS
from automations.actions.fields import optional
from automations.conditions import OPERATORS, VALUELESS_OPERATORS
from automations.context import RECORD_FIELDS
from automations.models import Automation, TriggerType
from automations.options import WorkspaceOptions
from outreach.models import OutreachLog

DELAY_UNITS = {"minutes": 60, "hours": 3600, "days": 86400}
MATCH_CHOICES = [("and", "all"), ("or", "any")]


def field_suggestions() -> list[str]:
    """Paths offered while typing a condition's field (any other valid path works too)."""
    paths = [f"{root}.{field}" for root, fields in RECORD_FIELDS.items() for field in fields]
    return [*paths, "contact.custom_fields.", "deal.custom_fields.", "event.from_stage.name"]


class AutomationForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    trigger_type = forms.ChoiceField(choices=TriggerType.choices, label="Event")
    enabled = forms.BooleanField(required=False, label="Enabled")
    pipeline_id = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Pipeline"
    )
    stage_id = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Stage")
    tag_id = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Tag")
    field = forms.CharField(required=False, max_length=140, label="Field")
    keyword = forms.CharField(required=False, max_length=100, label="Keyword")
    channel = forms.ChoiceField(required=False, label="Channel")
    match = forms.ChoiceField(choices=MATCH_CHOICES, initial="and", label="Match")

    def __init__(self, *args, options: WorkspaceOptions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pipeline_id"].choices = optional(options.pipelines)
        self.fields["stage_id"].choices = optional(options.stages)
        self.fields["tag_id"].choices = optional(options.tags)
        self.fields["channel"].choices = optional(OutreachLog.Channel.choices)
        self.fields["field"].widget.attrs.update(
            {"list": "record-fields", "placeholder": "contact.title"}
        )

    @classmethod
    def initial_for(cls, automation: Automation) -> dict[str, Any]:
        return {
            "name": automation.name,
            "description": automation.description,
            "trigger_type": automation.trigger_type,
            "enabled": automation.enabled,
            "match": automation.conditions.get("op", "and"),
            **automation.trigger_config,
        }

    def trigger_config(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            key: data[key]
            for key in ("pipeline_id", "stage_id", "tag_id", "field", "keyword", "channel")
            if data.get(key) not in (None, "")
        }


class ConditionForm(forms.Form):
    # 0: the automation's own group; n: the n-th group of conditions.
    group = forms.IntegerField(min_value=0, initial=0, widget=forms.HiddenInput)
    field = forms.CharField(max_length=140)
    operator = forms.ChoiceField(choices=list(OPERATORS.items()))
    value = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].widget.attrs.update(
            {"list": "record-fields", "placeholder": "deal.value"}
        )
        self.fields["value"].widget.attrs["placeholder"] = "value"

    def condition(self) -> dict[str, Any]:
        operator = self.cleaned_data["operator"]
        value = None if operator in VALUELESS_OPERATORS else self.cleaned_data["value"].strip()
        return {"field": self.cleaned_data["field"].strip(), "operator": operator, "value": value}


class GroupForm(forms.Form):
    op = forms.ChoiceField(choices=MATCH_CHOICES, initial="or", label="Match")


ConditionFormSet = forms.formset_factory(ConditionForm, extra=0, can_delete=True, max_num=50)
GroupFormSet = forms.formset_factory(GroupForm, extra=0, can_delete=True, max_num=10)


def condition_initial(conditions: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    """Form rows for a stored condition group: (condition rows, group rows)."""
    rows, groups = [], []
    for item in conditions.get("conditions", []):
        if "conditions" in item:
            groups.append({"op": item["op"]})
            for inner in item["conditions"]:
                rows.append({**_row(inner), "group": len(groups)})
        else:
            rows.append({**_row(item), "group": 0})
    return rows, groups


def _row(condition: dict[str, Any]) -> dict[str, Any]:
    value = condition.get("value")
    shown = ", ".join(map(str, value)) if isinstance(value, list) else value
    return {
        "field": condition["field"],
        "operator": condition["operator"],
        "value": "" if shown is None else shown,
    }


def action_choices() -> list[tuple[str, str]]:
    # Read at each render, so that every action registered in ACTIONS is offered.
    return [(action.type, action.label) for action in ACTIONS.values()]


class ActionForm(forms.Form):
    """One step. Its parameter fields are those its action type defines, so the form is
    built for the type it was posted (or created) with; the builder swaps the row when the
    type changes."""

    type = forms.ChoiceField(choices=action_choices, label="Do")
    delay_amount = forms.IntegerField(min_value=0, max_value=525_600, required=False, label="Wait")
    delay_unit = forms.ChoiceField(
        choices=[(unit, unit) for unit in DELAY_UNITS], initial="days", required=False
    )

    def __init__(self, *args, options: WorkspaceOptions, **kwargs):
        super().__init__(*args, **kwargs)
        self.action_type = (
            (self.data.get(self.add_prefix("type")) if self.is_bound else None)
            or self.initial.get("type")
            or next(iter(ACTIONS))
        )
        if self.action_type not in ACTIONS:
            self.action_type = next(iter(ACTIONS))
        self.kind = ACTIONS[self.action_type]
        params = self.kind.form_fields(options)
        self.param_names = list(params)
        self.fields.update(params)
        self.fields["delay_amount"].widget.attrs.update({"placeholder": "0", "class": "narrow"})
        # Changing the type swaps this row for one with that type's fields (htmx).
        self.fields["type"].widget.attrs.update(
            {
                "hx-get": reverse("automations:automation_builder_action"),
                "hx-trigger": "change",
                "hx-target": "closest .action-row",
                "hx-swap": "outerHTML",
                "hx-include": "closest .action-row",
                "hx-vals": json.dumps({"index": self.prefix.rsplit("-", 1)[-1]}),
            }
        )

    @property
    def param_fields_bound(self) -> list[forms.BoundField]:
        return [self[name] for name in self.param_names]

    def action(self) -> dict[str, Any]:
        data = self.cleaned_data
        params = self.kind.from_form({name: data.get(name) for name in self.param_names})
        amount = data.get("delay_amount") or 0
        delay = amount * DELAY_UNITS.get(data.get("delay_unit") or "days", 86400)
        return {"type": self.action_type, "params": params, "delay_seconds": delay}


ActionFormSet = forms.formset_factory(ActionForm, extra=0, can_delete=True, max_num=20)


def action_initial(spec: dict[str, Any]) -> dict[str, Any]:
    """The form's initial values for a stored step."""
    params = spec.get("params") or {}
    action = ACTIONS.get(spec.get("type", ""))
    delay = spec.get("delay_seconds") or 0
    unit = next((u for u in ("days", "hours", "minutes") if delay % DELAY_UNITS[u] == 0), "minutes")
    amount = delay // DELAY_UNITS[unit] if delay else None
    return {
        "type": spec.get("type"),
        "delay_amount": amount,
        "delay_unit": unit,
        **(action.to_form(params) if action else params),
    }


class DryRunForm(forms.Form):
    """A sample event for a dry run: the records it is about, and what happened to them."""

    deal_id = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Deal")
    task_id = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Task")
    contact_id = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Contact"
    )
    tag_id = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Tag")
    from_stage_id = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Moved from stage"
    )
    old = forms.CharField(required=False, max_length=500, label="Old value")
    new = forms.CharField(required=False, max_length=500, label="New value")
    body = forms.CharField(
        required=False, max_length=5000, label="Message", widget=forms.Textarea(attrs={"rows": 2})
    )

    FIELDS_BY_TRIGGER = {
        TriggerType.DEAL_STAGE_CHANGED: ("deal_id", "from_stage_id"),
        TriggerType.DEAL_CREATED: ("deal_id",),
        TriggerType.TAG_ASSIGNED: ("contact_id", "tag_id"),
        TriggerType.TAG_REMOVED: ("contact_id", "tag_id"),
        TriggerType.CONTACT_CREATED: ("contact_id",),
        TriggerType.FIELD_CHANGED: ("contact_id", "deal_id", "old", "new"),
        TriggerType.MESSAGE_RECEIVED: ("contact_id", "body"),
        TriggerType.MESSAGE_KEYWORD_MATCH: ("contact_id", "body"),
        TriggerType.TASK_COMPLETED: ("task_id",),
        TriggerType.TASK_OVERDUE: ("task_id",),
        TriggerType.MEETING_BOOKED: ("contact_id",),
        TriggerType.MEETING_NO_SHOW: ("contact_id",),
    }

    def __init__(self, *args, automation: Automation, options: WorkspaceOptions, records, **kwargs):
        super().__init__(*args, **kwargs)
        self.automation = automation
        self.fields["deal_id"].choices = optional(records["deals"], "—")
        self.fields["task_id"].choices = optional(records["tasks"], "—")
        self.fields["contact_id"].choices = optional(records["contacts"], "—")
        wanted = self.FIELDS_BY_TRIGGER[automation.trigger_type]
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        # The workspace's tags and stages are read only for the triggers that show them.
        if "tag_id" in self.fields:
            self.fields["tag_id"].choices = optional(options.tags, "—")
        if "from_stage_id" in self.fields:
            self.fields["from_stage_id"].choices = optional(options.stages, "—")

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(f) for f in ("deal_id", "task_id", "contact_id")):
            raise forms.ValidationError("Choose the record the sample event is about.")
        return cleaned

    def event_data(self) -> dict[str, Any]:
        """What happened, in the event payload's words, for the automation's trigger."""
        data, config = self.cleaned_data, self.automation.trigger_config
        trigger = self.automation.trigger_type
        if trigger == TriggerType.FIELD_CHANGED:
            field = config.get("field") or "contact.title"
            return {"field": {"name": field, "old": data.get("old"), "new": data.get("new")}}
        if trigger in (TriggerType.MESSAGE_RECEIVED, TriggerType.MESSAGE_KEYWORD_MATCH):
            message = {"channel": config.get("channel") or "email", "body": data.get("body", "")}
            extra = {"keyword": config["keyword"]} if config.get("keyword") else {}
            return {"message": message, **extra}
        return {}
