"""Bounces: RFC 3464 delivery status reports and the plain-text notices older MTAs still send
(qmail, Exim, Sendmail, Exchange, Gmail...), told apart as hard (the address is dead) or soft
(the mail server will keep trying, or the mailbox is only full)."""

import re
from dataclasses import asdict, dataclass, field
from email import message_from_string
from email import policy as email_policy
from email.message import Message

from outreach.replies.inbound.bounce_reasons import bounce_reason, is_hard
from outreach.replies.inbound.esp import EspNotice, esp_notification
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
    "post_master",
}
_SUBJECT = re.compile(
    r"undeliver|returned mail|return(ed)? to sender|mail delivery (failed|failure|system|subsystem)"
    r"|delivery status notification|delivery (has )?failed|delivery failure|failure notice"
    r"|failed delivery|non[- ]?delivery|(could ?n[o']t|was ?n[o']t|not) (be )?delivered"
    r"|delayed mail|delivery (is )?delayed|delivery delayed|message .{0,80} delayed"
    r"|still being retried|could not send (message|mail) for past|mail system error"
    r"|loop alert|mail loop"
    r"|unzustellbar|nicht zustellbar|non remis|non recapitabile|no se (puede|pudo) entregar"
    r"|onbestelbaar|niet bezorgd",
    re.IGNORECASE,
)
_BODY_MARKERS = re.compile(
    r"could not be delivered|couldn't be delivered|wasn't delivered|was not delivered"
    r"|delivery (to the following|has failed)|permanent (fatal )?error|I'm afraid I wasn't able"
    r"|the following address(es)? failed|address not found|undeliverable|delivery failed"
    r"|returned to sender|unable to deliver|message delivery failed|mail delivery failed"
    r"|unknown recipient|user unknown|no such user|invalid user|delivery errors"
    r"|duplicated message-id"
    r"|\b[45]\.\d{1,3}\.\d{1,3}\b|\b(550|551|552|553|554|450|451|452)\b",
    re.IGNORECASE,
)
# An RFC 3463 code stands alone: "mxl_mta-5.5.0-3" or "8.14.4" is a version number.
_ENHANCED = re.compile(r"(?<![\w.-])([245])\.(\d{1,3})\.(\d{1,3})(?!\.?[\w-])")
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


@dataclass
class Bounce:
    """A failed delivery: the first failed recipient's address, status and reason (the one a
    contact is matched by), and every recipient the report lists in `failures`."""

    hard: bool
    recipient: str = ""
    status: str = ""
    action: str = ""
    diagnostic: str = ""
    original_message_id: str = ""
    reporter: str = ""
    reason: str = ""
    failures: list[dict[str, str]] = field(default_factory=list)
    # The address we sent to, when the report says an alias expanded it into `recipient`.
    original_recipient: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def detect_bounce(message: InboundMessage) -> Bounce | None:
    """The bounce this message reports, or None when it is not a failed-delivery notice."""
    notice = esp_notification(message)
    if notice is not None:
        return _esp_bounce(notice, message) if notice.kind == "bounce" else None
    blocks = _report_blocks(message.mime) if message.mime is not None else None
    if blocks is None and not _looks_like_bounce(message):
        return None
    text = message.readable_text or _unparsed_body(message.mime)
    original_id = _original_message_id(message)
    failures: list[dict[str, str]] = []
    reporter = message.from_address.email
    if blocks is not None:
        per_message, recipients = blocks
        if recipients and all(
            b.get("action", "").lower() not in {"", "failed", "delayed", "expired"}
            for b in recipients
        ):
            return None  # a positive report: delivered, relayed or expanded
        reporter = _strip_type(per_message.get("reporting-mta", "")) or reporter
        for block in recipients:
            action = block.get("action", "").lower()
            action = "failed" if action == "expired" else action
            if action not in {"", "failed", "delayed"}:
                continue
            diagnostic = _strip_type(block.get("diagnostic-code", ""))
            address = _first_email(_strip_type(block.get("final-recipient", ""))) or _first_email(
                _strip_type(block.get("original-recipient", ""))
            )
            if not diagnostic and address:
                diagnostic = _text_diagnostic(text, address)
            status = _status_code(block.get("status", "")) or _status_code(diagnostic)
            if status.endswith(".0.0") and _status_code(diagnostic):
                status = _status_code(diagnostic)
            if status[1:3] in {".0", ".5"} and address:
                # An unclassified or protocol code passes on the remote server's answer; Sendmail
                # writes its own verdict on the address below it ("5.1.1 <a@b>... User unknown").
                said = _status_naming(text, address)
                status = said if said.startswith("5.1.") else status
            failure = _failure(
                address, status, diagnostic, text, action or _text_action(message, text)
            )
            # An alias expanded on the way: the address we wrote to is the original one.
            original = _first_email(_strip_type(block.get("original-recipient", "")))
            if original and original != failure["recipient"]:
                failure["original_recipient"] = original
            failures.append(failure)
        if not recipients and per_message:
            diagnostic = _strip_type(per_message.get("diagnostic-code", "")) or _diagnostic_line(
                text
            )
            status = _status_code(per_message.get("status", "")) or _status_code(diagnostic)
            failures.append(_failure("", status, diagnostic, text, _text_action(message, text)))
        text_recipients = _text_recipients(message, text)
        for failure in failures:
            if not failure["recipient"] and text_recipients:
                failure["recipient"] = text_recipients.pop(0)
    else:
        action = _text_action(message, text)
        recipients = _text_recipients(message, text) or [""]
        for address in recipients:
            diagnostic = (_text_diagnostic(text, address) if address else "") or _diagnostic_line(
                text
            )
            status = _status_code(diagnostic) or _status_code(text)
            failures.append(_failure(address, status, diagnostic, text, action))
    if not failures:
        return None
    ranked = sorted(failures, key=lambda f: {"failed": 0, "delayed": 1}.get(f["action"], 2))
    first = ranked[0]
    return Bounce(
        hard=first["hard"] == "1",
        recipient=first["recipient"],
        status=first["status"],
        action=first["action"],
        diagnostic=first["diagnostic"],
        original_message_id=original_id,
        reporter=reporter,
        reason=first["reason"],
        failures=failures[:20],
        original_recipient=first.get("original_recipient", ""),
    )


def _esp_bounce(notice: EspNotice, message: InboundMessage) -> Bounce | None:
    failures = [
        _failure(r.address, r.status, r.diagnostic, "", "failed" if r.permanent else "delayed")
        for r in notice.recipients
    ]
    if not failures:
        return None
    first = failures[0]
    return Bounce(
        hard=first["hard"] == "1",
        recipient=first["recipient"],
        status=first["status"],
        action=first["action"],
        diagnostic=first["diagnostic"],
        original_message_id=notice.original_message_id,
        reporter=notice.provider,
        reason=first["reason"],
        failures=failures[:20],
    )


def _failure(address: str, status: str, diagnostic: str, text: str, action: str) -> dict:
    reason = bounce_reason(status=status, diagnostic=diagnostic, context=text[:4000], action=action)
    return {
        "recipient": address.lower(),
        "status": status,
        "action": action,
        "diagnostic": diagnostic[:500],
        "reason": reason,
        "hard": "1" if action != "delayed" and is_hard(reason) else "0",
    }


def _unparsed_body(mime: Message | None) -> str:
    """The body of a report whose MIME parts cannot be told apart (a missing boundary)."""
    if mime is None:
        return ""
    texts = [part.get_payload() for part in mime.walk()]
    return "\n".join(text for text in texts if isinstance(text, str))[:200_000]


def _text_action(message: InboundMessage, text: str) -> str:
    return "delayed" if _is_delay_notice(message, text) else "failed"


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
        not sender.email  # the null sender
        or local in _DAEMONS
        or local.endswith("-admin")
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
    text = message.readable_text or _unparsed_body(message.mime)
    body_says = bool(_BODY_MARKERS.search(text[:5000]))
    if from_daemon or null_sender:
        return subject_says or body_says
    # A person can write "undeliverable" in a subject; a bounce also shows SMTP evidence.
    return subject_says and body_says and bool(_ENHANCED.search(message.readable_text))


def _report_blocks(mime: Message) -> tuple[dict[str, str], list[dict[str, str]]] | None:
    """The per-message fields and the per-recipient blocks of a DSN part, in their order."""
    part = _find_part(mime, {"message/delivery-status", "message/global-delivery-status"})
    if part is None:
        return None
    blocks = _status_blocks(part)
    if not any(blocks):
        return None
    recipients = [
        b for b in blocks if "final-recipient" in b or "original-recipient" in b or "action" in b
    ]
    per_message = blocks[0] if blocks[0] not in recipients else {}
    return per_message, recipients


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


def _status_naming(text: str, address: str) -> str:
    """The status code on the first line of the notice that names the address with one."""
    for line in text.lower().splitlines():
        if address in line:
            code = _status_code(line)
            if code:
                return code
    return ""


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


def _text_recipients(message: InboundMessage, text: str) -> list[str]:
    """The failed addresses a notice names: X-Failed-Recipients, then the lines of the text that
    introduce an address; never the sender of the returned message (that address is ours)."""
    found: list[str] = []

    def add(email: str) -> None:
        if email and email not in found and email.split("@")[0] not in _DAEMONS:
            found.append(email)

    for candidate in _EMAIL.findall(message.headers.get("x-failed-recipients", "")):
        add(candidate.strip(".").lower())
    if found:
        return found
    ours = _returned_senders(message, text)
    for number, pattern in enumerate(_RECIPIENT_LINES):
        for match in re.finditer(pattern, text, re.IGNORECASE | re.MULTILINE):
            email = _first_email(match.group(1))
            # The loose patterns (a To: line, "user x@y") may catch our own address.
            if number < _LOOSE_FROM or email not in ours:
                add(email)
        if found:
            return found
    # Nothing names it: the returned copy of our email says whom it was for, if only one.
    returned_to = _returned_recipients(message)
    if len(returned_to) == 1:
        return returned_to
    for candidate in _EMAIL.findall(text):
        email = candidate.strip(".").lower()
        if email not in ours:
            add(email)
            break
    return found


def _returned_recipients(message: InboundMessage) -> list[str]:
    """The To and Cc addresses of the returned message (or of its quoted headers)."""
    returned = _find_returned_message(message.mime) if message.mime is not None else None
    if returned is None:
        return []
    inner = returned.get_payload()
    inner = inner[0] if isinstance(inner, list) and inner else inner
    if not isinstance(inner, Message):
        raw = returned.get_payload(decode=True) or b""
        text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else ""
        inner = message_from_string(text, policy=email_policy.compat32)
    addresses = " ".join(str(inner.get(name, "")) for name in ("To", "Cc"))
    return list(dict.fromkeys(e.strip(".").lower() for e in _EMAIL.findall(addresses)))


_RECIPIENT_LINES = [
    r"Final-Recipient:\s*(?:rfc822;)?\s*<?([^\s<>]+@[^\s<>]+)",
    r"^<([^<>\s]+@[^<>\s]+)>:",  # qmail, Postfix
    r"^\s*([^\s<>():;\"]+@[^\s<>():;\"]+?):\s+(?:\d{3}\b|[^\n]*\b(?:user|mailbox|address))",
    r"following address(?:es)? (?:failed|had (?:permanent fatal|delivery) errors)[^\n]*\n"
    r"(?:\s*\n)?\s*<?([^\s<>]+@[^\s<>]+)",
    r"(?:message|mail) (?:to|for) <?([^\s<>]+@[^\s<>]+?)>?,? "
    r"(?:could ?n[o']t|was ?n[o']t|has not|could not)",
    r"(?:wasn't|was not|could not be|couldn't be) delivered to <?([^\s<>]+@[^\s<>]+?)>?[\s.,]",
    r"error delivering your mail to <?([^\s<>]+@[^\s<>]+?)>?[\s.,]",
    r"failed to these recipients or groups:\s*\n\s*(?:[^\n(]*\()?([^\s<>()]+@[^\s<>()]+)",
    r"delivery to the following recipients? (?:failed|has been delayed)[^\n]*\n"
    r"(?:\s*\n)?\s*<?([^\s<>]+@[^\s<>]+)",
    # OpenSMTPD: "... for the following list of recipients:" then "a@b: what went wrong".
    r"the following\s+(?:list of\s+)?recipients?:[ \t]*\n(?:\s*\n)*\s*<?([^\s<>]+@[^\s<>]+?)>?:\s",
    r"^\s*(?:RCPT To|To|Recipient(?: address)?|Original-Recipient|Failed address(?:es)?)"
    r"\s*:\s*<?([^\s<>]+@[^\s<>]+?)>?\s*$",
    r"\b(?:user|address|recipient|mailbox)[:\s]+<?([^\s<>]+@[^\s<>]+?)>?[\s.,;]",
]


_LOOSE_FROM = len(_RECIPIENT_LINES) - 2


def _returned_senders(message: InboundMessage, text: str) -> set[str]:
    """Our own addresses in a notice: the bounce's recipient and the returned message's From."""
    ours = {message.from_address.email} | {a.email for a in message.to}
    for line in re.findall(
        r"^\s*(?:From|Sender|Reply-To|Return-Path|To|Delivered-To|X-Original-To):.*$",
        text,
        re.I | re.M,
    ):
        ours.add(_first_email(line))
    return ours


def _text_diagnostic(text: str, address: str) -> str:
    """The server's words about one address: what follows it, up to the next blank line."""
    at = text.lower().find(address.lower())
    if at < 0:
        return ""
    after = text[at + len(address) : at + len(address) + 600]
    paragraph = re.split(r"\n\s*\n|\n<?[^\s<>@]+@[^\s<>]+>?:", after.lstrip(">: \t\n"), maxsplit=1)[
        0
    ]
    return " ".join(paragraph.split())[:500]
