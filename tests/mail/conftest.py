"""Fixtures of the mail tests: real SMTP (aiosmtpd) and IMAP (Dovecot) servers, the trust of
their self-signed certificate, and bob's mailbox on them."""

import os
from pathlib import Path

import pytest

from outreach.mail.services.mailboxes import mailbox_create
from tests.factories import ContactFactory, ProspectFactory
from tests.mail.servers import DOVECOT, Dovecot, server_tls, start_smtp


@pytest.fixture(scope="session")
def dovecot_server():
    if not Path(DOVECOT).exists():
        if os.environ.get("CI"):
            pytest.fail("Dovecot is missing: apt-get install -y dovecot-imapd (.ci/run does)")
        pytest.skip("Dovecot is not installed (apt-get install -y dovecot-imapd)")
    server = Dovecot().start()
    yield server
    server.stop()


@pytest.fixture
def dovecot(dovecot_server, settings):
    """The IMAP server, with its certificate trusted as a company's own CA would be."""
    settings.MAILBOX_TLS_CA_FILE = str(dovecot_server.cert)
    # A server that waits for TLS the client never starts answers nothing: fail fast.
    settings.MAILBOX_TIMEOUT_SECONDS = 5
    return dovecot_server


@pytest.fixture
def smtp():
    """A plain SMTP server that accepts any mail and keeps what it received."""
    controller, handler = start_smtp()
    yield handler
    controller.stop()


@pytest.fixture
def smtp_with_auth(dovecot):
    """An SMTP server that wants a password and offers STARTTLS (Dovecot's certificate)."""
    controller, handler = start_smtp(
        accounts={"bob@acme.example": "smtp-secret"},
        starttls=server_tls(dovecot.cert, dovecot.key),
    )
    yield handler
    controller.stop()


@pytest.fixture
def prospect(workspace, bob):
    return ProspectFactory(workspace=workspace, owner=bob, name="Stripe", domain="stripe.com")


@pytest.fixture
def pat(prospect):
    return ContactFactory(
        prospect=prospect, first_name="Pat", last_name="Lee", email="pat@stripe.com"
    )


@pytest.fixture
def smtp_mailbox(workspace, bob, smtp):
    """Bob's mailbox, sending through the plain test SMTP server."""
    return mailbox_create(
        workspace=workspace,
        owner=bob,
        fields={
            "display_name": "Bob Smith",
            "email": "bob@acme.example",
            "signature": "Bob Smith\nAcme Sales",
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "smtp_tls": "none",
        },
    )
