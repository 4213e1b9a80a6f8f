"""The outreach log: touch tasks a rep must do, touches that happened, and activity."""

from datetime import datetime, timedelta
from typing import Any, Literal, Required, TypedDict, Unpack

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from config.errors import Conflict, ValidationFailed
from outreach import events
from outreach.crm.services.prospects import prospect_set_status
from outreach.models import (
    Activity,
    CallOutcome,
    Contact,
    EmailTemplate,
    OutreachLog,
    OutreachStep,
    Prospect,
    TaskPriority,
    Workspace,
)
from outreach.workspaces.services.workspaces import ensure_member

TASK_FIELDS = {"subject", "notes", "priority", "due_at", "assignee"}
# Finishing one of these tasks counts as engagement with the contact.
ACTIVITY_FOR_DONE_TASK: dict[str, str] = {
    OutreachLog.Channel.CALL: Activity.Kind.CALL_DONE,
}
# A booked meeting moves the prospect on, but never back from a meeting already held, a win or
# a loss.
MEETING_BOOKED_FROM = (
    Prospect.Status.NEW,
    Prospect.Status.CONTACTED,
    Prospect.Status.ENGAGED,
)
# A touch logged by hand already happened; a few minutes ahead is a clock that runs fast.
FUTURE_TOUCH_TOLERANCE = timedelta(minutes=5)
# What a rep can log by hand on a contact's timeline, as (log type, channel, status).
TouchKind = Literal["call", "email", "note"]
LOGGED_TOUCHES: dict[str, tuple[str, str, str]] = {
    "call": (OutreachLog.Type.CALL, OutreachLog.Channel.CALL, OutreachLog.Status.DONE),
    "email": (OutreachLog.Type.EMAIL, OutreachLog.Channel.EMAIL, OutreachLog.Status.SENT),
    "note": (OutreachLog.Type.NOTE, "", OutreachLog.Status.DONE),
}


class TouchTask(TypedDict, total=False):
    """What a touch task is made of: every task in a rep's queue has this shape, whoever makes
    it. `priority` is "high", "normal" (the default) or "low"; `due_at` defaults to now and
    `assignee` to the prospect's owner; `created_by_label` names a system creator (no user)."""

    workspace: Required[Workspace]
    prospect: Required[Prospect]
    channel: Required[str]
    subject: Required[str]
    contact: Contact | None
    log_type: str
    notes: str
    priority: str
    due_at: datetime | None
    assignee: User | None
    by: User | None
    created_by_label: str
    extra_metadata: dict[str, Any] | None


def touch_task_create(**task: Unpack[TouchTask]) -> OutreachLog:
    """Put a task in a rep's queue."""
    workspace = task["workspace"]
    _check_prospect_contact(workspace, task["prospect"], task.get("contact"))
    ensure_member(workspace=workspace, user=task.get("assignee"), field="assignee_id")
    if not task["subject"].strip():
        raise ValidationFailed.for_field("subject", "A task needs a subject.")
    entry = touch_task_build(**task)
    entry.save()
    return entry


def touch_task_build(**task: Unpack[TouchTask]) -> OutreachLog:
    """An unsaved touch task, for callers that create many at once and have already checked
    who and what it is for."""
    rank = _priority(task.get("priority", "normal"))
    due_at = task.get("due_at") or timezone.now()
    by, prospect = task.get("by"), task["prospect"]
    assignee = task.get("assignee")
    # Without an assignee the task is the prospect's owner's: the owner's id is on the prospect
    # already, and loading the owner would cost a query for each task.
    who = {"assignee": assignee} if assignee else {"assignee_id": prospect.owner_id}
    return OutreachLog(
        workspace=task["workspace"],
        prospect=prospect,
        contact=task.get("contact"),
        log_type=task.get("log_type", OutreachLog.Type.FOLLOW_UP),
        channel=task["channel"],
        status=OutreachLog.Status.TOUCH_OPEN,
        subject=task["subject"].strip(),
        priority=rank,
        due_at=due_at,
        **who,
        created_by=by,
        metadata={
            **(task.get("extra_metadata") or {}),
            "kind": OutreachLog.TOUCH_TASK,
            "priority": rank.label,
            "dueAt": due_at.isoformat(),
            "notes": task.get("notes", ""),
            "createdBy": task.get("created_by_label") or (by.get_username() if by else "api"),
        },
    )


def touch_task_update(*, task: OutreachLog, changes: dict[str, Any]) -> OutreachLog:
    unknown = set(changes) - TASK_FIELDS
    if unknown:
        raise ValidationFailed(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    _require_open(task)
    if "assignee" in changes:
        ensure_member(workspace=task.workspace, user=changes["assignee"], field="assignee_id")
        task.assignee = changes["assignee"]
    if "subject" in changes:
        if not changes["subject"].strip():
            raise ValidationFailed.for_field("subject", "A task needs a subject.")
        task.subject = changes["subject"].strip()
    if "notes" in changes:
        task.metadata["notes"] = changes["notes"]
    if "priority" in changes:
        task.priority = _priority(changes["priority"])
        task.metadata["priority"] = TaskPriority(task.priority).label
    if changes.get("due_at") is not None:
        task.due_at = changes["due_at"]
        task.metadata["dueAt"] = task.due_at.isoformat()
        # A new due time is a plan, not a snooze: the task shows in the queue again.
        task.metadata.pop("snoozedUntil", None)
    with transaction.atomic():
        task.save()
    return task


def touch_task_complete(
    *, task: OutreachLog, by: User | None, outcome: str = "", call_outcome: str = ""
) -> OutreachLog:
    """Mark an open task done, with the rep's note (`outcome`) and, for a call, what happened
    on it (`call_outcome`, a CallOutcome), which scoring counts. Only the first of two
    concurrent completions counts."""
    if call_outcome:
        _check_call_outcome(call_outcome)
        if task.channel != OutreachLog.Channel.CALL:
            raise ValidationFailed.for_field("call_outcome", "Only a call has a call outcome.")
    return _close_task(
        task=task,
        status=OutreachLog.Status.DONE,
        by=by,
        outcome=outcome,
        call_outcome=call_outcome,
    )


def touch_task_skip(*, task: OutreachLog, by: User | None, reason: str = "") -> OutreachLog:
    return _close_task(task=task, status=OutreachLog.Status.SKIPPED, by=by, outcome=reason)


def touch_task_snooze(*, task: OutreachLog, until: datetime, by: User | None) -> OutreachLog:
    """Put an open task out of the queue until `until`, when it comes back due.

    The due time moves with it, so "overdue" and the task.overdue automations count from the
    new time; `snoozedUntil` in the metadata is what keeps it out of the queue meanwhile."""
    _require_open(task)
    now = timezone.now()
    if until <= now:
        raise ValidationFailed.for_field("until", "Snooze the task until a time to come.")
    with transaction.atomic():
        task = OutreachLog.objects.select_for_update().get(pk=task.pk)
        _require_open(task)
        task.due_at = until
        task.metadata["dueAt"] = until.isoformat()
        task.metadata["snoozedUntil"] = until.isoformat()
        task.metadata["snoozeCount"] = task.metadata.get("snoozeCount", 0) + 1
        if by is not None:
            task.metadata["snoozedBy"] = by.get_username()
        task.save(update_fields=["due_at", "metadata", "updated_at"])
    return task


def touch_task_delete(*, task: OutreachLog) -> None:
    if not task.is_touch_task:
        raise ValidationFailed("Only touch tasks can be deleted; the outreach log is kept.")
    with transaction.atomic():
        if task.is_open:
            # A sequence waiting on this task moves on as if it had been skipped.
            events.announce(events.TaskClosed(task, status=OutreachLog.Status.SKIPPED))
        task.delete()


def outreach_log_record(
    *,
    workspace: Workspace,
    prospect: Prospect,
    log_type: str,
    channel: str,
    status: str,
    contact: Contact | None = None,
    subject: str = "",
    body: str = "",
    metadata: dict[str, Any] | None = None,
    by: User | None = None,
    email_template: EmailTemplate | None = None,
) -> OutreachLog:
    """Record a touch that happened (an email sent, a call made, a reply received)."""
    _check_prospect_contact(workspace, prospect, contact)
    # Part of the caller's transaction when there is one: a savepoint would cost two round
    # trips per touch for a rollback no caller catches.
    with transaction.atomic(savepoint=False):
        entry = OutreachLog.objects.create(
            workspace=workspace,
            prospect=prospect,
            contact=contact,
            log_type=log_type,
            channel=channel,
            status=status,
            subject=subject,
            body=body,
            metadata=metadata or {},
            created_by=by,
            email_template=email_template,
        )
        if status == OutreachLog.Status.SENT:
            _mark_contacted(prospect)
    return entry


def activity_record(
    *,
    workspace: Workspace,
    prospect: Prospect,
    kind: str,
    contact: Contact | None = None,
    occurred_at: datetime | None = None,
    metadata: dict[str, Any] | None = None,
    step: OutreachStep | None = None,
) -> Activity:
    """`step`, the sequence step an open or click is of, loaded with its sequence, spares the
    row looking it up by the id in `metadata`."""
    with transaction.atomic(savepoint=False):
        return Activity.objects.create(
            workspace=workspace,
            prospect=prospect,
            contact=contact,
            kind=kind,
            occurred_at=occurred_at or timezone.now(),
            metadata=metadata or {},
            step=step,
        )


def contact_touch_log(
    *,
    contact: Contact,
    kind: TouchKind,
    by: User | None,
    subject: str = "",
    body: str = "",
    call_outcome: str = "",
    occurred_at: datetime | None = None,
) -> OutreachLog:
    """Put on the contact's timeline a touch made outside the app: a call (with what happened
    on it, which scoring counts as it counts a completed call task), an email sent from
    another mailbox, or a note."""
    if kind not in LOGGED_TOUCHES:
        raise ValidationFailed.for_field("kind", "Log a call, an email or a note.")
    log_type, channel, status = LOGGED_TOUCHES[kind]
    if kind == "call":
        if not call_outcome:
            raise ValidationFailed.for_field("call_outcome", "Say what happened on the call.")
        _check_call_outcome(call_outcome)
    elif call_outcome:
        raise ValidationFailed.for_field("call_outcome", "Only a call has a call outcome.")
    if kind == "note" and not body.strip():
        raise ValidationFailed.for_field("body", "Write the note.")
    now = timezone.now()
    at = occurred_at or now
    if at > now + FUTURE_TOUCH_TOLERANCE:
        raise ValidationFailed.for_field("occurred_at", "Log what already happened.")
    subject = subject.strip() or _default_subject(kind, contact, call_outcome)
    metadata: dict[str, Any] = {"loggedBy": by.get_username() if by else "api"}
    if call_outcome:
        metadata["callOutcome"] = call_outcome
    prospect = contact.prospect
    with transaction.atomic():
        entry = OutreachLog.objects.create(
            workspace_id=contact.workspace_id,
            prospect=prospect,
            contact=contact,
            log_type=log_type,
            channel=channel,
            status=status,
            subject=subject[:300],
            body=body.strip(),
            metadata=metadata,
            created_by=by,
            created_at=at,
        )
        if kind == "call":
            _mark_contacted(prospect)
            _record_call(entry, outcome=call_outcome, at=at)
        elif kind == "email":
            _mark_contacted(prospect)
            activity_record(
                workspace=prospect.workspace,
                prospect=prospect,
                contact=contact,
                kind=Activity.Kind.EMAIL_SENT,
                occurred_at=at,
                metadata={"outreachLogId": entry.pk},
            )
    return entry


def _close_task(
    *, task: OutreachLog, status: str, by: User | None, outcome: str, call_outcome: str = ""
) -> OutreachLog:
    now = timezone.now()
    with transaction.atomic():
        claimed = OutreachLog.objects.filter(
            pk=task.pk, status=OutreachLog.Status.TOUCH_OPEN
        ).update(status=status, completed_at=now, completed_by=by, updated_at=now)
        if not claimed:
            task.refresh_from_db()
            raise Conflict(f"This task is already {task.get_status_display().lower()}.")
        task.refresh_from_db()
        if outcome or call_outcome:
            if outcome:
                task.metadata["outcome"] = outcome
            if call_outcome:
                task.metadata["callOutcome"] = call_outcome
            task.save(update_fields=["metadata"])
        if status == OutreachLog.Status.DONE:
            _mark_contacted(task.prospect)
            kind = ACTIVITY_FOR_DONE_TASK.get(task.channel)
            if task.log_type == OutreachLog.Type.MEETING:
                kind = Activity.Kind.MEETING_DONE
            if kind == Activity.Kind.CALL_DONE:
                _record_call(task, outcome=call_outcome, at=now)
            elif kind:
                activity_record(
                    workspace=task.workspace,
                    prospect=task.prospect,
                    contact=task.contact,
                    kind=kind,
                    occurred_at=now,
                    metadata={"taskId": task.pk},
                )
        # A sequence waiting on this task moves on; "task completed" automations start.
        events.announce(events.TaskClosed(task, status=status))
    return task


def _record_call(entry: OutreachLog, *, outcome: str, at: datetime) -> None:
    """The call as engagement: its activity carries the outcome scoring reads, and a booked
    meeting moves the prospect to Meeting."""
    metadata: dict[str, Any] = (
        {"taskId": entry.pk} if entry.is_touch_task else {"outreachLogId": entry.pk}
    )
    if outcome:
        metadata["outcome"] = outcome
    activity_record(
        workspace=entry.workspace,
        prospect=entry.prospect,
        contact=entry.contact,
        kind=Activity.Kind.CALL_DONE,
        occurred_at=at,
        metadata=metadata,
    )
    if outcome == CallOutcome.MEETING_BOOKED:
        prospect_set_status(
            prospect=entry.prospect, status=Prospect.Status.MEETING, only_from=MEETING_BOOKED_FROM
        )


def _default_subject(kind: str, contact: Contact, call_outcome: str) -> str:
    if kind == "call":
        return f"Call with {contact}: {CallOutcome(call_outcome).label.lower()}"
    if kind == "email":
        return f"Email to {contact}"
    return f"Note on {contact}"


def _check_call_outcome(call_outcome: str) -> None:
    if call_outcome not in CallOutcome.values:
        choices = ", ".join(label.lower() for label in CallOutcome.labels)
        raise ValidationFailed.for_field("call_outcome", f"A call outcome is one of: {choices}.")


def _mark_contacted(prospect: Prospect) -> None:
    Prospect.objects.filter(pk=prospect.pk, status=Prospect.Status.NEW).update(
        status=Prospect.Status.CONTACTED
    )


def _require_open(task: OutreachLog) -> None:
    if not task.is_open:
        raise Conflict(f"This task is already {task.get_status_display().lower()}.")


def _priority(label: str) -> TaskPriority:
    try:
        return TaskPriority.from_label(label)
    except ValueError as exc:
        raise ValidationFailed.for_field("priority", "Priority is high, normal or low.") from exc


def _check_prospect_contact(
    workspace: Workspace, prospect: Prospect, contact: Contact | None
) -> None:
    if prospect.workspace_id != workspace.pk:
        raise ValidationFailed.for_field("prospect_id", "No such prospect in this workspace.")
    if contact is not None and contact.prospect_id != prospect.pk:
        raise ValidationFailed.for_field("contact_id", "The contact must work at the prospect.")
