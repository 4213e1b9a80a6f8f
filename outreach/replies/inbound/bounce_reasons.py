"""Why a delivery failed, read from the DSN status code and the remote server's words, and whether
that reason says the address is dead (hard) or only that this message did not get through (soft).

Only four reasons retire an address: the user is unknown, the host is unknown, the address has
moved, or the domain accepts no mail at all. A full mailbox, an expired queue, a rate limit, a
policy, content, spam or reputation block says nothing against the address: the bounce is soft,
counted, and escalated to hard only when it repeats over days (see `services.triage`).
"""

import re

HARD_REASONS = frozenset({"user_unknown", "host_unknown", "has_moved", "not_accept"})


def _words(*patterns: str) -> re.Pattern:
    return re.compile("|".join(patterns), re.IGNORECASE)


# Read in this order: the first reason whose words appear wins, so the specific ones come first
# (a "5.1.1 ... mailbox full" is full, not unknown; "sender address rejected" is about us).
_REASON_WORDS: list[tuple[str, re.Pattern]] = [
    # Office 365 answers an unknown address with "access denied".
    ("user_unknown", _words(r"recipient address rejected: access denied")),
    # Postfix says "Name service error ... Host not found" both for a domain that does not exist
    # (5.4.4) and for a lookup that timed out; only the second one adds "try again".
    (
        "network_error",
        _words(
            r"host not\s+found,\s+try\s+again",
            r"temporary (dns|lookup|name resolution) (error|failure)",
        ),
    ),
    (
        "sender_rejected",
        _words(
            r"sender address rejected",
            r"domain of sender address",
            r"sender (domain|address) (must exist|does not exist|is not allowed|denied)",
            r"sender verify failed",
            r"unauthenticated senders? not allowed",
            r"not (allowed|authorized|permitted) to send from",
            r"email address is not verified",
            r"rejected: .{0,40}(sender|from) address",
            r"your envelope sender has been denied",
        ),
    ),
    (
        "auth_failure",
        _words(
            r"\bspf\b",
            r"\bdkim\b",
            r"\bdmarc\b",
            r"authentication checks? failed",
            r"multiple authentication checks",
        ),
    ),
    (
        "require_ptr",
        _words(
            r"reverse (dns|lookup|hostname)",
            r"\bptr\b",
            r"no rdns|rdns (lookup|check)",
            r"mismatches client ip",
            r"cannot find your hostname",
            r"client host .{0,40}(unknown|hostname)",
        ),
    ),
    (
        "mailbox_full",
        _words(
            r"mailbox (is |was )?full",
            r"mailbox (size )?(limit|quota) exceeded",
            r"over ?quota",
            r"quota (exceeded|exceed|full)",
            r"exceeded (the |its |their )?(storage|quota|mailbox)",
            r"insufficient (disk|system )?(space|storage)",
            r"out of storage",
            r"(user|recipient|mailbox) (has )?(exceeded|is over)",
            r"mail ?box (is )?full",
            r"not enough (space|storage)",
            r"disk full",
            r"full mailbox",
        ),
    ),
    (
        "message_too_big",
        _words(
            r"message (size |length )?(exceeds|too (large|big))",
            r"(size|message) .{0,20}exceeds .{0,20}(limit|maximum)",
            r"message is too large",
            r"mail size limit",
        ),
    ),
    (
        "virus",
        _words(r"virus", r"malware", r"infected"),
    ),
    (
        "spam",
        _words(
            r"scored as spam",
            r"spam (message|content|detected|score)",
            r"classified as spam",
            r"looks like spam",
            r"considered (as )?(spam|unsolicited)",
            r"unsolicited",
            r"high probability of spam",
            r"message (is|was) spam",
        ),
    ),
    (
        "blocked",
        _words(
            r"black ?list(ed)?",
            r"block ?list(ed)?",
            r"\bblocked\b",
            r"spamhaus|spamcop|barracudacentral|sorbs|\brbl\b|\bdnsbl\b",
            r"poor reputation|bad reputation|reputation",
            r"client host .{0,60}rejected",
            r"ip address .{0,40}(rejected|denied|refused)",
            r"not accepting connections",
            r"connection (refused|rejected|denied)",
            r"access denied",
            r"refused to talk",
            r"\bban(ned)?\b",
        ),
    ),
    (
        "rate_limited",
        _words(
            r"rate limit",
            r"receiving mail at a rate",
            r"too many (connections|messages|recipients|emails)",
            r"(sending|message) rate",
            r"try (again )?later",
            r"throttl",
            r"exceeded .{0,20}(limit|rate)",
            r"temporarily (deferred|rejected|unavailable)",
        ),
    ),
    (
        "no_relaying",
        _words(
            r"relay(ing)? (access )?(denied|not permitted|not allowed)",
            r"not permitted to relay",
            r"unable to relay",
            r"we do not relay",
            r"rcpt to not accepted",
            r"relay not permitted",
        ),
    ),
    (
        "policy",
        _words(
            r"polic(y|ies)",
            r"protocol violation",
            r"not allowed",
            r"content rejected",
            r"message content",
            r"improper use of 8-bit",
            r"headers? too (large|long)",
            r"duplicate header",
            r"not compliant|non-?compliant|rfc ?5322|rfc ?2822",
            r"bare lf",
            r"prohibited",
        ),
    ),
    (
        "filtered",
        _words(
            r"message filtered",
            r"rejected by (the )?(recipient'?s? )?(mailbox |message )?filter",
            r"recipient'?s? filter",
            r"refused due to recipient preferences",
            r"user refuses to accept",
            r"is not accepting (any )?mail",
            r"has restricted",
            r"due to extended inactivity",
        ),
    ),
    (
        "suspended",
        _words(
            r"(account|mailbox|user) (is |has been )?(disabled|suspended|locked|frozen|inactive"
            r"|deactivated|blocked|expired)",
            r"mailbox is frozen",
            r"account is locked",
            r"temporarily (disabled|suspended)",
            r"this account has been",
        ),
    ),
    (
        "has_moved",
        _words(r"has (been )?moved", r"user has moved", r"address has changed", r"moved to"),
    ),
    (
        "not_accept",
        _words(
            r"(host|domain) does not accept mail",
            r"does not accept (e-?)?mail",
            r"null mx",
            r"no smtp service",
            r"no mx (record )?found",
            r"accepts no mail",
        ),
    ),
    (
        "host_unknown",
        _words(
            r"host (or domain name )?(not found|unknown)",
            r"unknown host",
            r"domain (name )?(not found|does not exist|doesn'?t exist|is not valid)",
            r"no (mx|mail exchanger|such domain)",
            r"name or service not known",
            r"nxdomain",
            r"unrout(e)?able (mail )?(address|domain)",
            r"dns (error|failure|lookup failed)",
            r"domain (lookup|resolution) failed",
            r"no route to host",
            r"could not be resolved",
            r"host not found",
            r"domain is not reachable",
        ),
    ),
    (
        "user_unknown",
        _words(
            r"user ?unknown",
            r"unknown (user|recipient|address|local[- ]part|mailbox)",
            r"no such (user|recipient|mailbox|address|account|person)",
            r"(user|recipient|mailbox|address|account) (name )?(not found|does not exist"
            r"|doesn'?t exist|unknown|not exist|invalid|unavailable|is unavailable)",
            r"does ?n[o']t exist",
            r"not exist",
            r"invalid (recipient|mailbox|address|user|e-?mail)",
            r"recipient (address )?rejected",
            r"recipientnotfound",
            r"address (not found|unknown|rejected)",
            r"no mailbox",
            r"bad destination mailbox",
            r"not a valid (mailbox|recipient|user)",
            r"no longer (valid|active|available|exists?)",
            r"mailbox unavailable",
            r"could not be found",
            r"couldn'?t be found",
            r"address couldn'?t be found",
            r"undeliverable address",
            r"not our customer",
            r"no account",
            r"does ?n[o']t have an? .{0,40}account",
            r"unknown or illegal alias",
            r"is not a valid",
            r"not listed in",
            r"ディレクトリのリストにありません",
        ),
    ),
    (
        "expired",
        _words(
            r"delivery time expired",
            r"retry (time|timeout) (exceeded|expired)",
            r"message expired",
            r"have been unable to deliver",
            r"could not be delivered for",
            r"too long in (the )?queue|queue(d)? too long",
            r"undelivered for",
            r"maximum time",
            r"expired",
        ),
    ),
    (
        "system_error",
        _words(
            r"service (currently )?unavailable",
            r"system (error|failure)",
            r"local error",
            r"internal (server )?error",
            r"transaction failed",
            r"mail loop|loops? back|too many hops|routing loop",
            r"connection (lost|timed out|closed|dropped)",
            r"network (error|unreachable)",
        ),
    ),
]

# The enhanced status codes (RFC 3463) that say the reason by themselves.
_STATUS_REASONS = {
    "5.1.0": "user_unknown",
    "5.1.1": "user_unknown",
    "5.1.2": "host_unknown",
    "5.1.3": "user_unknown",
    "5.1.6": "has_moved",
    "5.1.7": "sender_rejected",
    "5.1.8": "sender_rejected",
    "5.1.10": "not_accept",
    "5.2.1": "filtered",
    "5.2.2": "mailbox_full",
    "5.2.3": "message_too_big",
    "5.3.4": "message_too_big",
    "5.4.4": "host_unknown",
    "5.4.6": "system_error",
    "5.4.7": "expired",
    "4.4.7": "expired",
    "5.7.1": "blocked",
    "5.7.23": "auth_failure",
    "5.7.25": "require_ptr",
    "5.7.26": "auth_failure",
    "5.7.27": "not_accept",
}
# Where the server said it: an unknown user refused after the message was sent (at DATA) was
# refused by a filter that had accepted the address at RCPT, so the address exists.
_COMMAND_SAID = [
    re.compile(r"in reply to (?:end of )?(RCPT|DATA|MAIL)\b", re.I),  # Postfix
    re.compile(r"after (?:end of )?(RCPT|DATA|MAIL)\b", re.I),  # Exim
    re.compile(r">>> (RCPT|DATA|MAIL)\b[^\n]*\n<<< [45]\d\d", re.I),  # Sendmail
    re.compile(r"\bSMTP command\b[\s:-]*(RCPT|DATA|MAIL)\b", re.I),  # m-FILTER, labelled
]


def smtp_command(text: str) -> str:
    """The SMTP command the remote server refused, when the notice says: RCPT, DATA or MAIL."""
    for pattern in _COMMAND_SAID:
        found = pattern.search(text)
        if found:
            return found.group(1).upper()
    return ""


def bounce_reason(*, status: str, diagnostic: str, context: str = "", action: str = "") -> str:
    """The reason of one failed recipient: the server's own words first, then its status code."""
    # A temporary code on a report that gave up (Action: failed) is the answer the server kept
    # giving until the queue expired; an addressing one (4.1.x, RFC 3463) still says the
    # address is bad, so it is read like its permanent twin.
    gave_up_on_address = action != "delayed" and status.startswith("4.1.")
    if action == "delayed" or (status.startswith("4.") and not gave_up_on_address):
        words = _reason_from_words(diagnostic) or _reason_from_words(context)
        return words if words in _SOFT_EVEN_IF_TEMPORARY else "deferred"
    reason = _reason_from_words(diagnostic)
    if reason is None and status and not status.endswith(".0.0"):
        reason = _STATUS_REASONS.get(status)
    if reason is None:
        reason = _reason_from_words(context)
    if reason is None and status:
        reason = _STATUS_REASONS.get(status) or ("policy" if status.startswith("5.7.") else None)
    reason = reason or "undefined"
    # The address was accepted at RCPT and refused with the message (at DATA), or the status
    # says a security policy refused it: a filter, not a missing user.
    refused_later = status.startswith("5.7.") or smtp_command(f"{diagnostic}\n{context}") == "DATA"
    if reason == "user_unknown" and status[1:4] != ".1." and refused_later:
        return "filtered"
    return reason


_SOFT_EVEN_IF_TEMPORARY = {"mailbox_full", "expired", "rate_limited"}


def is_hard(reason: str) -> bool:
    return reason in HARD_REASONS


def _reason_from_words(text: str) -> str | None:
    if not text:
        return None
    for reason, words in _REASON_WORDS:
        if words.search(text):
            return reason
    return None
