"""The outreach objects that the API-wide tests need beyond the core ones: wizard links and
meetings."""

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from outreach.models import (
    Contact,
    Meeting,
    MeetingType,
    Prospect,
    WizardLink,
    WizardSession,
    Workspace,
)
from tests.factories import MeetingFactory, MeetingTypeFactory, WizardLinkFactory


def build(workspace: Workspace, owner, mark: str, world: dict[str, int]) -> dict[str, int]:
    prospect = Prospect.objects.get(pk=world["prospect_id"])
    link = WizardLinkFactory(prospect=prospect, created_by=owner)
    meeting = _meeting(workspace, owner, prospect, mark)
    MeetingTypeFactory(workspace=workspace, host=owner, name=f"Call {mark}")
    return {"link_id": link.pk, "meeting_id": meeting.pk}


def rows(workspace: Workspace) -> list[QuerySet]:
    return [
        WizardLink.objects.filter(workspace=workspace),
        WizardSession.objects.filter(link__workspace=workspace),
        Meeting.objects.filter(workspace=workspace),
        MeetingType.objects.filter(workspace=workspace),
    ]


def populate(workspace: Workspace, owner, n: int, ids: dict[str, int]) -> dict[str, int]:
    prospect = Prospect.objects.get(pk=ids["prospect_id"])
    for i in range(n):
        WizardLinkFactory(prospect=prospect, created_by=owner)
        _meeting(workspace, owner, prospect, f"populated {i}", days=i + 1)
        MeetingTypeFactory(workspace=workspace, host=owner, name=f"Populated call {i}")
    return {}


def _meeting(workspace: Workspace, owner, prospect: Prospect, mark: str, days: int = 0) -> Meeting:
    # Started an hour ago: every route (outcome included) has something to act on.
    start = timezone.now() - timedelta(hours=1) + timedelta(days=days)
    contact = Contact.objects.filter(prospect=prospect).first()
    return MeetingFactory(
        workspace=workspace,
        prospect=prospect,
        contact=contact,
        host=owner,
        title=f"Meeting {mark}",
        invitee_name=mark,
        invitee_email="invitee@example.com",
        start_at=start,
        end_at=start + timedelta(minutes=30),
    )
