"""Sequence templates: their steps, checked when saved, and edits that keep enrolled
contacts' history."""

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from config.errors import Conflict, ValidationFailed
from config.validation import save_or_conflict, validate_model
from outreach.mail import merge_fields
from outreach.models import (
    EmailTemplate,
    OutreachLog,
    SequenceTemplate,
    SequenceTemplateStep,
    Workspace,
)

MAX_STEPS = 30


MAX_DELAY_DAYS = 365


MAX_DELAY_HOURS = 24 * 30


STEP_FIELDS = {
    "id",
    "channel",
    "delay_days",
    "delay_hours",
    "subject_template",
    "body_template",
    "email_template_id",
    "auto_send",
}


def sequence_template_create(
    *,
    workspace: Workspace,
    name: str,
    steps: Sequence[Mapping[str, Any]],
    description: str = "",
    by: User | None = None,
) -> SequenceTemplate:
    template = SequenceTemplate(
        workspace=workspace, name=name.strip(), description=description.strip(), created_by=by
    )
    cleaned = _clean_steps(steps, workspace=workspace)
    if any("id" in values for values in cleaned):
        raise ValidationFailed.for_field(
            "steps", "A new sequence has no steps to edit yet; leave out the step ids."
        )
    with transaction.atomic():
        validate_model(template, exclude=["workspace", "created_by"])
        save_or_conflict(template, f"A sequence named {template.name!r} already exists.")
        SequenceTemplateStep.objects.bulk_create(
            SequenceTemplateStep(template=template, position=position, **values)
            for position, values in enumerate(cleaned, start=1)
        )
    return template


def sequence_template_update(
    *,
    template: SequenceTemplate,
    name: str | None = None,
    description: str | None = None,
    steps: Sequence[Mapping[str, Any]] | None = None,
) -> SequenceTemplate:
    """Rename, redescribe, or replace the steps (a step given with its `id` is edited in place,
    so contacts already enrolled get the new wording; a step left out is removed)."""
    if name is not None:
        template.name = name.strip()
    if description is not None:
        template.description = description.strip()
    cleaned = None
    if steps is not None:
        # A template made personal after a step chose it may stay on that step.
        in_use = template.steps.exclude(email_template=None).values_list(
            "email_template_id", flat=True
        )
        cleaned = _clean_steps(steps, workspace=template.workspace, in_use=set(in_use))
    with transaction.atomic():
        validate_model(template, exclude=["workspace", "created_by"])
        save_or_conflict(template, f"A sequence named {template.name!r} already exists.")
        if cleaned is not None:
            _replace_steps(template, cleaned)
    return template


def sequence_template_delete(*, template: SequenceTemplate) -> None:
    enrolled = template.enrollments.count()
    if enrolled:
        raise Conflict(
            f"{enrolled} contact{'s have' if enrolled != 1 else ' has'} been through this "
            "sequence, so it is kept for their history."
        )
    with transaction.atomic():
        template.delete()


def _clean_steps(
    steps: Sequence[Mapping[str, Any]], *, workspace: Workspace, in_use: Collection[int] = ()
) -> list[dict[str, Any]]:
    if not steps:
        raise ValidationFailed.for_field("steps", "A sequence needs at least one step.")
    if len(steps) > MAX_STEPS:
        raise ValidationFailed.for_field("steps", f"A sequence has at most {MAX_STEPS} steps.")
    cleaned = []
    library = _library(workspace, steps)
    for index, step in enumerate(steps):
        unknown = set(step) - STEP_FIELDS
        if unknown:
            raise ValidationFailed(f"Steps have no field {', '.join(sorted(unknown))}.")
        values = {
            "channel": step.get("channel", OutreachLog.Channel.EMAIL),
            "delay_days": int(step.get("delay_days") or 0),
            "delay_hours": int(step.get("delay_hours") or 0),
            "subject_template": (step.get("subject_template") or "").strip(),
            "body_template": step.get("body_template") or "",
            "email_template_id": step.get("email_template_id") or None,
            "auto_send": bool(step.get("auto_send")),
        }
        _check_step(index, values, library=library, in_use=in_use)
        if step.get("id"):
            values["id"] = step["id"]
        cleaned.append(values)
    return cleaned


def _library(workspace: Workspace, steps: Sequence[Mapping[str, Any]]) -> dict[int, EmailTemplate]:
    """The workspace's templates the steps name, read at once."""
    wanted = {step["email_template_id"] for step in steps if step.get("email_template_id")}
    if not wanted:
        return {}
    return EmailTemplate.objects.filter(workspace=workspace).in_bulk(wanted)


def _check_step(
    index: int,
    values: dict[str, Any],
    *,
    library: Mapping[int, EmailTemplate],
    in_use: Collection[int],
) -> None:
    prefix, label = f"steps.{index}", f"Step {index + 1}"

    def fail(name: str, message: str):
        raise ValidationFailed.for_field(f"{prefix}.{name}", f"{label}: {message}")

    if values["channel"] not in OutreachLog.Channel.values:
        fail("channel", "the channel is email, call, linkedin or message.")
    if not 0 <= values["delay_days"] <= MAX_DELAY_DAYS:
        fail("delay_days", f"the delay is 0 to {MAX_DELAY_DAYS} days.")
    if not 0 <= values["delay_hours"] <= MAX_DELAY_HOURS:
        fail("delay_hours", f"the delay is 0 to {MAX_DELAY_HOURS} hours.")
    if len(values["subject_template"]) > 300:
        fail("subject_template", "the subject is at most 300 characters.")
    for name in ("subject_template", "body_template"):
        try:
            merge_fields.check(values[name])
        except merge_fields.UnknownVariable as exc:
            fail(name, str(exc))
    template_id = values["email_template_id"]
    if template_id is not None:
        template = library.get(template_id)
        if template is None:
            fail("email_template_id", "there is no such template in this workspace.")
        elif values["channel"] != OutreachLog.Channel.EMAIL:
            fail("email_template_id", "only email steps take their words from a template.")
        # A sequence is the whole team's: a personal template stays its owner's.
        elif not template.shared and template_id not in in_use:
            fail("email_template_id", f"“{template.name}” is a personal template; share it first.")
    if values["auto_send"]:
        if values["channel"] != OutreachLog.Channel.EMAIL:
            fail("auto_send", "only email steps can send by themselves.")
        if template_id is None and (
            not values["subject_template"] or not values["body_template"].strip()
        ):
            fail(
                "subject_template",
                "an email that sends by itself needs a subject and a body, or a template.",
            )


def _replace_steps(template: SequenceTemplate, cleaned: list[dict[str, Any]]) -> None:
    existing = {step.pk: step for step in template.steps.all()}
    kept_ids = [values["id"] for values in cleaned if "id" in values]
    foreign = set(kept_ids) - set(existing)
    if foreign or len(kept_ids) != len(set(kept_ids)):
        raise ValidationFailed.for_field(
            "steps", "A step id does not belong to this sequence (or appears twice)."
        )
    template.steps.exclude(pk__in=kept_ids).delete()
    # Positions are unique, so move the kept steps out of the way before renumbering.
    if kept_ids:
        offset = MAX_STEPS + len(existing) + 1
        for step in existing.values():
            step.position += offset
        SequenceTemplateStep.objects.bulk_update([existing[pk] for pk in kept_ids], ["position"])
    new_steps, edited = [], []
    for position, values in enumerate(cleaned, start=1):
        values = dict(values)
        pk = values.pop("id", None)
        if pk is None:
            new_steps.append(SequenceTemplateStep(template=template, position=position, **values))
            continue
        step = existing[pk]
        step.position = position
        for name, value in values.items():
            setattr(step, name, value)
        edited.append(step)
    if edited:
        SequenceTemplateStep.objects.bulk_update(
            edited, ["position", *(name for name in STEP_FIELDS if name != "id")]
        )
    SequenceTemplateStep.objects.bulk_create(new_steps)
    template.save(update_fields=["updated_at"])
