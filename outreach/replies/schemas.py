"""Request and response shapes of the replies API."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AfterValidator

from config.schemas import Id, Input, UtcDatetime
from outreach.models import Reply
from outreach.replies.selectors import ThreadMessage, reply_thread

AddressText = Annotated[str, Field(min_length=1, max_length=320)]
MessageIdText = Annotated[str, Field(min_length=1, max_length=998)]


def _bounded_headers(value: dict[str, str]) -> dict[str, str]:
    if len(value) > 100:
        raise ValueError("At most 100 headers.")
    if any(len(name) > 100 or len(text) > 2000 for name, text in value.items()):
        raise ValueError("Header names are at most 100 characters, values at most 2000.")
    return value


class AddressIn(Input):
    email: Annotated[str, Field(max_length=254)] = Field(
        "", description='The sender; empty or "<>" for the null sender a bounce comes from.'
    )
    name: Annotated[str, Field(max_length=200)] = ""


class InboundMessageIn(Input):
    """A received email, for integrations that parse mail themselves.

    `message_id` makes delivery idempotent: the same Message-ID posted again is not stored or
    acted on twice. `in_reply_to` and `references` (the Message-IDs of the thread) find the email
    of ours it answers; `headers` may carry the ones that mark automatic replies
    (`Auto-Submitted`, `X-Autoreply`, `Precedence`...).
    """

    message_id: MessageIdText = Field(description="The Message-ID header, e.g. <abc@mail.x>.")
    from_: AddressIn = Field(alias="from")
    to: list[AddressText] = Field(default_factory=list, max_length=50)
    cc: list[AddressText] = Field(default_factory=list, max_length=50)
    subject: Annotated[str, Field(max_length=998)] = ""
    text: Annotated[str, Field(max_length=500_000)] = ""
    html: Annotated[str, Field(max_length=1_000_000)] = ""
    in_reply_to: Annotated[str, Field(max_length=998)] = ""
    references: list[MessageIdText] = Field(default_factory=list, max_length=100)
    headers: Annotated[dict[str, str], AfterValidator(_bounded_headers)] = Field(
        default_factory=dict
    )
    date: UtcDatetime | None = Field(None, description="The Date header, if known.")


class ReceiptOut(Schema):
    id: int
    created: bool = Field(description="False when this Message-ID was already received.")
    kind: Reply.Kind
    state: Reply.State
    contact_id: int | None
    prospect_id: int | None


class ReplyOut(Schema):
    id: int
    message_id: str
    from_email: str
    from_name: str
    subject: str
    snippet: str
    kind: Reply.Kind
    intent: Reply.Intent | None
    confidence: float | None
    state: Reply.State
    triage_source: str
    return_date: date | None
    contact_id: int | None
    contact_name: str
    prospect_id: int | None
    prospect_name: str
    matched_by: str
    received_at: datetime

    @staticmethod
    def resolve_snippet(obj: Any) -> str:
        return " ".join(obj.body.split())[:200]

    @staticmethod
    def resolve_intent(obj: Any) -> str | None:
        return obj.intent or None

    @staticmethod
    def resolve_contact_name(obj: Any) -> str:
        return str(obj.contact) if obj.contact_id else ""

    @staticmethod
    def resolve_prospect_name(obj: Any) -> str:
        return obj.prospect.name if obj.prospect_id else ""


class TriageOut(Schema):
    intent: Reply.Intent
    confidence: float | None
    source: str
    reason: str
    applied: bool
    by: str | None
    created_at: datetime

    @staticmethod
    def resolve_by(obj: Any) -> str | None:
        return obj.by.get_username() if obj.by_id else None


class EffectOut(Schema):
    effect: str
    label: str
    result: dict[str, Any]
    created_at: datetime

    @staticmethod
    def resolve_label(obj: Any) -> str:
        return obj.get_effect_display()


class ThreadMessageOut(Schema):
    direction: Literal["sent", "received"]
    at: datetime
    subject: str
    body: str
    sender: str
    reply_id: int | None
    outreach_log_id: int | None
    kind: str
    intent: str


class ReplyDetailOut(ReplyOut):
    body: str
    text: str
    in_reply_to: str
    references: list[str]
    to: list[dict[str, str]]
    cc: list[dict[str, str]]
    triage_reason: str
    bounce: dict[str, Any]
    referral: dict[str, Any]
    answers_id: int | None
    applied_at: datetime | None
    triages: list[TriageOut]
    effects: list[EffectOut]
    thread: list[ThreadMessageOut]

    @staticmethod
    def resolve_triages(obj: Any) -> list[Any]:
        return list(obj.triages.all())

    @staticmethod
    def resolve_effects(obj: Any) -> list[Any]:
        return list(obj.effects.all())

    @staticmethod
    def resolve_thread(obj: Reply) -> list[ThreadMessage]:
        return reply_thread(reply=obj)


class ReplyFilter(Schema):
    intent: Reply.Intent | None = None
    state: Literal["open", "new", "needs_review", "applied", "ignored"] | None = Field(
        None, description="`open` is new or waiting for a rep."
    )
    kind: Reply.Kind | None = None
    q: Annotated[str, Field(max_length=200)] = Field("", description="Subject or sender contains.")
    contact_id: Id | None = None
    prospect_id: Id | None = None


class TriageIn(Input):
    intent: Reply.Intent


class CallTaskOut(Schema):
    created: bool
    reason: str
    task_id: int | None


class TriageResultOut(Schema):
    reply: ReplyOut
    applied_effects: list[str] = Field(description="What this triage did that had not happened.")
    call_task: CallTaskOut | None


class LinkContactIn(Input):
    contact_id: Id


class MailboxOut(Schema):
    address: str = Field(description="The reply address outreach emails carry.")
    raw_delivery_url: str | None = Field(
        None, description="Where an MTA posts raw messages (admins only: it is a secret)."
    )
    mailgun_webhook_url: str
    rotated_at: datetime | None


class AnswerIn(Input):
    body: Annotated[str, Field(min_length=1, max_length=50_000)] = Field(
        description="Your answer; the reply is quoted below it."
    )
    mailbox_id: Id | None = Field(None, description="Default: the mailbox that received it.")
