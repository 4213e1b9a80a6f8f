"""REST endpoints of meetings: the workspace's meetings, their outcome, and meeting types."""

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from config.schemas import PathId
from outreach.meetings.schemas import MeetingFilter, MeetingOut, MeetingOutcomeIn, MeetingTypeOut
from outreach.meetings.services import booking as booking_services
from outreach.models import Meeting, MeetingType
from outreach.workspaces.auth import principal_of
from outreach.workspaces.selectors import get_in_workspace

router = Router(tags=["meetings"])


@router.get("/meetings", response=list[MeetingOut])
@paginate
def meeting_list(request: HttpRequest, filters: Query[MeetingFilter]):
    """The workspace's meetings, latest first."""
    meetings = Meeting.objects.filter(workspace=principal_of(request).workspace)
    if filters.status:
        meetings = meetings.filter(status=filters.status)
    if filters.host_id:
        meetings = meetings.filter(host_id=filters.host_id)
    if filters.prospect_id:
        meetings = meetings.filter(prospect_id=filters.prospect_id)
    return meetings.order_by("-start_at", "-pk")


@router.get("/meetings/{meeting_id}", response=MeetingOut)
def meeting_get(request: HttpRequest, meeting_id: PathId):
    return _meeting(request, meeting_id)


@router.post("/meetings/{meeting_id}/outcome", response=MeetingOut)
def meeting_outcome(request: HttpRequest, meeting_id: PathId, payload: MeetingOutcomeIn):
    """Mark a meeting that has started as held or a no-show (a no-show runs the automations
    listening for `meeting.no_show`)."""
    return booking_services.meeting_settle(
        meeting=_meeting(request, meeting_id),
        outcome=payload.outcome,
        by=principal_of(request).user,
    )


@router.post("/meetings/{meeting_id}/cancel", response=MeetingOut)
def meeting_cancel(request: HttpRequest, meeting_id: PathId):
    """Cancel a booked meeting: its slot is free again and both sides are told."""
    return booking_services.meeting_cancel(meeting=_meeting(request, meeting_id), by_invitee=False)


@router.get("/meeting-types", response=list[MeetingTypeOut])
@paginate
def meeting_type_list(request: HttpRequest):
    """The meeting types the workspace's reps offer."""
    return MeetingType.objects.filter(workspace=principal_of(request).workspace).order_by(
        "host_id", "name", "pk"
    )


def _meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    return get_in_workspace(
        Meeting.objects.select_related("workspace", "host", "prospect", "contact"),
        workspace=principal_of(request).workspace,
        pk=meeting_id,
        label="meeting",
    )
