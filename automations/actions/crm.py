"""Actions on CRM records: tags, deal stages, fields, and new or copied deals."""

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from django import forms
from pydantic import Field, field_validator

from automations.actions.base import Action, ActionCall, ActionError, ActionSkipped, Strict
from automations.actions.fields import pick, text
from automations.options import WorkspaceOptions
from config.errors import ValidationFailed
from config.schemas import MAX_ID
from outreach.crm.services import deals as deal_services
from outreach.crm.services import prospects as prospect_services
from outreach.crm.services import tags as tag_services
from outreach.models import Pipeline, Stage, Tag, Workspace

Target = Literal["contact", "prospect", "deal"]
Template = Annotated[str, Field(max_length=2000)]

# What "update a field" may set, per record; custom fields (`custom_fields.<name>`) as well.
UPDATABLE_FIELDS: dict[str, tuple[str, ...]] = {
    "contact": ("first_name", "last_name", "email", "phone", "title", "outreach_status"),
    "prospect": ("name", "website", "status"),
    "deal": ("name", "value"),
}
TARGET_CHOICES = [("contact", "contact"), ("prospect", "prospect"), ("deal", "deal")]


class TagParams(Strict):
    tag_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    target: Target = "contact"


class StageParams(Strict):
    stage_id: Annotated[int, Field(ge=1, le=MAX_ID)]


class FieldParams(Strict):
    field: Annotated[str, Field(min_length=3, max_length=140)]
    value: Template = ""

    @field_validator("field")
    @classmethod
    def _known_field(cls, value: str) -> str:
        record, _, name = value.strip().partition(".")
        if record not in UPDATABLE_FIELDS:
            raise ValueError("Start with contact., prospect. or deal.")
        custom = name.startswith("custom_fields.") and len(name) > len("custom_fields.")
        if not custom and name not in UPDATABLE_FIELDS[record]:
            allowed = ", ".join(f"{record}.{f}" for f in UPDATABLE_FIELDS[record])
            raise ValueError(f"Choose one of {allowed}, or {record}.custom_fields.<name>.")
        return value.strip()


class NewDealParams(Strict):
    pipeline_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    stage_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None
    name: Annotated[str, Field(min_length=1, max_length=200)] = "{{prospect.name}}"
    value: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)] = Decimal("0")


class CopyDealParams(Strict):
    pipeline_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    stage_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None


def updatable_field_paths() -> list[str]:
    return [f"{record}.{name}" for record, names in UPDATABLE_FIELDS.items() for name in names]


def pipeline_stage_fields(
    options: WorkspaceOptions, *, pipeline_label: str
) -> dict[str, forms.Field]:
    return {
        "pipeline_id": pick(options.pipelines, pipeline_label),
        "stage_id": pick(options.stages, "Stage", required=False, empty="The first stage"),
    }


def where_deal_goes(params: dict[str, Any], options: WorkspaceOptions) -> str:
    """'Proposal (Sales)' when a stage is chosen, else the pipeline (its first stage)."""
    if params.get("stage_id"):
        return options.stage_name(params["stage_id"])
    return options.pipeline_name(params.get("pipeline_id"))


def check_tag(params: dict[str, Any], workspace: Workspace) -> None:
    if not Tag.objects.filter(workspace=workspace, pk=params["tag_id"]).exists():
        raise ValidationFailed.for_field("tag_id", "No such tag in this workspace.")


def check_pipeline_stage(params: dict[str, Any], workspace: Workspace) -> None:
    if not Pipeline.objects.filter(workspace=workspace, pk=params["pipeline_id"]).exists():
        raise ValidationFailed.for_field("pipeline_id", "No such pipeline in this workspace.")
    stage_id = params.get("stage_id")
    if (
        stage_id
        and not Stage.objects.filter(pipeline_id=params["pipeline_id"], pk=stage_id).exists()
    ):
        raise ValidationFailed.for_field("stage_id", "That stage is not in the chosen pipeline.")


class _TagAction(Action):
    Params = TagParams

    def form_fields(self, options: WorkspaceOptions) -> dict[str, forms.Field]:
        return {
            "tag_id": pick(options.tags, "Tag"),
            "target": forms.ChoiceField(choices=TARGET_CHOICES, initial="contact", label="On the"),
        }

    def check(self, params, *, workspace):
        check_tag(params, workspace)

    def change(self, *, target, tag: Tag) -> bool:
        raise NotImplementedError

    def perform(self, call: ActionCall) -> dict[str, Any]:
        tag = _tag(call)
        record = call.record(call.params["target"])
        changed = self.change(target=record, tag=tag)
        return {"tag": tag.name, call.params["target"]: record.pk, "changed": changed}


class AssignTag(_TagAction):
    type = "assign_tag"
    label = "Add a tag"
    change = staticmethod(tag_services.tag_assign)

    def describe(self, params: dict[str, Any], options: WorkspaceOptions) -> str:
        tag = options.tag_name(params.get("tag_id"))
        return f"Add the tag “{tag}” to the {params.get('target', 'contact')}"


class RemoveTag(_TagAction):
    type = "remove_tag"
    label = "Remove a tag"
    change = staticmethod(tag_services.tag_remove)

    def describe(self, params: dict[str, Any], options: WorkspaceOptions) -> str:
        tag = options.tag_name(params.get("tag_id"))
        return f"Remove the tag “{tag}” from the {params.get('target', 'contact')}"


class ChangeDealStage(Action):
    type = "change_deal_stage"
    label = "Move the deal to a stage"
    Params = StageParams

    def form_fields(self, options: WorkspaceOptions) -> dict[str, forms.Field]:
        return {"stage_id": pick(options.stages, "Stage")}

    def describe(self, params: dict[str, Any], options: WorkspaceOptions) -> str:
        return f"Move the deal to {options.stage_name(params.get('stage_id'))}"

    def check(self, params, *, workspace):
        if not Stage.objects.filter(pipeline__workspace=workspace, pk=params["stage_id"]).exists():
            raise ValidationFailed.for_field("stage_id", "No such stage in this workspace.")

    def perform(self, call: ActionCall) -> dict[str, Any]:
        deal = call.record("deal")
        stage = Stage.objects.filter(pk=call.params["stage_id"]).first()
        if stage is None:
            raise ActionError("The stage was deleted; choose another one in the automation.")
        if stage.pipeline_id != deal.pipeline_id:
            raise ActionError(
                f"The deal is in the {deal.pipeline.name} pipeline; the stage {stage.name!r} "
                "belongs to another one."
            )
        previous = deal_services.deal_move_stage(deal=deal, stage=stage)
        if previous is None:
            raise ActionSkipped(f"The deal is already in {stage.name}.")
        return {"deal": deal.pk, "from_stage": previous.name, "stage": stage.name}


class UpdateField(Action):
    type = "update_field"
    label = "Update a field"
    Params = FieldParams
    templated = ("value",)

    def form_fields(self, options: WorkspaceOptions) -> dict[str, forms.Field]:
        return {
            "field": text(
                "Field",
                max_length=140,
                suggestions=updatable_field_paths(),
                placeholder="contact.title",
            ),
            "value": text("New value", required=False, max_length=2000),
        }

    def describe(self, params: dict[str, Any], options: WorkspaceOptions) -> str:
        return f"Set {params.get('field')} to “{params.get('value', '')}”"

    def perform(self, call: ActionCall) -> dict[str, Any]:
        kind, _, name = call.params["field"].partition(".")
        record = call.record(kind)
        value: Any = self.render(call, "value")
        changes: dict[str, Any]
        if name.startswith("custom_fields."):
            key = name.removeprefix("custom_fields.")
            changes = {"custom_fields": {**record.custom_fields, key: value}}
        elif kind == "deal" and name == "value":
            changes = {"value": _amount(value)}
        else:
            changes = {name: value}
        # Each returns what changed, as {field: (old, new)}.
        updates: dict[str, Callable[..., dict[str, tuple[Any, Any]]]] = {
            "contact": prospect_services.contact_update,
            "prospect": prospect_services.prospect_update,
            "deal": deal_services.deal_update,
        }
        changed = updates[kind](**{kind: record}, changes=changes)
        if not changed:
            raise ActionSkipped(f"{call.params['field']} already is {value!r}.")
        return {kind: record.pk, "field": call.params["field"], "value": str(value)}


class CreateDeal(Action):
    type = "create_deal"
    label = "Create a deal"
    Params = NewDealParams
    templated = ("name",)

    def form_fields(self, options: WorkspaceOptions) -> dict[str, forms.Field]:
        return {
            **pipeline_stage_fields(options, pipeline_label="Pipeline"),
            "name": text("Deal name", max_length=200, placeholder="{{prospect.name}} renewal"),
            "value": forms.DecimalField(
                min_value=0, max_digits=14, decimal_places=2, initial=0, label="Value"
            ),
        }

    def describe(self, params: dict[str, Any], options: WorkspaceOptions) -> str:
        return f"Create a deal “{params.get('name')}” in {where_deal_goes(params, options)}"

    def check(self, params, *, workspace):
        check_pipeline_stage(params, workspace)

    def perform(self, call: ActionCall) -> dict[str, Any]:
        prospect = call.record("prospect")
        pipeline, stage = _pipeline_stage(call)
        deal = deal_services.deal_create(
            workspace=call.workspace,
            pipeline=pipeline,
            stage=stage,
            prospect=prospect,
            contact=call.context.contact(),
            name=self.render(call, "name")[:200] or prospect.name,
            value=Decimal(str(call.params["value"])),
            custom_fields={"createdByAutomation": call.marker},
        )
        return {"deal": deal.pk, "pipeline": pipeline.name, "stage": deal.stage.name}


class CopyDeal(Action):
    type = "copy_deal"
    label = "Copy the deal into another pipeline"
    Params = CopyDealParams

    def form_fields(self, options: WorkspaceOptions) -> dict[str, forms.Field]:
        return pipeline_stage_fields(options, pipeline_label="Into pipeline")

    def describe(self, params: dict[str, Any], options: WorkspaceOptions) -> str:
        return f"Copy the deal into {where_deal_goes(params, options)}"

    def check(self, params, *, workspace):
        check_pipeline_stage(params, workspace)

    def perform(self, call: ActionCall) -> dict[str, Any]:
        source = call.record("deal")
        pipeline, stage = _pipeline_stage(call)
        copy = deal_services.deal_create(
            workspace=call.workspace,
            pipeline=pipeline,
            stage=stage,
            prospect=source.prospect,
            contact=source.contact,
            name=source.name,
            value=source.value,
            owner=source.owner,
            custom_fields={**source.custom_fields, "copiedFromDeal": source.pk},
            tags=list(source.tags.values_list("name", flat=True)),
        )
        return {"deal": copy.pk, "copied_from": source.pk, "pipeline": pipeline.name}


def _tag(call: ActionCall) -> Tag:
    tag = Tag.objects.filter(workspace=call.workspace, pk=call.params["tag_id"]).first()
    if tag is None:
        raise ActionError("The tag was deleted; choose another one in the automation.")
    return tag


def _pipeline_stage(call: ActionCall) -> tuple[Pipeline, Stage | None]:
    pipeline = Pipeline.objects.filter(
        workspace=call.workspace, pk=call.params["pipeline_id"]
    ).first()
    if pipeline is None:
        raise ActionError("The pipeline was deleted; choose another one in the automation.")
    stage = None
    if call.params.get("stage_id"):
        stage = pipeline.stages.filter(pk=call.params["stage_id"]).first()
        if stage is None:
            raise ActionError("The stage was deleted; choose another one in the automation.")
    return pipeline, stage


def _amount(value: str) -> Decimal:
    try:
        return Decimal(value.replace(",", "").strip())
    except InvalidOperation as exc:
        raise ActionError(f"{value!r} is not an amount.") from exc
