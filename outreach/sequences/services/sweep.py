"""The cadence sweep: each due sequence step becomes a touch task or a queued email, on time, once.

The beat sweep claims due cursors (see `state`) in batches with SELECT ... FOR UPDATE SKIP
LOCKED, locks their sequences the same way, and promotes each sequence's first waiting step: a
task in the rep's queue, or an email queued for the send task (`sending`). A batch is one short
transaction, so a crash leaves its rows due for the next run, and sweepers running side by side
never take the same row.
"""

import logging
import time as monotonic_clock
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from config.db import bulk_insert
from outreach.crm.services import tasks as task_services
from outreach.mail import merge_fields
from outreach.models import (
    Contact,
    Mailbox,
    OutreachLog,
    OutreachSequence,
    OutreachStep,
    SequenceTemplate,
    SequenceTemplateStep,
    Workspace,
)
from outreach.sequences import tasks as sequence_tasks
from outreach.sequences.cadence import BusinessHours, next_day_opening
from outreach.sequences.services.sending import (
    INTERRUPTED,
    QUEUED_TOO_LONG,
    SENDING_TOO_LONG,
    daily_send_limit,
    fail_send,
    reserve_sends,
    sender_address,
    sender_mailbox,
)
from outreach.sequences.services.state import (
    ENGAGEMENT_TRIGGER,
    SequenceStatus,
    Status,
    WaitReason,
    business_hours,
    complete,
    lift_pause,
    pause,
    stop,
)

logger = logging.getLogger(__name__)


CREATED_BY = "cadence"


LOG_TYPE: dict[str, str] = {
    OutreachLog.Channel.EMAIL: OutreachLog.Type.EMAIL,
    OutreachLog.Channel.CALL: OutreachLog.Type.CALL,
    OutreachLog.Channel.LINKEDIN: OutreachLog.Type.LINKEDIN,
    OutreachLog.Channel.MESSAGE: OutreachLog.Type.MESSAGE,
}


DEFAULT_TASK_SUBJECT: dict[str, str] = {
    OutreachLog.Channel.EMAIL: "Email {name}",
    OutreachLog.Channel.CALL: "Call {name}",
    OutreachLog.Channel.LINKEDIN: "Reach {name} on LinkedIn",
    OutreachLog.Channel.MESSAGE: "Message {name}",
}


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


_Row = TypeVar("_Row", bound=models.Model)


class SharedRows:
    """Workspaces, templates, senders and template steps, which most of a batch shares: read
    each once per sweep run and handed to every sequence, instead of joined (and built again)
    for every row. A rename made during a run shows from the next run on."""

    def __init__(self) -> None:
        self.workspaces: dict[int, Workspace] = {}
        self.templates: dict[int, SequenceTemplate] = {}
        self.users: dict[int, User] = {}
        self.template_steps: dict[int, SequenceTemplateStep] = {}

    def attach(self, sequences: list[OutreachSequence]) -> None:
        self._load(self.workspaces, Workspace, {s.workspace_id for s in sequences})
        self._load(self.templates, SequenceTemplate, {s.template_id for s in sequences})
        user_ids = {s.sender_id for s in sequences} | {s.prospect.owner_id for s in sequences}
        self._load(self.users, User, {pk for pk in user_ids if pk is not None})
        for sequence in sequences:
            sequence.workspace = self.workspaces[sequence.workspace_id]
            sequence.template = self.templates[sequence.template_id]
            sequence.sender = self._user(sequence.sender_id)
            sequence.prospect.owner = self._user(sequence.prospect.owner_id)

    def steps(self, ids: set[int]) -> dict[int, SequenceTemplateStep]:
        missing = ids - self.template_steps.keys()
        if missing:
            # With the library template a step may take its words from.
            self.template_steps.update(
                SequenceTemplateStep.objects.select_related("email_template").in_bulk(missing)
            )
        return self.template_steps

    def _user(self, pk: int | None) -> User | None:
        return self.users.get(pk) if pk is not None else None

    @staticmethod
    def _load(known: dict[int, _Row], model: type[_Row], ids: set[int]) -> None:
        missing = ids - known.keys()
        if missing:
            known.update(model._default_manager.in_bulk(missing))


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
        lift_pause(sequence)  # the pause's end is a business moment, so the step goes now
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
            complete(sequence)
        return
    template_step = target.template_step
    assert template_step is not None  # the loop above stops only at a step that has one
    if template_step.sends_itself:
        batch.emails.append((sequence, target, cursor_ids))
        return
    batch.consume(cursor_ids)
    batch.tasks.append((target.pk, _touch_task(sequence, target, template_step, now)))


def _touch_task(
    sequence: OutreachSequence,
    step: _WaitingStep,
    template_step: SequenceTemplateStep,
    now: datetime,
) -> OutreachLog:
    context = merge_fields.MergeContext(
        contact=sequence.contact, prospect=sequence.prospect, sender=sequence.sender
    )
    subject = " ".join(merge_fields.render(template_step.subject_text, context).split())
    if not subject:
        subject = DEFAULT_TASK_SUBJECT[step.channel].format(name=sequence.contact)
    return task_services.touch_task_build(
        workspace=sequence.workspace,
        prospect=sequence.prospect,
        contact=sequence.contact,
        channel=step.channel,
        log_type=LOG_TYPE[step.channel],
        subject=subject[:300],
        notes=merge_fields.render(template_step.body_text, context),
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
    limits: dict[tuple[int, str], int] = {}
    mailboxes: dict[tuple[int, int | None], Mailbox | None] = {}
    for sequence, step, cursor_ids in batch.emails:
        # One look-up per sender and batch: the rep's mailbox decides the address and limit.
        sender_key = (sequence.workspace_id, sequence.sender_id)
        if sender_key not in mailboxes:
            mailboxes[sender_key] = sender_mailbox(sequence)
        mailbox = mailboxes[sender_key]
        key = (sequence.workspace_id, sender_address(sequence, mailbox))
        limits[key] = daily_send_limit(sequence.workspace, mailbox)
        wanted[key].append((sequence, step, cursor_ids))
    # Counters are locked in one order everywhere, so concurrent sweepers cannot deadlock.
    for key, emails in sorted(wanted.items()):
        workspace = emails[0][0].workspace
        granted = reserve_sends(
            workspace=workspace,
            sender_email=key[1],
            wanted=len(emails),
            now=batch.now,
            limit=limits[key],
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
        transaction.on_commit(partial(sequence_tasks.send_sequence_email.delay, step_id))


def _open_and_clear(
    links: list[tuple[int, int]], cleared: set[int], promoted: dict[str, Any]
) -> None:
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
    log = quote(OutreachLog._meta.db_table)
    assignments = ", ".join(
        [
            *map(only_promoted, ["status", "scheduled_at", "triggered_by", "wait_reason"]),
            f"{task} = COALESCE(link.task_id, {table}.{task})",
            # What the model's save keeps in step with the task, for the funnel report.
            f"{quote('sent_at')} = COALESCE((SELECT log.{quote('created_at')} FROM {log} AS log "
            f"WHERE log.{quote('id')} = link.task_id), {table}.{quote('sent_at')})",
            f"{quote('next_step_ready_at')} = NULL",
            f"{quote('updated_at')} = %s",
        ]
    )
    values = [
        Status.OPEN,
        promoted["scheduled_at"],
        promoted["triggered_by"],
        promoted["wait_reason"],
        promoted["updated_at"],
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
        fail_send(step_id, INTERRUPTED, from_status=Status.SENDING)
