"""Real mail servers for the tests: an aiosmtpd SMTP server and a Dovecot IMAP server, each
started on a free port of 127.0.0.1, with a self-signed certificate for the TLS cases.

Dovecot runs as an ordinary process with its configuration, users and mail in a temporary
folder (no system service); as root it runs as Debian's unprivileged `dovecot` user.
"""

import datetime
import grp
import imaplib
import ipaddress
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
ACCOUNTS = 200


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"Nothing listens on 127.0.0.1:{port} after {timeout} s")


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost and 127.0.0.1 and its key, as PEM files in `folder`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


# --- SMTP ------------------------------------------------------------------------------------


@dataclass
class Received:
    """A message the SMTP server accepted."""

    envelope_from: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=policy.default)  # type: ignore[return-value]

    def part(self, content_type: str) -> str:
        """The decoded text of the message's first part of this type."""
        found = self.message.get_body(preferencelist=(content_type.split("/")[1],))
        assert found is not None, f"no {content_type} part"
        return found.get_content().replace("\r\n", "\n")


@dataclass
class SmtpServer:
    port: int
    received: list[Received] = field(default_factory=list)
    # Set by a test to hold DATA this many seconds before answering (a slow server).
    delay: float = 0.0
    data_started: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        self.data_started.set()
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        return "250 Message accepted"


class _Accounts:
    def __init__(self, accounts: dict[str, str]):
        self.accounts = accounts

    def __call__(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            user, password = auth_data.login.decode(), auth_data.password.decode()
            if self.accounts.get(user) == password:
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


def start_smtp(
    *,
    accounts: dict[str, str] | None = None,
    starttls: ssl.SSLContext | None = None,
    implicit_tls: ssl.SSLContext | None = None,
) -> tuple[Controller, SmtpServer]:
    """An SMTP server on a free port; `accounts` turns on AUTH (PLAIN, LOGIN)."""
    port = free_port()
    handler = SmtpServer(port=port)
    options = {}
    if accounts is not None:
        options.update(authenticator=_Accounts(accounts), auth_require_tls=False)
    if starttls is not None:
        options.update(tls_context=starttls, require_starttls=False)
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        ssl_context=implicit_tls,
        server_hostname="localhost",
        ready_timeout=10,
        **options,
    )
    if implicit_tls is not None:
        # aiosmtpd checks readiness with a plain connection, which a TLS port cannot answer.
        controller._trigger_server = lambda: None  # type: ignore[method-assign]
    controller.start()
    return controller, handler


def server_tls(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


# --- IMAP (Dovecot) --------------------------------------------------------------------------

CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = {ssl}
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
first_valid_gid = 1
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={root}/mail/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = {tls_port}
  }}
}}
service anvil {{
  chroot =
}}
service auth {{
  user = $default_internal_user
}}
"""


class Dovecot:
    """A Dovecot IMAP server of its own: plain IMAP (STARTTLS offered) on `port`, IMAPS on
    `tls_port`, users added with `account()`."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="crm-dovecot-"))
        self.port, self.tls_port = free_port(), free_port()
        self.cert, self.key = self_signed_certificate(self.root)
        if os.geteuid() == 0:
            # Never as root: Debian's package brings an unprivileged user for the server.
            owner = pwd.getpwnam("dovecot")
            self.user, self.group = "dovecot", "dovecot"
            self.uid, self.gid = owner.pw_uid, owner.pw_gid
        else:
            me = pwd.getpwuid(os.geteuid())
            self.user, self.uid, self.gid = me.pw_name, me.pw_uid, me.pw_gid
            self.group = grp.getgrgid(me.pw_gid).gr_name
        for folder in ("run", "state", "mail"):
            (self.root / folder).mkdir()
        # Mail users, each with its own mailbox, handed out one per test by account().
        self._accounts = [
            (f"rep-{uuid.uuid4().hex[:10]}@example.com", f"secret-{n}") for n in range(ACCOUNTS)
        ]
        (self.root / "users").write_text(
            "".join(f"{user}:{{PLAIN}}{password}\n" for user, password in self._accounts)
        )
        (self.root / "dovecot.conf").write_text(
            CONFIG.format(
                root=self.root,
                ssl="yes",
                user=self.user,
                group=self.group,
                port=self.port,
                tls_port=self.tls_port,
            )
        )
        self.root.chmod(0o755)
        if os.geteuid() == 0:
            for path in [self.root, *self.root.rglob("*")]:
                os.chown(path, self.uid, self.gid)
        self.process: subprocess.Popen | None = None

    def start(self) -> "Dovecot":
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
            **(
                {"user": self.uid, "group": self.gid, "extra_groups": []}
                if os.geteuid() == 0
                else {}
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        wait_for_port(self.tls_port)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)

    def account(self) -> tuple[str, str]:
        """A mail user of its own (an empty mailbox), from those made at start: Dovecot reads
        its users file once, so none is added while it runs."""
        return self._accounts.pop()

    def append(self, user: str, password: str, *raw_messages: bytes, folder: str = "INBOX"):
        """Deliver messages into the user's folder with IMAP APPEND, as a mail server would."""
        connection = imaplib.IMAP4("127.0.0.1", self.port)
        try:
            connection.login(user, password)
            for raw in raw_messages:
                status, data = connection.append(folder, None, None, raw)
                assert status == "OK", data
        finally:
            connection.logout()

    def deliver_to_maildir(self, user: str, raw_messages: Iterable[bytes]) -> int:
        """Write messages straight into the user's INBOX (Maildir `new/`, as a local delivery
        agent does) rather than over IMAP: thousands take a second instead of minutes. Dovecot
        gives them UIDs when the folder is next opened (see `index`). Returns how many."""
        maildir = self.root / "mail" / user / "Maildir"
        folders = [maildir, *(maildir / name for name in ("cur", "new", "tmp"))]
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
        stamp, count = int(time.time()), 0
        for count, raw in enumerate(raw_messages, start=1):
            # Maildir files end lines with LF; Dovecot serves them with CRLF.
            name = f"{stamp}.M{count}P{os.getpid()}.bench"
            (maildir / "new" / name).write_bytes(raw.replace(b"\r\n", b"\n"))
        if os.geteuid() == 0:
            for path in [self.root / "mail" / user, *folders, *(maildir / "new").iterdir()]:
                os.chown(path, self.uid, self.gid)
        return count

    def index(self, user: str, password: str, folder: str = "INBOX") -> int:
        """Open the folder once, so that Dovecot scans what was written into it and gives each
        message its UID, as it would have when the mail was delivered; returns the count."""
        connection = imaplib.IMAP4("127.0.0.1", self.port)
        try:
            connection.login(user, password)
            status, data = connection.select(folder, readonly=True)
            assert status == "OK", data
            return int(data[0])
        finally:
            connection.logout()

    @property
    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text() if path.exists() else ""
