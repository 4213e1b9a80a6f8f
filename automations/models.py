"""Automations: a workspace's rules, the CRM events that trigger them, and every run's log."""

import secrets

from django.conf import settings
from django.db import models

from outreach.models import Workspace


class TriggerType(models.TextChoices):
    DEAL_STAGE_CHANGED = "deal.stage_changed", "A deal moves to another stage"
    DEAL_CREATED = "deal.created", "A deal is created"
    TAG_ASSIGNED = "tag.assigned", "A tag is added"
    TAG_REMOVED = "tag.removed", "A tag is removed"
    CONTACT_CREATED = "contact.created", "A contact is created"
    FIELD_CHANGED = "field.changed", "A field changes"
    MESSAGE_RECEIVED = "message.received", "A message is received"
    MESSAGE_KEYWORD_MATCH = "message.keyword_match", "A message contains a keyword"
    TASK_COMPLETED = "task.completed", "A task is completed"
    TASK_OVERDUE = "task.overdue", "A task becomes overdue"
    MEETING_BOOKED = "meeting.booked", "A meeting is booked"
    MEETING_NO_SHOW = "meeting.no_show", "A meeting is marked a no-show"


def new_signing_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def empty_condition_group() -> dict:
    return {"op": "and", "conditions": []}


class Automation(models.Model):
    """A rule: when `trigger_type` happens and the filter and conditions hold, run the actions.

    `trigger_config` filters on the event's own ids (pipeline, stage, tag, field, keyword,
    channel); `conditions` is an AND/OR group over the event and the records it names;
    `actions` is the ordered list of {"type", "params", "delay_seconds"}. The shapes are
    validated by automations.services before they are stored.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="automations")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    trigger_type = models.CharField(max_length=40, choices=TriggerType.choices)
    trigger_config = models.JSONField(default=dict, blank=True)
    conditions = models.JSONField(default=empty_condition_group, blank=True)
    actions = models.JSONField(default=list, blank=True)
    enabled = models.BooleanField(default=False)
    # Signs webhook calls (HMAC-SHA256). Shown to the admin once, when created or rotated.
    signing_secret = models.CharField(max_length=80, default=new_signing_secret)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # Every CRM event asks: which enabled automations of this workspace listen to me?
            models.Index(
                fields=["workspace", "trigger_type"],
                condition=models.Q(enabled=True),
                name="automation_listeners",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def signing_secret_hint(self) -> str:
        return self.signing_secret[:10] + "…"


class AutomationEvent(models.Model):
    """The outbox: a CRM change that automations listen to, written in the change's transaction.

    Only events that some enabled automation's trigger filter accepts are written; the rest
    are dropped at the source. `caused_by_execution` is set when a run's action made the change,
    and `cascade_depth` counts how many runs led to it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be dispatched"
        DISPATCHED = "dispatched", "Dispatched"
        SKIPPED = "skipped", "Not run"

    # Indexed by automation_event_ws_created: every index is written for each of the many
    # events, so none is kept twice.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="automation_events", db_index=False
    )
    event_type = models.CharField(max_length=40, choices=TriggerType.choices)
    payload = models.JSONField(default=dict)
    cascade_depth = models.PositiveSmallIntegerField(default=0)
    caused_by_execution = models.ForeignKey(
        "AutomationExecution",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="caused_events",
        db_index=False,
    )
    caused_by_action_index = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    status_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The safety net looks for events whose after-commit dispatch never happened.
            models.Index(
                fields=["created_at"],
                condition=models.Q(status="pending"),
                name="automation_event_pending",
            ),
            models.Index(fields=["workspace", "created_at"], name="automation_event_ws_created"),
            # Lineage: the events a run's actions caused (most events have no cause).
            models.Index(
                fields=["caused_by_execution"],
                condition=models.Q(caused_by_execution__isnull=False),
                name="automation_event_caused_by",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.pk}"

    @property
    def subject(self) -> str:
        """The record the event is about, by name."""
        payload = self.payload
        for key in ("deal", "task", "contact", "prospect"):
            record = payload.get(key)
            if isinstance(record, dict) and record.get("name", record.get("subject")):
                return record.get("name") or record.get("subject")
        return ""

    @property
    def summary(self) -> str:
        """What happened, in a few words: "moved from Qualification to Proposal"."""
        payload, kind = self.payload, self.event_type
        name = lambda key: (payload.get(key) or {}).get("name", "?")  # noqa: E731
        if kind == TriggerType.DEAL_STAGE_CHANGED:
            return f"moved from {name('from_stage')} to {name('stage')}"
        if kind == TriggerType.DEAL_CREATED:
            return f"created in {name('pipeline')} · {name('stage')}"
        if kind in (TriggerType.TAG_ASSIGNED, TriggerType.TAG_REMOVED):
            verb = "tagged" if kind == TriggerType.TAG_ASSIGNED else "untagged"
            return f"{verb} “{name('tag')}”"
        if kind == TriggerType.FIELD_CHANGED:
            field = payload.get("field") or {}
            return f"{field.get('name')}: {field.get('old')!r} → {field.get('new')!r}"
        if kind == TriggerType.MESSAGE_KEYWORD_MATCH:
            return f"wrote “{payload.get('keyword')}”"
        if kind == TriggerType.MESSAGE_RECEIVED:
            return f"sent a message ({(payload.get('message') or {}).get('channel', '')})"
        return TriggerType(kind).label.lower()


class AutomationExecution(models.Model):
    """One run of an automation for one event, with the actions it was started with.

    `running` runs are worked on by whoever holds the lease (`lease_token` until
    `lease_expires_at`); a run without a live lease is picked up again by the sweep. `queued`
    runs wait for one of the workspace's run slots; `waiting` runs sleep until `resume_at`.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        QUEUED = "queued", "Waiting for a free slot"
        WAITING = "waiting", "Waiting"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE_STATUSES = (Status.RUNNING, Status.QUEUED, Status.WAITING)

    # The workspace and the automation are indexed by automation_run_history and
    # automation_run_by_rule; each index costs a write on every run and every step it takes.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="automation_executions", db_index=False
    )
    automation = models.ForeignKey(
        Automation, on_delete=models.CASCADE, related_name="executions", db_index=False
    )
    event = models.ForeignKey(AutomationEvent, on_delete=models.CASCADE, related_name="executions")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    # Why the run failed or was cancelled, in words for the admin.
    reason = models.TextField(blank=True)
    cascade_depth = models.PositiveSmallIntegerField(default=0)
    # The actions as they were when the run started, so editing the automation cannot shift
    # the steps of a run that is half-way through.
    actions = models.JSONField(default=list)
    next_action_index = models.PositiveSmallIntegerField(default=0)
    failed_action_index = models.PositiveSmallIntegerField(null=True, blank=True)
    resume_at = models.DateTimeField(null=True, blank=True)
    resumed_at = models.DateTimeField(null=True, blank=True)
    lease_token = models.UUIDField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # Each retry by an admin: {"at", "by", "action_index", "error"} (the error it followed).
    retries = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The resume sweep: parked runs whose delay is over.
            models.Index(
                fields=["resume_at"],
                condition=models.Q(status="waiting"),
                name="automation_run_due",
            ),
            # The recovery sweep and the per-workspace slot count look at unfinished runs.
            models.Index(
                fields=["workspace", "status", "lease_expires_at"],
                condition=models.Q(status__in=["running", "queued"]),
                name="automation_run_active",
            ),
            models.Index(
                fields=["enqueued_at"],
                condition=models.Q(status__in=["running", "queued"]),
                name="automation_run_enqueued",
            ),
            models.Index(fields=["workspace", "created_at"], name="automation_run_history"),
            models.Index(fields=["automation", "created_at"], name="automation_run_by_rule"),
            models.Index(
                fields=["automation"],
                condition=models.Q(status__in=["running", "queued", "waiting"]),
                name="automation_run_unfinished",
            ),
            # For the rare user deletion; nearly all runs were never stopped by anyone.
            models.Index(
                fields=["stopped_by"],
                condition=models.Q(stopped_by__isnull=False),
                name="automation_run_stopped_by",
            ),
        ]

    def __str__(self) -> str:
        return f"Run #{self.pk} of {self.automation_id}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def steps_done(self) -> int:
        """Actions done or skipped (reads the prefetched log)."""
        finished = {AutomationActionRun.Status.SUCCEEDED, AutomationActionRun.Status.SKIPPED}
        return sum(1 for step in self.action_runs.all() if step.status in finished)


class AutomationActionRun(models.Model):
    """The log of one action of one run. Unique per (run, action index): an action is
    performed under this row, so it cannot be performed twice for one run."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        RUNNING = "running", "Running"
        RETRYING = "retrying", "Retrying"
        SUCCEEDED = "succeeded", "Done"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    # Indexed by automation_action_once, which starts with it.
    execution = models.ForeignKey(
        AutomationExecution, on_delete=models.CASCADE, related_name="action_runs", db_index=False
    )
    action_index = models.PositiveSmallIntegerField()
    action_type = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When a delayed action or a retry is due.
    due_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["action_index"]
        constraints = [
            models.UniqueConstraint(
                fields=["execution", "action_index"], name="automation_action_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action_type} ({self.status})"


class OverdueTaskMark(models.Model):
    """A touch task whose `task.overdue` event has been emitted; the key makes it once per task."""

    task = models.OneToOneField(
        "outreach.OutreachLog", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Overdue task {self.pk}"


class AutomationRunDay(models.Model):
    """How many runs of an automation finished on one day (UTC), by outcome: what stays of runs
    once retention deletes them (AUTOMATION_RUN_RETENTION_DAYS), so a rule's history can still
    be counted. Written only by `automations.retention`, in the transaction that deletes the
    runs it counts."""

    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="run_days")
    day = models.DateField()
    completed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["automation", "day"], name="automation_run_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.automation_id} on {self.day}"
