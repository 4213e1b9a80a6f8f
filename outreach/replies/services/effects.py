"""What a triaged reply asks of the engagement triggers and the cadence engine.

Reply triage (`triage.apply_reply_triage`) calls only these three functions for
work owned elsewhere, at most once per reply each. They run inside triage's transaction.
"""

from dataclasses import dataclass
from datetime import datetime

from outreach.crm.services import engagement_triggers
from outreach.models import Contact, OutreachSequence, Prospect
from outreach.sequences.services import enrollment as enrollment_services

INTERESTED_REPLY = "interested_reply"


@dataclass(frozen=True)
class CallTaskResult:
    """What asking for the interested-reply call task came to."""

    created: bool
    reason: str
    task_id: int | None = None


def call_task_for_interest(prospect: Prospect, *, notes: str) -> CallTaskResult:
    """Create the high-priority call task for a prospect who replied with interest; `notes`
    quotes the reply for the rep who calls."""
    result = engagement_triggers.create_engagement_call_task(
        prospect=prospect,
        trigger_source=engagement_triggers.TriggerSource.INTERESTED_REPLY,
        notes=notes,
    )
    return CallTaskResult(created=result.created, reason=result.reason, task_id=result.task_id)


def stop_sequences(contact: Contact, reason: str) -> None:
    """Stop every active or paused sequence of the contact, for good."""
    enrollment_services.sequences_stop_for_contact(contact=contact, reason=reason)


def pause_sequences(contact: Contact, reason: str, until: datetime) -> None:
    """Pause the contact's active sequences until `until` (timezone-aware), then resume them."""
    enrollment_services.sequences_pause_for_contact(
        contact=contact,
        reason=reason,
        until=until,
        kind=OutreachSequence.PauseKind.OUT_OF_OFFICE,
    )
