"""The campaigns API's objects for the API-wide tenancy walk and query-count test."""

from django.db.models import QuerySet

from campaigns.models import Campaign, CampaignProspect
from media_pipeline.models import GenerationJob
from outreach.models import Contact, Prospect, Workspace
from tests.factories import (
    CampaignFactory,
    CampaignProspectFactory,
    ContactFactory,
    GenerationJobFactory,
    ProspectFactory,
)


def build(workspace: Workspace, owner, mark: str, world: dict[str, int]) -> dict[str, int]:
    # A draft, so that launching it (the tenancy walk's control request) is allowed.
    campaign = CampaignFactory(workspace=workspace, name=f"{mark} campaign", created_by=owner)
    prospect = Prospect.objects.get(pk=world["prospect_id"])
    entry = CampaignProspectFactory(
        campaign=campaign,
        prospect=prospect,
        contact=Contact.objects.get(pk=world["contact_id"]),
        error=f"{mark} error",
    )
    GenerationJobFactory(campaign_prospect=entry, error=f"{mark} job")
    return {"campaign_id": campaign.pk, "campaign_prospect_id": entry.pk}


def rows(workspace: Workspace) -> list[QuerySet]:
    return [
        Campaign.objects.filter(workspace=workspace),
        CampaignProspect.objects.filter(workspace=workspace),
        GenerationJob.objects.filter(workspace=workspace),
    ]


def populate(workspace: Workspace, owner, n: int, ids: dict[str, int]) -> dict[str, int]:
    campaign = CampaignFactory(workspace=workspace, created_by=owner)
    entries = []
    for i in range(n):
        CampaignFactory(workspace=workspace)
        prospect = ProspectFactory(workspace=workspace)
        entries.append(
            CampaignProspectFactory(
                campaign=campaign,
                prospect=prospect,
                contact=ContactFactory(prospect=prospect) if i % 2 else None,
            )
        )
    for i in range(n):
        GenerationJobFactory(
            campaign_prospect=entries[0], job_type=GenerationJob.Type.VOICE, scene_index=i
        )
    return {"campaign_id": campaign.pk, "campaign_prospect_id": entries[0].pk}
