"""A sequence's state: locking it, finishing a step and scheduling the next, pausing, resuming,
stopping and completing.

A sequence's next step is due when the step row carrying `next_step_ready_at` (its cursor: the
step that last finished, or the first step before anything happened) says so. Every function
here expects its caller to hold the sequence's row lock (`lock_sequence`); the public services
in `outreach.sequences.services.enrollment` take it.
"""

from datetime import datetime

from django.utils import timezone

from outreach.crm.services import tasks as task_services
from outreach.crm.services.engagement_triggers import CREATED_BY as ENGAGEMENT_TASK_CREATOR
from outreach.models import (
    OutreachLog,
    OutreachSequence,
    OutreachStep,
)
from outreach.sequences.cadence import BusinessHours, step_ready_at

Status = OutreachStep.Status


SequenceStatus = OutreachSequence.Status


WaitReason = OutreachStep.WaitReason


# Touch tasks the engagement trigger opens carry this creator; while one is open for a contact,
# their sequences hold off so the rep's call is the next touch.
ENGAGEMENT_TRIGGER = ENGAGEMENT_TASK_CREATOR


SEQUENCE_RELATIONS = ("contact", "prospect__owner", "workspace", "sender", "template")


def lock_sequence(sequence_id: int) -> OutreachSequence | None:
    """The sequence with its row locked for the rest of the transaction (waits for the lock)."""
    return (
        OutreachSequence.objects.select_for_update(of=("self",))
        .select_related(*SEQUENCE_RELATIONS)
        .filter(pk=sequence_id)
        .first()
    )


def business_hours(sequence: OutreachSequence) -> BusinessHours:
    return BusinessHours.of(sequence.workspace, sequence.contact.time_zone)


def step_finish(
    *,
    sequence: OutreachSequence,
    step: OutreachStep,
    status: str,
    at: datetime,
    outreach_log: OutreachLog | None = None,
) -> None:
    """Record a step as done or skipped and set when the sequence's next step is due."""
    step.status = status
    step.wait_reason = ""
    fields = ["status", "wait_reason", "updated_at"]
    if outreach_log is not None:
        step.outreach_log = outreach_log
        fields.append("outreach_log")
    step.save(update_fields=fields)
    schedule_after(sequence=sequence, cursor=step, at=at)


def schedule_after(*, sequence: OutreachSequence, cursor: OutreachStep, at: datetime) -> None:
    """Put the ready time of the sequence's next waiting step on `cursor`, counted from `at`."""
    if not sequence.is_live:
        return
    following = (
        sequence.steps.filter(status=Status.PENDING)
        .select_related("template_step")
        .order_by("step_order")
        .first()
    )
    if following is None:
        if not sequence.steps.filter(status__in=[*OutreachStep.IN_FLIGHT, Status.OPEN]).exists():
            complete(sequence)
        return
    template_step = following.template_step
    ready, reason = step_ready_at(
        at,
        delay_days=template_step.delay_days if template_step else 0,
        delay_hours=template_step.delay_hours if template_step else 0,
        hours=business_hours(sequence),
    )
    if sequence.status == SequenceStatus.PAUSED:
        reason = WaitReason.PAUSED
    OutreachStep.objects.filter(sequence=sequence, next_step_ready_at__isnull=False).exclude(
        pk=cursor.pk
    ).update(next_step_ready_at=None)
    cursor.next_step_ready_at = ready
    cursor.save(update_fields=["next_step_ready_at", "updated_at"])
    following.wait_reason = reason
    following.save(update_fields=["wait_reason", "updated_at"])


def resume_cursor(
    *, sequence: OutreachSequence, now: datetime, pause_end: datetime | None = None
) -> None:
    """After a pause: the next step goes at its own time, or at the next business moment.

    `pause_end` is the end of a dated pause that was lifted early: a ready time the sweep moved
    there no longer applies.
    """
    if sequence.steps.filter(status__in=[*OutreachStep.IN_FLIGHT, Status.OPEN]).exists():
        return  # the step under way schedules the next one when it finishes
    following = sequence.steps.filter(status=Status.PENDING).order_by("step_order").first()
    if following is None:
        complete(sequence)
        return
    opens = business_hours(sequence).next_open(now)
    cursor = sequence.steps.filter(next_step_ready_at__isnull=False).first()
    if cursor is None:
        cursor = (
            sequence.steps.filter(step_order__lt=following.step_order)
            .order_by("-step_order")
            .first()
            or following
        )
    ready = cursor.next_step_ready_at
    if ready is None or ready < opens or (pause_end is not None and ready >= pause_end):
        cursor.next_step_ready_at = opens
        cursor.save(update_fields=["next_step_ready_at", "updated_at"])
        following.wait_reason = WaitReason.BUSINESS_HOURS if opens > now else ""
    else:
        following.wait_reason = WaitReason.DELAY
    following.save(update_fields=["wait_reason", "updated_at"])


def pause(*, sequence: OutreachSequence, kind: str, reason: str, until: datetime | None) -> None:
    sequence.status = SequenceStatus.PAUSED
    sequence.pause_kind = kind
    sequence.pause_reason = reason[:200]
    sequence.paused_until = until
    sequence.save(
        update_fields=["status", "pause_kind", "pause_reason", "paused_until", "updated_at"]
    )
    # An email queued but not yet claimed by its sender waits again, carrying its own cursor.
    # The cursor itself is left alone: resuming early keeps the step's own time, and the sweep
    # moves it to the end of the pause when it comes due.
    for step in sequence.steps.filter(status=Status.QUEUED):
        step.status = Status.PENDING
        step.next_step_ready_at = until or timezone.now()
        step.save(update_fields=["status", "next_step_ready_at", "updated_at"])
    sequence.steps.filter(status=Status.PENDING).update(wait_reason=WaitReason.PAUSED)


def resume(*, sequence: OutreachSequence, now: datetime) -> None:
    pause_end = sequence.paused_until
    lift_pause(sequence)
    # Resuming after a failed send tries that email again.
    sequence.steps.filter(status=Status.FAILED).update(status=Status.PENDING, failure_reason="")
    sequence.steps.filter(status=Status.PENDING).update(wait_reason="")
    resume_cursor(sequence=sequence, now=now, pause_end=pause_end)


def lift_pause(sequence: OutreachSequence) -> None:
    sequence.status = SequenceStatus.ACTIVE
    sequence.pause_kind = ""
    sequence.pause_reason = ""
    sequence.paused_until = None
    sequence.save(
        update_fields=["status", "pause_kind", "pause_reason", "paused_until", "updated_at"]
    )


def stop(*, sequence: OutreachSequence, reason: str) -> None:
    sequence.status = SequenceStatus.STOPPED
    sequence.stop_reason = reason[:200]
    sequence.pause_kind = ""
    sequence.pause_reason = ""
    sequence.paused_until = None
    sequence.save(
        update_fields=[
            "status",
            "stop_reason",
            "pause_kind",
            "pause_reason",
            "paused_until",
            "updated_at",
        ]
    )
    _retire_steps(sequence, outcome=f"Sequence stopped: {reason}")


def complete(sequence: OutreachSequence) -> None:
    sequence.status = SequenceStatus.COMPLETED
    sequence.save(update_fields=["status", "updated_at"])


def _retire_steps(sequence: OutreachSequence, *, outcome: str) -> None:
    steps = sequence.steps.all()
    steps.filter(next_step_ready_at__isnull=False).update(next_step_ready_at=None)
    steps.filter(status__in=[Status.PENDING, Status.QUEUED]).update(
        status=Status.SKIPPED, wait_reason=""
    )
    # Open tasks leave the rep's queue; closing one reports back here and finds the
    # sequence ended, so nothing is scheduled.
    for step in steps.filter(status=Status.OPEN).select_related("outreach_log"):
        task = step.outreach_log
        if task is not None and task.is_open:
            task_services.touch_task_skip(task=task, by=None, reason=outcome)
        else:
            OutreachStep.objects.filter(pk=step.pk).update(status=Status.SKIPPED)
