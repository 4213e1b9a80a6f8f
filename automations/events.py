"""The outbox of CRM events that automations listen to: the CRM announces each change inside its
own transaction (`outreach.events`), `on_crm_change` records it here as an event, and the event
is dispatched to the automation runner after the transaction commits.

`emit_event` (or `emit_field_changes`, `emit_message_received`) runs inside the transaction that
makes the change; if that transaction rolls back, the event never existed.
An event is written only when an enabled automation of the workspace listens to its type and
its trigger filter accepts it, so the CRM pays one indexed query per change otherwise.

Payload, by event type (JSON; amounts and dates are strings):

    every event        workspace_id; target: "contact" | "prospect" | "deal" | "task", the
                       record the event is about; contact {id, name, email}, prospect {id, name}
                       and deal {id, name, value}: that record and the ones it belongs to
    deal.created       pipeline {id, name}, stage {id, name}
    deal.stage_changed pipeline, stage (the new one), from_stage {id, name}
    tag.assigned       tag {id, name}
    tag.removed        tag {id, name}
    field.changed      field {name: "contact.title", "deal.custom_fields.plan"…, old, new}
    task.completed     task {id, subject, channel, log_type, due_at, outcome, call_outcome}
    task.overdue       the same
    message.received   message {channel, subject, body, outreach_log_id}
    message.keyword_match  the same, and keyword: the automation's keyword found in the text
    meeting.booked     meeting {id, title, start_at, end_at, invitee_name, invitee_email, host}
    meeting.no_show    the same (the target is the meeting's contact, else its prospect)

The inbound-reply feature calls `emit_message_received(contact=…, channel=…, body=…)`, which
emits `message.received` and one `message.keyword_match` per listened-for keyword in the text.
"""

import contextlib
import contextvars
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from automations.conditions import matches_trigger_config
from automations.models import Automation, AutomationEvent, OverdueTaskMark, TriggerType
from outreach import events as crm_events
from outreach.models import Contact, Deal, Meeting, OutreachLog, Prospect, Stage, Tag
from outreach.outbox.services import publish

logger = logging.getLogger(__name__)

MESSAGE_BODY_LIMIT = 5000
OVERDUE_LOOKBACK = timedelta(days=7)


@dataclass(frozen=True)
class Cause:
    """The run (and its action) whose change is being made, so its events carry the lineage."""

    execution_id: int
    action_index: int
    cascade_depth: int


_cause: contextvars.ContextVar[Cause | None] = contextvars.ContextVar(
    "automation_cause", default=None
)


@contextlib.contextmanager
def caused_by(cause: Cause) -> Iterator[None]:
    token = _cause.set(cause)
    try:
        yield
    finally:
        _cause.reset(token)


Record = Contact | Prospect | Deal | OutreachLog


def emit_event(
    *,
    event_type: str,
    record: Record,
    tag: Tag | None = None,
    data: dict[str, Any] | None = None,
    configs: list[dict[str, Any]] | None = None,
) -> AutomationEvent | None:
    """Record an event about `record` (a contact, prospect, deal or touch task) if an automation
    listens for it, and dispatch it once the caller's transaction commits. `configs`, the
    trigger configs of the workspace's enabled automations of this type when the caller has
    read them already, spares looking them up."""
    event_type = TriggerType(event_type)
    workspace_id = record.workspace_id
    if configs is None:
        configs = list(
            Automation.objects.filter(
                workspace_id=workspace_id, trigger_type=event_type, enabled=True
            ).values_list("trigger_config", flat=True)
        )
    if not configs:
        return None
    payload = payload_for(record=record, tag=tag, data=data)
    if not any(
        matches_trigger_config(
            trigger_type=event_type, config=config, event_type=event_type, payload=payload
        )
        for config in configs
    ):
        return None

    cause = _cause.get()
    depth = cause.cascade_depth + 1 if cause else 0
    limit = settings.AUTOMATION_CASCADE_LIMIT
    event = AutomationEvent(
        workspace_id=workspace_id,
        event_type=event_type,
        payload=payload,
        cascade_depth=depth,
        caused_by_execution_id=cause.execution_id if cause else None,
        caused_by_action_index=cause.action_index if cause else None,
    )
    if depth > limit:
        event.status = AutomationEvent.Status.SKIPPED
        event.status_reason = (
            f"Not run: {depth} automation runs in a row led to this event, and the limit is "
            f"{limit} (AUTOMATION_CASCADE_LIMIT)."
        )
        logger.warning(
            "Automation event %s in workspace %s not run: cascade depth %s is over %s "
            "(caused by run %s)",
            event_type,
            workspace_id,
            depth,
            limit,
            event.caused_by_execution_id,
        )
    with transaction.atomic():
        event.save()
        if event.status == AutomationEvent.Status.PENDING:
            _dispatch_on_commit(event.pk)
    return event


def on_crm_change(change: crm_events.Announcement) -> None:
    """Record what the CRM announced as the automation event it is (registered at start-up)."""
    match change:
        case crm_events.Many(workspace_id=workspace_id, changes=changes):
            # One query for a whole import when no automation of the workspace listens.
            if (
                changes
                and Automation.objects.filter(workspace_id=workspace_id, enabled=True).exists()
            ):
                for one in changes:
                    on_crm_change(one)
        case crm_events.ContactCreated(contact=contact):
            emit_event(event_type=TriggerType.CONTACT_CREATED, record=contact)
        case crm_events.DealCreated(deal=deal):
            emit_event(event_type=TriggerType.DEAL_CREATED, record=deal)
        case crm_events.DealStageChanged(deal=deal, from_stage=from_stage):
            emit_event(
                event_type=TriggerType.DEAL_STAGE_CHANGED,
                record=deal,
                data={"from_stage": from_stage},
            )
        case crm_events.FieldsChanged(record=record, changes=changes):
            emit_field_changes(record=record, changes=dict(changes))
        case crm_events.TagAssigned(record=record, tag=tag):
            emit_event(event_type=TriggerType.TAG_ASSIGNED, record=record, tag=tag)
        case crm_events.TagRemoved(record=record, tag=tag):
            emit_event(event_type=TriggerType.TAG_REMOVED, record=record, tag=tag)
        case crm_events.TaskClosed(task=task, status=OutreachLog.Status.DONE):
            emit_event(event_type=TriggerType.TASK_COMPLETED, record=task)
        case crm_events.MeetingBooked(meeting=meeting):
            emit_meeting_event(event_type=TriggerType.MEETING_BOOKED, meeting=meeting)
        case crm_events.MeetingNoShow(meeting=meeting):
            emit_meeting_event(event_type=TriggerType.MEETING_NO_SHOW, meeting=meeting)
        case crm_events.MessageReceived():
            emit_message_received(
                contact=change.contact,
                channel=change.channel,
                body=change.body,
                subject=change.subject,
                outreach_log=change.outreach_log,
            )


EVENTS_PER_TASK = 20


class _EventsToDispatch:
    """The events one transaction emitted, handed to workers when it commits, EVENTS_PER_TASK
    to a task: tagging 2,000 contacts at once sends 100 tasks, not 2,000."""

    def __init__(self) -> None:
        self.event_ids: list[int] = []
        self.sent = False

    def __call__(self) -> None:
        self.sent = True
        hand_events_to_workers(self.event_ids)


def hand_events_to_workers(event_ids: list[int]) -> None:
    """Send these events to workers now, EVENTS_PER_TASK to a task."""
    # Imported here: the task module reaches the CRM services, which import this one.
    from automations import tasks

    # A broker outage only delays them: the redispatch sweep finds pending events.
    for start in range(0, len(event_ids), EVENTS_PER_TASK):
        chunk = event_ids[start : start + EVENTS_PER_TASK]
        if not publish(task=tasks.process_events, args=[chunk]):
            return


def _dispatch_on_commit(event_id: int) -> None:
    """Add the event to its transaction's batch (registered as an on-commit hook).

    A savepoint that rolls back drops the hooks registered inside it, and Django then replaces
    its list of hooks: while the list is the one we saw, our batch is still in it; otherwise
    look for it again. An id whose row a savepoint rolled back is skipped by the worker.
    """
    connection = transaction.get_connection()
    hooks = connection.run_on_commit
    seen = getattr(connection, "automation_events_batch", None)
    if seen is not None and seen[0] is hooks and not seen[1].sent:
        batch = seen[1]
    else:
        batch = next(
            (f for _, f, _ in hooks if isinstance(f, _EventsToDispatch) and not f.sent), None
        )
        if batch is None:
            batch = _EventsToDispatch()
            transaction.on_commit(batch)
        connection.automation_events_batch = (hooks, batch)
    batch.event_ids.append(event_id)


def emit_meeting_event(*, event_type: str, meeting: Meeting) -> AutomationEvent | None:
    """`meeting.booked` or `meeting.no_show`, about the meeting's contact (or its prospect)."""
    record = meeting.contact or meeting.prospect
    if record is None:
        return None
    host = meeting.host
    data = {
        "meeting": {
            "id": meeting.pk,
            "title": meeting.title,
            "start_at": meeting.start_at,
            "end_at": meeting.end_at,
            "invitee_name": meeting.invitee_name,
            "invitee_email": meeting.invitee_email,
            "host": host.get_full_name() or host.get_username(),
        }
    }
    return emit_event(event_type=event_type, record=record, data=data)


def emit_field_changes(
    *, record: Contact | Prospect | Deal, changes: dict[str, tuple[Any, Any]]
) -> list[AutomationEvent]:
    """One `field.changed` per changed field ({field: (old, new)} as services return it); each
    changed custom field counts as its own field, `<record>.custom_fields.<name>`."""
    if not changes or not _listened(record.workspace_id, TriggerType.FIELD_CHANGED):
        return []
    kind = record._meta.model_name
    events = []
    for name, old, new in _flatten_changes(changes):
        event = emit_event(
            event_type=TriggerType.FIELD_CHANGED,
            record=record,
            data={"field": {"name": f"{kind}.{name}", "old": old, "new": new}},
        )
        if event is not None:
            events.append(event)
    return events


def _listened(workspace_id: int, event_type: str) -> bool:
    return Automation.objects.filter(
        workspace_id=workspace_id, trigger_type=event_type, enabled=True
    ).exists()


def emit_message_received(
    *,
    contact: Contact,
    channel: str,
    body: str,
    subject: str = "",
    outreach_log: OutreachLog | None = None,
) -> list[AutomationEvent]:
    """A contact's message arrived: emit `message.received`, and `message.keyword_match` for
    each keyword an enabled automation listens for that the message contains."""
    message = {
        "channel": channel,
        "subject": subject,
        "body": body[:MESSAGE_BODY_LIMIT],
        "outreach_log_id": outreach_log.pk if outreach_log else None,
    }
    # The automations listening for either kind of event, read in one query.
    listening: dict[str, list[dict[str, Any]]] = {
        TriggerType.MESSAGE_RECEIVED: [],
        TriggerType.MESSAGE_KEYWORD_MATCH: [],
    }
    for trigger_type, config in Automation.objects.filter(
        workspace_id=contact.workspace_id, trigger_type__in=list(listening), enabled=True
    ).values_list("trigger_type", "trigger_config"):
        listening[trigger_type].append(config)
    events = [
        emit_event(
            event_type=TriggerType.MESSAGE_RECEIVED,
            record=contact,
            data={"message": message},
            configs=listening[TriggerType.MESSAGE_RECEIVED],
        )
    ]
    keywords = {
        str(config.get("keyword", "")).strip().casefold()
        for config in listening[TriggerType.MESSAGE_KEYWORD_MATCH]
    }
    text = f"{subject}\n{body}"
    for keyword in sorted(k for k in keywords if k):
        if re.search(rf"(?<!\w){re.escape(keyword)}(?!\w)", text, re.IGNORECASE):
            events.append(
                emit_event(
                    event_type=TriggerType.MESSAGE_KEYWORD_MATCH,
                    record=contact,
                    data={"message": message, "keyword": keyword},
                    configs=listening[TriggerType.MESSAGE_KEYWORD_MATCH],
                )
            )
    return [event for event in events if event is not None]


def payload_for(
    *, record: Record, tag: Tag | None = None, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The payload of an event about `record` (also what dry runs use as their sample)."""
    return {**_payload(record, tag), **_jsonable(data or {})}


def _payload(record: Record, tag: Tag | None) -> dict[str, Any]:
    """The records an event names, with the ones they belong to, as ids and names."""
    deal = record if isinstance(record, Deal) else None
    task = record if isinstance(record, OutreachLog) else None
    contact = record if isinstance(record, Contact) else None
    prospect = record if isinstance(record, Prospect) else None
    payload: dict[str, Any] = {
        "workspace_id": record.workspace_id,
        "target": "task" if task else record._meta.model_name,
    }
    if deal is not None:
        payload["deal"] = {"id": deal.pk, "name": deal.name, "value": f"{Decimal(deal.value):.2f}"}
        payload["pipeline"] = {"id": deal.pipeline_id, "name": deal.pipeline.name}
        payload["stage"] = _stage(deal.stage)
        contact, prospect = deal.contact, deal.prospect
    if task is not None:
        payload["task"] = {
            "id": task.pk,
            "subject": task.subject,
            "channel": task.channel,
            "log_type": task.log_type,
            "due_at": task.due_at.isoformat() if task.due_at else None,
            "outcome": task.metadata.get("outcome", ""),
            "call_outcome": task.metadata.get("callOutcome", ""),
        }
        contact, prospect = task.contact, task.prospect
    if contact is not None:
        payload["contact"] = {"id": contact.pk, "name": str(contact), "email": contact.email}
        prospect = prospect or contact.prospect
    if prospect is not None:
        payload["prospect"] = {"id": prospect.pk, "name": prospect.name}
    if tag is not None:
        payload["tag"] = {"id": tag.pk, "name": tag.name}
    return payload


def _stage(stage: Stage | None) -> dict[str, Any] | None:
    return {"id": stage.pk, "name": stage.name} if stage is not None else None


def _flatten_changes(changes: dict[str, tuple[Any, Any]]) -> Iterator[tuple[str, Any, Any]]:
    for name, (old, new) in changes.items():
        if name == "custom_fields":
            old, new = old or {}, new or {}
            for key in sorted(set(old) | set(new)):
                if old.get(key) != new.get(key):
                    yield f"custom_fields.{key}", old.get(key), new.get(key)
        else:
            yield name, old, new


def _jsonable(value: Any) -> Any:
    """Payloads are JSON: records become {id, name}, amounts and dates become strings."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, models.Model):
        if isinstance(value, Stage):
            return _stage(value)
        name = value.get_username() if hasattr(value, "get_username") else str(value)
        return {"id": value.pk, "name": name}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def overdue_tasks_emit(*, batch_size: int = 500, max_batches: int = 10) -> int:
    """Emit `task.overdue` once for each open touch task that went past its due time.

    Only tasks that fell due in the last OVERDUE_LOOKBACK are considered, so turning on the first
    overdue automation does not fire it for every task forgotten years ago.
    """
    emitted = 0
    for _ in range(max_batches):
        now = timezone.now()
        with transaction.atomic():
            overdue = list(
                OutreachLog.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    status=OutreachLog.Status.TOUCH_OPEN,
                    due_at__lte=now,
                    due_at__gt=now - OVERDUE_LOOKBACK,
                    metadata__kind=OutreachLog.TOUCH_TASK,
                )
                .exclude(pk__in=OverdueTaskMark.objects.values("task_id"))
                .select_related("prospect", "contact")
                .order_by("due_at", "pk")[:batch_size]
            )
            OverdueTaskMark.objects.bulk_create(OverdueTaskMark(task=task) for task in overdue)
            for task in overdue:
                emit_event(event_type=TriggerType.TASK_OVERDUE, record=task)
        emitted += len(overdue)
        if len(overdue) < batch_size:
            break
    return emitted
