"""The outreach log: touch tasks a rep must do, touches that happened, and activity."""

from datetime import datetime
from typing import Any, Required, TypedDict, Unpack

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from config.errors import Conflict, ValidationFailed
from outreach import events
from outreach.models import (
    Activity,
    Contact,
    EmailTemplate,
    OutreachLog,
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
        assignee=task.get("assignee") or prospect.owner,
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
    with transaction.atomic():
        task.save()
    return task


def touch_task_complete(*, task: OutreachLog, by: User | None, outcome: str = "") -> OutreachLog:
    """Mark an open task done. Only the first of two concurrent completions counts."""
    return _close_task(task=task, status=OutreachLog.Status.DONE, by=by, outcome=outcome)


def touch_task_skip(*, task: OutreachLog, by: User | None, reason: str = "") -> OutreachLog:
    return _close_task(task=task, status=OutreachLog.Status.SKIPPED, by=by, outcome=reason)


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
    with transaction.atomic():
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
) -> Activity:
    with transaction.atomic():
        return Activity.objects.create(
            workspace=workspace,
            prospect=prospect,
            contact=contact,
            kind=kind,
            occurred_at=occurred_at or timezone.now(),
            metadata=metadata or {},
        )


def _close_task(*, task: OutreachLog, status: str, by: User | None, outcome: str) -> OutreachLog:
    now = timezone.now()
    with transaction.atomic():
        claimed = OutreachLog.objects.filter(
            pk=task.pk, status=OutreachLog.Status.TOUCH_OPEN
        ).update(status=status, completed_at=now, completed_by=by, updated_at=now)
        if not claimed:
            task.refresh_from_db()
            raise Conflict(f"This task is already {task.get_status_display().lower()}.")
        task.refresh_from_db()
        if outcome:
            task.metadata["outcome"] = outcome
            task.save(update_fields=["metadata"])
        if status == OutreachLog.Status.DONE:
            _mark_contacted(task.prospect)
            kind = ACTIVITY_FOR_DONE_TASK.get(task.channel)
            if task.log_type == OutreachLog.Type.MEETING:
                kind = Activity.Kind.MEETING_DONE
            if kind:
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
