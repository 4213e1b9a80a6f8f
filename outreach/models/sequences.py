"""Sequences (cadences): templates of steps, a contact's enrollment in one, and send limits."""

from typing import Any

from django.conf import settings
from django.db import models

from outreach.models.crm import Contact, Prospect
from outreach.models.outreach_log import OutreachLog
from outreach.models.workspaces import Workspace


class SequenceTemplate(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="sequences")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="sequence_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class SequenceTemplateStep(models.Model):
    template = models.ForeignKey(SequenceTemplate, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=10, choices=OutreachLog.Channel.choices)
    delay_days = models.PositiveSmallIntegerField(default=0)
    delay_hours = models.PositiveSmallIntegerField(default=0)
    subject_template = models.CharField(max_length=300, blank=True)
    body_template = models.TextField(blank=True)
    # An email step may take its words from the template library instead: edits to the
    # template then reach the step.
    email_template = models.ForeignKey(
        "outreach.EmailTemplate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sequence_steps",
    )
    # An email step either goes out by itself or waits in the queue as a task for the rep.
    auto_send = models.BooleanField(default=False)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["template", "position"], name="template_step_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.template} step {self.position}"

    @property
    def sends_itself(self) -> bool:
        return self.channel == OutreachLog.Channel.EMAIL and self.auto_send

    @property
    def subject_text(self) -> str:
        return self.email_template.subject if self.email_template else self.subject_template

    @property
    def body_text(self) -> str:
        return self.email_template.body if self.email_template else self.body_template


class OutreachSequence(models.Model):
    """One contact's run through a sequence template."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        STOPPED = "stopped", "Stopped"

    class PauseKind(models.TextChoices):
        MANUAL = "manual", "Paused by a rep"
        OUT_OF_OFFICE = "out_of_office", "Out of office"
        ENGAGEMENT = "engagement", "Call task open"
        SEND_FAILED = "send_failed", "Email not sent"

    LIVE_STATUSES = (Status.ACTIVE, Status.PAUSED)

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="outreach_sequences"
    )
    template = models.ForeignKey(
        SequenceTemplate, on_delete=models.PROTECT, related_name="enrollments"
    )
    prospect = models.ForeignKey(
        Prospect, on_delete=models.CASCADE, related_name="outreach_sequences"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="outreach_sequences"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    stop_reason = models.CharField(max_length=200, blank=True)
    pause_kind = models.CharField(max_length=20, choices=PauseKind.choices, blank=True)
    pause_reason = models.CharField(max_length=200, blank=True)
    # A pause with an end resumes by itself (vacation, out-of-office return date).
    paused_until = models.DateTimeField(null=True, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Whose mailbox the emails go out from and whose queue the tasks land in; none means the
    # workspace's shared address and the prospect's owner.
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["prospect", "updated_at"], name="outseq_prospect_updated"),
            models.Index(fields=["contact", "status"], name="outseq_contact_status"),
            models.Index(fields=["template", "status"], name="outseq_template_status"),
        ]
        constraints = [
            # A contact runs through a sequence once at a time; they can rejoin after it ends.
            models.UniqueConstraint(
                fields=["template", "contact"],
                condition=models.Q(status__in=["active", "paused"]),
                name="outseq_one_live_per_contact",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} in {self.template}"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE_STATUSES


class OutreachStep(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        OPEN = "open", "Open task"
        QUEUED = "queued", "Queued to send"
        SENDING = "sending", "Sending"
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Not sent"

    class WaitReason(models.TextChoices):
        DELAY = "delay", "Its delay after the previous step"
        BUSINESS_HOURS = "business_hours", "Business hours in the contact's time zone"
        DAILY_LIMIT = "daily_limit", "The sender's daily email limit"
        PAUSED = "paused", "The sequence is paused"

    sequence = models.ForeignKey(OutreachSequence, on_delete=models.CASCADE, related_name="steps")
    # The template step it follows, so later edits to the wording reach contacts already
    # enrolled; none when the step was removed from the template.
    template_step = models.ForeignKey(
        SequenceTemplateStep,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outreach_steps",
    )
    step_order = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=10, choices=OutreachLog.Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    wait_reason = models.CharField(max_length=20, choices=WaitReason.choices, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    outreach_log = models.ForeignKey(
        OutreachLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When its email or task entered the outreach log (the log row's created_at), kept here so
    # the funnel report finds a range's sent steps in one index without joining the log.
    sent_at = models.DateTimeField(null=True, blank=True)
    # When the step became a task in the queue or an email on its way.
    scheduled_at = models.DateTimeField(null=True, blank=True)
    # Who put it there: "manual", "cadence", or the engagement trigger source that did.
    triggered_by = models.CharField(max_length=40, null=True, blank=True)
    # When the sequence's next step is due. It sits on the step that last finished (or on the
    # first step before anything happened), so one index finds every due sequence.
    next_step_ready_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    MANUAL = "manual"
    CADENCE = "cadence"
    IN_FLIGHT = (Status.QUEUED, Status.SENDING)

    class Meta:
        ordering = ["step_order"]
        constraints = [
            models.UniqueConstraint(fields=["sequence", "step_order"], name="outreach_step_unique"),
        ]
        indexes = [
            # The cadence sweep's only way in: most steps have no ready time, so the index
            # holds just the waiting ones.
            models.Index(
                fields=["next_step_ready_at"],
                condition=models.Q(next_step_ready_at__isnull=False),
                name="outreach_step_ready",
            ),
            # Emails whose send was lost or interrupted, found by the sweep's recovery pass.
            models.Index(
                fields=["scheduled_at"],
                condition=models.Q(status__in=["queued", "sending"]),
                name="outreach_step_in_flight",
            ),
            # The sequence funnel's sent steps in a range, found without reading the log.
            models.Index(
                fields=["sent_at"],
                include=["sequence", "step_order", "channel"],
                condition=models.Q(status="done", outreach_log__isnull=False),
                name="outreach_step_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sequence} step {self.step_order}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Whoever points the step at a log (or its log is cleared) moves its sent time with it,
        # so the funnel's figures match the log's.
        fields = kwargs.get("update_fields")
        if fields is None or "outreach_log" in fields:
            self.sent_at = self.outreach_log.created_at if self.outreach_log_id else None
            if fields is not None:
                kwargs["update_fields"] = {*fields, "sent_at"}
        super().save(*args, **kwargs)


class SenderDailySend(models.Model):
    """How many sequence emails one sending address has used of its daily limit."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    sender_email = models.CharField(max_length=254)
    # The workspace's calendar day.
    day = models.DateField()
    sent = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "sender_email", "day"], name="sender_daily_send_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sender_email} on {self.day}: {self.sent}"
