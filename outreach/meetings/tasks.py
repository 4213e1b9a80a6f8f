"""Celery tasks of meetings: the invitations both sides receive once a change commits."""

import logging
import smtplib

from celery import shared_task

from outreach.outbox.services import outbox_enqueue

logger = logging.getLogger(__name__)


@shared_task(
    name="outreach.meetings.send_invitations",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=6,
)
def send_meeting_invitations(meeting_id: int, kind: str, version: int) -> int:
    """Email version `version` of the meeting's invitation (its calendar SEQUENCE) to both
    sides, once: the conditional UPDATE claims the version, and a failed send gives it back
    for the retry. A version superseded by a later move or cancel is not sent."""
    from outreach.meetings.invitations import send_invitations
    from outreach.models import Meeting

    claim = Meeting.objects.filter(pk=meeting_id, sequence=version, invitations_sent__lte=version)
    if not claim.update(invitations_sent=version + 1):
        return 0
    meeting = Meeting.objects.select_related("workspace", "host", "prospect", "wizard_link").get(
        pk=meeting_id
    )
    try:
        return send_invitations(meeting, kind)
    except Exception:
        Meeting.objects.filter(pk=meeting_id, invitations_sent=version + 1).update(
            invitations_sent=version
        )
        logger.warning("Invitations of meeting %s (%s) not sent; retrying.", meeting_id, kind)
        raise


def enqueue_invitations(*, meeting_id: int, kind: str) -> None:
    """Send the invitation of the meeting's current version once the transaction commits."""
    from outreach.models import Meeting

    version = Meeting.objects.filter(pk=meeting_id).values_list("sequence", flat=True).get()
    outbox_enqueue(task=send_meeting_invitations, args=[meeting_id, kind, version])
