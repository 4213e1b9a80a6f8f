"""Pipelines, their stages, and deals moving through them."""

from datetime import datetime
from decimal import Decimal
from typing import Any, TypedDict

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from config.errors import Conflict, ValidationFailed
from config.validation import apply_changes, save_or_conflict, validate_model
from outreach import events
from outreach.crm.services.tags import tags_resolve, tags_set
from outreach.models import Contact, Deal, DealStageChange, Pipeline, Prospect, Stage, Workspace
from outreach.workspaces.services.workspaces import ensure_member

DEAL_FIELDS = {"name", "value", "contact", "owner", "custom_fields"}


class StageSpec(TypedDict):
    """A stage as a pipeline's editor sends it: an existing stage by id (renamed, moved), or a
    new one (no id). Its place in the list is its position."""

    id: int | None
    name: str


def pipeline_create(*, workspace: Workspace, name: str, stages: list[str]) -> Pipeline:
    names = _stage_names(stages)
    pipeline = Pipeline(workspace=workspace, name=name.strip())
    with transaction.atomic():
        validate_model(pipeline, exclude=["workspace"])
        save_or_conflict(
            pipeline, f"A pipeline named {pipeline.name!r} already exists.", field="name"
        )
        Stage.objects.bulk_create(
            Stage(pipeline=pipeline, name=stage, position=i) for i, stage in enumerate(names)
        )
    return pipeline


def pipeline_update(
    *, pipeline: Pipeline, name: str | None = None, stages: list[StageSpec] | None = None
) -> Pipeline:
    """Rename the pipeline and make its stages exactly `stages`, in that order: existing ones
    keep their id (so their deals and the automations that name them follow), missing ones
    are removed, which is refused for a stage that still holds deals."""
    if name is not None:
        pipeline.name = name.strip()
        validate_model(pipeline, exclude=["workspace"])
    if stages is None:
        with transaction.atomic():
            save_or_conflict(
                pipeline, f"A pipeline named {pipeline.name!r} already exists.", field="name"
            )
        return pipeline
    names = _stage_names([stage["name"] for stage in stages])
    current = {stage.pk: stage for stage in pipeline.stages.all()}
    kept_ids = [stage["id"] for stage in stages if stage["id"] is not None]
    unknown = [pk for pk in kept_ids if pk not in current]
    if unknown or len(set(kept_ids)) != len(kept_ids):
        raise ValidationFailed.for_field("stages", "A stage listed is not one of this pipeline's.")
    removed = [stage for pk, stage in current.items() if pk not in kept_ids]
    with transaction.atomic():
        # Counted inside the transaction, and the stage's PROTECT keeps a deal that arrives
        # meanwhile from being lost with it.
        for stage in removed:
            deal_count = stage.deals.count()
            if deal_count:
                message = (
                    f"The stage {stage.name!r} still has {deal_count} "
                    f"deal{'s' if deal_count > 1 else ''}; move them to another stage first."
                )
                raise Conflict(message, field_errors={"stages": [message]})
        save_or_conflict(
            pipeline, f"A pipeline named {pipeline.name!r} already exists.", field="name"
        )
        Stage.objects.filter(pk__in=[stage.pk for stage in removed]).delete()
        # Names are unique in a pipeline: swapping two stages' names would collide halfway,
        # so every kept stage first takes a placeholder no cleaned name can be (a leading
        # space).
        Stage.objects.filter(pk__in=kept_ids).update(
            name=Concat(Value(" "), Cast("pk", CharField()))
        )
        for position, (spec, stage_name) in enumerate(zip(stages, names, strict=True)):
            if spec["id"] is None:
                Stage.objects.create(pipeline=pipeline, name=stage_name, position=position)
            else:
                Stage.objects.filter(pk=spec["id"]).update(name=stage_name, position=position)
    return pipeline


def _stage_names(stages: list[str]) -> list[str]:
    names = [" ".join(stage.split()) for stage in stages]
    if not names:
        raise ValidationFailed.for_field("stages", "A pipeline needs at least one stage.")
    if not all(names):
        raise ValidationFailed.for_field("stages", "Every stage needs a name.")
    if len({n.lower() for n in names}) != len(names):
        raise ValidationFailed.for_field("stages", "Stage names must be different.")
    if any(len(n) > 100 for n in names):
        raise ValidationFailed.for_field("stages", "A stage name is at most 100 characters.")
    return names


def pipeline_delete(*, pipeline: Pipeline) -> None:
    """Delete an empty pipeline; one with deals is refused so no deal is lost by accident."""
    with transaction.atomic():
        deal_count = pipeline.deals.count()
        if deal_count:
            raise Conflict(
                f"The pipeline still has {deal_count} deal{'s' if deal_count > 1 else ''}; "
                "move or delete them first."
            )
        pipeline.delete()


def deal_create(
    *,
    workspace: Workspace,
    pipeline: Pipeline,
    prospect: Prospect,
    name: str,
    stage: Stage | None = None,
    contact: Contact | None = None,
    value: Decimal = Decimal("0"),
    owner: User | None = None,
    custom_fields: dict[str, Any] | None = None,
    tags: list[str] | None = None,
) -> Deal:
    _check_in_workspace(workspace, pipeline=pipeline, prospect=prospect, contact=contact)
    stage = stage or pipeline.stages.order_by("position", "pk").first()
    if stage is None or stage.pipeline_id != pipeline.pk:
        raise ValidationFailed.for_field(
            "stage_id", "The stage must belong to the deal's pipeline."
        )
    _check_contact(prospect, contact)
    ensure_member(workspace=workspace, user=owner)
    deal = Deal(
        workspace=workspace,
        pipeline=pipeline,
        stage=stage,
        prospect=prospect,
        contact=contact,
        name=name.strip(),
        value=value,
        owner=owner,
        custom_fields=custom_fields or {},
        stage_changed_at=timezone.now(),
    )
    with transaction.atomic():
        validate_model(deal, exclude=["workspace", "pipeline", "stage", "prospect", "contact"])
        deal.save()
        _record_stage_change(deal, from_stage=None, left_at=None)
        if tags:
            tags_set(target=deal, tags=tags_resolve(workspace=workspace, names=tags))
        events.announce(events.DealCreated(deal))
    return deal


def deal_update(
    *,
    deal: Deal,
    changes: dict[str, Any],
    tags: list[str] | None = None,
    stage: Stage | None = None,
) -> dict[str, tuple[Any, Any]]:
    """Apply a partial update (and a move to `stage`, if given) in one transaction, checked
    before anything is written: a refused change leaves the deal as it was."""
    if stage is not None:
        _check_stage(deal, stage)
    if "contact" in changes:
        _check_in_workspace(deal.workspace, contact=changes["contact"])
        _check_contact(deal.prospect, changes["contact"])
    if "owner" in changes:
        ensure_member(workspace=deal.workspace, user=changes["owner"])
    changed = apply_changes(deal, changes, allowed=DEAL_FIELDS)
    with transaction.atomic():
        if changed:
            validate_model(deal, exclude=["workspace", "pipeline", "stage", "prospect", "contact"])
            deal.save()
        if tags is not None:
            tags_set(target=deal, tags=tags_resolve(workspace=deal.workspace, names=tags))
        if changed:
            events.announce(events.FieldsChanged(deal, changed))
        if stage is not None:
            _move(deal, stage)
    return changed


def deal_move_stage(*, deal: Deal, stage: Stage) -> Stage | None:
    """Move the deal to a stage of its pipeline; return the stage it left (None if unchanged)."""
    _check_stage(deal, stage)
    with transaction.atomic():
        return _move(deal, stage)


def _move(deal: Deal, stage: Stage) -> Stage | None:
    if stage.pk == deal.stage_id:
        return None
    previous = deal.stage
    entered_previous_at = deal.stage_changed_at
    deal.stage = stage
    deal.stage_changed_at = timezone.now()
    save_or_conflict(deal, "The deal could not be moved.")
    _record_stage_change(deal, from_stage=previous, left_at=entered_previous_at)
    events.announce(events.DealStageChanged(deal, from_stage=previous))
    return previous


def _record_stage_change(deal: Deal, *, from_stage: Stage | None, left_at: datetime | None) -> None:
    """Keep the move for the pipeline report, in the move's transaction."""
    changed_at = deal.stage_changed_at or timezone.now()
    seconds = None
    if from_stage is not None and left_at is not None:
        seconds = max(0, int((changed_at - left_at).total_seconds()))
    if from_stage is not None:
        # The entry into the stage it leaves learns where the deal went: conversion counts it.
        DealStageChange.objects.filter(
            deal=deal, to_stage=from_stage, moved_on__isnull=True
        ).update(moved_on=deal.stage.position > from_stage.position)
    DealStageChange.objects.create(
        workspace_id=deal.workspace_id,
        deal=deal,
        pipeline_id=deal.pipeline_id,
        from_stage=from_stage,
        to_stage_id=deal.stage_id,
        seconds_in_from_stage=seconds,
        changed_at=changed_at,
    )


def _check_stage(deal: Deal, stage: Stage) -> None:
    if stage.pipeline_id != deal.pipeline_id:
        raise ValidationFailed.for_field(
            "stage_id", "The stage must belong to the deal's pipeline."
        )


def deal_delete(*, deal: Deal) -> None:
    with transaction.atomic():
        deal.delete()


def _check_in_workspace(workspace: Workspace, **objects: Any) -> None:
    for field, obj in objects.items():
        if obj is not None and obj.workspace_id != workspace.pk:
            raise ValidationFailed.for_field(f"{field}_id", f"No such {field} in this workspace.")


def _check_contact(prospect: Prospect, contact: Contact | None) -> None:
    if contact is not None and contact.prospect_id != prospect.pk:
        raise ValidationFailed.for_field("contact_id", "The contact must work at the prospect.")
