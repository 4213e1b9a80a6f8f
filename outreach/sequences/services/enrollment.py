"""Enrolling contacts in sequences; pausing, resuming, stopping and running one enrollment; and
the stop rules other features call (a reply, an opt-out, a bounce, an out-of-office, an
engagement call task)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from config.errors import Conflict, ValidationFailed
from outreach.models import (
    Contact,
    OutreachLog,
    OutreachSequence,
    OutreachStep,
    SequenceTemplate,
    SequenceTemplateStep,
)
from outreach.sequences.cadence import (
    BusinessHours,
    step_ready_at,
)
from outreach.sequences.services import state, sweep
from outreach.workspaces.services.workspaces import ensure_member

PauseKind = OutreachSequence.PauseKind


@dataclass
class EnrollmentReport:
    enrolled: list[OutreachSequence] = field(default_factory=list)
    skipped: list[tuple[Contact, str]] = field(default_factory=list)


def sequence_enroll(
    *,
    template: SequenceTemplate,
    contacts: Iterable[Contact],
    by: User | None = None,
    sender: User | None = None,
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
                    sequence, first, first_ready_at = _enroll_one(
                        template, steps, contact, by, sender, now
                    )
            except IntegrityError:
                # Enrolled by someone else a moment ago: the constraint keeps it to one.
                report.skipped.append((contact, f"{contact} is already in this sequence."))
                continue
            report.enrolled.append(sequence)
            if first_ready_at <= now:
                due.append(first.pk)
        if due:
            # A first step due now goes at once instead of waiting for the next sweep.
            cursors = sweep.claim_cursors(OutreachStep.objects.filter(pk__in=due))
            sweep.steps_promote(cursors=cursors, now=now)
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
    by: User | None,
    sender: User | None,
    now: datetime,
) -> tuple[OutreachSequence, OutreachStep, datetime]:
    """The new sequence, its first step, and when that step may go."""
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
    return sequence, created[0], ready


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
        state.pause(
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
        state.resume(sequence=locked, now=timezone.now())
    return locked


def sequence_stop(*, sequence: OutreachSequence, reason: str = "") -> OutreachSequence:
    with transaction.atomic():
        locked = _lock_live(sequence)
        state.stop(sequence=locked, reason=reason.strip() or "Stopped by a rep")
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
        busy = locked.steps.filter(
            status__in=[*OutreachStep.IN_FLIGHT, OutreachStep.Status.OPEN]
        ).first()
        if busy is not None:
            raise Conflict(f"Step {busy.step_order} is still under way; finish it first.")
        following = locked.steps.filter(status=OutreachStep.Status.PENDING).first()
        if following is None:
            raise Conflict("Every step of this sequence has run.")
        cursor = locked.steps.filter(next_step_ready_at__isnull=False).first() or following
        # The lock is ours, so the engine's skip-locked claim still sees the sequence.
        sweep.steps_promote(
            cursors=sweep.claim_cursors(OutreachStep.objects.filter(pk=cursor.pk)),
            now=timezone.now(),
            triggered_by=triggered_by,
        )
        following.refresh_from_db()
    return following


def _lock_live(sequence: OutreachSequence) -> OutreachSequence:
    locked = state.lock_sequence(sequence.pk)
    if locked is None:
        raise Conflict("This enrollment no longer exists.")
    if not locked.is_live:
        raise Conflict(f"This sequence has already {locked.get_status_display().lower()}.")
    return locked


def _resume_moment(sequence: OutreachSequence, until: date | datetime | None) -> datetime | None:
    if until is None:
        return None
    hours = state.business_hours(sequence)
    if isinstance(until, datetime):
        return hours.next_open(until)
    return hours.opening_on_or_after(until)


def sequences_stop_for_contact(*, contact: Contact, reason: str) -> int:
    """End every running sequence of the contact (they replied, opted out, bounced)."""
    stopped = 0
    # Part of the caller's change (a reply's triage, a bounce): no savepoint of its own.
    with transaction.atomic(savepoint=False):
        for sequence_id in _live_sequence_ids(contact):
            locked = state.lock_sequence(sequence_id)
            if locked is not None and locked.is_live:
                state.stop(sequence=locked, reason=reason)
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
    with transaction.atomic(savepoint=False):
        for sequence_id in _live_sequence_ids(contact):
            locked = state.lock_sequence(sequence_id)
            if locked is not None and locked.status == OutreachSequence.Status.ACTIVE:
                state.pause(
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
            locked = state.lock_sequence(sequence_id)
            if (
                locked is not None
                and locked.status == OutreachSequence.Status.PAUSED
                and (kind is None or locked.pause_kind == kind)
            ):
                state.resume(sequence=locked, now=now)
                resumed += 1
    return resumed


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
            sequence = state.lock_sequence(step.sequence_id)
            still_open = OutreachStep.objects.filter(pk=step.pk, status=OutreachStep.Status.OPEN)
            if sequence is not None and still_open.exists():
                step_status = (
                    OutreachStep.Status.DONE
                    if status == OutreachLog.Status.DONE
                    else OutreachStep.Status.SKIPPED
                )
                state.step_finish(
                    sequence=sequence, step=step, status=step_status, at=timezone.now()
                )
    if task.metadata.get("createdBy") == state.ENGAGEMENT_TRIGGER:
        # A call task on the company (no contact) held every contact there.
        contacts = (
            [task.contact] if task.contact is not None else list(task.prospect.contacts.all())
        )
        still_held = set(
            OutreachLog.objects.filter(
                prospect_id=task.prospect_id,
                status=OutreachLog.Status.TOUCH_OPEN,
                metadata__createdBy=state.ENGAGEMENT_TRIGGER,
            )
            .exclude(pk=task.pk)
            .values_list("contact_id", flat=True)
        )
        for contact in contacts:
            if None not in still_held and contact.pk not in still_held:
                sequences_resume_for_contact(contact=contact, kind=PauseKind.ENGAGEMENT)


def _live_sequence_ids(contact: Contact) -> list[int]:
    return list(
        OutreachSequence.objects.filter(
            contact=contact, status__in=OutreachSequence.LIVE_STATUSES
        ).values_list("pk", flat=True)
    )
