"""What campaigns ask of the media pipeline that makes their videos.

Campaigns sit below the pipeline: the pipeline reads campaigns, campaigns never import it. It
registers itself here at start-up (MediaPipelineConfig.ready).
"""

from typing import Protocol

from django.core.exceptions import ImproperlyConfigured

from campaigns.models import Campaign, CampaignProspect


class VideoPipeline(Protocol):
    def start(self) -> None:
        """Hand the prospects whose turn has come to workers, once the caller's transaction
        commits (call it inside that transaction)."""

    def retry(self, *, campaign_prospect: CampaignProspect) -> None:
        """Make a failed video again from the step that failed (Conflict unless it failed)."""

    def step_progress(self, *, campaign: Campaign) -> dict[int, dict[str, tuple[int, int]]]:
        """By campaign prospect id and step name (as in `campaigns.selectors.STEP_ORDER`): (jobs
        done, jobs in all) for each step begun."""


_pipeline: VideoPipeline | None = None


def register_video_pipeline(pipeline: VideoPipeline) -> None:
    global _pipeline
    _pipeline = pipeline


def video_pipeline() -> VideoPipeline:
    if _pipeline is None:
        raise ImproperlyConfigured("No video pipeline is registered: install media_pipeline.")
    return _pipeline
