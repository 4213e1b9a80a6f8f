"""REST endpoints for campaigns: create, list, launch, follow progress, and each prospect's
video and files (its generation jobs are the media pipeline's)."""

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from campaigns import selectors, services
from campaigns.models import Campaign, CampaignProspect
from campaigns.schemas import (
    CampaignIn,
    CampaignOut,
    CampaignProgressOut,
    CampaignProspectDetailOut,
    CampaignProspectFilesOut,
    CampaignProspectOut,
    absolute,
)
from config.errors import ValidationFailed
from config.fast_rows import rows_of
from config.schemas import PathId
from outreach.models import Contact, Prospect
from outreach.workspaces.auth import principal_of
from outreach.workspaces.selectors import get_in_workspace, ref_in_workspace

router = Router(tags=["campaigns"])


@router.get("", response=list[CampaignOut])
@rows_of(CampaignOut)
@paginate
def campaign_list(request: HttpRequest):
    return selectors.campaign_list(workspace=principal_of(request).workspace)


@router.post("", response={201: CampaignOut})
def campaign_create(request: HttpRequest, payload: CampaignIn):
    principal = principal_of(request)
    workspace = principal.workspace
    targets: list[services.ExistingTarget | services.NewTarget] = []
    for index, item in enumerate(payload.prospects):
        if item.prospect_id is not None:
            prospect = ref_in_workspace(
                Prospect.objects, workspace=workspace, pk=item.prospect_id, field="prospect_id"
            )
            contact = ref_in_workspace(
                Contact.objects, workspace=workspace, pk=item.contact_id, field="contact_id"
            )
            targets.append(services.ExistingTarget(prospect=prospect, contact=contact))
        elif item.contact_id is not None:
            raise ValidationFailed.for_field(
                "contact_id", f"Prospect {index + 1}: a contact_id needs its prospect_id."
            )
        else:
            targets.append(
                services.NewTarget(
                    company=item.company,
                    website=item.website,
                    contact_name=item.contact_name,
                    contact_title=item.contact_title,
                    contact_email=item.contact_email,
                )
            )
    data = payload.dict(exclude={"prospects"})
    campaign = services.campaign_create(
        workspace=workspace, targets=targets, by=principal.user, **data
    )
    return Status(201, campaign)


@router.get("/{campaign_id}", response=CampaignOut)
def campaign_get(request: HttpRequest, campaign_id: PathId):
    return _campaign(request, campaign_id)


@router.post("/{campaign_id}/launch", response=CampaignOut)
def campaign_launch(request: HttpRequest, campaign_id: PathId):
    """Start making the videos. Only a draft campaign can be launched (409 otherwise)."""
    return services.campaign_launch(campaign=_campaign(request, campaign_id))


@router.get("/{campaign_id}/progress", response=CampaignProgressOut)
def campaign_progress(request: HttpRequest, campaign_id: PathId):
    """Counts per status and each prospect's current step, for a live dashboard."""
    progress = selectors.campaign_progress(campaign=_campaign(request, campaign_id))
    campaign = progress.campaign
    return {
        "campaign_id": campaign.pk,
        "status": campaign.status,
        "total_prospects": campaign.total_prospects,
        "completed_prospects": campaign.completed_prospects,
        "failed_prospects": campaign.failed_prospects,
        "counts": progress.counts,
        "prospects": [
            {
                "id": row.entry.pk,
                "prospect_id": row.entry.prospect_id,
                "prospect_name": row.entry.prospect.name,
                "contact_name": row.entry.contact.full_name if row.entry.contact else "",
                "status": row.entry.status,
                "step": row.step_label,
                "step_number": row.step_number,
                "progress_percent": row.percent,
                "error": row.entry.error,
                "video_url": absolute({"request": request}, row.entry.video_url),
                "thumbnail_url": absolute({"request": request}, row.entry.thumbnail_url),
                "preview_gif_url": absolute({"request": request}, row.entry.preview_gif_url),
            }
            for row in progress.prospects
        ],
    }


@router.get("/{campaign_id}/prospects", response=list[CampaignProspectOut])
@paginate
def campaign_prospect_list(request: HttpRequest, campaign_id: PathId):
    return selectors.campaign_prospect_list(campaign=_campaign(request, campaign_id))


@router.get(
    "/{campaign_id}/prospects/{campaign_prospect_id}",
    response=CampaignProspectDetailOut,
)
def campaign_prospect_get(request: HttpRequest, campaign_id: PathId, campaign_prospect_id: PathId):
    """One prospect's video: its research, script, files and status."""
    return _campaign_prospect(request, campaign_id, campaign_prospect_id)


@router.get(
    "/{campaign_id}/prospects/{campaign_prospect_id}/files",
    response=CampaignProspectFilesOut,
)
def campaign_prospect_files(
    request: HttpRequest, campaign_id: PathId, campaign_prospect_id: PathId
):
    """The video, its thumbnail and GIF preview, and each scene's narration and picture."""
    return _campaign_prospect(request, campaign_id, campaign_prospect_id)


@router.post(
    "/{campaign_id}/prospects/{campaign_prospect_id}/retry",
    response=CampaignProspectOut,
)
def campaign_prospect_retry(
    request: HttpRequest, campaign_id: PathId, campaign_prospect_id: PathId
):
    """Make a failed video again, from the step that failed (409 unless it failed)."""
    entry = _campaign_prospect(request, campaign_id, campaign_prospect_id)
    services.campaign_prospect_retry(campaign_prospect=entry)
    return _campaign_prospect(request, campaign_id, campaign_prospect_id)


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    return get_in_workspace(
        Campaign.objects.select_related("workspace"),
        workspace=principal_of(request).workspace,
        pk=campaign_id,
        label="campaign",
    )


def _campaign_prospect(
    request: HttpRequest, campaign_id: int, campaign_prospect_id: int
) -> CampaignProspect:
    return selectors.campaign_prospect_get(
        workspace=principal_of(request).workspace, campaign_id=campaign_id, pk=campaign_prospect_id
    )
