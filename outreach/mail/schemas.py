"""Request and response shapes of the mail API: mailboxes (passwords go in, never out),
templates with their usage, and one-off emails."""

from datetime import datetime
from typing import Annotated

from ninja import Field, Schema

from config.schemas import Id, Input, UtcDatetime
from outreach.mail.selectors import reply_rate
from outreach.models import EmailTemplate, Mailbox, OutboundEmail, TlsMode

Host = Annotated[str, Field(max_length=253)]
Port = Annotated[int, Field(ge=1, le=65535)]
Secret = Annotated[str, Field(max_length=1000)]


class MailboxFields(Input):
    display_name: Annotated[str, Field(min_length=1, max_length=200)] = None
    email: Annotated[str, Field(min_length=3, max_length=254)] = None
    signature: Annotated[str, Field(max_length=5000)] = None
    daily_limit: Annotated[int, Field(ge=1, le=100_000)] | None = None
    is_default: bool = None
    sending: Mailbox.Sending = None
    smtp_host: Host = None
    smtp_port: Port = None
    smtp_tls: TlsMode = None
    smtp_username: Annotated[str, Field(max_length=254)] = None
    smtp_password: Secret | None = Field(None, description="Stored encrypted; never returned.")
    receiving: Mailbox.Receiving = None
    imap_host: Host = None
    imap_port: Port = None
    imap_tls: TlsMode = None
    imap_username: Annotated[str, Field(max_length=254)] = None
    imap_password: Secret | None = Field(None, description="Stored encrypted; never returned.")
    imap_folder: Annotated[str, Field(min_length=1, max_length=200)] = None


class MailboxIn(MailboxFields):
    display_name: Annotated[str, Field(min_length=1, max_length=200)]
    email: Annotated[str, Field(min_length=3, max_length=254)]
    owner_id: Id | None = Field(
        None, description="Whose mailbox it is; a dashboard session connects its own."
    )


class MailboxOut(Schema):
    id: int
    owner_id: int
    display_name: str
    email: str
    signature: str
    daily_limit: int | None
    is_default: bool
    sending: str
    smtp_host: str
    smtp_port: int
    smtp_tls: str
    smtp_username: str
    smtp_password_saved: bool
    receiving: str
    imap_host: str
    imap_port: int
    imap_tls: str
    imap_username: str
    imap_password_saved: bool
    imap_folder: str
    last_synced_at: datetime | None
    sync_error: str

    @staticmethod
    def resolve_smtp_password_saved(mailbox: Mailbox) -> bool:
        return bool(mailbox.smtp_password_encrypted)

    @staticmethod
    def resolve_imap_password_saved(mailbox: Mailbox) -> bool:
        return bool(mailbox.imap_password_encrypted)


class CheckOut(Schema):
    service: str
    ok: bool
    message: str
    kind: str = Field(description="What failed: dns, connect, timeout, tls, auth, folder, server.")


class TemplateIn(Input):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    subject: Annotated[str, Field(min_length=1, max_length=300)]
    body: Annotated[str, Field(min_length=1, max_length=50_000)]
    shared: bool = True


class TemplatePatch(Input):
    name: Annotated[str, Field(min_length=1, max_length=200)] = None
    subject: Annotated[str, Field(min_length=1, max_length=300)] = None
    body: Annotated[str, Field(min_length=1, max_length=50_000)] = None
    shared: bool = None


class TemplateOut(Schema):
    id: int
    name: str
    subject: str
    body: str
    shared: bool
    owner_id: int | None
    sent_count: int = Field(description="Emails sent with it (one-off, sequence, automation).")
    reply_count: int = Field(description="Of those, how many a person answered.")
    reply_rate: float | None = Field(description="reply_count / sent_count.")

    @staticmethod
    def resolve_reply_rate(template: EmailTemplate) -> float | None:
        return reply_rate(template)


class EmailIn(Input):
    """An email to one contact: a subject and body, or a template (either may be overridden).
    Variables such as `{{contact.first_name}}` are filled in; one without a value is refused."""

    contact_id: Id
    mailbox_id: Id | None = Field(None, description="Default: your default mailbox.")
    template_id: Id | None = None
    subject: Annotated[str, Field(max_length=300)] = ""
    body: Annotated[str, Field(max_length=50_000)] = ""
    send_at: UtcDatetime | None = Field(None, description="Send later; leave out to send now.")


class PreviewOut(Schema):
    subject: str
    body: str
    problems: list[str]
    from_email: str


class EmailOut(Schema):
    id: int
    contact_id: int
    prospect_id: int
    mailbox_id: int
    template_id: int | None
    answers_id: int | None = Field(description="The reply this email answers.")
    subject: str
    body: str
    status: OutboundEmail.Status
    send_at: datetime
    sent_at: datetime | None
    failure_reason: str
    message_id: str
    in_reply_to: str
    outreach_log_id: int | None
    created_at: datetime


class EmailFilter(Schema):
    contact_id: Id | None = None
    prospect_id: Id | None = None
    status: OutboundEmail.Status | None = None
