"""What the media pipeline provides to the campaigns below it, registered at start-up."""

from campaigns.models import Campaign, CampaignProspect
from media_pipeline import selectors, services


class CampaignVideoPipeline:
    """The campaigns' video pipeline (campaigns.pipeline.VideoPipeline)."""

    def start(self) -> None:
        services.pipeline_dispatch()

    def retry(self, *, campaign_prospect: CampaignProspect) -> None:
        services.pipeline_retry(campaign_prospect=campaign_prospect)

    def step_progress(self, *, campaign: Campaign) -> dict[int, dict[str, tuple[int, int]]]:
        return selectors.step_progress(campaign=campaign)
