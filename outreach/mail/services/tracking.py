"""What recipients do with our emails (sequence or one-off): opens and clicks as activity, and
unsubscribing."""

from typing import Any

from django.db import transaction

from outreach.crm.services import prospects as prospect_services
from outreach.crm.services import tasks as task_services
from outreach.mail.email_links import Tracked
from outreach.models import Activity, Contact, OutboundEmail, OutreachStep


def email_open_record(*, tracked: Tracked) -> Activity | None:
    return _record(tracked, Activity.Kind.EMAIL_OPEN, {})


def email_click_record(*, tracked: Tracked, url: str) -> Activity | None:
    return _record(tracked, Activity.Kind.EMAIL_CLICK, {"url": url[:2000]})


def contact_unsubscribe(*, contact_id: int) -> Contact | None:
    """Opt the contact out (which ends their sequences); None if they no longer exist."""
    contact = Contact.objects.select_related("workspace").filter(pk=contact_id).first()
    if contact is None:
        return None
    with transaction.atomic():
        if contact.outreach_status != Contact.OutreachStatus.OPTED_OUT:
            prospect_services.contact_update(
                contact=contact, changes={"outreach_status": Contact.OutreachStatus.OPTED_OUT}
            )
    return contact


def _record(tracked: Tracked, kind: str, metadata: dict[str, Any]) -> Activity | None:
    if tracked.kind == "email":
        email = (
            OutboundEmail.objects.select_related("workspace", "prospect", "contact")
            .filter(pk=tracked.pk, outreach_log__isnull=False)
            .first()
        )
        if email is None:
            return None  # not sent, or its contact was deleted since
        return task_services.activity_record(
            workspace=email.workspace,
            prospect=email.prospect,
            contact=email.contact,
            kind=kind,
            metadata={**metadata, "logId": email.outreach_log_id, "emailId": email.pk},
        )
    step = (
        OutreachStep.objects.select_related(
            "sequence__workspace", "sequence__prospect", "sequence__contact"
        )
        .filter(pk=tracked.pk, outreach_log__isnull=False)
        .first()
    )
    if step is None:
        return None  # the email's contact or sequence was deleted since
    sequence = step.sequence
    return task_services.activity_record(
        workspace=sequence.workspace,
        prospect=sequence.prospect,
        contact=sequence.contact,
        kind=kind,
        metadata={
            **metadata,
            "logId": step.outreach_log_id,
            "stepId": step.pk,
            "sequenceId": sequence.pk,
        },
        step=step,
    )
