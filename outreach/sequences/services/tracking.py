"""What recipients do with sequence emails: opens and clicks as activity, and unsubscribing."""

from django.db import transaction

from outreach.crm.services import prospects as prospect_services
from outreach.crm.services import tasks as task_services
from outreach.models import Activity, Contact, OutreachStep


def email_open_record(*, step_id: int) -> Activity | None:
    return _record(step_id, Activity.Kind.EMAIL_OPEN, {})


def email_click_record(*, step_id: int, url: str) -> Activity | None:
    return _record(step_id, Activity.Kind.EMAIL_CLICK, {"url": url[:2000]})


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


def _record(step_id: int, kind: str, metadata: dict) -> Activity | None:
    step = (
        OutreachStep.objects.select_related(
            "sequence__workspace", "sequence__prospect", "sequence__contact"
        )
        .filter(pk=step_id, outreach_log__isnull=False)
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
    )
