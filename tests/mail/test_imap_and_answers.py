"""Real mailboxes: a reply delivered into Dovecot is read over IMAP and triaged in the inbox, only
once; answering it goes out through SMTP in its thread; and every bad setting (a wrong password,
a host nobody answers at, a TLS mismatch, an untrusted certificate) is said in plain words
without stopping the other mailboxes."""

from email.utils import parseaddr

import pytest
from django.utils import timezone

from outreach.mail.services.emails import email_create
from outreach.mail.services.mailboxes import mailbox_create, mailbox_test, mailbox_update
from outreach.mail.services.sync import mailbox_sync, mailboxes_sync_due
from outreach.models import Mailbox, OutreachLog, Reply
from tests.conftest import ApiClient
from tests.mail.servers import free_port

pytestmark = pytest.mark.dovecot


@pytest.fixture
def imap_account(dovecot):
    return dovecot.account()


@pytest.fixture
def mailbox(workspace, bob, dovecot, smtp_with_auth, imap_account):
    """Bob's real mailbox: SMTP with a password over STARTTLS, IMAP over TLS (IMAPS)."""
    user, password = imap_account
    return mailbox_create(
        workspace=workspace,
        owner=bob,
        fields={
            "display_name": "Bob Smith",
            "email": "bob@acme.example",
            "smtp_host": "localhost",
            "smtp_port": smtp_with_auth.port,
            "smtp_tls": "starttls",
            "smtp_username": "bob@acme.example",
            "imap_host": "localhost",
            "imap_port": dovecot.tls_port,
            "imap_tls": "tls",
            "imap_username": user,
        },
        smtp_password="smtp-secret",
        imap_password=password,
    )


def reply_bytes(*, to_message_id: str, message_id: str, sender: str = "Pat Lee <pat@stripe.com>"):
    return (
        f"From: {sender}\r\n"
        "To: Bob Smith <bob@acme.example>\r\n"
        "Subject: Re: Quick idea for Stripe\r\n"
        f"Message-ID: {message_id}\r\n"
        f"In-Reply-To: {to_message_id}\r\n"
        f"References: {to_message_id}\r\n"
        "Date: Tue, 4 Mar 2025 10:00:00 +0000\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Sounds interesting, let's talk next week. Could you send some times?\r\n\r\n"
        "On Mon, Bob Smith wrote:\r\n> Quick idea\r\n"
    ).encode()


def send_first_email(mailbox, pat, callbacks):
    with callbacks(execute=True):
        email = email_create(
            workspace=mailbox.workspace,
            mailbox=mailbox,
            contact=pat,
            subject="Quick idea for {{prospect.name}}",
            body="Hi {{contact.first_name}}, worth a call?",
            by=mailbox.owner,
        )
    email.refresh_from_db()
    return email


def test_a_reply_in_the_mailbox_reaches_the_inbox_triaged_and_is_answered_in_its_thread(
    bob_client,
    mailbox,
    pat,
    dovecot,
    imap_account,
    smtp_with_auth,
    django_capture_on_commit_callbacks,
):
    sent = send_first_email(mailbox, pat, django_capture_on_commit_callbacks)
    (first,) = smtp_with_auth.received
    # A mailbox read over IMAP gets its replies itself: no Reply-To to the inbound address.
    assert first.message["Reply-To"] is None
    dovecot.append(
        *imap_account,
        reply_bytes(to_message_id=sent.message_id, message_id="<pat-1@stripe.com>"),
        # A newsletter in the rep's inbox is none of the CRM's business.
        b"From: news@vendor.example\r\nSubject: Our news\r\nMessage-ID: <n1@vendor>\r\n\r\nHi\r\n",
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = mailbox_sync(mailbox_id=mailbox.pk)
    assert (result.outcome, result.read) == ("synced", 2)
    reply = Reply.objects.get()
    assert (reply.contact, reply.source, reply.mailbox) == (pat, "imap", mailbox)
    assert reply.answers == sent.outreach_log and reply.matched_by == "thread"
    assert (reply.intent, reply.state) == ("interested", "applied")

    # Nothing new: the second sync reads nothing and stores nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        again = mailbox_sync(mailbox_id=mailbox.pk)
    assert (again.outcome, again.read) == ("synced", 0)
    assert Reply.objects.count() == 1

    api = ApiClient(client=bob_client)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"replies/{reply.pk}/answer", {"body": "Great! Tuesday at 10?"})
    assert response.status_code == 201, response.content
    answer = smtp_with_auth.received[-1]
    headers = answer.message
    assert parseaddr(headers["From"]) == ("Bob Smith", "bob@acme.example")
    assert headers["In-Reply-To"].strip() == "<pat-1@stripe.com>"
    assert headers["References"].split() == [sent.message_id, "<pat-1@stripe.com>"]
    assert headers["Subject"] == "Re: Quick idea for Stripe"
    assert headers["List-Unsubscribe"].strip().startswith("<http://127.0.0.1:8000/unsubscribe/")
    text = answer.part("text/plain")
    assert text.startswith("Great! Tuesday at 10?")
    assert "wrote:\n> Sounds interesting, let's talk next week." in text
    assert "No more emails like this" not in text  # a personal answer carries no footer
    reply.refresh_from_db()
    assert reply.answered_at is not None and reply.answered_by == mailbox.owner
    log = OutreachLog.objects.get(metadata__inReplyTo="<pat-1@stripe.com>")
    assert log.metadata["messageId"] == headers["Message-ID"]


def test_new_mail_is_read_from_the_last_uid_on(
    mailbox, pat, dovecot, imap_account, django_capture_on_commit_callbacks
):
    sent = send_first_email(mailbox, pat, django_capture_on_commit_callbacks)
    dovecot.append(*imap_account, reply_bytes(to_message_id=sent.message_id, message_id="<a@x>"))
    with django_capture_on_commit_callbacks(execute=True):
        mailbox_sync(mailbox_id=mailbox.pk)
    mailbox.refresh_from_db()
    first_uid = mailbox.imap_last_uid
    dovecot.append(*imap_account, reply_bytes(to_message_id=sent.message_id, message_id="<b@x>"))
    with django_capture_on_commit_callbacks(execute=True):
        result = mailbox_sync(mailbox_id=mailbox.pk)
    assert result.read == 1
    mailbox.refresh_from_db()
    assert mailbox.imap_last_uid == first_uid + 1
    assert sorted(Reply.objects.values_list("message_id", flat=True)) == ["<a@x>", "<b@x>"]


def test_mail_a_delivery_agent_wrote_into_the_maildir_is_read_and_sorted_too(
    mailbox, pat, dovecot, imap_account, django_capture_on_commit_callbacks
):
    sent = send_first_email(mailbox, pat, django_capture_on_commit_callbacks)
    user, password = imap_account
    dovecot.deliver_to_maildir(
        user,
        [
            reply_bytes(to_message_id=sent.message_id, message_id="<from-pat@x>"),
            reply_bytes(
                to_message_id="<elsewhere@x>",
                message_id="<newsletter@x>",
                sender="News <news@vendor.example>",
            ),
        ],
    )
    assert dovecot.index(user, password) == 2
    with django_capture_on_commit_callbacks(execute=True):
        result = mailbox_sync(mailbox_id=mailbox.pk)
    assert result.read == 2
    assert list(Reply.objects.values_list("message_id", flat=True)) == ["<from-pat@x>"]


def test_a_failing_mailbox_keeps_its_error_and_backs_off_while_the_others_sync(
    workspace, alice, mailbox, pat, dovecot, imap_account, django_capture_on_commit_callbacks
):
    user, _ = dovecot.account()
    broken = mailbox_create(
        workspace=workspace,
        owner=alice,
        fields={
            "display_name": "Alice",
            "email": "alice@acme.example",
            "imap_host": "127.0.0.1",
            "imap_port": dovecot.port,
            "imap_tls": "starttls",
            "imap_username": user,
        },
        imap_password="not the password",
    )
    sent = send_first_email(mailbox, pat, django_capture_on_commit_callbacks)
    dovecot.append(*imap_account, reply_bytes(to_message_id=sent.message_id, message_id="<c@x>"))
    with django_capture_on_commit_callbacks(execute=True):
        assert mailboxes_sync_due() == 2
    broken.refresh_from_db()
    assert "refused the user name or password" in broken.sync_error
    assert broken.sync_failures == 1
    assert (broken.next_sync_at - timezone.now()).total_seconds() > 100  # waits longer
    assert Reply.objects.filter(mailbox=mailbox).count() == 1
    # Fixing the password clears the wait: the next sweep reads it at once.
    mailbox_update(mailbox=broken, changes={}, imap_password="fixed")
    broken.refresh_from_db()
    assert broken.next_sync_at <= timezone.now() and broken.sync_error == ""


def bad(mailbox: Mailbox, **changes) -> list[tuple[str, bool, str, str]]:
    for name, value in changes.items():
        setattr(mailbox, name, value)
    return [(c.service, c.ok, c.kind, c.message) for c in mailbox_test(mailbox=mailbox)]


def test_the_connection_test_says_what_works(mailbox):
    assert [(s, ok) for s, ok, _, _ in bad(mailbox)] == [("SMTP", True), ("IMAP", True)]


def test_wrong_passwords_are_named_as_such(mailbox):
    mailbox_update(mailbox=mailbox, changes={}, smtp_password="nope", imap_password="nope")
    (smtp, imap) = bad(mailbox)
    assert smtp[2] == imap[2] == "auth"
    assert "SMTP server refused the user name or password" in smtp[3]
    assert "IMAP server refused the user name or password" in imap[3]


def test_a_host_that_does_not_answer_is_named(mailbox):
    closed = free_port()
    (smtp, imap) = bad(mailbox, smtp_port=closed, imap_port=closed)
    assert smtp[2] == imap[2] == "connect"
    assert f"Nothing answers at localhost:{closed} (connection refused)" in smtp[3]


def test_an_unknown_host_is_a_dns_failure(mailbox):
    (smtp, imap) = bad(mailbox, smtp_host="no-such-host.invalid", imap_host="no-such-host.invalid")
    assert smtp[2] == imap[2] == "dns"
    assert "could not be found (DNS)" in smtp[3]


def test_a_tls_mismatch_is_named(mailbox, dovecot):
    # IMAPS spoken to the plain port, and STARTTLS asked of the TLS port.
    (_, imap) = bad(mailbox, imap_port=dovecot.port, imap_tls="tls")
    assert imap[2] == "tls" and "TLS failed" in imap[3]
    (_, imap) = bad(mailbox, imap_port=dovecot.tls_port, imap_tls="starttls")
    assert imap[2] in {"tls", "timeout", "connect"}


def test_an_untrusted_certificate_is_named(mailbox, settings):
    settings.MAILBOX_TLS_CA_FILE = ""
    (smtp, imap) = bad(mailbox)
    assert smtp[2] == imap[2] == "tls"
    assert "is not trusted" in imap[3]


def test_a_wrong_smtp_password_leaves_the_email_not_sent_with_the_reason(
    mailbox, pat, smtp_with_auth, django_capture_on_commit_callbacks
):
    mailbox_update(mailbox=mailbox, changes={}, smtp_password="wrong")
    email = send_first_email(mailbox, pat, django_capture_on_commit_callbacks)
    email.refresh_from_db()
    assert email.status == "failed"
    assert "refused the user name or password" in email.failure_reason
    assert not smtp_with_auth.received
