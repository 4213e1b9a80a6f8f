"""Bounces: RFC 3464 delivery status reports and the plain-text notices older MTAs still send
(qmail, Exim, Sendmail, Exchange, Gmail...), told apart as hard (the address is dead) or soft
(the mail server will keep trying, or the mailbox is only full)."""

import re
from dataclasses import asdict, dataclass
from email import message_from_string
from email import policy as email_policy
from email.message import Message

from outreach.replies.inbound.message import InboundMessage, message_ids, normalize_message_id

_DAEMONS = {
    "mailer-daemon",
    "mailerdaemon",
    "mail-daemon",
    "postmaster",
    "mailer_daemon",
    "mdaemon",
    "bounce",
    "bounces",
    "mail.delivery.subsystem",
}
_SUBJECT = re.compile(
    r"undeliver|returned mail|return(ed)? to sender|mail delivery (failed|failure|system|subsystem)"
    r"|delivery status notification|delivery (has )?failed|delivery failure|failure notice"
    r"|failed delivery|non[- ]?delivery|(could ?n[o']t|was ?n[o']t|not) (be )?delivered"
    r"|delayed mail|delivery (is )?delayed|delivery delayed|message .{0,80} delayed"
    r"|still being retried|could not send message for past|mail system error"
    r"|unzustellbar|nicht zustellbar|non remis|non recapitabile|no se (puede|pudo) entregar"
    r"|onbestelbaar|niet bezorgd",
    re.IGNORECASE,
)
_BODY_MARKERS = re.compile(
    r"could not be delivered|couldn't be delivered|wasn't delivered|was not delivered"
    r"|delivery (to the following|has failed)|permanent (fatal )?error|I'm afraid I wasn't able"
    r"|the following address(es)? failed|address not found|undeliverable|delivery failed"
    r"|returned to sender|unable to deliver|message delivery failed|mail delivery failed"
    r"|\b[45]\.\d{1,3}\.\d{1,3}\b|\b(550|551|552|553|554|450|451|452)\b",
    re.IGNORECASE,
)
_ENHANCED = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_BASIC = re.compile(r"(?<![\d.#])([45])\d\d(?=[\s:-])")
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

_SOFT_PHRASES = re.compile(
    r"mailbox (is )?full|over ?quota|quota (exceeded|exceed)|exceeded (the )?(storage|quota)"
    r"|insufficient (system )?storage|out of storage|try (again )?later|temporar(y|ily)"
    r"|greylist|graylist|deferred|rate limit|too many (connections|messages|recipients)"
    r"|still (being )?retr|will (continue|retry|keep) (to )?(try|retry)|will be retried"
    r"|has not yet been delivered|delivery (is )?delayed|no action is required",
    re.IGNORECASE,
)
_HARD_PHRASES = re.compile(
    r"user unknown|unknown user|no such (user|recipient|mailbox|address)|does ?n[o']t exist"
    r"|does not exist|recipient (address )?rejected|recipient not found|recipientnotfound"
    r"|invalid (recipient|mailbox|address)|address (not found|unknown)|mailbox (not found"
    r"|unavailable|does not exist)|no mailbox|unrouteable|unroutable|domain (not found|does not"
    r" exist)|host (or domain name )?not found|nxdomain|account (has been |is )?disabled"
    r"|account (is )?inactive|bad destination mailbox|not a valid (mailbox|recipient)"
    r"|user not found|unknown (local part|recipient|address)|no longer (valid|active|available)"
    r"|does ?n[o']t have an? .{0,40}account|no (such )?account",
    re.IGNORECASE,
)
_PERMANENT = re.compile(r"permanent|fatal error|I've given up|giving up|failed permanently", re.I)
# Status codes that are permanent by the RFC but say nothing against the address itself: a full
# mailbox, a message too large, a policy or spam block.
_SOFT_PERMANENT_CODES = {"5.2.2", "5.2.3", "5.3.4"}


@dataclass
class Bounce:
    hard: bool
    recipient: str = ""
    status: str = ""
    action: str = ""
    diagnostic: str = ""
    original_message_id: str = ""
    reporter: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def detect_bounce(message: InboundMessage) -> Bounce | None:
    """The bounce this message reports, or None when it is not a failed-delivery notice."""
    report = _report_fields(message.mime) if message.mime is not None else None
    if report is None and not _looks_like_bounce(message):
        return None
    text = message.readable_text
    original_id = _original_message_id(message)
    if report is not None:
        action = report.get("action", "").lower()
        if action and action not in {"failed", "delayed"}:
            return None  # a positive report: delivered, relayed or expanded
        status = _status_code(report.get("status", "")) or _status_code(
            report.get("diagnostic-code", "")
        )
        diagnostic = _strip_type(report.get("diagnostic-code", ""))
        recipient = _strip_type(report.get("final-recipient", "")) or _strip_type(
            report.get("original-recipient", "")
        )
        bounce = Bounce(
            hard=_is_hard(status=status, action=action, evidence=f"{diagnostic}\n{text}"),
            recipient=_first_email(recipient) or _text_recipient(message, text),
            status=status,
            action=action or "failed",
            diagnostic=diagnostic[:500],
            original_message_id=original_id,
            reporter=_strip_type(report.get("reporting-mta", "")) or message.from_address.email,
        )
    else:
        diagnostic = _diagnostic_line(text)
        status = _status_code(diagnostic) or _status_code(text)
        action = "delayed" if _is_delay_notice(message, text) else "failed"
        bounce = Bounce(
            hard=_is_hard(status=status, action=action, evidence=f"{diagnostic}\n{text}"),
            recipient=_text_recipient(message, text),
            status=status,
            action=action,
            diagnostic=diagnostic[:500],
            original_message_id=original_id,
            reporter=message.from_address.email,
        )
    bounce.recipient = bounce.recipient.lower()
    return bounce


def _looks_like_bounce(message: InboundMessage) -> bool:
    headers = message.headers
    if headers.get("x-failed-recipients"):
        return True
    content_type = headers.get("content-type", "").lower()
    if "multipart/report" in content_type and "delivery-status" in content_type:
        return True
    sender = message.from_address
    local = sender.email.split("@")[0]
    from_daemon = (
        local in _DAEMONS
        or "mailer-daemon" in sender.email
        or sender.name.lower() in {"mail delivery subsystem", "mail delivery system"}
        or (
            sender.name.lower() == "microsoft outlook"
            and "undeliverable" in message.subject.lower()
        )
    )
    null_sender = headers.get("return-path", "").strip() in {"<>", ""} and bool(
        headers.get("return-path")
    )
    subject_says = bool(_SUBJECT.search(message.subject))
    body_says = bool(_BODY_MARKERS.search(message.readable_text[:5000]))
    if from_daemon or null_sender:
        return subject_says or body_says
    # A person can write "undeliverable" in a subject; a bounce also shows SMTP evidence.
    return subject_says and body_says and bool(_ENHANCED.search(message.readable_text))


def _report_fields(mime: Message) -> dict[str, str] | None:
    """The per-recipient fields of the first failed (else delayed) recipient of a DSN part."""
    part = _find_part(mime, {"message/delivery-status", "message/global-delivery-status"})
    if part is None:
        return None
    blocks = _status_blocks(part)
    per_message = blocks[0] if blocks else {}
    recipients = [b for b in blocks if "final-recipient" in b or "action" in b]
    if not recipients:
        return dict(per_message) if per_message else None
    ranked = sorted(
        recipients,
        key=lambda b: {"failed": 0, "delayed": 1}.get(b.get("action", "").lower(), 2),
    )
    return {**per_message, **ranked[0]}


def _status_blocks(part: Message) -> list[dict[str, str]]:
    payload = part.get_payload()
    blocks: list[dict[str, str]] = []
    if isinstance(payload, list):
        for block in payload:
            if isinstance(block, Message):
                blocks.append({k.lower(): " ".join(str(v).split()) for k, v in block.items()})
        return blocks
    # Some MTAs send the report base64-encoded or otherwise unparsed: read it as text.
    raw = part.get_payload(decode=True) or b""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else str(payload)
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        fields: dict[str, str] = {}
        current = ""
        for line in chunk.split("\n"):
            if line[:1] in {" ", "\t"} and current:
                fields[current] += " " + line.strip()
            elif ":" in line:
                name, _, value = line.partition(":")
                current = name.strip().lower()
                fields[current] = value.strip()
        if fields:
            blocks.append(fields)
    return blocks


def _find_part(mime: Message, content_types: set[str]) -> Message | None:
    if mime.get_content_type() in content_types:
        return mime
    if mime.is_multipart():
        for part in mime.get_payload():
            if isinstance(part, Message) and part.get_content_type() != "message/rfc822":
                found = _find_part(part, content_types)
                if found is not None:
                    return found
    return None


def _original_message_id(message: InboundMessage) -> str:
    """The Message-ID of the email that bounced, from the returned copy or its headers."""
    if message.mime is not None:
        returned = _find_part(message.mime, {"message/rfc822", "text/rfc822-headers"})
        if returned is None:
            returned = _find_returned_message(message.mime)
        if returned is not None:
            if returned.get_content_type() == "message/rfc822":
                inner = returned.get_payload()
                inner = inner[0] if isinstance(inner, list) and inner else inner
                if isinstance(inner, Message) and inner.get("Message-ID"):
                    return normalize_message_id(str(inner.get("Message-ID")))
            else:
                payload = returned.get_payload(decode=True) or b""
                headers = message_from_string(
                    payload.decode("utf-8", errors="replace"), policy=email_policy.compat32
                )
                if headers.get("Message-ID"):
                    return normalize_message_id(str(headers.get("Message-ID")))
    # Plain-text bounces quote the original's headers in the body.
    found = re.search(r"^\s*Message-ID:\s*(<[^<>\s]+>)", message.readable_text, re.I | re.M)
    if found:
        return normalize_message_id(found.group(1))
    refs = message_ids(message.in_reply_to)
    return refs[0] if refs else ""


def _find_returned_message(mime: Message) -> Message | None:
    if mime.is_multipart():
        for part in mime.get_payload():
            if not isinstance(part, Message):
                continue
            if part.get_content_type() in {"message/rfc822", "text/rfc822-headers"}:
                return part
            found = _find_returned_message(part)
            if found is not None:
                return found
    return None


def _is_hard(*, status: str, action: str, evidence: str) -> bool:
    if action == "delayed":
        return False
    if status in _SOFT_PERMANENT_CODES:
        return False
    hard_words = bool(_HARD_PHRASES.search(evidence))
    if _SOFT_PHRASES.search(evidence) and not (hard_words and status.startswith("5.1.")):
        return False
    if hard_words:
        return True
    if status.startswith("5.7."):
        return False  # a policy or spam block: the address may be fine
    if status.startswith("5."):
        return True
    if status.startswith("4."):
        return False
    basic = _BASIC.search(evidence)
    if basic:
        return basic.group(1) == "5"
    return bool(_PERMANENT.search(evidence))


def _is_delay_notice(message: InboundMessage, text: str) -> bool:
    subject = message.subject.lower()
    return bool(
        re.search(r"delay|still being retried|could not send message for past|warning", subject)
        or re.search(
            r"has not yet been delivered|will (continue|keep) (trying|to try)|still trying",
            text[:3000],
            re.I,
        )
    )


def _status_code(text: str) -> str:
    found = _ENHANCED.search(text or "")
    return ".".join(found.groups()) if found else ""


def _strip_type(value: str) -> str:
    """'rfc822; a@b' -> 'a@b'; 'smtp; 550 ...' -> '550 ...'."""
    value = " ".join((value or "").split())
    kind, sep, rest = value.partition(";")
    return rest.strip() if sep and len(kind) < 20 else value


def _first_email(text: str) -> str:
    found = _EMAIL.search(text or "")
    return found.group(0).strip(".").lower() if found else ""


def _diagnostic_line(text: str) -> str:
    """The line of a plain-text bounce that quotes the remote server's answer: one with an SMTP
    code if there is one, else one that introduces the answer."""
    lines = [line.strip() for line in text.split("\n")]
    for line in lines:
        if _ENHANCED.search(line) or re.match(r"^(\S+ )?#?[45]\d\d[\s:-]", line):
            return line
    for line in lines:
        if re.search(r"remote host said|said:|SMTP error|diagnostic", line, re.I):
            return line
    return ""


def _text_recipient(message: InboundMessage, text: str) -> str:
    failed = message.headers.get("x-failed-recipients", "")
    if _first_email(failed):
        return _first_email(failed)
    patterns = [
        r"Final-Recipient:\s*(?:rfc822;)?\s*(\S+@\S+)",
        r"^<([^<>\s]+@[^<>\s]+)>:",  # qmail, Postfix
        r"following address(?:es)? (?:failed|had permanent fatal errors)[^\n]*\n"
        r"\s*<?([^\s<>]+@[^\s<>]+)",
        r"(?:message|mail) (?:to|for) <?([^\s<>]+@[^\s<>]+?)>? "
        r"(?:could ?n[o']t|was ?n[o']t|has not|could not)",
        r"wasn't delivered to <?([^\s<>]+@[^\s<>]+?)>?\b",
        r"failed to these recipients or groups:\s*\n\s*(?:[^\n(]*\()?([^\s<>()]+@[^\s<>()]+)",
        r"delivery to the following recipients? (?:failed|has been delayed)[^\n]*\n"
        r"\s*<?([^\s<>]+@[^\s<>]+)",
    ]
    for pattern in patterns:
        found = re.search(pattern, text, re.IGNORECASE | re.MULTILINE)
        if found:
            email = _first_email(found.group(1))
            if email:
                return email
    # The returned copy quotes our own sender's address; it is not the one that failed.
    ignored = {message.from_address.email} | {
        _first_email(line)
        for line in re.findall(r"^\s*(?:From|Sender|Reply-To|Return-Path):.*$", text, re.I | re.M)
    }
    for candidate in _EMAIL.findall(text):
        email = candidate.strip(".").lower()
        if email not in ignored and email.split("@")[0] not in _DAEMONS:
            return email
    return ""
