"""Inbound replies to outreach: each workspace's inbound mailbox, every message received (human
replies, automatic replies, bounces), its triage history and the effects a triage has had."""

import secrets

from django.conf import settings
from django.db import models

from outreach.models.crm import Contact, Prospect
from outreach.models.outreach_log import OutreachLog
from outreach.models.workspaces import Workspace


def new_address_token() -> str:
    # Lower-case letters and digits only: mail systems may fold the case of a local part.
    return "".join(secrets.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(16))


def new_delivery_secret() -> str:
    return secrets.token_urlsafe(32)


# A reply triage or a rep has dealt with (applied, ignored or answered) that still holds its whole
# message as received: what retention blanks once it is old (outreach/replies/services/retention).
FULL_MESSAGE_DROPPABLE = models.Q(state__in=["applied", "ignored", "answered"]) & (
    ~models.Q(text="") | ~models.Q(html="")
)


class InboundMailbox(models.Model):
    """Where a workspace's replies arrive.

    `address_token` is public: it is the local part of the reply address outreach emails carry,
    and it tells the provider webhook which workspace a message belongs to. `delivery_secret`
    is private: it is in the URL an MTA posts raw messages to, and it alone names the workspace
    there.
    """

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="inbound_mailbox"
    )
    address_token = models.CharField(max_length=32, unique=True, default=new_address_token)
    delivery_secret = models.CharField(max_length=64, unique=True, default=new_delivery_secret)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "inbound mailboxes"

    def __str__(self) -> str:
        return f"Inbound mailbox of {self.workspace}"

    @property
    def address(self) -> str:
        local_part, domain = settings.REPLIES_INBOUND_LOCAL_PART, settings.REPLIES_INBOUND_DOMAIN
        return f"{local_part}+{self.address_token}@{domain}"


class Reply(models.Model):
    """One message received in reply to outreach, stored once per Message-ID and workspace."""

    class Kind(models.TextChoices):
        HUMAN = "human", "Reply"
        AUTO_REPLY = "auto_reply", "Automatic reply"
        BOUNCE_HARD = "bounce_hard", "Hard bounce"
        BOUNCE_SOFT = "bounce_soft", "Soft bounce"
        NOTIFICATION = "notification", "Provider notice"

    class Intent(models.TextChoices):
        INTERESTED = "interested", "Interested"
        NOT_INTERESTED = "not_interested", "Not interested"
        OUT_OF_OFFICE = "out_of_office", "Out of office"
        UNSUBSCRIBE = "unsubscribe", "Unsubscribe"
        REFERRAL = "referral", "Referral"
        QUESTION = "question", "Question"
        # Matched nothing the classifier knows well enough: a person reads it.
        UNCLEAR = "unclear", "Needs a person"

    class State(models.TextChoices):
        NEW = "new", "New"
        NEEDS_REVIEW = "needs_review", "Needs review"
        APPLIED = "applied", "Applied"
        IGNORED = "ignored", "Ignored"
        ANSWERED = "answered", "Answered"

    class Source(models.TextChoices):
        API = "api", "API (JSON)"
        RAW = "raw", "Raw message (MTA)"
        MAILGUN = "mailgun", "Mailgun inbound"
        IMAP = "imap", "A rep's mailbox (IMAP)"

    class Match(models.TextChoices):
        NONE = "", "Unmatched"
        THREAD = "thread", "Thread (In-Reply-To / References)"
        ADDRESS = "address", "Sender address"
        BOUNCED_RECIPIENT = "bounced_recipient", "Bounced recipient"
        REP = "rep", "Linked by a rep"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="replies")
    message_id = models.CharField(max_length=500)
    in_reply_to = models.CharField(max_length=500, blank=True)
    references = models.JSONField(default=list, blank=True)
    from_email = models.CharField(max_length=254, blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    to = models.JSONField(default=list, blank=True)
    cc = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    # The reply without quoted history and signature: what triage reads and the inbox shows.
    body = models.TextField(blank=True)
    # The headers triage relies on (auto-reply markers, threading), not the whole header block.
    headers = models.JSONField(default=dict, blank=True)
    raw_size = models.PositiveIntegerField(default=0)
    truncated = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=Source.choices)
    # The rep's mailbox it was read from (IMAP); answers go out from there.
    mailbox = models.ForeignKey(
        "outreach.Mailbox", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField()

    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    prospect = models.ForeignKey(
        Prospect, null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    # Our sent email this message answers (or bounced), when the thread says so.
    answers = models.ForeignKey(
        OutreachLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # This message's own entry in the prospect's outreach log.
    log_entry = models.OneToOneField(
        OutreachLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="reply"
    )
    matched_by = models.CharField(max_length=20, choices=Match.choices, blank=True)

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.HUMAN)
    intent = models.CharField(max_length=16, choices=Intent.choices, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.NEW)
    triage_source = models.CharField(max_length=20, blank=True)
    triage_reason = models.CharField(max_length=500, blank=True)
    return_date = models.DateField(null=True, blank=True)
    bounce = models.JSONField(default=dict, blank=True)
    referral = models.JSONField(default=dict, blank=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "replies"
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "message_id"], name="reply_unique_message_id"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "state", "received_at"], name="reply_ws_state"),
            models.Index(fields=["workspace", "intent", "received_at"], name="reply_ws_intent"),
            models.Index(fields=["workspace", "received_at"], name="reply_ws_received"),
            models.Index(fields=["contact", "received_at"], name="reply_contact_received"),
            # The sweep that re-enqueues replies whose processing never started.
            models.Index(
                fields=["received_at"], condition=models.Q(state="new"), name="reply_new_received"
            ),
            # Retention's way to the replies whose full message it will drop: only those not
            # yet dropped are in it, so it stays as small as the retention window.
            models.Index(
                fields=["received_at"],
                condition=FULL_MESSAGE_DROPPABLE,
                name="reply_full_message_held",
            ),
        ]

    def __str__(self) -> str:
        return self.subject or f"Reply from {self.from_email}"

    @property
    def is_bounce(self) -> bool:
        return self.kind in {self.Kind.BOUNCE_HARD, self.Kind.BOUNCE_SOFT}

    @property
    def is_machine(self) -> bool:
        """A bounce or a provider's notice: mail no person wrote, so it has no intent."""
        return self.is_bounce or self.kind == self.Kind.NOTIFICATION

    @property
    def sender_label(self) -> str:
        if self.contact_id:
            return str(self.contact)
        return self.from_name or self.from_email or "Unknown sender"


class ReplyTriage(models.Model):
    """Every intent given to a reply, by the classifier or by a rep, newest last."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="triages")
    intent = models.CharField(max_length=16, choices=Reply.Intent.choices)
    confidence = models.FloatField(null=True, blank=True)
    # rules, anthropic, headers (an automatic reply) or rep.
    source = models.CharField(max_length=20)
    reason = models.CharField(max_length=500, blank=True)
    applied = models.BooleanField(default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["reply", "created_at"], name="replytriage_reply")]

    def __str__(self) -> str:
        return f"{self.reply_id}: {self.intent} ({self.source})"


class ReplyEffect(models.Model):
    """Something a reply has made happen. One row per reply and effect, so that applying a triage
    again (or a duplicate delivery) never does the same thing twice."""

    class Effect(models.TextChoices):
        ACTIVITY = "activity", "Reply recorded for engagement"
        ENGAGED = "engaged", "Prospect marked engaged"
        CALL_TASK = "call_task", "Call task created"
        STOP_SEQUENCES = "stop_sequences", "Sequences stopped"
        PAUSE_SEQUENCES = "pause_sequences", "Sequences paused"
        OPT_OUT = "opt_out", "Contact opted out"
        BOUNCED = "bounced", "Contact marked bounced"
        REFERRAL_CONTACT = "referral_contact", "Referred person added"
        FOLLOW_UP_TASK = "follow_up_task", "Follow-up task created"

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="effects")
    effect = models.CharField(max_length=20, choices=Effect.choices)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reply", "effect"], name="reply_effect_once"),
        ]

    def __str__(self) -> str:
        return f"{self.reply_id}: {self.effect}"
