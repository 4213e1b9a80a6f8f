"""Sequences: templates of steps, enrolling contacts, pausing and stopping, and the stop rules
other features call (a reply, an opt-out, a bounce, an out-of-office, an engagement call task).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from config.errors import Conflict, ValidationFailed
from config.validation import save_or_conflict, validate_model
from outreach.models import (
    Contact,
    OutreachLog,
    OutreachSequence,
    OutreachStep,
    SequenceTemplate,
    SequenceTemplateStep,
    Workspace,
)
from outreach.sequences import merge_fields
from outreach.sequences.cadence import (
    BusinessHours,
    local_day,
    looks_like_out_of_office,
    out_of_office_return,
    step_ready_at,
)
from outreach.sequences.services import cadence_engine as engine
from outreach.workspaces.services.workspaces import ensure_member

PauseKind = OutreachSequence.PauseKind
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
    "auto_send",
}


# --- Templates --------------------------------------------------------------------------------


def sequence_template_create(
    *,
    workspace: Workspace,
    name: str,
    steps: Sequence[Mapping[str, Any]],
    description: str = "",
    by: AbstractBaseUser | None = None,
) -> SequenceTemplate:
    template = SequenceTemplate(
        workspace=workspace, name=name.strip(), description=description.strip(), created_by=by
    )
    cleaned = _clean_steps(steps)
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
    cleaned = _clean_steps(steps) if steps is not None else None
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


def _clean_steps(steps: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if not steps:
        raise ValidationFailed.for_field("steps", "A sequence needs at least one step.")
    if len(steps) > MAX_STEPS:
        raise ValidationFailed.for_field("steps", f"A sequence has at most {MAX_STEPS} steps.")
    cleaned = []
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
            "auto_send": bool(step.get("auto_send")),
        }
        _check_step(index, values)
        if step.get("id"):
            values["id"] = step["id"]
        cleaned.append(values)
    return cleaned


def _check_step(index: int, values: dict[str, Any]) -> None:
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
    if values["auto_send"]:
        if values["channel"] != OutreachLog.Channel.EMAIL:
            fail("auto_send", "only email steps can send by themselves.")
        if not values["subject_template"] or not values["body_template"].strip():
            fail("subject_template", "an email that sends by itself needs a subject and a body.")


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


# --- Enrollment -------------------------------------------------------------------------------


@dataclass
class EnrollmentReport:
    enrolled: list[OutreachSequence] = field(default_factory=list)
    skipped: list[tuple[Contact, str]] = field(default_factory=list)


def sequence_enroll(
    *,
    template: SequenceTemplate,
    contacts: Iterable[Contact],
    by: AbstractBaseUser | None = None,
    sender: AbstractBaseUser | None = None,
) -> EnrollmentReport:
    """Enroll contacts; those who cannot join are reported with the reason, not raised.

    The sender (whose mailbox and task queue the sequence uses) defaults to the person
    enrolling; integrations without a user leave it to the prospect's owner.
    """
    workspace = template.workspace
    steps = list(template.steps.order_by("position"))
    if not steps:
        raise ValidationFailed.for_field("sequence_id", "This sequence has no steps yet.")
    ensure_member(workspace=workspace, user=sender, field="sender_id")
    if sender is None and by is not None and workspace.memberships.filter(user=by).exists():
        sender = by
    needs_email = any(step.channel == OutreachLog.Channel.EMAIL for step in steps)
    contacts = list(contacts)
    already_in = set(
        template.enrollments.filter(
            status__in=OutreachSequence.LIVE_STATUSES, contact__in=contacts
        ).values_list("contact_id", flat=True)
    )
    now = timezone.now()
    report, due = EnrollmentReport(), []
    with transaction.atomic():
        for contact in contacts:
            if contact.workspace_id != workspace.pk:
                raise ValidationFailed.for_field(
                    "contact_ids", "No such contact in this workspace."
                )
            refusal = _enrollment_refusal(contact, needs_email, already_in)
            if refusal:
                report.skipped.append((contact, refusal))
                continue
            try:
                with transaction.atomic():
                    sequence, first = _enroll_one(template, steps, contact, by, sender, now)
            except IntegrityError:
                # Enrolled by someone else a moment ago: the constraint keeps it to one.
                report.skipped.append((contact, f"{contact} is already in this sequence."))
                continue
            report.enrolled.append(sequence)
            if first.next_step_ready_at <= now:
                due.append(first.pk)
        if due:
            # A first step due now goes at once instead of waiting for the next sweep.
            cursors = engine.claim_cursors(OutreachStep.objects.filter(pk__in=due))
            engine.steps_promote(cursors=cursors, now=now)
    return report


def _enrollment_refusal(contact: Contact, needs_email: bool, already_in: set[int]) -> str:
    if contact.outreach_status != Contact.OutreachStatus.ACTIVE:
        return f"{contact} is {contact.get_outreach_status_display().lower()}."
    if needs_email and not contact.email:
        return f"{contact} has no email address."
    if contact.pk in already_in:
        return f"{contact} is already in this sequence."
    return ""


def _enroll_one(
    template: SequenceTemplate,
    steps: list[SequenceTemplateStep],
    contact: Contact,
    by: AbstractBaseUser | None,
    sender: AbstractBaseUser | None,
    now: datetime,
) -> tuple[OutreachSequence, OutreachStep]:
    workspace = template.workspace
    sequence = OutreachSequence.objects.create(
        workspace=workspace,
        template=template,
        prospect_id=contact.prospect_id,
        contact=contact,
        enrolled_by=by,
        sender=sender,
    )
    ready, reason = step_ready_at(
        now,
        delay_days=steps[0].delay_days,
        delay_hours=steps[0].delay_hours,
        hours=BusinessHours.of(workspace, contact.time_zone),
    )
    created = OutreachStep.objects.bulk_create(
        OutreachStep(
            sequence=sequence,
            template_step=step,
            step_order=position,
            channel=step.channel,
            next_step_ready_at=ready if position == 1 else None,
            wait_reason=reason if position == 1 else "",
        )
        for position, step in enumerate(steps, start=1)
    )
    return sequence, created[0]


# --- One enrollment: pause, resume, stop, run the next step now -------------------------------


def sequence_pause(
    *,
    sequence: OutreachSequence,
    reason: str = "",
    until: date | datetime | None = None,
    kind: str = PauseKind.MANUAL,
) -> OutreachSequence:
    """Hold the sequence; with `until` (a day, read in the contact's time zone, or a moment)
    it resumes by itself at the first business moment from then."""
    with transaction.atomic():
        locked = _lock_live(sequence)
        resume_at = _resume_moment(locked, until)
        if resume_at is not None and resume_at <= timezone.now():
            raise ValidationFailed.for_field("until", "Pick a day in the future.")
        engine.pause(
            sequence=locked,
            kind=kind,
            reason=reason.strip() or PauseKind(kind).label,
            until=resume_at,
        )
    return locked


def sequence_resume(*, sequence: OutreachSequence) -> OutreachSequence:
    with transaction.atomic():
        locked = _lock_live(sequence)
        if locked.status != OutreachSequence.Status.PAUSED:
            raise Conflict("This sequence is not paused.")
        engine.resume(sequence=locked, now=timezone.now())
    return locked


def sequence_stop(*, sequence: OutreachSequence, reason: str = "") -> OutreachSequence:
    with transaction.atomic():
        locked = _lock_live(sequence)
        engine.stop(sequence=locked, reason=reason.strip() or "Stopped by a rep")
    return locked


def sequence_advance(
    *, sequence: OutreachSequence, triggered_by: str = OutreachStep.MANUAL
) -> OutreachStep:
    """Run the next waiting step now, whatever its delay and the hour (a rep's decision, or an
    engagement trigger's: pass its trigger source as `triggered_by`)."""
    with transaction.atomic():
        locked = _lock_live(sequence)
        if locked.status != OutreachSequence.Status.ACTIVE:
            raise Conflict("Resume the sequence first.")
        busy = locked.steps.filter(status__in=[*OutreachStep.IN_FLIGHT, OutreachStep.Status.OPEN])
        if busy.exists():
            raise Conflict(f"Step {busy.first().step_order} is still under way; finish it first.")
        following = locked.steps.filter(status=OutreachStep.Status.PENDING).first()
        if following is None:
            raise Conflict("Every step of this sequence has run.")
        cursor = locked.steps.filter(next_step_ready_at__isnull=False).first() or following
        # The lock is ours, so the engine's skip-locked claim still sees the sequence.
        engine.steps_promote(
            cursors=engine.claim_cursors(OutreachStep.objects.filter(pk=cursor.pk)),
            now=timezone.now(),
            triggered_by=triggered_by,
        )
        following.refresh_from_db()
    return following


def _lock_live(sequence: OutreachSequence) -> OutreachSequence:
    locked = engine.lock_sequence(sequence.pk)
    if locked is None:
        raise Conflict("This enrollment no longer exists.")
    if not locked.is_live:
        raise Conflict(f"This sequence has already {locked.get_status_display().lower()}.")
    return locked


def _resume_moment(sequence: OutreachSequence, until: date | datetime | None) -> datetime | None:
    if until is None:
        return None
    hours = engine.business_hours(sequence)
    if isinstance(until, datetime):
        return hours.next_open(until)
    return hours.opening_on_or_after(until)


# --- Stop rules: what other features call -----------------------------------------------------


def sequences_stop_for_contact(*, contact: Contact, reason: str) -> int:
    """End every running sequence of the contact (they replied, opted out, bounced)."""
    stopped = 0
    with transaction.atomic():
        for sequence_id in _live_sequence_ids(contact):
            locked = engine.lock_sequence(sequence_id)
            if locked is not None and locked.is_live:
                engine.stop(sequence=locked, reason=reason)
                stopped += 1
    return stopped


def sequences_pause_for_contact(
    *,
    contact: Contact,
    reason: str,
    until: date | datetime | None = None,
    kind: str = PauseKind.MANUAL,
) -> int:
    """Pause the contact's active sequences (those already paused keep their own pause)."""
    paused = 0
    with transaction.atomic():
        for sequence_id in _live_sequence_ids(contact):
            locked = engine.lock_sequence(sequence_id)
            if locked is not None and locked.status == OutreachSequence.Status.ACTIVE:
                engine.pause(
                    sequence=locked,
                    kind=kind,
                    reason=reason,
                    until=_resume_moment(locked, until),
                )
                paused += 1
    return paused


def sequences_resume_for_contact(*, contact: Contact, kind: str | None = None) -> int:
    """Resume the contact's paused sequences (only those paused for `kind`, if given)."""
    resumed, now = 0, timezone.now()
    with transaction.atomic():
        for sequence_id in _live_sequence_ids(contact):
            locked = engine.lock_sequence(sequence_id)
            if (
                locked is not None
                and locked.status == OutreachSequence.Status.PAUSED
                and (kind is None or locked.pause_kind == kind)
            ):
                engine.resume(sequence=locked, now=now)
                resumed += 1
    return resumed


def sequences_pause_for_out_of_office(
    *, contact: Contact, reply_text: str, received_at: datetime | None = None
) -> date:
    """Pause the contact's sequences until the return date in their auto-reply (or a default
    wait when it gives none); return the day they resume."""
    received_at = received_at or timezone.now()
    zone = BusinessHours.of(contact.workspace, contact.time_zone).zone
    received = local_day(received_at, zone)
    back = out_of_office_return(reply_text, received=received)
    if back is not None:
        reason = f"Out of office until {_day(back)}"
    else:
        back = received + timedelta(days=settings.CADENCE_OUT_OF_OFFICE_DEFAULT_DAYS)
        reason = f"Out of office (no return date given; trying again {_day(back)})"
    sequences_pause_for_contact(
        contact=contact, reason=reason, until=back, kind=PauseKind.OUT_OF_OFFICE
    )
    return back


def sequences_handle_reply(
    *, contact: Contact, subject: str, body: str, received_at: datetime | None = None
) -> str:
    """What a reply does to the contact's sequences: an auto-reply pauses them until the
    person is back ("paused"); any other reply stops them ("stopped")."""
    if looks_like_out_of_office(subject, body):
        sequences_pause_for_out_of_office(
            contact=contact, reply_text=f"{subject}\n{body}", received_at=received_at
        )
        return "paused"
    sequences_stop_for_contact(contact=contact, reason="Replied")
    return "stopped"


def sequences_on_contact_status(*, contact: Contact) -> int:
    """A contact who opted out or bounced gets no more sequence touches."""
    if contact.outreach_status == Contact.OutreachStatus.ACTIVE:
        return 0
    return sequences_stop_for_contact(contact=contact, reason=contact.get_outreach_status_display())


def sequences_on_task_closed(*, task: OutreachLog, status: str) -> None:
    """A touch task was completed, skipped or deleted: move its sequence on, and lift the hold
    an engagement call task put on the contact's sequences."""
    step_id = task.metadata.get("stepId")
    if step_id:
        step = OutreachStep.objects.filter(pk=step_id, outreach_log=task).first()
        if step is not None:
            sequence = engine.lock_sequence(step.sequence_id)
            still_open = OutreachStep.objects.filter(pk=step.pk, status=OutreachStep.Status.OPEN)
            if sequence is not None and still_open.exists():
                step_status = (
                    OutreachStep.Status.DONE
                    if status == OutreachLog.Status.DONE
                    else OutreachStep.Status.SKIPPED
                )
                engine.step_finish(
                    sequence=sequence, step=step, status=step_status, at=timezone.now()
                )
    if task.metadata.get("createdBy") == engine.ENGAGEMENT_TRIGGER:
        # A call task on the company (no contact) held every contact there.
        contacts = [task.contact] if task.contact_id else list(task.prospect.contacts.all())
        still_held = set(
            OutreachLog.objects.filter(
                prospect_id=task.prospect_id,
                status=OutreachLog.Status.TOUCH_OPEN,
                metadata__createdBy=engine.ENGAGEMENT_TRIGGER,
            )
            .exclude(pk=task.pk)
            .values_list("contact_id", flat=True)
        )
        for contact in contacts:
            if None not in still_held and contact.pk not in still_held:
                sequences_resume_for_contact(contact=contact, kind=PauseKind.ENGAGEMENT)


def _day(day: date) -> str:
    return f"{day:%b} {day.day}"  # "Mar 7" (strftime's %-d is not portable)


def _live_sequence_ids(contact: Contact) -> list[int]:
    return list(
        OutreachSequence.objects.filter(
            contact=contact, status__in=OutreachSequence.LIVE_STATUSES
        ).values_list("pk", flat=True)
    )
