"""The cadence engine: each due sequence step becomes a touch task or an email, on time, once.

A sequence's next step is due when the step row carrying `next_step_ready_at` (its cursor: the
step that last finished, or the first step before anything happened) says so. The beat sweep
claims due cursors in batches with SELECT ... FOR UPDATE SKIP LOCKED, locks their sequences
the same way, and promotes each sequence's first waiting step: a task in the rep's queue, or an
email queued for the send task. A batch is one short transaction, so a crash leaves its rows
due for the next run, and sweepers running side by side never take the same row.

Every function here that changes a sequence expects its caller to hold the sequence's row lock
(`lock_sequence`); the public services in `outreach.services.sequences` take it.
"""

import logging
import smtplib
import time as monotonic_clock
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import formataddr, make_msgid, parseaddr
from typing import NamedTuple
from zoneinfo import ZoneInfo

from anymail.exceptions import AnymailAPIError, AnymailError, AnymailRecipientsRefused
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from config.db import bulk_insert
from outreach.crm.services import prospects as prospect_services
from outreach.crm.services import tasks as task_services
from outreach.models import (
    Activity,
    Contact,
    OutreachLog,
    OutreachSequence,
    OutreachStep,
    SenderDailySend,
    SequenceTemplate,
    SequenceTemplateStep,
    Workspace,
)
from outreach.replies.services import mailboxes as mailbox_services
from outreach.sequences import email_links, merge_fields
from outreach.sequences import tasks as sequence_tasks
from outreach.sequences.cadence import BusinessHours, next_day_opening, step_ready_at

logger = logging.getLogger(__name__)

Status = OutreachStep.Status
SequenceStatus = OutreachSequence.Status
WaitReason = OutreachStep.WaitReason

CREATED_BY = "cadence"
# Touch tasks the engagement trigger opens carry this creator; while one is open for a contact,
# their sequences hold off so the rep's call is the next touch.
ENGAGEMENT_TRIGGER = "engagement-trigger"
LOG_TYPE = {
    OutreachLog.Channel.EMAIL: OutreachLog.Type.EMAIL,
    OutreachLog.Channel.CALL: OutreachLog.Type.CALL,
    OutreachLog.Channel.LINKEDIN: OutreachLog.Type.LINKEDIN,
    OutreachLog.Channel.MESSAGE: OutreachLog.Type.MESSAGE,
}
DEFAULT_TASK_SUBJECT = {
    OutreachLog.Channel.EMAIL: "Email {name}",
    OutreachLog.Channel.CALL: "Call {name}",
    OutreachLog.Channel.LINKEDIN: "Reach {name} on LinkedIn",
    OutreachLog.Channel.MESSAGE: "Message {name}",
}
# A queued email whose task never ran (a lost broker message) is handed out again after this;
# it is longer than a send's whole retry schedule so a retrying send is not doubled.
QUEUED_TOO_LONG = timedelta(minutes=20)
# A send claimed this long ago died mid-way (worker killed): we cannot know if it went out.
SENDING_TOO_LONG = timedelta(minutes=30)
INTERRUPTED = (
    "Sending was interrupted, so this email may or may not have gone out. "
    "Check the sent mail before resuming."
)
SEND_OUTCOMES = ("sent", "retry", "failed", "skipped", "gone")

_SEQUENCE_RELATIONS = ("contact", "prospect__owner", "workspace", "sender", "template")


# --- Locks and business hours -----------------------------------------------------------------


def lock_sequence(sequence_id: int) -> OutreachSequence | None:
    """The sequence with its row locked for the rest of the transaction (waits for the lock)."""
    return (
        OutreachSequence.objects.select_for_update(of=("self",))
        .select_related(*_SEQUENCE_RELATIONS)
        .filter(pk=sequence_id)
        .first()
    )


def business_hours(sequence: OutreachSequence) -> BusinessHours:
    return BusinessHours.of(sequence.workspace, sequence.contact.time_zone)


# --- Finishing a step and scheduling the next -------------------------------------------------


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
    if outreach_log is not None:
        step.outreach_log = outreach_log
    step.save(update_fields=["status", "wait_reason", "outreach_log", "updated_at"])
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
            _complete(sequence)
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
        _complete(sequence)
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


# --- Pausing and stopping (caller holds the lock) ---------------------------------------------


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
    _lift_pause(sequence)
    # Resuming after a failed send tries that email again.
    sequence.steps.filter(status=Status.FAILED).update(status=Status.PENDING, failure_reason="")
    sequence.steps.filter(status=Status.PENDING).update(wait_reason="")
    resume_cursor(sequence=sequence, now=now, pause_end=pause_end)


def _lift_pause(sequence: OutreachSequence) -> None:
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


def _complete(sequence: OutreachSequence) -> None:
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


# --- Promotion --------------------------------------------------------------------------------


@dataclass
class _Batch:
    """What one batch of due sequences turns into, written at the end in a few statements
    (one per kind of change, not one per row)."""

    now: datetime
    triggered_by: str
    cursor_ready: dict[int, datetime | None] = field(default_factory=dict)
    tasks: list[tuple[int, OutreachLog]] = field(default_factory=list)
    emails: list[tuple[OutreachSequence, "_WaitingStep", list[int]]] = field(default_factory=list)
    queued: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    over_limit: list[int] = field(default_factory=list)
    hours: dict[tuple[int, str], BusinessHours] = field(default_factory=dict)

    @property
    def promoted(self) -> int:
        return len(self.tasks) + len(self.queued)

    def hours_for(self, sequence: OutreachSequence) -> BusinessHours:
        key = (sequence.workspace_id, sequence.contact.time_zone)
        if key not in self.hours:
            self.hours[key] = business_hours(sequence)
        return self.hours[key]

    def consume(self, cursor_ids: list[int], ready: datetime | None = None) -> None:
        for pk in cursor_ids:
            self.cursor_ready[pk] = ready


def claim_cursors(cursors: QuerySet) -> list[OutreachStep]:
    """Lock cursor rows with their sequences, skipping any row another transaction holds.

    One query takes both locks, so a cursor whose sequence is busy (a rep stopping it, a task
    being completed) is not returned at all: it stays due and the next run takes it. The
    contact and prospect come along for the wording of the steps.
    """
    return list(
        cursors.select_for_update(skip_locked=True, of=("self", "sequence"))
        .select_related("sequence__contact", "sequence__prospect")
        # Columns the sweep never reads: parsing them (JSON, timestamps) is most of a row's cost.
        .defer(*_NOT_READ_BY_THE_SWEEP)
    )


_NOT_READ_BY_THE_SWEEP = [
    # The cursor row itself: only its id and sequence matter.
    "template_step",
    "step_order",
    "channel",
    "status",
    "wait_reason",
    "failure_reason",
    "outreach_log",
    "scheduled_at",
    "triggered_by",
    "next_step_ready_at",
    "created_at",
    "updated_at",
    "sequence__stop_reason",
    "sequence__pause_reason",
    "sequence__enrolled_by",
    "sequence__created_at",
    "sequence__updated_at",
    "sequence__contact__phone",
    "sequence__contact__custom_fields",
    "sequence__contact__created_at",
    "sequence__contact__updated_at",
    "sequence__prospect__status",
    "sequence__prospect__custom_fields",
    "sequence__prospect__created_at",
    "sequence__prospect__updated_at",
]


def steps_promote(
    *,
    cursors: list[OutreachStep],
    now: datetime,
    triggered_by: str = OutreachStep.CADENCE,
    shared: "SharedRows | None" = None,
) -> int:
    """Promote the next step of each cursor's sequence; return how many were promoted.

    `cursors` come from `claim_cursors` in the caller's transaction.
    """
    by_sequence: dict[int, list[int]] = defaultdict(list)
    sequences: dict[int, OutreachSequence] = {}
    for cursor in cursors:
        by_sequence[cursor.sequence_id].append(cursor.pk)
        sequences[cursor.sequence_id] = cursor.sequence
    # The oldest enrollments get a sender's last sends of the day.
    ordered = [sequences[pk] for pk in sorted(sequences)]
    (shared or SharedRows()).attach(ordered)
    waiting = _waiting_steps(set(sequences), shared or SharedRows())
    holds = _engagement_holds(ordered)

    batch = _Batch(now=now, triggered_by=triggered_by)
    for sequence in ordered:
        _decide(batch, sequence, by_sequence[sequence.pk], waiting[sequence.pk], holds)
    _grant_send_slots(batch)
    _write(batch)
    return batch.promoted


class _WaitingStep(NamedTuple):
    pk: int
    sequence_id: int
    step_order: int
    channel: str
    template_step: SequenceTemplateStep | None


class SharedRows:
    """Workspaces, templates, senders and template steps, which most of a batch shares: read
    each once per sweep run and handed to every sequence, instead of joined (and built again)
    for every row. A rename made during a run shows from the next run on."""

    def __init__(self) -> None:
        self.workspaces: dict[int, Workspace] = {}
        self.templates: dict[int, SequenceTemplate] = {}
        self.users: dict[int, AbstractBaseUser] = {}
        self.template_steps: dict[int, SequenceTemplateStep] = {}

    def attach(self, sequences: list[OutreachSequence]) -> None:
        self._load(self.workspaces, Workspace, {s.workspace_id for s in sequences})
        self._load(self.templates, SequenceTemplate, {s.template_id for s in sequences})
        user_ids = {s.sender_id for s in sequences} | {s.prospect.owner_id for s in sequences}
        self._load(self.users, get_user_model(), user_ids - {None})
        for sequence in sequences:
            sequence.workspace = self.workspaces[sequence.workspace_id]
            sequence.template = self.templates[sequence.template_id]
            sequence.sender = self.users.get(sequence.sender_id)
            sequence.prospect.owner = self.users.get(sequence.prospect.owner_id)

    def steps(self, ids: set[int]) -> dict[int, SequenceTemplateStep]:
        self._load(self.template_steps, SequenceTemplateStep, ids)
        return self.template_steps

    @staticmethod
    def _load(known: dict, model, ids: set[int]) -> None:
        missing = ids - known.keys()
        if missing:
            known.update(model.objects.in_bulk(missing))


def _waiting_steps(sequence_ids: set[int], shared: SharedRows) -> dict[int, list[_WaitingStep]]:
    """Each sequence's waiting steps in order, as plain rows (the sweep only reads them)."""
    rows = list(
        OutreachStep.objects.filter(sequence_id__in=sequence_ids, status=Status.PENDING)
        .order_by("sequence_id", "step_order")
        .values_list("pk", "sequence_id", "step_order", "channel", "template_step_id")
    )
    template_steps = shared.steps({row[4] for row in rows} - {None})
    waiting: dict[int, list[_WaitingStep]] = defaultdict(list)
    for pk, sequence_id, step_order, channel, template_step_id in rows:
        waiting[sequence_id].append(
            _WaitingStep(pk, sequence_id, step_order, channel, template_steps.get(template_step_id))
        )
    return waiting


def _decide(
    batch: _Batch,
    sequence: OutreachSequence,
    cursor_ids: list[int],
    waiting: list[_WaitingStep],
    holds: dict[int, list[tuple[int | None, str]]],
) -> None:
    now = batch.now
    if sequence.status == SequenceStatus.PAUSED:
        if sequence.paused_until is None:
            batch.consume(cursor_ids)  # resuming sets a new time
            return
        if sequence.paused_until > now:
            batch.consume(cursor_ids, sequence.paused_until)
            return
        _lift_pause(sequence)  # the pause's end is a business moment, so the step goes now
    if sequence.status != SequenceStatus.ACTIVE:
        batch.consume(cursor_ids)
        return
    contact = sequence.contact
    if contact.outreach_status != Contact.OutreachStatus.ACTIVE:
        batch.consume(cursor_ids)
        stop(sequence=sequence, reason=contact.get_outreach_status_display())
        return
    hold = next(
        (
            subject
            for contact_id, subject in holds.get(sequence.prospect_id, [])
            if contact_id in (None, contact.pk)
        ),
        None,
    )
    if hold is not None:
        batch.consume(cursor_ids)
        pause(
            sequence=sequence,
            kind=OutreachSequence.PauseKind.ENGAGEMENT,
            reason=f"A call task is open: {hold}",
            until=None,
        )
        return

    target = None
    for step in waiting:
        if step.template_step is not None:
            target = step
            break
        # The step was taken out of the sequence after this contact joined.
        batch.removed.append(step.pk)
    if target is None:
        batch.consume(cursor_ids)
        if not sequence.steps.filter(status__in=[*OutreachStep.IN_FLIGHT, Status.OPEN]).exists():
            _complete(sequence)
        return
    if target.template_step.sends_itself:
        batch.emails.append((sequence, target, cursor_ids))
        return
    batch.consume(cursor_ids)
    batch.tasks.append((target.pk, _touch_task(sequence, target, now)))


def _touch_task(sequence: OutreachSequence, step: _WaitingStep, now: datetime) -> OutreachLog:
    template_step = step.template_step
    context = merge_fields.MergeContext(
        contact=sequence.contact, prospect=sequence.prospect, sender=sequence.sender
    )
    subject = " ".join(merge_fields.render(template_step.subject_template, context).split())
    if not subject:
        subject = DEFAULT_TASK_SUBJECT[step.channel].format(name=sequence.contact)
    return task_services.touch_task_build(
        workspace=sequence.workspace,
        prospect=sequence.prospect,
        contact=sequence.contact,
        channel=step.channel,
        log_type=LOG_TYPE[step.channel],
        subject=subject[:300],
        notes=merge_fields.render(template_step.body_template, context),
        due_at=now,
        assignee=sequence.sender or sequence.prospect.owner,
        created_by_label=CREATED_BY,
        extra_metadata={
            "sequenceId": sequence.pk,
            "sequenceName": sequence.template.name,
            "stepId": step.pk,
            "stepOrder": step.step_order,
        },
    )


def _engagement_holds(
    sequences: list[OutreachSequence],
) -> dict[int, list[tuple[int | None, str]]]:
    """Open engagement call tasks by prospect: (contact id or None for the company, subject)."""
    holds: dict[int, list[tuple[int | None, str]]] = defaultdict(list)
    # Answered from the small outreachlog_engagement_open index, so it costs the same however
    # many other tasks the prospects have.
    rows = OutreachLog.objects.filter(
        prospect_id__in={sequence.prospect_id for sequence in sequences},
        status=OutreachLog.Status.TOUCH_OPEN,
        metadata__createdBy=ENGAGEMENT_TRIGGER,
    ).values_list("prospect_id", "contact_id", "subject")
    for prospect_id, contact_id, subject in rows:
        holds[prospect_id].append((contact_id, subject))
    return holds


def _grant_send_slots(batch: _Batch) -> None:
    """Queue the emails their senders still have room for today; the rest waits a day."""
    wanted: dict[tuple[int, str], list[tuple[OutreachSequence, _WaitingStep, list[int]]]]
    wanted = defaultdict(list)
    for sequence, step, cursor_ids in batch.emails:
        wanted[(sequence.workspace_id, sender_address(sequence))].append(
            (sequence, step, cursor_ids)
        )
    # Counters are locked in one order everywhere, so concurrent sweepers cannot deadlock.
    for (_, address), emails in sorted(wanted.items()):
        workspace = emails[0][0].workspace
        granted = reserve_sends(
            workspace=workspace, sender_email=address, wanted=len(emails), now=batch.now
        )
        for _, step, cursor_ids in emails[:granted]:
            batch.consume(cursor_ids)
            batch.queued.append(step.pk)
        for sequence, step, cursor_ids in emails[granted:]:
            tomorrow = next_day_opening(
                batch.now,
                hours=batch.hours_for(sequence),
                day_zone=ZoneInfo(workspace.time_zone),
            )
            batch.consume(cursor_ids, tomorrow)
            batch.over_limit.append(step.pk)


def _write(batch: _Batch) -> None:
    steps, now = OutreachStep.objects, batch.now
    promoted = {
        "scheduled_at": now,
        "triggered_by": batch.triggered_by,
        "wait_reason": "",
        "next_step_ready_at": None,
        "updated_at": now,
    }
    cleared = {pk for pk, ready in batch.cursor_ready.items() if ready is None}
    if batch.tasks:
        bulk_insert([task for _, task in batch.tasks])
        _open_and_clear([(pk, task.pk) for pk, task in batch.tasks], cleared, promoted)
        cleared = set()
    by_ready: dict[datetime | None, list[int]] = defaultdict(list)
    for pk, ready in batch.cursor_ready.items():
        if pk in cleared or ready is not None:
            by_ready[ready].append(pk)
    for ready, ids in by_ready.items():
        steps.filter(pk__in=ids).update(next_step_ready_at=ready, updated_at=now)
    if batch.queued:
        steps.filter(pk__in=batch.queued).update(status=Status.QUEUED, **promoted)
    if batch.removed:
        steps.filter(pk__in=batch.removed).update(
            status=Status.SKIPPED, wait_reason="", next_step_ready_at=None, updated_at=now
        )
    if batch.over_limit:
        steps.filter(pk__in=batch.over_limit).update(
            wait_reason=WaitReason.DAILY_LIMIT, updated_at=now
        )
    for step_id in batch.queued:
        transaction.on_commit(
            lambda step_id=step_id: sequence_tasks.send_sequence_email.delay(step_id)
        )


def _open_and_clear(links: list[tuple[int, int]], cleared: set[int], values: dict) -> None:
    """In one statement: mark each promoted step open, pointing at its new task, and clear
    the ready time of the cursors that were used up.

    The ORM's bulk_update builds a CASE per row in Python, which cost more than the rest of
    the sweep together. A cursor row carries no task (NULL) and keeps its status.
    """
    quote = connection.ops.quote_name
    table = quote(OutreachStep._meta.db_table)
    rows = dict.fromkeys(cleared)
    rows.update(links)

    def only_promoted(name: str) -> str:
        column = quote(name)
        return f"{column} = CASE WHEN link.task_id IS NULL THEN {table}.{column} ELSE %s END"

    task = quote("outreach_log_id")
    assignments = ", ".join(
        [
            *map(only_promoted, ["status", "scheduled_at", "triggered_by", "wait_reason"]),
            f"{task} = COALESCE(link.task_id, {table}.{task})",
            f"{quote('next_step_ready_at')} = NULL",
            f"{quote('updated_at')} = %s",
        ]
    )
    values = [
        Status.OPEN,
        values["scheduled_at"],
        values["triggered_by"],
        values["wait_reason"],
        values["updated_at"],
    ]
    if connection.vendor == "postgresql":
        # Two array parameters instead of two per row: the statement stays the same whatever
        # the batch size, so it is prepared once, and nothing parses thousands of placeholders.
        link = "unnest(%s::bigint[], %s::bigint[]) AS link(step_id, task_id)"
        params = [*values, list(rows.keys()), list(rows.values())]
    else:
        link = "(SELECT column1 AS step_id, column2 AS task_id FROM (VALUES {})) AS link".format(
            ", ".join(["(%s, %s)"] * len(rows))
        )
        params = [*values, *(value for pair in rows.items() for value in pair)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} "
            f"FROM {link} WHERE {table}.{quote('id')} = link.step_id",
            params,
        )


# --- The sweep --------------------------------------------------------------------------------


def cadence_sweep(
    *,
    now: datetime | None = None,
    batch_size: int | None = None,
    time_budget: float | None = None,
) -> int:
    """Promote every step due by `now`, batch by batch; return how many were promoted.

    Several sweeps may run at once (each takes rows the others have not locked), and a sweep
    that dies part-way is simply run again.
    """
    now = now or timezone.now()
    batch_size = batch_size or settings.CADENCE_SWEEP_BATCH_SIZE
    deadline = monotonic_clock.monotonic() + (
        time_budget or settings.CADENCE_SWEEP_TIME_BUDGET_SECONDS
    )
    promoted, shared = 0, SharedRows()
    while monotonic_clock.monotonic() < deadline:
        with transaction.atomic():
            cursors = claim_cursors(due_cursors(now=now)[:batch_size])
            promoted += steps_promote(cursors=cursors, now=now, shared=shared)
        if len(cursors) < batch_size:
            break
    _recover_in_flight_emails(now)
    return promoted


def due_cursors(*, now: datetime) -> QuerySet:
    """Due cursors, oldest first: what the sweep claims (through the ready-time index)."""
    return OutreachStep.objects.filter(next_step_ready_at__lte=now).order_by("next_step_ready_at")


def _recover_in_flight_emails(now: datetime) -> None:
    lost = OutreachStep.objects.filter(
        status=Status.QUEUED, scheduled_at__lt=now - QUEUED_TOO_LONG
    ).values_list("pk", flat=True)[:500]
    for step_id in lost:
        sequence_tasks.send_sequence_email.delay(step_id)
    interrupted = OutreachStep.objects.filter(
        status=Status.SENDING, scheduled_at__lt=now - SENDING_TOO_LONG
    ).values_list("pk", flat=True)[:500]
    for step_id in interrupted:
        _fail_send(step_id, INTERRUPTED, from_status=Status.SENDING)


# --- Send limits ------------------------------------------------------------------------------


def sender_address(sequence: OutreachSequence) -> str:
    if sequence.sender is not None and sequence.sender.email:
        return sequence.sender.email.lower()
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()


def daily_send_limit(workspace: Workspace) -> int:
    return workspace.daily_send_limit or settings.CADENCE_DAILY_SEND_LIMIT


def reserve_sends(*, workspace: Workspace, sender_email: str, wanted: int, now: datetime) -> int:
    """Take up to `wanted` of the sender's sends left today; return how many were taken."""
    day = now.astimezone(ZoneInfo(workspace.time_zone)).date()
    counter, _ = SenderDailySend.objects.get_or_create(
        workspace=workspace, sender_email=sender_email, day=day
    )
    counter = SenderDailySend.objects.select_for_update().get(pk=counter.pk)
    granted = max(0, min(wanted, daily_send_limit(workspace) - counter.sent))
    if granted:
        SenderDailySend.objects.filter(pk=counter.pk).update(sent=F("sent") + granted)
    return granted


# --- Sending an email step --------------------------------------------------------------------


def sequence_email_send(*, step_id: int, final_attempt: bool = False) -> str:
    """Send a queued email step once; one of SEND_OUTCOMES.

    The step is claimed (queued -> sending) before the message leaves, so a task delivered
    twice sends one email; no transaction is open while the mail server is talking.
    """
    claimed = OutreachStep.objects.filter(pk=step_id, status=Status.QUEUED).update(
        status=Status.SENDING, updated_at=timezone.now()
    )
    if not claimed:
        return "gone"
    step = OutreachStep.objects.select_related("template_step").filter(pk=step_id).first()
    sequence = (
        OutreachSequence.objects.select_related(*_SEQUENCE_RELATIONS)
        .filter(pk=step.sequence_id)
        .first()
        if step
        else None
    )
    if step is None or sequence is None:
        return "gone"
    if _cannot_send(sequence, step):
        return _give_back(step)
    message, body = _email_message(sequence, step)
    try:
        message.send()
    except (smtplib.SMTPException, OSError, AnymailError) as exc:
        return _send_failed(step, sequence, exc, final_attempt=final_attempt)
    _record_sent(step_id, message, body)
    return "sent"


def _cannot_send(sequence: OutreachSequence | None, step: OutreachStep) -> str:
    if sequence is None or sequence.status != SequenceStatus.ACTIVE:
        return "The sequence is no longer running."
    if sequence.contact.outreach_status != Contact.OutreachStatus.ACTIVE:
        return f"The contact is {sequence.contact.get_outreach_status_display().lower()}."
    if not sequence.contact.email:
        return "The contact has no email address."
    if step.template_step is None:
        return "The step was taken out of the sequence."
    return ""


def _give_back(step: OutreachStep) -> str:
    """Things changed between queueing and sending: leave the step as the sequence now wants."""
    with transaction.atomic():
        sequence = lock_sequence(step.sequence_id)
        reason = _cannot_send(sequence, step)
        claimed = OutreachStep.objects.filter(pk=step.pk, status=Status.SENDING)
        if sequence is not None and sequence.status == SequenceStatus.PAUSED:
            claimed.update(
                status=Status.PENDING,
                wait_reason=WaitReason.PAUSED,
                next_step_ready_at=sequence.paused_until or timezone.now(),
            )
            return "skipped"
        if sequence is not None and sequence.status == SequenceStatus.ACTIVE:
            contact = sequence.contact
            if contact.outreach_status != Contact.OutreachStatus.ACTIVE:
                claimed.update(status=Status.SKIPPED, failure_reason=reason)
                stop(sequence=sequence, reason=contact.get_outreach_status_display())
                return "skipped"
            # Still running, but this email cannot go (no address, a removed step).
            _fail_locked(sequence, step.pk, reason, from_status=Status.SENDING)
            return "failed"
        claimed.update(status=Status.SKIPPED, failure_reason=reason)
    return "skipped"


def _email_message(
    sequence: OutreachSequence, step: OutreachStep
) -> tuple[EmailMultiAlternatives, str]:
    """The email and its body as written (what the outreach log shows, without the footer)."""
    contact = sequence.contact
    context = merge_fields.MergeContext(
        contact=contact, prospect=sequence.prospect, sender=sequence.sender
    )
    subject = " ".join(merge_fields.render(step.template_step.subject_template, context).split())
    body = merge_fields.render(step.template_step.body_template, context)
    unsubscribe = email_links.unsubscribe_url(contact.pk)
    from_email = settings.DEFAULT_FROM_EMAIL
    if sequence.sender is not None and sequence.sender.email:
        from_email = formataddr((context.sender.get_full_name(), sequence.sender.email))
    domain = parseaddr(from_email)[1].rpartition("@")[2] or "localhost"
    message = EmailMultiAlternatives(
        subject=subject,
        body=email_links.text_body(body, unsubscribe=unsubscribe),
        from_email=from_email,
        to=[formataddr((contact.full_name, contact.email))],
        # Replies go to the workspace's inbound mailbox, where triage reads and acts on them.
        reply_to=[mailbox_services.inbound_mailbox_ensure(workspace=sequence.workspace).address],
        headers={
            "Message-ID": make_msgid(domain=domain),
            "List-Unsubscribe": f"<{unsubscribe}>",
            # RFC 8058: mail apps may unsubscribe with one POST, without opening the page.
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        email_links.html_body(body, step_id=step.pk, unsubscribe=unsubscribe), "text/html"
    )
    return message, body


def _record_sent(step_id: int, message: EmailMultiAlternatives, body: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        step = OutreachStep.objects.filter(pk=step_id).first()
        sequence = lock_sequence(step.sequence_id) if step else None
        if sequence is None:
            return  # the contact was deleted while the email was on its way
        log = task_services.outreach_log_record(
            workspace=sequence.workspace,
            prospect=sequence.prospect,
            contact=sequence.contact,
            log_type=OutreachLog.Type.EMAIL,
            channel=OutreachLog.Channel.EMAIL,
            status=OutreachLog.Status.SENT,
            subject=message.subject,
            body=body,
            metadata={
                "sequenceId": sequence.pk,
                "stepId": step.pk,
                "messageId": message.extra_headers["Message-ID"],
            },
            by=sequence.sender,
        )
        task_services.activity_record(
            workspace=sequence.workspace,
            prospect=sequence.prospect,
            contact=sequence.contact,
            kind=Activity.Kind.EMAIL_SENT,
            occurred_at=now,
            metadata={"logId": log.pk, "stepId": step.pk, "sequenceId": sequence.pk},
        )
        step_finish(sequence=sequence, step=step, status=Status.DONE, at=now, outreach_log=log)


def _send_failed(
    step: OutreachStep, sequence: OutreachSequence, exc: Exception, *, final_attempt: bool
) -> str:
    reason = f"{type(exc).__name__}: {exc}"[:300]
    if isinstance(exc, smtplib.SMTPRecipientsRefused | AnymailRecipientsRefused):
        logger.info("Sequence email %s bounced: %s", step.pk, reason)
        _fail_send(step.pk, f"The address was refused: {reason}", from_status=Status.SENDING)
        prospect_services.contact_update(
            contact=sequence.contact,
            changes={"outreach_status": Contact.OutreachStatus.BOUNCED},
        )
        return "failed"
    if _is_transient(exc) and not final_attempt:
        logger.warning("Sequence email %s will be retried: %s", step.pk, reason)
        OutreachStep.objects.filter(pk=step.pk, status=Status.SENDING).update(
            status=Status.QUEUED, failure_reason=reason
        )
        return "retry"
    logger.warning("Sequence email %s was not sent: %s", step.pk, reason)
    _fail_send(step.pk, reason, from_status=Status.SENDING)
    return "failed"


def _is_transient(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, AnymailAPIError):
        status = exc.status_code
        return status is None or status == 429 or status >= 500
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    # Every SMTP error is an OSError; the rest (refused connections, timeouts) are the network.
    return not isinstance(exc, smtplib.SMTPException | AnymailError)


def _fail_send(step_id: int, reason: str, *, from_status: str) -> None:
    with transaction.atomic():
        step = OutreachStep.objects.filter(pk=step_id).first()
        sequence = lock_sequence(step.sequence_id) if step else None
        if sequence is not None:
            _fail_locked(sequence, step_id, reason, from_status=from_status)


def _fail_locked(sequence: OutreachSequence, step_id: int, reason: str, *, from_status: str):
    failed = OutreachStep.objects.filter(pk=step_id, status=from_status).update(
        status=Status.FAILED, failure_reason=reason[:300], updated_at=timezone.now()
    )
    if failed and sequence.status == SequenceStatus.ACTIVE:
        # A rep decides: resume to try the email again, or stop the sequence.
        pause(
            sequence=sequence,
            kind=OutreachSequence.PauseKind.SEND_FAILED,
            reason=f"An email was not sent: {reason}",
            until=None,
        )
