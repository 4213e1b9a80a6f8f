"""Talking to a mailbox's mail servers (SMTP to send, IMAP to read), and saying in plain words
what went wrong: the name (DNS), the connection, TLS, the password, the folder."""

import imaplib
import logging
import re
import smtplib
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.utils.functional import cached_property

from config.errors import ApplicationError
from config.outbound import OutboundAddressRefused, guard_host
from outreach.mail import crypto
from outreach.models import Mailbox, TlsMode

logger = logging.getLogger(__name__)

# What talking to a mail server can raise (every SMTP and socket error is an OSError).
MAIL_ERRORS = (OSError, imaplib.IMAP4.error, ApplicationError)


class MailServerError(ApplicationError):
    """A mail server could not be used; `kind` says which part failed (dns, connect, timeout,
    tls, auth, folder, refused, server) and `transient` whether trying later may work."""

    status_code = 422

    def __init__(self, message: str, *, kind: str, transient: bool = False):
        super().__init__(message)
        self.kind = kind
        self.transient = transient


def tls_context() -> ssl.SSLContext:
    """Certificates are checked against the system's CAs (and MAILBOX_TLS_CA_FILE)."""
    context = ssl.create_default_context()
    if settings.MAILBOX_TLS_CA_FILE:
        context.load_verify_locations(cafile=settings.MAILBOX_TLS_CA_FILE)
    return context


def explain(exc: BaseException, *, host: str, port: int, service: str) -> MailServerError:
    """The failure as a rep can act on it."""
    where = f"{host}:{port}"
    if isinstance(exc, MailServerError):
        return exc
    if isinstance(exc, OutboundAddressRefused):
        return MailServerError(exc.message, kind="dns")
    if isinstance(exc, ApplicationError):  # a password the keys cannot read
        return MailServerError(exc.message, kind="auth")
    if isinstance(exc, socket.gaierror):
        return MailServerError(
            f"The {service} server {host} could not be found (DNS). Check its name.", kind="dns"
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return MailServerError(
            f"TLS failed: the certificate of {where} is not trusted ({exc.verify_message}).",
            kind="tls",
        )
    if isinstance(exc, ssl.SSLError):
        return MailServerError(
            f"TLS failed with {where} ({exc.reason or exc}). Check the TLS setting: ports 465 "
            "and 993 use TLS from the start, 587 and 143 use STARTTLS.",
            kind="tls",
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return MailServerError(
            f"TLS failed: {where} does not offer STARTTLS. Choose TLS from the start, or check "
            "the port.",
            kind="tls",
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return MailServerError(
            f"The {service} server refused the user name or password "
            f"({exc.smtp_code} {_text(exc.smtp_error)}).",
            kind="auth",
        )
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(
            f"{address} ({code} {_text(message)})"
            for address, (code, message) in exc.recipients.items()
        )
        return MailServerError(f"The address was refused: {refused}.", kind="refused")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return MailServerError(
            f"{where} closed the connection. If it expects TLS from the start (port 465), "
            "choose that TLS setting.",
            kind="connect",
            transient=True,
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return MailServerError(
            f"The {service} server said {exc.smtp_code} {_text(exc.smtp_error)}.",
            kind="server",
            transient=400 <= exc.smtp_code < 500,
        )
    if isinstance(exc, imaplib.IMAP4.error):
        text = str(exc)
        if re.search(r"AUTHENTICATIONFAILED|LOGIN|credentials|password|authenticat", text, re.I):
            return MailServerError(
                f"The IMAP server refused the user name or password ({text}).", kind="auth"
            )
        return MailServerError(f"The IMAP server said: {text}", kind="server")
    if isinstance(exc, TimeoutError | socket.timeout):
        return MailServerError(
            f"{where} did not answer within {settings.MAILBOX_TIMEOUT_SECONDS} s. If it expects "
            "TLS from the start (ports 465, 993), choose that TLS setting.",
            kind="timeout",
            transient=True,
        )
    if isinstance(exc, ConnectionRefusedError):
        return MailServerError(
            f"Nothing answers at {where} (connection refused). Check the host and port.",
            kind="connect",
            transient=True,
        )
    if isinstance(exc, OSError):
        return MailServerError(
            f"Could not reach {where}: {exc.strerror or exc}.", kind="connect", transient=True
        )
    return MailServerError(f"{service} failed with {where}: {exc}", kind="server")


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


# --- SMTP ------------------------------------------------------------------------------------


class MailboxSMTPBackend(SMTPBackend):
    """Django's SMTP backend with the certificate checks of `tls_context`."""

    @cached_property
    def ssl_context(self) -> ssl.SSLContext:
        return tls_context()


def smtp_password(mailbox: Mailbox) -> str:
    return crypto.decrypt(mailbox.smtp_password_encrypted)


def email_connection(mailbox: Mailbox | None) -> BaseEmailBackend:
    """Where a mailbox's email goes out: its own SMTP server, or the workspace's backend."""
    if mailbox is None or mailbox.sending == Mailbox.Sending.WORKSPACE:
        return get_connection()
    guard_host(mailbox.smtp_host, mailbox.smtp_port)
    return MailboxSMTPBackend(
        host=mailbox.smtp_host,
        port=mailbox.smtp_port,
        username=mailbox.smtp_username or None,
        password=smtp_password(mailbox) or None,
        use_tls=mailbox.smtp_tls == TlsMode.STARTTLS,
        use_ssl=mailbox.smtp_tls == TlsMode.TLS,
        timeout=settings.MAILBOX_TIMEOUT_SECONDS,
    )


def smtp_check(mailbox: Mailbox) -> None:
    """Connect, secure, sign in and say goodbye; MailServerError naming the step that failed."""
    host, port = mailbox.smtp_host, mailbox.smtp_port
    if not host:
        raise MailServerError("No SMTP server is set.", kind="connect")
    try:
        guard_host(host, port)
        timeout = settings.MAILBOX_TIMEOUT_SECONDS
        client: smtplib.SMTP
        if mailbox.smtp_tls == TlsMode.TLS:
            client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls_context())
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        try:
            client.ehlo()
            if mailbox.smtp_tls == TlsMode.STARTTLS:
                client.starttls(context=tls_context())
                client.ehlo()
            if mailbox.smtp_username:
                client.login(mailbox.smtp_username, smtp_password(mailbox))
            client.noop()
        finally:
            _quietly_quit(client)
    except MAIL_ERRORS as exc:
        raise explain(exc, host=host, port=port, service="SMTP") from exc


def _quietly_quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


# --- IMAP ------------------------------------------------------------------------------------

_UID = re.compile(rb"UID (\d+)")


@dataclass
class FolderState:
    uidvalidity: int
    uidnext: int | None


class ImapSession:
    """A signed-in IMAP connection with its folder open read-only."""

    def __init__(self, connection: imaplib.IMAP4, state: FolderState):
        self.connection = connection
        self.state = state

    def uids_after(self, last_uid: int) -> list[int]:
        # "n:*" always names the newest message, even when its UID is below n.
        return [uid for uid in self._search(f"UID {last_uid + 1}:*") if uid > last_uid]

    def uids_since(self, day: date) -> list[int]:
        return self._search(f"SINCE {day.strftime('%d-%b-%Y')}")

    def _search(self, criteria: str) -> list[int]:
        status, data = self.connection.uid("SEARCH", criteria)
        if status != "OK":
            raise MailServerError(f"The IMAP server refused to search: {data}", kind="server")
        return sorted(int(uid) for line in data if line for uid in line.split())

    def fetch(self, uids: list[int], *, max_bytes: int) -> Iterator[tuple[int, bytes]]:
        """(uid, raw message) for each UID still there, at most `max_bytes` of each, without
        marking anything read."""
        if not uids:
            return
        status, data = self.connection.uid(
            "FETCH", ",".join(map(str, uids)), f"(UID BODY.PEEK[]<0.{max_bytes}>)"
        )
        if status != "OK":
            raise MailServerError(f"The IMAP server refused to fetch: {data}", kind="server")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                found = _UID.search(item[0])
                if found:
                    yield int(found.group(1)), item[1]


@contextmanager
def imap_session(mailbox: Mailbox) -> Iterator[ImapSession]:
    """Sign in and open the mailbox's folder read-only; errors as MailServerError."""
    host, port = mailbox.imap_host, mailbox.imap_port
    if not host:
        raise MailServerError("No IMAP server is set.", kind="connect")
    try:
        guard_host(host, port)
        connection = _imap_connect(mailbox)
    except MAIL_ERRORS as exc:
        raise explain(exc, host=host, port=port, service="IMAP") from exc
    try:
        try:
            connection.login(mailbox.imap_username, crypto.decrypt(mailbox.imap_password_encrypted))
            state = _open_folder(connection, mailbox.imap_folder)
        except MAIL_ERRORS as exc:
            raise explain(exc, host=host, port=port, service="IMAP") from exc
        yield ImapSession(connection, state)
    finally:
        try:
            connection.logout()
        except (imaplib.IMAP4.error, OSError):
            connection.shutdown()


def _imap_connect(mailbox: Mailbox) -> imaplib.IMAP4:
    timeout = settings.MAILBOX_TIMEOUT_SECONDS
    if mailbox.imap_tls == TlsMode.TLS:
        return imaplib.IMAP4_SSL(
            mailbox.imap_host, mailbox.imap_port, ssl_context=tls_context(), timeout=timeout
        )
    connection = imaplib.IMAP4(mailbox.imap_host, mailbox.imap_port, timeout=timeout)
    if mailbox.imap_tls == TlsMode.STARTTLS:
        if "STARTTLS" not in connection.capabilities:
            connection.shutdown()
            raise MailServerError(
                f"TLS failed: {mailbox.imap_host}:{mailbox.imap_port} does not offer STARTTLS. "
                "Choose TLS from the start, or check the port.",
                kind="tls",
            )
        connection.starttls(ssl_context=tls_context())
    return connection


def _open_folder(connection: imaplib.IMAP4, folder: str) -> FolderState:
    status, data = connection.select(_quoted(folder), readonly=True)
    if status != "OK":
        raise MailServerError(
            f"The folder {folder!r} does not exist on the IMAP server ({_text(data[0] or b'')}).",
            kind="folder",
        )
    _, validity = connection.response("UIDVALIDITY")
    _, uidnext = connection.response("UIDNEXT")
    return FolderState(
        uidvalidity=int(validity[0]) if validity and validity[0] else 0,
        uidnext=int(uidnext[0]) if uidnext and uidnext[0] else None,
    )


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def imap_check(mailbox: Mailbox) -> None:
    with imap_session(mailbox):
        pass
