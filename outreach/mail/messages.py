"""Outgoing emails as they leave: who they are from, where replies go, the threading headers,
tracked links and the unsubscribe header every email to a contact carries."""

from dataclasses import dataclass
from email.utils import formataddr, make_msgid, parseaddr

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives

from outreach.mail import email_links
from outreach.models import Contact, Mailbox, Workspace
from outreach.workspaces.services import mailboxes as inbound_mailboxes


@dataclass(frozen=True)
class Thread:
    """The message an email answers: In-Reply-To, and the References chain that ends with it."""

    in_reply_to: str = ""
    references: str = ""


# A new conversation: the email answers nothing.
NO_THREAD = Thread()


def from_address(mailbox: Mailbox | None, sender: User | None) -> str:
    if mailbox is not None:
        return formataddr((mailbox.display_name, mailbox.email))
    if sender is not None and sender.email:
        return formataddr((sender.get_full_name(), sender.email))
    return settings.DEFAULT_FROM_EMAIL


def new_message_id(from_email: str) -> str:
    domain = parseaddr(from_email)[1].rpartition("@")[2] or "localhost"
    return make_msgid(domain=domain)


def outgoing_email(
    *,
    workspace: Workspace,
    mailbox: Mailbox | None,
    sender: User | None,
    contact: Contact,
    subject: str,
    body: str,
    tracked: email_links.Tracked | None,
    message_id: str,
    thread: Thread = NO_THREAD,
    footer: bool = True,
) -> EmailMultiAlternatives:
    """The email, ready to send through the mailbox's connection (the workspace's email
    service when `mailbox` is None); `tracked` names the row its opens and clicks count for.

    A mailbox read over IMAP gets its replies itself; otherwise replies go to the workspace's
    inbound address, where triage reads them.
    """
    unsubscribe = email_links.unsubscribe_url(contact.pk)
    headers = {
        "Message-ID": message_id,
        "List-Unsubscribe": f"<{unsubscribe}>",
        # RFC 8058: mail apps may unsubscribe with one POST, without opening the page.
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    if thread.in_reply_to:
        headers["In-Reply-To"] = thread.in_reply_to
        headers["References"] = thread.references or thread.in_reply_to
    reply_to = []
    if mailbox is None or not mailbox.reads_imap:
        reply_to = [inbound_mailboxes.inbound_mailbox_ensure(workspace=workspace).address]
    message = EmailMultiAlternatives(
        subject=subject,
        body=email_links.text_body(body, unsubscribe=unsubscribe, footer=footer),
        from_email=from_address(mailbox, sender),
        to=[formataddr((contact.full_name, contact.email))],
        reply_to=reply_to,
        headers=headers,
    )
    message.attach_alternative(
        email_links.html_body(body, tracked=tracked, unsubscribe=unsubscribe, footer=footer),
        "text/html",
    )
    return message
