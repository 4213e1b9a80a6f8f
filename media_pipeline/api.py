"""REST endpoints of the media pipeline: every external call made for a campaign's video."""

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from campaigns.selectors import campaign_prospect_get
from config.schemas import PathId
from media_pipeline import selectors
from media_pipeline.schemas import GenerationJobOut
from outreach.workspaces.auth import principal_of

router = Router(tags=["campaigns"])


@router.get(
    "/{campaign_id}/prospects/{campaign_prospect_id}/jobs",
    response=list[GenerationJobOut],
)
@paginate
def campaign_prospect_jobs(request: HttpRequest, campaign_id: PathId, campaign_prospect_id: PathId):
    """Every external call made for this video, with its attempts and errors."""
    entry = campaign_prospect_get(
        workspace=principal_of(request).workspace, campaign_id=campaign_id, pk=campaign_prospect_id
    )
    return selectors.generation_job_list(campaign_prospect=entry)
