"""Receiving replies: each message stored once, matched to its contact and to the email it
answers, and handed to triage; and a rep linking an unmatched reply to a contact."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from config.errors import Conflict, ValidationFailed
from outreach import events
from outreach.crm.services.tasks import outreach_log_record
from outreach.models import (
    Contact,
    Mailbox,
    OutreachLog,
    Prospect,
    Reply,
    Workspace,
)
from outreach.outbox.services import outbox_enqueue
from outreach.replies import tasks as reply_tasks
from outreach.replies.inbound.dsn import Bounce
from outreach.replies.inbound.message import InboundMessage
from outreach.replies.inbound.triage import Reading, read_message

logger = logging.getLogger(__name__)


# The sweep hands a reply to a worker again when its processing has not started by then.
STALE_NEW_REPLY = timedelta(minutes=2)


SWEEP_BATCH = 200


@dataclass
class Receipt:
    reply: Reply
    created: bool


@dataclass
class _Match:
    contact: Contact | None = None
    prospect: Prospect | None = None
    answers: OutreachLog | None = None
    matched_by: str = Reply.Match.NONE


def reply_receive(
    *,
    workspace: Workspace,
    message: InboundMessage,
    source: str,
    mailbox: Mailbox | None = None,
) -> Receipt:
    """Store an inbound message once per Message-ID, matched to its contact; triage follows
    after commit. The same message delivered again returns the stored reply, and nothing more
    happens."""
    existing = Reply.objects.filter(workspace=workspace, message_id=message.message_id).first()
    if existing is not None:
        return Receipt(reply=existing, created=False)
    reading = read_message(message)
    match = _match(workspace, message, reading.bounce)
    return _store(workspace, message, source, mailbox, reading, match)


def replies_receive_from_mailbox(
    *, mailbox: Mailbox, messages: list[InboundMessage]
) -> list[Receipt]:
    """Store the messages of a batch read from a rep's mailbox that concern a contact.

    Most of a rep's mail does not (newsletters, colleagues): a few queries for the whole batch
    (the Message-IDs already stored, the senders who are contacts, the thread ids that are our
    emails or earlier replies) set those aside, and only the rest take the one-by-one intake.
    A message that looks unrelated is still read for a bounce report of one of our emails.
    """
    workspace = mailbox.workspace
    stored = set(
        Reply.objects.filter(
            workspace=workspace, message_id__in=[m.message_id for m in messages]
        ).values_list("message_id", flat=True)
    )
    contacts = set(
        Contact.objects.filter(
            workspace=workspace, email__in={m.from_address.email for m in messages}
        ).values_list("email", flat=True)
    )
    thread_ids = {i for m in messages for i in m.thread_ids}
    both_forms = thread_ids | {i.strip("<>") for i in thread_ids}
    ours = set(
        OutreachLog.objects.filter(
            workspace=workspace,
            channel=OutreachLog.Channel.EMAIL,
            metadata__messageId__in=list(both_forms),
        ).values_list("metadata__messageId", flat=True)
    ) | set(
        Reply.objects.filter(workspace=workspace, message_id__in=thread_ids).values_list(
            "message_id", flat=True
        )
    )
    ours |= {f"<{i}>" for i in ours}
    receipts = []
    for message in messages:
        if message.message_id in stored:
            continue
        related = message.from_address.email in contacts or bool(ours & set(message.thread_ids))
        if not related and read_message(message).bounce is None:
            continue
        receipt = reply_receive_from_mailbox(mailbox=mailbox, message=message)
        if receipt is not None:
            receipts.append(receipt)
    return receipts


def reply_receive_from_mailbox(*, mailbox: Mailbox, message: InboundMessage) -> Receipt | None:
    """Store a message read from a rep's own mailbox if it concerns a contact (their reply, an
    answer to one of our emails, a bounce of one); the rest of a rep's mail is none of ours,
    and None says it was left alone."""
    workspace = mailbox.workspace
    existing = Reply.objects.filter(workspace=workspace, message_id=message.message_id).first()
    if existing is not None:
        return Receipt(reply=existing, created=False)
    reading = read_message(message)
    match = _match(workspace, message, reading.bounce)
    if match.matched_by == Reply.Match.NONE:
        return None
    return _store(workspace, message, Reply.Source.IMAP, mailbox, reading, match)


def _store(
    workspace: Workspace,
    message: InboundMessage,
    source: str,
    mailbox: Mailbox | None,
    reading: Reading,
    match: _Match,
) -> Receipt:
    reply = Reply(
        workspace=workspace,
        message_id=message.message_id,
        in_reply_to=message.in_reply_to,
        references=message.references,
        from_email=message.from_address.email,
        from_name=message.from_address.name,
        to=[address.as_dict() for address in message.to],
        cc=[address.as_dict() for address in message.cc],
        subject=message.subject,
        text=message.text,
        html=message.html,
        body=reading.body,
        headers=message.headers,
        raw_size=message.raw_size,
        truncated=message.truncated,
        source=source,
        mailbox=mailbox,
        received_at=timezone.now(),
        contact=match.contact,
        prospect=match.prospect,
        answers=match.answers,
        matched_by=match.matched_by,
        kind=reading.kind,
        bounce=reading.bounce.as_dict() if reading.bounce else {},
        triage_reason=(
            reading.evidence
            if reading.kind == Reply.Kind.NOTIFICATION
            else f"Automatic reply ({reading.evidence})"
            if reading.evidence
            else ""
        ),
    )
    try:
        with transaction.atomic():
            reply.save()
            if reply.prospect is not None:
                reply.log_entry = _log_entry(reply, reply.prospect)
                reply.save(update_fields=["log_entry"])
            if reply.contact is not None and reply.kind == Reply.Kind.HUMAN:
                # Automations hear of what a person wrote, not of bounces or vacation notices.
                events.announce(
                    events.MessageReceived(
                        contact=reply.contact,
                        channel=OutreachLog.Channel.EMAIL,
                        subject=reply.subject,
                        body=reply.body,
                        outreach_log=reply.log_entry,
                    )
                )
            outbox_enqueue(task=reply_tasks.process_reply, args=[reply.pk])
    except IntegrityError:
        # The same message, delivered twice at once: the other delivery stored it. Caught
        # outside the transaction rather than around the insert, which would cost a savepoint
        # per message; any other integrity error finds no stored twin and is raised again.
        stored = Reply.objects.filter(workspace=workspace, message_id=message.message_id).first()
        if stored is None:
            raise
        return Receipt(reply=stored, created=False)
    return Receipt(reply=reply, created=True)


def _match(workspace: Workspace, message: InboundMessage, bounce: Bounce | None) -> _Match:
    """The contact and our email a message belongs to: the thread first (In-Reply-To and
    References naming a Message-ID we sent), then the address (the sender's, or for a bounce the
    address that failed). Only ever within the workspace the message was delivered to."""
    bounced_recipient = bounce.recipient if bounce else ""
    bounced_message_id = bounce.original_message_id if bounce else ""
    thread_ids = [i for i in [bounced_message_id, *message.thread_ids] if i]
    answers = None
    earlier = None
    if thread_ids:
        both_forms = thread_ids + [i.strip("<>") for i in thread_ids]
        # The newest of the few rows that carry these ids, picked here: asked for with ORDER BY
        # and LIMIT 1, PostgreSQL may walk the workspace's whole log newest first instead of
        # using the Message-ID index (14 ms instead of 2 ms with 20,000 sent emails).
        answers = max(
            OutreachLog.objects.filter(
                workspace=workspace,
                channel=OutreachLog.Channel.EMAIL,
                metadata__messageId__in=both_forms,
            ).select_related("contact__prospect", "prospect"),
            key=lambda log: (log.created_at, log.pk),
            default=None,
        )
        if answers is None:
            earlier = max(
                Reply.objects.filter(
                    workspace=workspace, message_id__in=thread_ids, prospect__isnull=False
                ).select_related("contact__prospect", "prospect"),
                key=lambda reply: (reply.received_at, reply.pk),
                default=None,
            )
    address = bounced_recipient if bounce is not None else message.from_address.email
    addresses = [a.lower() for a in (address, bounce.original_recipient if bounce else "") if a]
    thread = answers or earlier
    thread_contact = thread.contact if thread else None
    if thread_contact is not None and addresses == [thread_contact.email]:
        # Most replies come from the address we wrote to: that contact is the one the address
        # names (an address is unique within a workspace), with no second look-up.
        by_address: Contact | None = thread_contact
    elif addresses:
        by_address = (
            Contact.objects.filter(workspace=workspace, email__in=addresses)
            .select_related("prospect")
            .order_by("pk")
            .first()
        )
    else:
        by_address = None
    contact = by_address or thread_contact
    prospect = contact.prospect if contact else (thread.prospect if thread else None)
    if thread is not None:
        matched_by = Reply.Match.THREAD
    elif by_address is not None:
        matched_by = Reply.Match.BOUNCED_RECIPIENT if bounced_recipient else Reply.Match.ADDRESS
    else:
        matched_by = Reply.Match.NONE
    return _Match(contact=contact, prospect=prospect, answers=answers, matched_by=matched_by)


def _log_entry(reply: Reply, prospect: Prospect) -> OutreachLog:
    """The reply's line in the prospect's outreach log (a bounce is a failed email)."""
    return outreach_log_record(
        workspace=reply.workspace,
        prospect=prospect,
        contact=reply.contact,
        log_type=OutreachLog.Type.EMAIL,
        channel=OutreachLog.Channel.EMAIL,
        status=OutreachLog.Status.FAILED if reply.is_bounce else OutreachLog.Status.RECEIVED,
        subject=reply.subject[:300],
        body=reply.body[:5000],
        metadata={
            "replyId": reply.pk,
            "replyKind": reply.kind,
            "messageId": reply.message_id,
            "inReplyTo": reply.in_reply_to,
        },
    )


def reply_link_contact(*, reply: Reply, contact: Contact) -> Reply:
    """Attach an unmatched reply to a contact of the workspace, so its triage can act."""
    if contact.workspace_id != reply.workspace_id:
        raise ValidationFailed.for_field("contact_id", "No such contact in this workspace.")
    with transaction.atomic():
        linked = Reply.objects.filter(pk=reply.pk, contact__isnull=True).update(
            contact=contact,
            prospect_id=contact.prospect_id,
            matched_by=Reply.Match.REP,
            updated_at=timezone.now(),
        )
        if not linked:
            raise Conflict("This reply already belongs to a contact.")
        reply.refresh_from_db()
        if reply.log_entry_id is None:
            # The reply's prospect is now the contact's, as the update above set it.
            reply.log_entry = _log_entry(reply, contact.prospect)
            reply.save(update_fields=["log_entry"])
    return reply


def replies_sweep_unprocessed() -> int:
    """Hand replies whose triage never started (a lost task) to a worker again."""
    cutoff = timezone.now() - STALE_NEW_REPLY
    ids = list(
        Reply.objects.filter(state=Reply.State.NEW, received_at__lt=cutoff)
        .order_by("received_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for reply_id in ids:
        reply_tasks.process_reply.delay(reply_id)
    return len(ids)
