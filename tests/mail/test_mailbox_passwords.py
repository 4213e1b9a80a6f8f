"""Mailbox passwords are stored encrypted, never returned by the API, replaced only when a new
one is given, and survive a key rotation."""

from cryptography.fernet import Fernet

from outreach.mail import crypto
from outreach.mail.services.mailboxes import mailbox_keys_rotate
from outreach.models import Mailbox
from tests.conftest import ApiClient


def test_a_password_is_stored_encrypted_and_never_shown_again(bob_client):
    api = ApiClient(client=bob_client)
    created = api.post(
        "mailboxes",
        {
            "display_name": "Bob",
            "email": "bob@acme.example",
            "smtp_host": "smtp.acme.example",
            "smtp_username": "bob",
            "smtp_password": "hunter2-long",
        },
    )
    assert created.status_code == 201, created.content
    assert b"hunter2" not in created.content and created.json()["smtp_password_saved"] is True
    mailbox = Mailbox.objects.get()
    assert "hunter2" not in mailbox.smtp_password_encrypted
    assert crypto.decrypt(mailbox.smtp_password_encrypted) == "hunter2-long"
    # Leaving the password out keeps it; giving one replaces it.
    api.patch(f"mailboxes/{mailbox.pk}", {"signature": "Bob"})
    mailbox.refresh_from_db()
    assert crypto.decrypt(mailbox.smtp_password_encrypted) == "hunter2-long"
    page = bob_client.get(f"/mailboxes/{mailbox.pk}/")
    assert (
        b"hunter2" not in page.content and b"Saved. Type a new one to replace it." in page.content
    )


def test_rotating_the_key_keeps_every_password_readable(bob, workspace, settings):
    old = settings.MAILBOX_ENCRYPTION_KEYS[0]
    mailbox = Mailbox.objects.create(
        workspace=workspace,
        owner=bob,
        display_name="Bob",
        email="bob@acme.example",
        imap_password_encrypted=crypto.encrypt("imap-pass"),
    )
    settings.MAILBOX_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old]
    assert mailbox_keys_rotate() == 1
    settings.MAILBOX_ENCRYPTION_KEYS = settings.MAILBOX_ENCRYPTION_KEYS[:1]
    mailbox.refresh_from_db()
    assert crypto.decrypt(mailbox.imap_password_encrypted) == "imap-pass"
