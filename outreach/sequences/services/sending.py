"""Sending a sequence's email step: from the enrolling rep's mailbox when they connected one,
within its daily limit, once, with tracked links.

A step is claimed (queued -> sending) before its message leaves, so a task delivered twice sends
one email, and a send interrupted by a dead worker is never sent again blindly: the rep decides.
"""

import logging
import smtplib
from datetime import timedelta

from anymail.exceptions import AnymailAPIError, AnymailError, AnymailRecipientsRefused
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from config.errors import ApplicationError
from outreach.crm.services import prospects as prospect_services
from outreach.crm.services import tasks as task_services
from outreach.mail import merge_fields
from outreach.mail.email_links import Tracked
from outreach.mail.messages import from_address, new_message_id, outgoing_email
from outreach.mail.selectors import default_mailbox
from outreach.mail.servers import email_connection
from outreach.mail.services.limits import daily_send_limit, reserve_sends, sending_address
from outreach.models import (
    Activity,
    Contact,
    Mailbox,
    OutreachLog,
    OutreachSequence,
    OutreachStep,
)
from outreach.sequences.services.state import (
    SEQUENCE_RELATIONS,
    SequenceStatus,
    Status,
    WaitReason,
    lock_sequence,
    pause,
    step_finish,
    stop,
)

__all__ = ["daily_send_limit", "reserve_sends"]

# A queued email whose task never ran (a lost broker message) is handed out again after this;
# it is longer than a send's whole retry schedule so a retrying send is not doubled.
logger = logging.getLogger(__name__)

QUEUED_TOO_LONG = timedelta(minutes=20)


# A send claimed this long ago died mid-way (worker killed): we cannot know if it went out.
SENDING_TOO_LONG = timedelta(minutes=30)


INTERRUPTED = (
    "Sending was interrupted, so this email may or may not have gone out. "
    "Check the sent mail before resuming."
)


SEND_OUTCOMES = ("sent", "retry", "failed", "skipped", "gone")


def sender_mailbox(sequence: OutreachSequence) -> Mailbox | None:
    """The enrolling rep's default mailbox; None sends through the workspace's email service."""
    return default_mailbox(workspace=sequence.workspace, user=sequence.sender)


def sender_address(sequence: OutreachSequence, mailbox: Mailbox | None = None) -> str:
    """The address whose daily limit the sequence's emails count against."""
    sender_email = sequence.sender.email if sequence.sender is not None else ""
    return sending_address(mailbox, sender_email)


def sequence_email_send(*, step_id: int, final_attempt: bool = False) -> str:
    """Send a queued email step once; one of SEND_OUTCOMES.

    The step is claimed (queued -> sending) before the message leaves, so a task delivered
    twice sends one email; no transaction is open while the mail server is talking.
    """
    claimed = OutreachStep.objects.filter(pk=step_id, status=Status.QUEUED).update(
        status=Status.SENDING, updated_at=timezone.now()
    )
    if not claimed:
        return "gone"
    step = (
        OutreachStep.objects.select_related("template_step__email_template")
        .filter(pk=step_id)
        .first()
    )
    sequence = (
        OutreachSequence.objects.select_related(*SEQUENCE_RELATIONS)
        .filter(pk=step.sequence_id)
        .first()
        if step
        else None
    )
    if step is None or sequence is None:
        return "gone"
    if _cannot_send(sequence, step):
        return _give_back(step)
    mailbox = sender_mailbox(sequence)
    message, body = _email_message(sequence, step, mailbox)
    try:
        message.connection = email_connection(mailbox)
        message.send()
    except (smtplib.SMTPException, OSError, AnymailError, ApplicationError) as exc:
        return _send_failed(step, sequence, exc, final_attempt=final_attempt)
    _record_sent(step_id, message, body, mailbox)
    return "sent"


def _cannot_send(sequence: OutreachSequence | None, step: OutreachStep) -> str:
    if sequence is None or sequence.status != SequenceStatus.ACTIVE:
        return "The sequence is no longer running."
    if sequence.contact.outreach_status != Contact.OutreachStatus.ACTIVE:
        return f"The contact is {sequence.contact.get_outreach_status_display().lower()}."
    if not sequence.contact.email:
        return "The contact has no email address."
    if step.template_step is None:
        return "The step was taken out of the sequence."
    return ""


def _give_back(step: OutreachStep) -> str:
    """Things changed between queueing and sending: leave the step as the sequence now wants."""
    with transaction.atomic():
        sequence = lock_sequence(step.sequence_id)
        reason = _cannot_send(sequence, step)
        claimed = OutreachStep.objects.filter(pk=step.pk, status=Status.SENDING)
        if sequence is not None and sequence.status == SequenceStatus.PAUSED:
            claimed.update(
                status=Status.PENDING,
                wait_reason=WaitReason.PAUSED,
                next_step_ready_at=sequence.paused_until or timezone.now(),
            )
            return "skipped"
        if sequence is not None and sequence.status == SequenceStatus.ACTIVE:
            contact = sequence.contact
            if contact.outreach_status != Contact.OutreachStatus.ACTIVE:
                claimed.update(status=Status.SKIPPED, failure_reason=reason)
                stop(sequence=sequence, reason=contact.get_outreach_status_display())
                return "skipped"
            # Still running, but this email cannot go (no address, a removed step).
            _fail_locked(sequence, step.pk, reason, from_status=Status.SENDING)
            return "failed"
        claimed.update(status=Status.SKIPPED, failure_reason=reason)
    return "skipped"


def _email_message(
    sequence: OutreachSequence, step: OutreachStep, mailbox: Mailbox | None
) -> tuple[EmailMultiAlternatives, str]:
    """The email and its body as written (what the outreach log shows, without the footer)."""
    template_step = step.template_step
    # A step taken out of the sequence is refused (see _cannot_send) before this is built.
    assert template_step is not None, "a removed step is never sent"
    context = merge_fields.MergeContext(
        contact=sequence.contact, prospect=sequence.prospect, sender=sequence.sender
    )
    subject = " ".join(merge_fields.render(template_step.subject_text, context).split())
    body = merge_fields.render(template_step.body_text, context)
    message = outgoing_email(
        workspace=sequence.workspace,
        mailbox=mailbox,
        sender=sequence.sender,
        contact=sequence.contact,
        subject=subject,
        body=body,
        tracked=Tracked.step(step.pk),
        message_id=new_message_id(from_address(mailbox, sequence.sender)),
    )
    return message, body


def _record_sent(
    step_id: int, message: EmailMultiAlternatives, body: str, mailbox: Mailbox | None
) -> None:
    now = timezone.now()
    with transaction.atomic():
        step = OutreachStep.objects.filter(pk=step_id).first()
        sequence = lock_sequence(step.sequence_id) if step else None
        if step is None or sequence is None:
            return  # the contact was deleted while the email was on its way
        log = task_services.outreach_log_record(
            workspace=sequence.workspace,
            prospect=sequence.prospect,
            contact=sequence.contact,
            log_type=OutreachLog.Type.EMAIL,
            channel=OutreachLog.Channel.EMAIL,
            status=OutreachLog.Status.SENT,
            # A plain str (see _email_message); the stubs also allow a lazy translation.
            subject=str(message.subject),
            body=body,
            metadata={
                "sequenceId": sequence.pk,
                "stepId": step.pk,
                "messageId": message.extra_headers["Message-ID"],
                **({"mailboxId": mailbox.pk} if mailbox else {}),
            },
            by=sequence.sender,
            email_template=step.template_step.email_template if step.template_step else None,
        )
        task_services.activity_record(
            workspace=sequence.workspace,
            prospect=sequence.prospect,
            contact=sequence.contact,
            kind=Activity.Kind.EMAIL_SENT,
            occurred_at=now,
            metadata={"logId": log.pk, "stepId": step.pk, "sequenceId": sequence.pk},
        )
        step_finish(sequence=sequence, step=step, status=Status.DONE, at=now, outreach_log=log)


def _send_failed(
    step: OutreachStep, sequence: OutreachSequence, exc: Exception, *, final_attempt: bool
) -> str:
    reason = (exc.message if isinstance(exc, ApplicationError) else f"{type(exc).__name__}: {exc}")[
        :300
    ]
    if isinstance(exc, smtplib.SMTPRecipientsRefused | AnymailRecipientsRefused):
        logger.info("Sequence email %s bounced: %s", step.pk, reason)
        fail_send(step.pk, f"The address was refused: {reason}", from_status=Status.SENDING)
        prospect_services.contact_update(
            contact=sequence.contact,
            changes={"outreach_status": Contact.OutreachStatus.BOUNCED},
        )
        return "failed"
    if _is_transient(exc) and not final_attempt:
        logger.warning("Sequence email %s will be retried: %s", step.pk, reason)
        OutreachStep.objects.filter(pk=step.pk, status=Status.SENDING).update(
            status=Status.QUEUED, failure_reason=reason
        )
        return "retry"
    logger.warning("Sequence email %s was not sent: %s", step.pk, reason)
    fail_send(step.pk, reason, from_status=Status.SENDING)
    return "failed"


def _is_transient(exc: Exception) -> bool:
    if isinstance(exc, ApplicationError):
        return False  # a mailbox setting to fix (an unreadable password, a refused host)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, AnymailAPIError):
        status = exc.status_code
        return status is None or status == 429 or status >= 500
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    # Every SMTP error is an OSError; the rest (refused connections, timeouts) are the network.
    return not isinstance(exc, smtplib.SMTPException | AnymailError)


def fail_send(step_id: int, reason: str, *, from_status: str) -> None:
    with transaction.atomic():
        step = OutreachStep.objects.filter(pk=step_id).first()
        sequence = lock_sequence(step.sequence_id) if step else None
        if sequence is not None:
            _fail_locked(sequence, step_id, reason, from_status=from_status)


def _fail_locked(sequence: OutreachSequence, step_id: int, reason: str, *, from_status: str):
    failed = OutreachStep.objects.filter(pk=step_id, status=from_status).update(
        status=Status.FAILED, failure_reason=reason[:300], updated_at=timezone.now()
    )
    if failed and sequence.status == SequenceStatus.ACTIVE:
        # A rep decides: resume to try the email again, or stop the sequence.
        pause(
            sequence=sequence,
            kind=OutreachSequence.PauseKind.SEND_FAILED,
            reason=f"An email was not sent: {reason}",
            until=None,
        )
