"""Reads of sequences and enrollments, and what every step of an enrollment is doing: done,
in the queue, or waiting (and why, and until when)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from config.filters import given
from outreach.mail import merge_fields
from outreach.models import (
    OutreachSequence,
    OutreachStep,
    Prospect,
    SequenceTemplate,
    SequenceTemplateStep,
    Workspace,
)
from outreach.sequences.services.sending import daily_send_limit, sender_address, sender_mailbox

Status = OutreachStep.Status
WaitReason = OutreachStep.WaitReason
DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def sequence_template_list(*, workspace: Workspace) -> QuerySet[SequenceTemplate]:
    # Subqueries rather than a join and GROUP BY: each counts one template's enrollments of
    # the page through an index, instead of grouping every template before a page is kept.
    def enrolled(status: str) -> Coalesce:
        counts = (
            OutreachSequence.objects.filter(template=OuterRef("pk"), status=status)
            .order_by()
            .values("template")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(counts), 0)

    return (
        SequenceTemplate.objects.filter(workspace=workspace)
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=SequenceTemplateStep.objects.select_related("email_template").order_by(
                    "position"
                ),
            )
        )
        .annotate(
            active_count=enrolled(OutreachSequence.Status.ACTIVE),
            paused_count=enrolled(OutreachSequence.Status.PAUSED),
            completed_count=enrolled(OutreachSequence.Status.COMPLETED),
            stopped_count=enrolled(OutreachSequence.Status.STOPPED),
        )
        .order_by("name", "pk")
    )


def enrollment_list(
    *,
    workspace: Workspace,
    sequence_id: int | None = None,
    contact_id: int | None = None,
    prospect_id: int | None = None,
    status: str | None = None,
) -> QuerySet[OutreachSequence]:
    """Enrollments, newest first, with everything their step states need already loaded."""
    enrollments = OutreachSequence.objects.filter(
        workspace=workspace,
        **given(
            template_id=sequence_id, contact_id=contact_id, prospect_id=prospect_id, status=status
        ),
    )
    return (
        enrollments.select_related("template", "contact", "prospect", "workspace", "sender")
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=OutreachStep.objects.select_related(
                    "template_step__email_template", "outreach_log"
                ).order_by("step_order"),
            )
        )
        .order_by("-created_at", "-pk")
    )


def prospect_sequence_panel(*, workspace: Workspace, prospect: Prospect) -> dict:
    """What the prospect page shows about sequences: its contacts' enrollments, and the
    sequences they can be enrolled in."""
    enrollments = enrollment_list(workspace=workspace, prospect_id=prospect.pk)[:20]
    return {
        "enrollments": [(e, current_step_state(e)) for e in enrollments],
        "sequence_choices": list(
            SequenceTemplate.objects.filter(workspace=workspace)
            .annotate(step_count=Count("steps"))
            .filter(step_count__gt=0)
            .order_by("name")
        ),
    }


@dataclass(frozen=True)
class StepState:
    step: OutreachStep
    subject: str
    explanation: str
    goes_at: datetime | None = None

    @property
    def is_waiting(self) -> bool:
        return self.step.status == Status.PENDING


def step_states(sequence: OutreachSequence) -> list[StepState]:
    """Each step of an enrollment with what it is doing in words, and when a waiting one goes.

    Reads `sequence.steps` (prefetch them with their template steps) and the sequence's
    workspace, contact and sender.
    """
    steps = list(sequence.steps.all())
    cursor = next((s for s in steps if s.next_step_ready_at is not None), None)
    first_waiting = next((s for s in steps if s.status == Status.PENDING), None)
    context = merge_fields.MergeContext(
        contact=sequence.contact, prospect=sequence.prospect, sender=sequence.sender
    )
    states, previous = [], None
    for step in steps:
        subject = _subject(step, context)
        if step is first_waiting:
            explanation, goes_at = _next_state(sequence, step, previous, cursor, steps)
        else:
            explanation, goes_at = _explain(sequence, step, previous), None
        states.append(StepState(step, subject, explanation, goes_at))
        previous = step
    return states


def _subject(step: OutreachStep, context: merge_fields.MergeContext) -> str:
    """What the step is called for this contact: its task's or email's subject once it has
    one, else the template's wording filled in."""
    if step.outreach_log is not None:  # no query when the step has no log
        return step.outreach_log.subject
    if step.template_step is None:
        return ""
    return merge_fields.render(step.template_step.subject_text, context)


def current_step_state(sequence: OutreachSequence) -> StepState | None:
    """The step a summary shows: the one under way or next to go while the sequence runs,
    else the last one that happened."""
    states = step_states(sequence)
    if sequence.is_live:
        for state in states:
            if state.step.status not in (Status.DONE, Status.SKIPPED):
                return state
    happened = [state for state in states if state.step.status == Status.DONE]
    return happened[-1] if happened else None


def _explain(sequence: OutreachSequence, step: OutreachStep, previous: OutreachStep | None):
    if step.status == Status.DONE:
        return "Sent." if step.channel == "email" and step.outreach_log_id else "Done."
    if step.status == Status.SKIPPED:
        return step.failure_reason or "Skipped."
    if step.status == Status.OPEN:
        return "In the task queue."
    if step.status in OutreachStep.IN_FLIGHT:
        return "Sending now."
    if step.status == Status.FAILED:
        return f"Not sent: {step.failure_reason}"
    if not sequence.is_live:
        return f"Will not go: the sequence {sequence.get_status_display().lower()}."
    return f"Goes {_delay(step)} after step {previous.step_order}." if previous else "Waiting."


def _next_state(
    sequence: OutreachSequence,
    step: OutreachStep,
    previous: OutreachStep | None,
    cursor: OutreachStep | None,
    steps: list[OutreachStep],
) -> tuple[str, datetime | None]:
    """Why the next step to go waits, and until when (if known)."""
    if not sequence.is_live:
        return _explain(sequence, step, previous), None
    ready = cursor.next_step_ready_at if cursor else None
    if sequence.status == OutreachSequence.Status.PAUSED:
        if sequence.paused_until:
            goes_at = max(sequence.paused_until, ready) if ready else sequence.paused_until
            return f"Paused: {sequence.pause_reason}.", goes_at
        return f"Paused: {sequence.pause_reason}. Goes once resumed.", None
    under_way = next((s for s in steps if s.status in (Status.OPEN, *OutreachStep.IN_FLIGHT)), None)
    if under_way is not None:
        return f"Waits for step {under_way.step_order} to be done, then {_delay(step)}.", None
    if ready is None:
        return "Waiting for the sweep.", None
    reason = step.wait_reason
    if reason == WaitReason.BUSINESS_HOURS:
        text = f"Waiting for business hours ({_business_hours(sequence)})."
    elif reason == WaitReason.DAILY_LIMIT:
        mailbox = sender_mailbox(sequence)
        text = (
            f"{sender_address(sequence, mailbox)} reached its limit of "
            f"{daily_send_limit(sequence.workspace, mailbox)} emails today; goes the next "
            "business day."
        )
    elif reason == WaitReason.DELAY:
        after = f"step {previous.step_order}" if previous else "enrolling"
        text = f"Waiting for its delay: {_delay(step)} after {after}."
    else:
        text = "Due now; it goes within a minute."
    return text, ready


def _delay(step: OutreachStep) -> str:
    template_step = step.template_step
    if template_step is None:
        return "right away"
    parts = []
    if template_step.delay_days:
        parts.append(f"{template_step.delay_days} day{'s' if template_step.delay_days > 1 else ''}")
    if template_step.delay_hours:
        hours = template_step.delay_hours
        parts.append(f"{hours} hour{'s' if hours > 1 else ''}")
    return " ".join(parts) or "right away"


def _business_hours(sequence: OutreachSequence) -> str:
    workspace = sequence.workspace
    days = sorted(workspace.business_days or range(7))
    if days == list(range(7)):
        day_text = "every day"
    elif days == list(range(days[0], days[-1] + 1)):
        day_text = f"{DAY_NAMES[days[0]]}-{DAY_NAMES[days[-1]]}"
    else:
        day_text = ", ".join(DAY_NAMES[day] for day in days)
    zone = sequence.contact.time_zone or workspace.time_zone
    return (
        f"{day_text} {workspace.business_day_start:%H:%M}-{workspace.business_day_end:%H:%M} "
        f"in {zone}"
    )
