"""The outreach log (every touch and every open touch task) and the activity stream."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.fields.json import KT, KeyTransform
from django.db.models.functions import Coalesce
from django.utils import timezone

from outreach.models.crm import Contact, Prospect
from outreach.models.workspaces import Workspace


class TaskPriority(models.IntegerChoices):
    # Stored as a rank so that "high first" is a plain ascending sort on an index.
    HIGH = 1, "high"
    NORMAL = 2, "normal"
    LOW = 3, "low"

    @classmethod
    def from_label(cls, label: str) -> "TaskPriority":
        for member in cls:
            if member.label == label:
                return member
        raise ValueError(f"Unknown priority {label!r}")


class CallOutcome(models.TextChoices):
    """What happened on a call, as the rep records it when the call task is done (or the call
    is logged): engagement scoring reads it from the call's activity."""

    CONNECTED = "connected", "Connected"
    LEFT_VOICEMAIL = "left_voicemail", "Left voicemail"
    NO_ANSWER = "no_answer", "No answer"
    WRONG_NUMBER = "wrong_number", "Wrong number"
    MEETING_BOOKED = "meeting_booked", "Meeting booked"
    NOT_INTERESTED = "not_interested", "Not interested"


def _someone(related_name: str = "+") -> models.ForeignKey:
    """A person a row may name (indexed by a partial index in Meta: most rows name nobody)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
        db_index=False,
    )


class OutreachLog(models.Model):
    """One touch with a contact, or a touch task a rep still has to do.

    A touch task is a row with status `touch_open` and `metadata.kind == "touch_task"`; its
    metadata carries priority, dueAt, notes and createdBy. Priority and due time are also real
    columns because the task queue sorts on them.
    """

    TOUCH_TASK = "touch_task"

    class Type(models.TextChoices):
        EMAIL = "EMAIL", "Email"
        CALL = "CALL", "Call"
        LINKEDIN = "LINKEDIN", "LinkedIn"
        MESSAGE = "MESSAGE", "Message"
        FOLLOW_UP = "FOLLOW_UP", "Follow-up"
        MEETING = "MEETING", "Meeting"
        NOTE = "NOTE", "Note"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        CALL = "call", "Call"
        LINKEDIN = "linkedin", "LinkedIn"
        MESSAGE = "message", "Message"

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        RECEIVED = "received", "Received"
        TOUCH_OPEN = "touch_open", "Open task"
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    # Every touch, task and reply writes a row here, and every index of the table with it: the
    # foreign keys are indexed once each, by the indexes in Meta that start with them.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="outreach_logs", db_index=False
    )
    prospect = models.ForeignKey(
        Prospect, on_delete=models.CASCADE, related_name="outreach_logs", db_index=False
    )
    contact = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outreach_logs",
        db_index=False,
    )
    log_type = models.CharField(max_length=12, choices=Type.choices)
    # Blank for a note, which is no touch on any channel.
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    priority = models.PositiveSmallIntegerField(choices=TaskPriority.choices, null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    assignee = _someone(related_name="assigned_tasks")
    created_by = _someone()
    completed_by = _someone()
    completed_at = models.DateTimeField(null=True, blank=True)
    # The library template an email was written from: its usage and reply rate count these.
    email_template = models.ForeignKey(
        "outreach.EmailTemplate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sent_emails",
        db_index=False,
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # The open task queue: one workspace's open tasks, high priority first, soonest due.
            models.Index(
                fields=["workspace", "priority", "due_at"],
                condition=models.Q(status="touch_open"),
                name="outreachlog_open_queue",
            ),
            # The API's and the dashboard's task queue, in its order: a page is read off the
            # index. Without the JSON condition the planner cannot match the queue's filter, and
            # joins and sorts every open task before it keeps a page of them.
            models.Index(
                fields=["workspace", "priority", "due_at", "id"],
                condition=models.Q(status="touch_open", metadata__kind="touch_task"),
                name="outreachlog_task_queue",
            ),
            models.Index(fields=["prospect", "created_at"], name="outreachlog_prospect_created"),
            # The people a row names, for their lists and for deleting a user: most rows name
            # nobody, so only the rows that do are indexed.
            *(
                models.Index(
                    fields=[field],
                    condition=models.Q(**{f"{field}__isnull": False}),
                    name=f"outreachlog_{field}",
                )
                for field in ("assignee", "created_by", "completed_by")
            ),
            models.Index(fields=["contact", "created_at"], name="outreachlog_contact_created"),
            # Reports: a workspace's touches in a date range (with their ids, which the sequence
            # funnel joins its steps on without reading the rows), and its tasks done in one.
            models.Index(
                fields=["workspace", "created_at"], include=["id"], name="outreachlog_ws_created"
            ),
            models.Index(
                fields=["workspace", "completed_at"],
                condition=models.Q(completed_at__isnull=False),
                name="outreachlog_ws_completed",
            ),
            models.Index(
                fields=["workspace", "due_at", "assignee"],
                condition=models.Q(status="touch_open"),
                name="outreachlog_open_due_assignee",
            ),
            # A template's sent emails, for its usage and reply rate; most rows have none.
            models.Index(
                fields=["email_template"],
                condition=models.Q(email_template__isnull=False),
                name="outreachlog_email_template",
            ),
            models.Index(fields=["status", "due_at"], name="outreachlog_status_due"),
            # The reports count a quarter of a million rows for a 90-day range: each of these
            # holds all a report's query reads, so it is answered from the index alone rather
            # than from as many table pages. Emails per rep and day:
            models.Index(
                fields=["workspace", "created_at"],
                include=["completed_by", "created_by"],
                condition=models.Q(channel="email", status__in=["sent", "done"]),
                name="outreachlog_report_emails",
            ),
            # calls per rep, day and outcome (a call counts when its task was done, or when it
            # was logged as made: the first of the two times)...
            models.Index(
                F("workspace"),
                Coalesce("completed_at", "created_at"),
                include=["completed_at", "created_at", "completed_by", "created_by", "metadata"],
                condition=models.Q(channel="call", status="done"),
                name="outreachlog_report_calls",
            ),
            # ...tasks done per rep and day...
            models.Index(
                fields=["workspace", "completed_at"],
                include=["completed_by"],
                condition=models.Q(status="done", metadata__kind="touch_task"),
                name="outreachlog_report_tasks",
            ),
            # ...and the emails written from a library template, for its reply rate.
            models.Index(
                fields=["workspace", "created_at"],
                include=["email_template", "id"],
                condition=models.Q(email_template__isnull=False),
                name="outreachlog_report_templates",
            ),
            # Inbound replies find the email they answer by the Message-ID it was sent with; it
            # is also the workspace's index.
            models.Index(
                F("workspace"),
                KeyTransform("messageId", "metadata"),
                name="outreachlog_message_id",
            ),
            # Open call tasks the engagement trigger created: the cadence sweep holds a
            # contact's sequences while one is open, and asks for every batch it promotes.
            models.Index(
                fields=["prospect"],
                condition=models.Q(status="touch_open", metadata__createdBy="engagement-trigger"),
                name="outreachlog_engagement_open",
            ),
        ]
        constraints = [
            # An engagement signal (wizard step 3, a PDF download, an interested reply) puts one
            # call task in the queue; repeats and concurrent requests find it instead of adding
            # another. Closing the task frees the slot for the next signal.
            models.UniqueConstraint(
                "prospect",
                KT("metadata__triggerSource"),
                condition=models.Q(status="touch_open", metadata__kind="touch_task"),
                name="outreachlog_one_open_task_per_trigger",
            ),
        ]

    def __str__(self) -> str:
        return self.subject or f"{self.get_log_type_display()} ({self.get_status_display()})"

    @property
    def is_touch_task(self) -> bool:
        return self.metadata.get("kind") == self.TOUCH_TASK

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.TOUCH_OPEN

    @property
    def is_snoozed(self) -> bool:
        """Open, and out of the queue until its due time (see touch_task_snooze)."""
        return (
            self.is_open
            and "snoozedUntil" in self.metadata
            and self.due_at is not None
            and self.due_at > timezone.now()
        )

    @property
    def priority_label(self) -> str:
        return TaskPriority(self.priority).label if self.priority else ""

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < timezone.now()


class Activity(models.Model):
    """Something a contact or prospect did that tells how engaged they are.

    Each feature that sees engagement writes here (a completed call, a meeting booked or held,
    a wizard step, a PDF download, a reply, an email open or click, a video play), so that
    scoring reads one indexed table instead of asking every feature.
    """

    class Kind(models.TextChoices):
        CALL_DONE = "call_done", "Call done"
        MEETING_BOOKED = "meeting_booked", "Meeting booked"
        MEETING_DONE = "meeting_done", "Meeting done"
        EMAIL_SENT = "email_sent", "Email sent"
        EMAIL_OPEN = "email_open", "Email opened"
        EMAIL_CLICK = "email_click", "Link clicked"
        REPLY = "reply", "Replied"
        WIZARD_STEP = "wizard_step", "Wizard step viewed"
        PDF_DOWNLOAD = "pdf_download", "PDF report downloaded"
        VIDEO_PLAY = "video_play", "Video played"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="activities")
    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="activities")
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    metadata = models.JSONField(default=dict, blank=True)
    # An open or click of a sequence email: its step, and that step's sequence template and
    # place, copied here so the funnel counts them per step from one index, joining nothing.
    step = models.ForeignKey(
        "outreach.OutreachStep",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    step_template = models.ForeignKey(
        "outreach.SequenceTemplate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    step_order = models.PositiveSmallIntegerField(null=True, blank=True)
    # How many opens (or clicks) the row stands for: retention compacts an email's repeats by
    # one contact on one of the workspace's days into one row (outreach/mail/services/
    # tracking_retention.py), so whoever counts activity sums this. Always 1 for other kinds.
    repeats = models.PositiveIntegerField(default=1)
    # Set once retention has looked at an open or click; the rows it has not are in the
    # `activity_signals_to_compact` index, which so stays as small as the retention window.
    compacted = models.BooleanField(default=False)

    STEP_SIGNALS = ("email_open", "email_click")

    class Meta:
        verbose_name_plural = "activities"
        indexes = [
            models.Index(
                fields=["workspace", "contact", "occurred_at"], name="activity_ws_contact"
            ),
            models.Index(fields=["prospect", "occurred_at"], name="activity_prospect"),
            # Reports: one kind of signal of a workspace in a date range, and whose it was.
            models.Index(
                fields=["workspace", "kind", "occurred_at"],
                include=["contact", "prospect", "repeats"],
                name="activity_ws_kind_repeats",
            ),
            # The sequence funnel: a range's opens and clicks with their step, index only.
            models.Index(
                fields=["workspace", "occurred_at"],
                include=["kind", "step", "step_template", "step_order"],
                condition=models.Q(step__isnull=False, kind__in=["email_open", "email_click"]),
                name="activity_step_signals",
            ),
            # Retention's way to the opens and clicks it has not compacted yet, oldest first.
            models.Index(
                fields=["occurred_at"],
                condition=models.Q(kind__in=["email_open", "email_click"], compacted=False),
                name="activity_signals_to_compact",
            ),
            # What deleting a step (or a template) clears, found without reading every row.
            models.Index(
                fields=["step"], condition=models.Q(step__isnull=False), name="activity_step"
            ),
            models.Index(
                fields=["step_template"],
                condition=models.Q(step_template__isnull=False),
                name="activity_step_template",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # An open or click names its step in the metadata, whoever records it; the funnel reads
        # the copy, so it is taken from the step as the row is first written.
        step_id = self.metadata.get("stepId") if isinstance(self.metadata, dict) else None
        if not self._state.adding:
            pass  # taken once, as the row is first written
        elif self.kind not in self.STEP_SIGNALS:
            self.step = None  # only opens and clicks are the funnel's
        elif self.step is not None:
            self.step_template_id = self.step.sequence.template_id
            self.step_order = self.step.step_order
        elif isinstance(step_id, int):
            steps = self._meta.apps.get_model("outreach", "OutreachStep")._default_manager
            place = (
                steps.filter(pk=step_id)
                .values_list("pk", "sequence__template_id", "step_order")
                .first()
            )
            if place is not None:
                self.step_id, self.step_template_id, self.step_order = place
        super().save(*args, **kwargs)
