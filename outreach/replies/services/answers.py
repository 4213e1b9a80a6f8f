"""Answering a reply in its thread: from the mailbox that received it, quoting it, with the
headers that keep it in the prospect's conversation; the reply is then handled."""

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from config.errors import Conflict, ValidationFailed
from outreach.mail.messages import Thread
from outreach.mail.selectors import default_mailbox
from outreach.mail.services import emails as email_services
from outreach.models import Mailbox, OutboundEmail, Reply

# The References chain keeps its newest ids: mail clients need the root and the parent.
MAX_REFERENCES = 20


def reply_answer(
    *, reply: Reply, body: str, by: User | None, mailbox: Mailbox | None = None
) -> OutboundEmail:
    """Send the rep's answer to a reply (now); the reply leaves the inbox as answered."""
    if reply.contact is None:
        raise Conflict("This reply is from an unknown sender: link it to a contact first.")
    if reply.is_machine:
        raise Conflict("A bounce is a mail server's report; there is nobody to answer.")
    if not body.strip():
        raise ValidationFailed.for_field("body", "Write the answer first.")
    mailbox = mailbox or answering_mailbox(reply=reply, by=by)
    if mailbox is None:
        raise ValidationFailed.for_field(
            "mailbox_id", "Connect a mailbox to answer from (Mailboxes in the menu)."
        )
    references = [*reply.references, reply.message_id][-MAX_REFERENCES:]
    subject = reply.subject.strip() or "Your message"
    if not subject.lower().startswith("re:"):
        subject = f"Re: {subject}"
    with transaction.atomic():
        email = email_services.email_create(
            workspace=reply.workspace,
            mailbox=mailbox,
            contact=reply.contact,
            subject=subject[:300],
            body=body,
            by=by,
            answers=reply,
            thread=Thread(in_reply_to=reply.message_id, references=" ".join(references)),
            quoted=quote(reply),
        )
        Reply.objects.filter(pk=reply.pk).update(
            answered_at=timezone.now(),
            answered_by=by,
            # A reply not triaged yet keeps its state: triage will find it answered.
            state=Case(
                When(state=Reply.State.NEEDS_REVIEW, then=Value(Reply.State.ANSWERED)),
                default="state",
            ),
            updated_at=timezone.now(),
        )
    return email


def answering_mailbox(*, reply: Reply, by: User | None) -> Mailbox | None:
    """The mailbox that received the reply; else the one our answered email went from; else
    the rep's own default one."""
    if reply.mailbox_id is not None:
        return Mailbox.objects.select_related("owner").filter(pk=reply.mailbox_id).first()
    sent_from = reply.answers.metadata.get("mailboxId") if reply.answers else None
    if isinstance(sent_from, int):
        mailbox = (
            Mailbox.objects.select_related("owner")
            .filter(workspace_id=reply.workspace_id, pk=sent_from)
            .first()
        )
        if mailbox is not None:
            return mailbox
    return default_mailbox(workspace=reply.workspace, user=by)


def quote(reply: Reply) -> str:
    """The reply as mail clients quote it, under a line saying who wrote it and when."""
    when = timezone.localtime(reply.received_at).strftime("%a, %b %-d, %Y at %H:%M")
    sender = f"{reply.from_name} <{reply.from_email}>" if reply.from_name else reply.from_email
    text = (reply.text or reply.body).strip()
    lines = "\n".join(f"> {line}" if line else ">" for line in text.splitlines())
    return f"On {when}, {sender} wrote:\n{lines}"
