"""REST endpoints for sequences (cadences): templates, enrolling contacts, and each
enrollment's state, pause, resume, stop and "run the next step now"."""

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from config.errors import ValidationFailed
from config.fast_rows import rows_of
from config.schemas import PathId
from outreach.models import Contact, OutreachSequence, SequenceTemplate
from outreach.sequences import selectors as sequence_selectors
from outreach.sequences.schemas import (
    EnrollIn,
    EnrollmentFilter,
    EnrollmentOut,
    EnrollmentReportOut,
    PauseIn,
    SequenceIn,
    SequenceOut,
    SequencePatch,
    StopIn,
)
from outreach.sequences.services import enrollment as enrollment_services
from outreach.sequences.services import templates as template_services
from outreach.workspaces.auth import principal_of
from outreach.workspaces.selectors import get_in_workspace, member_user

router = Router(tags=["sequences"])


# --- Sequence templates -------------------------------------------------------------------------


@router.get("/sequences", response=list[SequenceOut])
@rows_of(SequenceOut)
@paginate
def sequence_list(request: HttpRequest):
    return sequence_selectors.sequence_template_list(workspace=principal_of(request).workspace)


@router.post("/sequences", response={201: SequenceOut})
def sequence_create(request: HttpRequest, payload: SequenceIn):
    principal = principal_of(request)
    template = template_services.sequence_template_create(
        workspace=principal.workspace,
        name=payload.name,
        description=payload.description,
        steps=[step.dict(exclude_unset=True) for step in payload.steps],
        by=principal.user,
    )
    return Status(201, _sequence(request, template.pk))


@router.get("/sequences/{sequence_id}", response=SequenceOut)
def sequence_get(request: HttpRequest, sequence_id: PathId):
    return _sequence(request, sequence_id)


@router.patch("/sequences/{sequence_id}", response=SequenceOut)
def sequence_patch(request: HttpRequest, sequence_id: PathId, payload: SequencePatch):
    changes = payload.dict(exclude_unset=True)
    if "steps" in changes:
        changes["steps"] = [step.dict(exclude_unset=True) for step in payload.steps]
    template_services.sequence_template_update(template=_sequence(request, sequence_id), **changes)
    return _sequence(request, sequence_id)


@router.delete("/sequences/{sequence_id}", response={204: None})
def sequence_delete(request: HttpRequest, sequence_id: PathId):
    template_services.sequence_template_delete(template=_sequence(request, sequence_id))
    return Status(204, None)


@router.post("/sequences/{sequence_id}/enrollments", response=EnrollmentReportOut)
def sequence_enroll(request: HttpRequest, sequence_id: PathId, payload: EnrollIn):
    """Enroll one or many contacts. Those who cannot join (opted out, no email address,
    already in it) are listed under `skipped` with the reason."""
    principal = principal_of(request)
    workspace = principal.workspace
    template = _sequence(request, sequence_id)
    contacts = list(Contact.objects.filter(workspace=workspace, pk__in=payload.contact_ids))
    missing = sorted(set(payload.contact_ids) - {contact.pk for contact in contacts})
    if missing:
        raise ValidationFailed.for_field(
            "contact_ids", f"No contact with id {', '.join(map(str, missing))} in this workspace."
        )
    report = enrollment_services.sequence_enroll(
        template=template,
        contacts=contacts,
        by=principal.user,
        sender=member_user(workspace=workspace, user_id=payload.sender_id, field="sender_id"),
    )
    enrolled = sequence_selectors.enrollment_list(workspace=workspace).filter(
        pk__in=[sequence.pk for sequence in report.enrolled]
    )
    return {
        "enrolled": list(enrolled),
        "skipped": [
            {"contact_id": contact.pk, "reason": reason} for contact, reason in report.skipped
        ],
    }


def _sequence(request: HttpRequest, sequence_id: int) -> SequenceTemplate:
    workspace = principal_of(request).workspace
    return get_in_workspace(
        sequence_selectors.sequence_template_list(workspace=workspace),
        workspace=workspace,
        pk=sequence_id,
        label="sequence",
    )


# --- Enrollments --------------------------------------------------------------------------------


@router.get("/enrollments", response=list[EnrollmentOut])
@paginate
def enrollment_list(request: HttpRequest, filters: Query[EnrollmentFilter]):
    """Enrollments, newest first, each with the state of every step: done, in the queue, or
    waiting (why, and when it goes)."""
    return sequence_selectors.enrollment_list(
        workspace=principal_of(request).workspace, **filters.dict()
    )


@router.get("/enrollments/{enrollment_id}", response=EnrollmentOut)
def enrollment_get(request: HttpRequest, enrollment_id: PathId):
    return _enrollment(request, enrollment_id)


@router.post("/enrollments/{enrollment_id}/pause", response=EnrollmentOut)
def enrollment_pause(request: HttpRequest, enrollment_id: PathId, payload: PauseIn):
    """Pause, for good or until a day (a vacation, say)."""
    enrollment_services.sequence_pause(
        sequence=_enrollment(request, enrollment_id), reason=payload.reason, until=payload.until
    )
    return _enrollment(request, enrollment_id)


@router.post("/enrollments/{enrollment_id}/resume", response=EnrollmentOut)
def enrollment_resume(request: HttpRequest, enrollment_id: PathId):
    enrollment_services.sequence_resume(sequence=_enrollment(request, enrollment_id))
    return _enrollment(request, enrollment_id)


@router.post("/enrollments/{enrollment_id}/stop", response=EnrollmentOut)
def enrollment_stop(request: HttpRequest, enrollment_id: PathId, payload: StopIn):
    enrollment_services.sequence_stop(
        sequence=_enrollment(request, enrollment_id), reason=payload.reason
    )
    return _enrollment(request, enrollment_id)


@router.post("/enrollments/{enrollment_id}/advance", response=EnrollmentOut)
def enrollment_advance(request: HttpRequest, enrollment_id: PathId):
    """Run the next waiting step now, whatever its delay and the hour."""
    enrollment_services.sequence_advance(sequence=_enrollment(request, enrollment_id))
    return _enrollment(request, enrollment_id)


def _enrollment(request: HttpRequest, enrollment_id: int) -> OutreachSequence:
    workspace = principal_of(request).workspace
    return get_in_workspace(
        sequence_selectors.enrollment_list(workspace=workspace),
        workspace=workspace,
        pk=enrollment_id,
        label="enrollment",
    )
