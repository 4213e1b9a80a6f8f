"""Machine notices from email service providers and mailbox providers: Amazon SES notifications
sent over SNS email (bounce, complaint, delivery), and feedback-loop reports (RFC 5965 ARF) that a
recipient marked our email as spam. None of them is a person writing to us."""

import json
import re
from dataclasses import dataclass, field
from email.message import Message

from outreach.replies.inbound.message import InboundMessage, normalize_message_id

_SES_SENDERS = re.compile(r"@(sns\.amazonaws\.com|amazonses\.com|email\.amazonses\.com)$", re.I)
_JSON_OBJECT = re.compile(r"\{.*\}", re.S)


@dataclass
class EspRecipient:
    address: str
    status: str = ""
    diagnostic: str = ""
    permanent: bool = True


@dataclass
class EspNotice:
    """What a provider's notice says: a `bounce`, a `complaint` or a `delivery`."""

    kind: str
    provider: str
    recipients: list[EspRecipient] = field(default_factory=list)
    original_message_id: str = ""

    @property
    def summary(self) -> str:
        who = ", ".join(r.address for r in self.recipients[:3])
        return f"{self.provider} {self.kind} notice" + (f" for {who}" if who else "")


def esp_notification(message: InboundMessage) -> EspNotice | None:
    """The provider notice this message is, or None for any other message."""
    if message.mime is not None:
        report = _feedback_report(message.mime)
        if report is not None:
            return report
    if _SES_SENDERS.search(message.from_address.email) or "x-amz-sns-message-id" in {
        key.lower() for key in (message.mime.keys() if message.mime is not None else [])
    }:
        return _ses_notice(message.readable_text)
    return None


def _ses_notice(text: str) -> EspNotice | None:
    found = _JSON_OBJECT.search(text.replace("!\n ", "").replace("\r\n", "\n"))
    if found is None:
        return None
    try:
        payload = json.loads(_join_wrapped(found.group(0)))
    except ValueError:
        return None
    if isinstance(payload, dict) and isinstance(payload.get("Message"), str):
        try:
            payload = json.loads(payload["Message"])  # the SNS envelope around the SES one
        except ValueError:
            return None
    if not isinstance(payload, dict):
        return None
    kind = str(payload.get("notificationType") or payload.get("eventType") or "").lower()
    mail = payload.get("mail") if isinstance(payload.get("mail"), dict) else {}
    original = normalize_message_id(str(mail.get("messageId", "")))
    if "@" not in original and original:
        original = f"<{original.strip('<>')}@email.amazonses.com>"
    if kind == "bounce":
        bounce = payload.get("bounce") or {}
        permanent = str(bounce.get("bounceType", "")).lower() == "permanent"
        return EspNotice(
            kind="bounce",
            provider="Amazon SES",
            recipients=[
                EspRecipient(
                    address=str(item.get("emailAddress", "")).lower(),
                    status=str(item.get("status", "")),
                    diagnostic=str(item.get("diagnosticCode", ""))[:500]
                    or f"{bounce.get('bounceType', '')} {bounce.get('bounceSubType', '')}".strip(),
                    permanent=permanent,
                )
                for item in bounce.get("bouncedRecipients", [])
                if isinstance(item, dict) and item.get("emailAddress")
            ],
            original_message_id=original,
        )
    if kind == "complaint":
        complaint = payload.get("complaint") or {}
        return EspNotice(
            kind="complaint",
            provider="Amazon SES",
            recipients=[
                EspRecipient(address=str(item.get("emailAddress", "")).lower())
                for item in complaint.get("complainedRecipients", [])
                if isinstance(item, dict)
            ],
            original_message_id=original,
        )
    return EspNotice(
        kind=kind or "notification", provider="Amazon SES", original_message_id=original
    )


def _join_wrapped(text: str) -> str:
    # SNS wraps long JSON lines at 76 characters in some relays: a line break inside a string
    # is not JSON, and the wrap never falls between tokens that need one.
    return re.sub(r"\n ?", "", text)


def _feedback_report(mime: Message) -> EspNotice | None:
    content_type = mime.get_content_type()
    report_type = str(mime.get_param("report-type", "") or "").lower()
    if content_type != "multipart/report" or report_type != "feedback-report":
        return None
    recipients: list[EspRecipient] = []
    original = ""
    for part in mime.walk():
        kind = part.get_content_type()
        if kind == "message/feedback-report":
            body = part.get_payload()
            fields = body[0] if isinstance(body, list) and body else None
            text = (
                "\n".join(f"{k}: {v}" for k, v in fields.items())
                if isinstance(fields, Message)
                else str(body)
            )
            for found in re.finditer(
                r"^(?:Original-Rcpt-To|Removal-Recipient):\s*<?([^\s<>]+@[^\s<>]+)>?",
                text,
                re.I | re.M,
            ):
                recipients.append(EspRecipient(address=found.group(1).lower()))
        elif kind in {"message/rfc822", "text/rfc822-headers"} and not original:
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message):
                original = normalize_message_id(str(inner.get("Message-ID", "")))
                if not recipients and inner.get("To"):
                    found = re.search(r"[^\s<>\"]+@[^\s<>\"]+", str(inner.get("To")))
                    if found:
                        recipients.append(EspRecipient(address=found.group(0).lower()))
    return EspNotice(
        kind="complaint",
        provider=str(mime.get("From", "feedback loop"))[:100],
        recipients=recipients,
        original_message_id=original,
    )
