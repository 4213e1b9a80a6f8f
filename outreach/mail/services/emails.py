"""One-off emails: written from a template or by hand, checked before they are accepted, sent
now or later, and sent at most once.

The guarantee, as for sequence emails: a send task claims its row (queued -> sending) with a
conditional UPDATE before it talks to the mail server, and no transaction is open while it
does. A task delivered twice finds nothing to claim. A worker killed mid-send leaves the row in
`sending`; the sweep marks it `uncertain` once it has been there too long, and the rep decides
whether to send it again (`email_retry`). Nothing is ever sent again blindly.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.errors import Conflict, ValidationFailed
from outreach.crm.services import prospects as prospect_services
from outreach.crm.services import tasks as task_services
from outreach.mail import email_links, merge_fields
from outreach.mail import tasks as mail_tasks
from outreach.mail.messages import NO_THREAD, Thread, from_address, new_message_id, outgoing_email
from outreach.mail.servers import MAIL_ERRORS, MailServerError, email_connection, explain
from outreach.mail.services.limits import (
    daily_send_limit,
    reserve_sends,
    sending_address,
    sends_left,
)
from outreach.models import (
    Activity,
    Contact,
    EmailTemplate,
    Mailbox,
    OutboundEmail,
    OutreachLog,
    Reply,
    Workspace,
)
from outreach.outbox.services import outbox_enqueue

logger = logging.getLogger(__name__)

Status = OutboundEmail.Status

# "Now" give or take a clock's drift: a send_at this far in the past is still taken as now.
CLOCK_SLACK = timedelta(minutes=1)
LATEST_SEND_AT = timedelta(days=365)
MAX_BODY = 50_000
SWEEP_BATCH = 200
INTERRUPTED = (
    "Sending was interrupted, so this email may or may not have gone out. Check the sent mail "
    "of the mailbox before sending it again."
)


@dataclass
class Written:
    """An email as it will go: subject and body with every variable filled in."""

    subject: str
    body: str
    problems: list[str] = field(default_factory=list)


def email_write(
    *,
    mailbox: Mailbox,
    contact: Contact,
    subject: str = "",
    body: str = "",
    template: EmailTemplate | None = None,
) -> Written:
    """Fill in the email for this contact; `problems` says what would stop it from going (an
    unknown variable, a variable with no value for the contact, an empty subject or body)."""
    subject = subject or (template.subject if template else "")
    body = body or (template.body if template else "")
    problems: list[str] = []
    context = merge_fields.MergeContext(
        contact=contact, prospect=contact.prospect, sender=mailbox.owner
    )
    for label, text in (("subject", subject), ("body", body)):
        try:
            merge_fields.check(text)
        except merge_fields.UnknownVariable as exc:
            problems.append(f"The {label}: {exc}")
            continue
        for name in merge_fields.missing(text, context):
            fallback = name.replace("}}", '|default:"…"}}')
            problems.append(
                f"{name} has no value for {contact}: fill it in, or give a fallback such as "
                f"{fallback}."
            )
    filled_subject = " ".join(merge_fields.render(subject, context).split())
    filled_body = merge_fields.render(body, context).rstrip()
    if not filled_subject:
        problems.append("The email needs a subject.")
    if not filled_body.strip():
        problems.append("The email needs a body.")
    if mailbox.signature.strip():
        filled_body = f"{filled_body}\n\n{mailbox.signature.strip()}"
    return Written(subject=filled_subject[:300], body=filled_body, problems=problems)


def contact_refusal(contact: Contact) -> str:
    """Why this contact gets no email, or ''."""
    if contact.outreach_status == Contact.OutreachStatus.OPTED_OUT:
        return f"{contact} opted out of emails; nothing is sent to them."
    if contact.outreach_status == Contact.OutreachStatus.BOUNCED:
        return f"Email to {contact} bounced ({contact.email}); correct the address first."
    if not contact.email:
        return f"{contact} has no email address."
    return ""


def email_create(
    *,
    workspace: Workspace,
    mailbox: Mailbox,
    contact: Contact,
    subject: str = "",
    body: str = "",
    template: EmailTemplate | None = None,
    send_at: datetime | None = None,
    by: User | None = None,
    answers: Reply | None = None,
    thread: Thread = NO_THREAD,
    quoted: str = "",
) -> OutboundEmail:
    """Accept an email for sending now (queued) or at `send_at` (scheduled), after checking
    everything that would stop it: the contact, the variables, the time, today's limit.

    `quoted` (the message an answer quotes) goes below the signature as it is: variables are
    what we write, not what the other side wrote.
    """
    now = timezone.now()
    for record, label in ((mailbox, "mailbox"), (contact, "contact")):
        if record.workspace_id != workspace.pk:
            raise ValidationFailed.for_field(f"{label}_id", f"No such {label} in this workspace.")
    if template is not None and template.workspace_id != workspace.pk:
        raise ValidationFailed.for_field("template_id", "No such template in this workspace.")
    refusal = contact_refusal(contact)
    if refusal:
        raise ValidationFailed.for_field("contact_id", refusal)
    written = email_write(
        mailbox=mailbox, contact=contact, subject=subject, body=body, template=template
    )
    if written.problems:
        raise ValidationFailed(" ".join(written.problems), field_errors={"body": written.problems})
    if len(written.body) > MAX_BODY:
        raise ValidationFailed.for_field("body", f"The body is at most {MAX_BODY} characters.")
    later = send_at is not None and send_at > now + CLOCK_SLACK
    if send_at is not None and send_at < now - CLOCK_SLACK:
        raise ValidationFailed.for_field(
            "send_at",
            f"send_at ({send_at:%Y-%m-%d %H:%M} UTC) is in the past; leave it out to send now.",
        )
    if send_at is not None and send_at > now + LATEST_SEND_AT:
        raise ValidationFailed.for_field("send_at", "send_at is at most a year ahead.")
    limit = daily_send_limit(workspace, mailbox)
    if not later and not sends_left(
        workspace=workspace, sender_email=sending_address(mailbox), limit=limit, now=now
    ):
        raise ValidationFailed.for_field(
            "mailbox_id",
            f"{mailbox.email} has sent its {limit} emails for today; schedule this one for "
            "tomorrow.",
        )
    email = OutboundEmail(
        workspace=workspace,
        mailbox=mailbox,
        prospect=contact.prospect,
        contact=contact,
        template=template,
        answers=answers,
        sent_by=by,
        subject=written.subject,
        body=f"{written.body}\n\n{quoted}" if quoted else written.body,
        message_id=new_message_id(from_address(mailbox, None)),
        in_reply_to=thread.in_reply_to,
        references=thread.references,
        status=Status.SCHEDULED if later else Status.QUEUED,
        send_at=send_at if later and send_at else now,
    )
    with transaction.atomic():
        email.save()
        if not later:
            outbox_enqueue(task=mail_tasks.send_email, args=[email.pk])
    return email


def email_send(*, email_id: int, final_attempt: bool = False) -> str:
    """Send a queued email once: "sent", "retry", "failed", "later" or "gone"."""
    claimed = OutboundEmail.objects.filter(pk=email_id, status=Status.QUEUED).update(
        status=Status.SENDING, attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    if not claimed:
        return "gone"
    email = (
        OutboundEmail.objects.select_related(
            "workspace", "mailbox__owner", "contact", "prospect", "sent_by"
        )
        .filter(pk=email_id)
        .first()
    )
    if email is None:
        return "gone"
    refusal = contact_refusal(email.contact)
    if refusal:
        _finish(email.pk, Status.FAILED, refusal)
        return "failed"
    if not _reserve_slot(email):
        return "later"
    message = outgoing_email(
        workspace=email.workspace,
        mailbox=email.mailbox,
        sender=email.mailbox.owner,
        contact=email.contact,
        subject=email.subject,
        body=email.body,
        tracked=email_links.Tracked.email(email.pk),
        message_id=email.message_id,
        thread=Thread(in_reply_to=email.in_reply_to, references=email.references),
        # An answer in a thread is a personal email: the unsubscribe header, not a footer.
        footer=not email.answers_id,
    )
    mailbox = email.mailbox
    try:
        message.connection = email_connection(mailbox)
        message.send()
    except MAIL_ERRORS as exc:
        error = explain(exc, host=mailbox.smtp_host, port=mailbox.smtp_port, service="SMTP")
        return _send_failed(email, error, final_attempt=final_attempt)
    _record_sent(email)
    return "sent"


def _reserve_slot(email: OutboundEmail) -> bool:
    """Take one of the mailbox's sends for today; if none is left, the email waits for the
    workspace's next day (an email the rep meant to go now is not dropped)."""
    now = timezone.now()
    workspace, mailbox = email.workspace, email.mailbox
    with transaction.atomic():
        granted = reserve_sends(
            workspace=workspace,
            sender_email=sending_address(mailbox),
            wanted=1,
            now=now,
            limit=daily_send_limit(workspace, mailbox),
        )
        if granted:
            return True
        zone = ZoneInfo(workspace.time_zone)
        tomorrow = (now.astimezone(zone) + timedelta(days=1)).replace(
            hour=0, minute=5, second=0, microsecond=0
        )
        OutboundEmail.objects.filter(pk=email.pk, status=Status.SENDING).update(
            status=Status.SCHEDULED,
            send_at=tomorrow,
            failure_reason=f"{mailbox.email} reached its daily limit; it goes tomorrow.",
            updated_at=now,
        )
    return False


def _record_sent(email: OutboundEmail) -> None:
    now = timezone.now()
    with transaction.atomic():
        done = OutboundEmail.objects.filter(pk=email.pk, status=Status.SENDING).update(
            status=Status.SENT, sent_at=now, failure_reason="", updated_at=now
        )
        if not done:
            return  # the contact was deleted while the email was on its way
        log = task_services.outreach_log_record(
            workspace=email.workspace,
            prospect=email.prospect,
            contact=email.contact,
            log_type=OutreachLog.Type.EMAIL,
            channel=OutreachLog.Channel.EMAIL,
            status=OutreachLog.Status.SENT,
            subject=email.subject,
            body=email.body,
            metadata={
                "messageId": email.message_id,
                "emailId": email.pk,
                "mailboxId": email.mailbox_id,
                **({"inReplyTo": email.in_reply_to} if email.in_reply_to else {}),
            },
            by=email.sent_by,
            email_template=email.template,
        )
        OutboundEmail.objects.filter(pk=email.pk).update(outreach_log=log)
        task_services.activity_record(
            workspace=email.workspace,
            prospect=email.prospect,
            contact=email.contact,
            kind=Activity.Kind.EMAIL_SENT,
            occurred_at=now,
            metadata={"logId": log.pk, "emailId": email.pk},
        )


def _send_failed(email: OutboundEmail, error: MailServerError, *, final_attempt: bool) -> str:
    if error.kind == "refused":
        logger.info("Email %s bounced: %s", email.pk, error.message)
        with transaction.atomic():
            _finish(email.pk, Status.FAILED, error.message)
            prospect_services.contact_update(
                contact=email.contact,
                changes={"outreach_status": Contact.OutreachStatus.BOUNCED},
            )
        return "failed"
    if error.transient and not final_attempt:
        logger.warning("Email %s will be retried: %s", email.pk, error.message)
        OutboundEmail.objects.filter(pk=email.pk, status=Status.SENDING).update(
            status=Status.QUEUED, failure_reason=error.message[:300], updated_at=timezone.now()
        )
        return "retry"
    logger.warning("Email %s was not sent: %s", email.pk, error.message)
    _finish(email.pk, Status.FAILED, error.message)
    return "failed"


def _finish(email_id: int, status: str, reason: str) -> None:
    OutboundEmail.objects.filter(pk=email_id, status=Status.SENDING).update(
        status=status, failure_reason=reason[:300], updated_at=timezone.now()
    )


def emails_send_due(*, now: datetime | None = None) -> int:
    """Queue every scheduled email that is due, in batches, each its own short transaction;
    then hand lost sends to a worker again and mark interrupted ones as maybe sent."""
    now = now or timezone.now()
    queued = 0
    while True:
        with transaction.atomic():
            due = list(
                OutboundEmail.objects.filter(status=Status.SCHEDULED, send_at__lte=now)
                .select_for_update(skip_locked=True)
                .order_by("send_at")
                .values_list("pk", flat=True)[:SWEEP_BATCH]
            )
            OutboundEmail.objects.filter(pk__in=due).update(status=Status.QUEUED, updated_at=now)
            for email_id in due:
                outbox_enqueue(task=mail_tasks.send_email, args=[email_id])
        queued += len(due)
        if len(due) < SWEEP_BATCH:
            break
    _recover_in_flight(now)
    return queued


def _recover_in_flight(now: datetime) -> None:
    queued_before = now - timedelta(seconds=settings.MAIL_QUEUED_TOO_LONG_SECONDS)
    lost = list(
        OutboundEmail.objects.filter(status=Status.QUEUED, updated_at__lt=queued_before)
        .order_by("updated_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    OutboundEmail.objects.filter(pk__in=lost, status=Status.QUEUED).update(updated_at=now)
    for email_id in lost:
        mail_tasks.send_email.delay(email_id)
    claimed_before = now - timedelta(seconds=settings.MAIL_SENDING_TOO_LONG_SECONDS)
    OutboundEmail.objects.filter(status=Status.SENDING, updated_at__lt=claimed_before).update(
        status=Status.UNCERTAIN, failure_reason=INTERRUPTED, updated_at=now
    )


def email_cancel(*, email: OutboundEmail) -> OutboundEmail:
    """Call off a scheduled email (one already on its way cannot be)."""
    with transaction.atomic():
        cancelled = OutboundEmail.objects.filter(pk=email.pk, status=Status.SCHEDULED).update(
            status=Status.CANCELLED, updated_at=timezone.now()
        )
    if not cancelled:
        raise Conflict("Only a scheduled email can be cancelled; this one is already on its way.")
    email.refresh_from_db()
    return email


def email_retry(*, email: OutboundEmail) -> OutboundEmail:
    """Send a failed or maybe-sent email again: the rep's decision, never the sweep's."""
    refusal = contact_refusal(email.contact)
    if refusal:
        raise ValidationFailed(refusal)
    with transaction.atomic():
        again = OutboundEmail.objects.filter(
            pk=email.pk, status__in=[Status.FAILED, Status.UNCERTAIN]
        ).update(status=Status.QUEUED, failure_reason="", send_at=timezone.now())
        if not again:
            raise Conflict("Only an email that was not sent (or maybe not) can be sent again.")
        outbox_enqueue(task=mail_tasks.send_email, args=[email.pk])
    email.refresh_from_db()
    return email
