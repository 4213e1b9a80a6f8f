"""Email a rep works with: their mailboxes (sender identities), the workspace's template library,
and one-off emails, each a row that moves from scheduled to sent."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from outreach.models.crm import Contact, Prospect
from outreach.models.outreach_log import OutreachLog
from outreach.models.replies import Reply
from outreach.models.workspaces import Workspace


class TlsMode(models.TextChoices):
    STARTTLS = "starttls", "STARTTLS (ports 587, 143)"
    TLS = "tls", "TLS from the start (ports 465, 993)"
    NONE = "none", "None (a local server only)"


class Mailbox(models.Model):
    """A member's sender identity: who emails come from, and how mail goes out and comes in.

    Passwords are stored encrypted (`outreach.mail.secrets`) and are never shown again; the
    IMAP cursor (UIDVALIDITY and the last UID read) lets a sync read only what is new.
    """

    class Sending(models.TextChoices):
        SMTP = "smtp", "Its own SMTP server"
        WORKSPACE = "workspace", "The workspace's email service"

    class Receiving(models.TextChoices):
        IMAP = "imap", "Read replies over IMAP"
        NONE = "none", "Replies go to the workspace's inbound address"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="mailboxes")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mailboxes"
    )
    display_name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    signature = models.TextField(blank=True)
    # Emails a day from this address, one-off and sequence ones together; blank: the
    # workspace's limit.
    daily_limit = models.PositiveIntegerField(null=True, blank=True)
    # The one a member's sequence emails and new emails go from.
    is_default = models.BooleanField(default=False)

    sending = models.CharField(max_length=10, choices=Sending.choices, default=Sending.WORKSPACE)
    smtp_host = models.CharField(max_length=253, blank=True)
    smtp_port = models.PositiveIntegerField(default=587)
    smtp_tls = models.CharField(max_length=10, choices=TlsMode.choices, default=TlsMode.STARTTLS)
    smtp_username = models.CharField(max_length=254, blank=True)
    smtp_password_encrypted = models.TextField(blank=True, editable=False)

    receiving = models.CharField(max_length=10, choices=Receiving.choices, default=Receiving.NONE)
    imap_host = models.CharField(max_length=253, blank=True)
    imap_port = models.PositiveIntegerField(default=993)
    imap_tls = models.CharField(max_length=10, choices=TlsMode.choices, default=TlsMode.TLS)
    imap_username = models.CharField(max_length=254, blank=True)
    imap_password_encrypted = models.TextField(blank=True, editable=False)
    imap_folder = models.CharField(max_length=200, default="INBOX")

    # Where the last sync stopped: UIDs mean something only under the same UIDVALIDITY.
    imap_uidvalidity = models.BigIntegerField(null=True, blank=True, editable=False)
    imap_last_uid = models.BigIntegerField(default=0, editable=False)
    # When beat syncs the mailbox next; a failing mailbox backs off (see sync_failures).
    next_sync_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True, editable=False)
    sync_error = models.CharField(max_length=300, blank=True, editable=False)
    sync_failures = models.PositiveSmallIntegerField(default=0, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "mailboxes"
        constraints = [
            models.UniqueConstraint(fields=["workspace", "email"], name="mailbox_unique_email"),
            models.UniqueConstraint(
                fields=["workspace", "owner"],
                condition=models.Q(is_default=True),
                name="mailbox_one_default_per_member",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "owner"], name="mailbox_ws_owner"),
            # The sync sweep's way in: only mailboxes that read over IMAP have a next sync.
            models.Index(
                fields=["next_sync_at"],
                condition=models.Q(receiving="imap"),
                name="mailbox_sync_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} <{self.email}>"

    @property
    def reads_imap(self) -> bool:
        return self.receiving == self.Receiving.IMAP


class EmailTemplate(models.Model):
    """A reusable email of the workspace's library: shared with the team, or personal."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="email_templates"
    )
    name = models.CharField(max_length=200)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A personal template is seen and used by its owner only.
    shared = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "name"], name="email_template_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OutboundEmail(models.Model):
    """One email a rep wrote (or an answer to a reply), from scheduling to sent.

    The status moves by conditional UPDATEs: a send task claims the row (queued -> sending)
    before it talks to the mail server, so an email is sent at most once; a row left in sending
    by a dead worker becomes `uncertain`, and the rep decides whether to send it again.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Not sent"
        UNCERTAIN = "uncertain", "Maybe sent"
        CANCELLED = "cancelled", "Cancelled"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="emails")
    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails")
    template = models.ForeignKey(
        EmailTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="emails"
    )
    # The received reply this email answers, in its thread.
    answers = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers_sent"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(max_length=300)
    # As written, variables filled in, signature added; tracked links are added when it goes.
    body = models.TextField()
    message_id = models.CharField(max_length=500)
    in_reply_to = models.CharField(max_length=500, blank=True)
    references = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    send_at = models.DateTimeField(default=timezone.now)
    failure_reason = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    outreach_log = models.OneToOneField(
        OutreachLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="email"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # The send-later sweep: scheduled rows by due time, nothing else.
            models.Index(
                fields=["send_at"],
                condition=models.Q(status="scheduled"),
                name="outbound_email_due",
            ),
            # Rows whose send task was lost or interrupted, found by the sweep's recovery pass.
            models.Index(
                fields=["updated_at"],
                condition=models.Q(status__in=["queued", "sending"]),
                name="outbound_email_in_flight",
            ),
            models.Index(fields=["contact", "created_at"], name="outbound_email_contact"),
            models.Index(fields=["prospect", "created_at"], name="outbound_email_prospect"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def can_cancel(self) -> bool:
        return self.status == self.Status.SCHEDULED

    @property
    def can_retry(self) -> bool:
        return self.status in {self.Status.FAILED, self.Status.UNCERTAIN}
