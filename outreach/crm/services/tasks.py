"""The outreach log: touch tasks a rep must do, touches that happened, and activity."""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from config.errors import Conflict, ValidationFailed
from outreach import events
from outreach.models import Activity, Contact, OutreachLog, Prospect, TaskPriority, Workspace
from outreach.workspaces.services.workspaces import ensure_member

TASK_FIELDS = {"subject", "notes", "priority", "due_at", "assignee"}
# Finishing one of these tasks counts as engagement with the contact.
ACTIVITY_FOR_DONE_TASK: dict[str, str] = {
    OutreachLog.Channel.CALL: Activity.Kind.CALL_DONE,
}


def touch_task_create(
    *,
    workspace: Workspace,
    prospect: Prospect,
    channel: str,
    subject: str,
    contact: Contact | None = None,
    log_type: str = OutreachLog.Type.FOLLOW_UP,
    notes: str = "",
    priority: str = "normal",
    due_at: datetime | None = None,
    assignee: User | None = None,
    by: User | None = None,
    created_by_label: str = "",
    extra_metadata: dict[str, Any] | None = None,
) -> OutreachLog:
    """Put a task in a rep's queue. `created_by_label` names a system creator (no user)."""
    _check_prospect_contact(workspace, prospect, contact)
    ensure_member(workspace=workspace, user=assignee, field="assignee_id")
    if not subject.strip():
        raise ValidationFailed.for_field("subject", "A task needs a subject.")
    task = touch_task_build(
        workspace=workspace,
        prospect=prospect,
        channel=channel,
        subject=subject,
        contact=contact,
        log_type=log_type,
        notes=notes,
        priority=priority,
        due_at=due_at,
        assignee=assignee,
        by=by,
        created_by_label=created_by_label,
        extra_metadata=extra_metadata,
    )
    task.save()
    return task


def touch_task_build(
    *,
    workspace: Workspace,
    prospect: Prospect,
    channel: str,
    subject: str,
    contact: Contact | None = None,
    log_type: str = OutreachLog.Type.FOLLOW_UP,
    notes: str = "",
    priority: str = "normal",
    due_at: datetime | None = None,
    assignee: User | None = None,
    by: User | None = None,
    created_by_label: str = "",
    extra_metadata: dict[str, Any] | None = None,
) -> OutreachLog:
    """An unsaved touch task in the one shape every task has, for callers that create many
    at once and have already checked who and what it is for."""
    rank = _priority(priority)
    due_at = due_at or timezone.now()
    return OutreachLog(
        workspace=workspace,
        prospect=prospect,
        contact=contact,
        log_type=log_type,
        channel=channel,
        status=OutreachLog.Status.TOUCH_OPEN,
        subject=subject.strip(),
        priority=rank,
        due_at=due_at,
        assignee=assignee or prospect.owner,
        created_by=by,
        metadata={
            **(extra_metadata or {}),
            "kind": OutreachLog.TOUCH_TASK,
            "priority": rank.label,
            "dueAt": due_at.isoformat(),
            "notes": notes,
            "createdBy": created_by_label or (by.get_username() if by else "api"),
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
