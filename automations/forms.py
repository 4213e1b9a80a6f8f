"""The automation builder's forms: the rule itself, its conditions (with groups), its actions
(each with its own parameters and an optional delay), and the dry-run sample."""

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.urls import reverse

from automations.actions import ACTIONS
from automations.actions.crm import UPDATABLE_FIELDS
from automations.conditions import OPERATORS, VALUELESS_OPERATORS
from automations.context import RECORD_FIELDS
from automations.models import Automation, TriggerType
from automations.options import WorkspaceOptions
from outreach.models import OutreachLog

DELAY_UNITS = {"minutes": 60, "hours": 3600, "days": 86400}
MATCH_CHOICES = [("and", "all"), ("or", "any")]
TARGET_CHOICES = [("contact", "contact"), ("prospect", "prospect"), ("deal", "deal")]
TASK_CHANNELS = [(c, label) for c, label in OutreachLog.Channel.choices]
PRIORITIES = [("normal", "Normal"), ("high", "High"), ("low", "Low")]
# Inputs that take a whole row of the builder's grid.
WIDE = {"class": "wide"}


def field_suggestions() -> list[str]:
    """Paths offered while typing a condition's field (any other valid path works too)."""
    paths = [f"{root}.{field}" for root, fields in RECORD_FIELDS.items() for field in fields]
    return [*paths, "contact.custom_fields.", "deal.custom_fields.", "event.from_stage.name"]


def _optional(choices, empty="Any") -> list:
    return [("", empty), *choices]


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
        self.fields["pipeline_id"].choices = _optional(options.pipelines)
        self.fields["stage_id"].choices = _optional(options.stages)
        self.fields["tag_id"].choices = _optional(options.tags)
        self.fields["channel"].choices = _optional(TASK_CHANNELS)
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


class ActionForm(forms.Form):
    """One step. Its parameter fields are those of its action type, so the form is built for
    the type it was posted (or created) with; the builder swaps the row when the type changes."""

    type = forms.ChoiceField(choices=[(a.type, a.label) for a in ACTIONS.values()], label="Do")
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
        params = param_fields(self.action_type, options)
        self.param_names = list(params)
        self.fields.update(params)
        self.fields["delay_amount"].widget.attrs.update({"placeholder": "0", "class": "narrow"})
        # Changing the type swaps this row for one with that type's fields (htmx).
        self.fields["type"].widget.attrs.update(
            {
                "hx-get": reverse("automation_builder_action"),
                "hx-trigger": "change",
                "hx-target": "closest .action-row",
                "hx-swap": "outerHTML",
                "hx-include": "closest .action-row",
                "hx-vals": json.dumps({"index": self.prefix.rsplit("-", 1)[-1]}),
            }
        )

    @property
    def param_fields_bound(self):
        return [self[name] for name in self.param_names]

    def action(self) -> dict[str, Any]:
        data = self.cleaned_data
        params = {name: data.get(name) for name in self.param_names}
        if self.action_type == "call_webhook":
            params["data"] = parse_pairs(params.get("data") or "")
        for name, value in list(params.items()):
            if value in ("", None) and name not in {"value", "notes", "body"}:
                params.pop(name)
            elif isinstance(value, Decimal):
                params[name] = str(value)
        amount = data.get("delay_amount") or 0
        delay = amount * DELAY_UNITS.get(data.get("delay_unit") or "days", 86400)
        return {"type": self.action_type, "params": params, "delay_seconds": delay}


ActionFormSet = forms.formset_factory(ActionForm, extra=0, can_delete=True, max_num=20)


def action_initial(spec: dict[str, Any]) -> dict[str, Any]:
    params = dict(spec.get("params", {}))
    if spec.get("type") == "call_webhook":
        params["data"] = "\n".join(f"{k}: {v}" for k, v in (params.get("data") or {}).items())
    delay = spec.get("delay_seconds") or 0
    unit = next((u for u in ("days", "hours", "minutes") if delay % DELAY_UNITS[u] == 0), "minutes")
    amount = delay // DELAY_UNITS[unit] if delay else None
    return {"type": spec.get("type"), "delay_amount": amount, "delay_unit": unit, **params}


def parse_pairs(text: str) -> dict[str, str]:
    """'plan: {{contact.custom_fields.plan}}' lines into a dict; lines without ':' are skipped."""
    pairs = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            pairs[key.strip()] = value.strip()
    return pairs


def param_fields(action_type: str, options: WorkspaceOptions) -> dict[str, forms.Field]:
    """The form fields of one action type's parameters, named as the parameters are."""

    def pick(options, label, required=True, empty="Choose…"):
        return forms.TypedChoiceField(
            choices=_optional(options, empty),
            coerce=int,
            empty_value=None,
            required=required,
            label=label,
        )

    text = lambda label, required=True, max_length=300, **attrs: forms.CharField(  # noqa: E731
        label=label, required=required, max_length=max_length, widget=forms.TextInput(attrs=attrs)
    )
    area = lambda label, required=True, rows=3, max_length=20_000: forms.CharField(  # noqa: E731
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )
    target = forms.ChoiceField(choices=TARGET_CHOICES, initial="contact", label="On the")
    fields: dict[str, dict[str, forms.Field]] = {
        "assign_tag": {"tag_id": pick(options.tags, "Tag"), "target": target},
        "remove_tag": {"tag_id": pick(options.tags, "Tag"), "target": target},
        "change_deal_stage": {"stage_id": pick(options.stages, "Stage")},
        "create_task": {
            "subject": text("Subject", placeholder="Call {{contact.first_name}}", **WIDE),
            "channel": forms.ChoiceField(choices=TASK_CHANNELS, initial="call", label="Channel"),
            "priority": forms.ChoiceField(choices=PRIORITIES, initial="normal", label="Priority"),
            "due_in_hours": forms.IntegerField(
                min_value=0, max_value=8760, initial=0, label="Due in (hours)"
            ),
            "assignee_id": pick(
                options.members, "Assign to", required=False, empty="The prospect's owner"
            ),
            "notes": area("Notes", required=False, rows=2, max_length=5000),
        },
        "send_email": {
            "subject": text(
                "Subject", placeholder="Quick question, {{contact.first_name}}", **WIDE
            ),
            "body": area("Body", rows=5),
        },
        "send_message": {
            "channel": forms.ChoiceField(
                choices=[("linkedin", "LinkedIn"), ("message", "Message")], label="Channel"
            ),
            "body": area("Message", rows=3, max_length=5000),
        },
        "update_field": {
            "field": text(
                "Field", max_length=140, list="updatable-fields", placeholder="contact.title"
            ),
            "value": text("New value", required=False, max_length=2000),
        },
        "create_deal": {
            "pipeline_id": pick(options.pipelines, "Pipeline"),
            "stage_id": pick(options.stages, "Stage", required=False, empty="The first stage"),
            "name": text("Deal name", max_length=200, placeholder="{{prospect.name}} renewal"),
            "value": forms.DecimalField(
                min_value=0, max_digits=14, decimal_places=2, initial=0, label="Value"
            ),
        },
        "copy_deal": {
            "pipeline_id": pick(options.pipelines, "Into pipeline"),
            "stage_id": pick(options.stages, "Stage", required=False, empty="The first stage"),
        },
        "call_webhook": {
            "url": forms.URLField(
                max_length=2000,
                label="URL",
                assume_scheme="https",
                widget=forms.URLInput(attrs={"placeholder": "https://", **WIDE}),
            ),
            "data": area(
                "Extra fields (one “name: value” per line)",
                required=False,
                rows=2,
                max_length=10_000,
            ),
        },
        "notify_admins": {
            "title": text(
                "Title", max_length=200, placeholder="{{deal.name}} reached Proposal", **WIDE
            ),
            "body": area("Details", required=False, rows=2, max_length=2000),
        },
    }
    return fields[action_type]


def updatable_field_suggestions() -> list[str]:
    return [f"{record}.{field}" for record, names in UPDATABLE_FIELDS.items() for field in names]


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
    }

    def __init__(self, *args, automation: Automation, options: WorkspaceOptions, records, **kwargs):
        super().__init__(*args, **kwargs)
        self.automation = automation
        self.fields["deal_id"].choices = _optional(records["deals"], "—")
        self.fields["task_id"].choices = _optional(records["tasks"], "—")
        self.fields["contact_id"].choices = _optional(records["contacts"], "—")
        wanted = self.FIELDS_BY_TRIGGER[automation.trigger_type]
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        # The workspace's tags and stages are read only for the triggers that show them.
        if "tag_id" in self.fields:
            self.fields["tag_id"].choices = _optional(options.tags, "—")
        if "from_stage_id" in self.fields:
            self.fields["from_stage_id"].choices = _optional(options.stages, "—")

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
