"""Engagement objects for the API-wide tenancy walk and query-count checks."""

from datetime import timedelta

from django.utils import timezone

from engagement.models import (
    EngagementLevel,
    EngagementOverrideHistory,
    EngagementSettings,
    MemberEngagement,
)
from outreach.models import Contact
from tests.factories import (
    ContactFactory,
    EngagementOverrideHistoryFactory,
    MemberEngagementFactory,
    ProspectFactory,
)


def build(workspace, owner, mark, world) -> dict[str, int]:
    """A score with a live override and its history for the world's contact, so every route
    (read, recompute, override, clear) has something to act on."""
    contact = Contact.objects.get(pk=world["contact_id"])
    engagement = MemberEngagementFactory(
        contact=contact,
        admin_explanation=f"{mark} explained",
        member_explanation=f"Thanks, {mark}",
        override_level=EngagementLevel.HIGHLY_ENGAGED,
        level=EngagementLevel.HIGHLY_ENGAGED,
        computed_level=EngagementLevel.MODERATE,
        override_notes=f"{mark} override",
        overridden_by=owner,
        overridden_by_label=owner.get_username(),
        overridden_at=timezone.now(),
        override_expires_at=timezone.now() + timedelta(days=30),
    )
    EngagementOverrideHistoryFactory(engagement=engagement, notes=f"{mark} history")
    EngagementSettings.objects.create(workspace=workspace, window_days=91)
    return {}


def rows(workspace) -> list:
    return [
        MemberEngagement.objects.filter(workspace=workspace),
        EngagementOverrideHistory.objects.filter(workspace=workspace),
        EngagementSettings.objects.filter(workspace=workspace),
    ]


def populate(workspace, owner, n, ids) -> dict[str, int]:
    prospect = ProspectFactory(workspace=workspace)
    contacts = [ContactFactory(prospect=prospect) for _ in range(n)]
    engagements = [MemberEngagementFactory(contact=contact) for contact in contacts]
    for _ in range(n):
        EngagementOverrideHistoryFactory(engagement=engagements[0], performed_by=owner)
    return {"contact_id": contacts[0].pk}
