"""Triage of one inbound message: what kind it is (a person's reply, an automatic reply, a hard
or soft bounce), the text the person wrote, and the provider that reads its intent (Anthropic
when a key is set, the embedded rules otherwise)."""

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from django.conf import settings

from outreach.replies.inbound.autoreply import detect_auto_reply
from outreach.replies.inbound.classifier import Classification, classify
from outreach.replies.inbound.dates import extract_return_date
from outreach.replies.inbound.dsn import Bounce, detect_bounce
from outreach.replies.inbound.esp import esp_notification
from outreach.replies.inbound.message import Address, InboundMessage
from outreach.replies.inbound.quotes import strip_reply

HUMAN = "human"
AUTO_REPLY = "auto_reply"
BOUNCE_HARD = "bounce_hard"
BOUNCE_SOFT = "bounce_soft"
NOTIFICATION = "notification"


@dataclass
class Reading:
    """What a message is, decided from its headers and structure before any intent is read."""

    kind: str
    body: str
    bounce: Bounce | None = None
    evidence: str = ""


def read_message(message: InboundMessage) -> Reading:
    notice = esp_notification(message)
    if notice is not None and notice.kind != "bounce":
        # A complaint or delivery notice from a provider: machine mail, never a person's intent.
        return Reading(
            kind=NOTIFICATION, body=message.readable_text[:5000].strip(), evidence=notice.summary
        )
    bounce = detect_bounce(message)
    if bounce is not None:
        kind = BOUNCE_HARD if bounce.hard else BOUNCE_SOFT
        return Reading(kind=kind, body=message.readable_text[:5000].strip(), bounce=bounce)
    body = strip_reply(message.readable_text)
    verdict = detect_auto_reply(message)
    if verdict.is_auto_reply:
        return Reading(kind=AUTO_REPLY, body=body, evidence=verdict.evidence)
    return Reading(kind=HUMAN, body=body)


@dataclass
class TriageRequest:
    """The parts of a stored reply a classifier reads."""

    body: str
    subject: str
    sender: Address
    received: date
    cc: list[Address] = field(default_factory=list)
    # Our own addresses (the inbound mailbox, the reps'): never a referred person.
    ignored_addresses: set[str] = field(default_factory=set)
    # The subject of our email it answers, for context.
    answered_subject: str = ""


def auto_reply_triage(request: TriageRequest, *, evidence: str) -> Classification:
    """Automatic replies are out of office, whatever they say: never interested."""
    return Classification(
        intent="out_of_office",
        confidence=0.99,
        source="headers",
        reason=f"Automatic reply ({evidence})"[:500],
        return_date=extract_return_date(
            f"{request.subject}\n{request.body}", received=request.received
        ),
    )


class ReplyClassifier(Protocol):
    name: str

    def classify(self, request: TriageRequest) -> Classification: ...


class RuleClassifier:
    """The embedded default: no network, no key."""

    name = "rules"

    def classify(self, request: TriageRequest) -> Classification:
        return classify(
            request.body,
            subject=request.subject,
            sender=request.sender,
            cc=request.cc,
            received=request.received,
            ignored_addresses=request.ignored_addresses,
        )


def get_classifier() -> ReplyClassifier:
    if settings.ANTHROPIC_API_KEY:
        from outreach.replies.inbound.anthropic_provider import AnthropicClassifier

        return AnthropicClassifier.from_settings()
    return RuleClassifier()
