"""Engagement triggers: each strong signal from a prospect puts one call task in the queue."""

import logging
from dataclasses import dataclass

from django.db import IntegrityError, models, transaction

from outreach.crm import tasks as crm_tasks
from outreach.crm.services.tasks import touch_task_create
from outreach.models import Contact, OutreachLog, OutreachSequence, Prospect
from outreach.outbox.services import outbox_enqueue

logger = logging.getLogger(__name__)

CREATED_BY = "engagement-trigger"


class TriggerSource(models.TextChoices):
    WIZARD_STEP3 = "wizard_step3", "Wizard step 3"
    PDF_DOWNLOAD = "pdf_download", "PDF report downloaded"
    INTERESTED_REPLY = "interested_reply", "Interested reply"


SUBJECTS: dict[str, str] = {
    TriggerSource.WIZARD_STEP3: "Follow-up: prospect engaged with wizard (step 3+)",
    TriggerSource.PDF_DOWNLOAD: "Follow-up: prospect downloaded PDF report",
    TriggerSource.INTERESTED_REPLY: "Follow-up: prospect replied with interest",
}
DEFAULT_NOTES: dict[str, str] = {
    TriggerSource.WIZARD_STEP3: "{prospect} went through their wizard to the video step. "
    "Call while it is fresh.",
    TriggerSource.PDF_DOWNLOAD: "{prospect} downloaded their PDF report. "
    "Call to walk them through it.",
    TriggerSource.INTERESTED_REPLY: "{prospect} replied with interest. Call to book a meeting.",
}
# Our insert loses to a concurrent signal's, and a rep closes that task before we read it: we
# go back to the check. Three such rounds in a row would take a rep faster than the database.
_ATTEMPTS = 3


@dataclass(frozen=True)
class TriggerResult:
    created: bool
    reason: str  # "created", "already_exists" or "no_contact"
    task_id: int | None = None
    contact_id: int | None = None


def create_engagement_call_task(
    *, prospect: Prospect, trigger_source: str, notes: str = ""
) -> TriggerResult:
    """Put a high-priority call task for the prospect's contact in the queue, due now.

    At most one open task per (prospect, trigger source): the database refuses a second one,
    even from concurrent calls, and the existing task is returned instead. Callable inside a
    transaction: the insert runs in a savepoint.
    """
    if trigger_source not in TriggerSource.values:
        raise ValueError(f"Unknown engagement trigger source {trigger_source!r}")

    for _ in range(_ATTEMPTS):
        existing = open_trigger_task(prospect=prospect, trigger_source=trigger_source)
        if existing is not None:
            return TriggerResult(
                created=False,
                reason="already_exists",
                task_id=existing.pk,
                contact_id=existing.contact_id,
            )
        contact = call_contact_for(prospect=prospect)
        if contact is None:
            logger.warning(
                "No call task for %s (%s): the prospect has no contact who can be called.",
                prospect,
                trigger_source,
            )
            return TriggerResult(created=False, reason="no_contact")
        try:
            with transaction.atomic():
                task = touch_task_create(
                    workspace=prospect.workspace,
                    prospect=prospect,
                    contact=contact,
                    channel=OutreachLog.Channel.CALL,
                    log_type=OutreachLog.Type.FOLLOW_UP,
                    subject=SUBJECTS[trigger_source],
                    notes=notes or DEFAULT_NOTES[trigger_source].format(prospect=prospect.name),
                    priority="high",
                    created_by_label=CREATED_BY,
                    extra_metadata={"triggerSource": trigger_source, "prospectId": prospect.pk},
                )
        except IntegrityError:
            # A concurrent signal inserted the task first; the next pass returns it.
            continue
        logger.info("Call task %s created for %s (%s).", task.pk, prospect, trigger_source)
        return TriggerResult(created=True, reason="created", task_id=task.pk, contact_id=contact.pk)
    existing = open_trigger_task(prospect=prospect, trigger_source=trigger_source)
    return TriggerResult(
        created=False, reason="already_exists", task_id=existing.pk if existing else None
    )


def enqueue_engagement_call_task(*, prospect_id: int, trigger_source: str) -> None:
    """Create the call task in the worker once the current transaction commits.

    The request is recorded in the outbox with the signal that caused it: while the broker is
    unreachable the page answers as fast as ever, and the outbox sweep hands the task out
    when the broker is back.
    """
    outbox_enqueue(task=crm_tasks.engagement_call_task_create, args=[prospect_id, trigger_source])


def open_trigger_task(*, prospect: Prospect, trigger_source: str) -> OutreachLog | None:
    return OutreachLog.objects.filter(
        prospect=prospect,
        status=OutreachLog.Status.TOUCH_OPEN,
        metadata__kind=OutreachLog.TOUCH_TASK,
        metadata__triggerSource=trigger_source,
    ).first()


def call_contact_for(*, prospect: Prospect) -> Contact | None:
    """Whom the rep should call: the contact of the prospect's most recently updated sequence,
    else the earliest contact. Contacts who opted out are never chosen."""
    sequence = (
        OutreachSequence.objects.filter(prospect=prospect)
        .exclude(contact__outreach_status=Contact.OutreachStatus.OPTED_OUT)
        .select_related("contact")
        .order_by("-updated_at", "-pk")
        .first()
    )
    if sequence is not None:
        return sequence.contact
    return (
        Contact.objects.filter(prospect=prospect)
        .exclude(outreach_status=Contact.OutreachStatus.OPTED_OUT)
        .order_by("created_at", "pk")
        .first()
    )
