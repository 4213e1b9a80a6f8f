"""Stand-ins for the slow or hosted providers, for tests of the step machine itself."""

import io
from pathlib import Path

from django.utils import timezone
from PIL import Image

from campaigns.models import Campaign, CampaignProspect
from media_pipeline.providers.assembly import AssembledVideo, SceneClip
from media_pipeline.providers.base import ProviderError
from media_pipeline.providers.visuals import SceneCardIllustrator
from media_pipeline.services import research_record
from tests.factories import CampaignFactory, CampaignProspectFactory

RESEARCH = {
    "url": "https://acme.example/",
    "title": "Acme | Invoices that pay themselves",
    "description": "Acme sends invoices and chases late payers for you.",
    "headings": ["Get paid on time", "Works with your accounting software"],
    "key_text": [],
    "colors": ["#0ea5e9"],
    "logo_url": "",
}


class FakeAssembler:
    """Counts its calls and returns tiny files instead of running ffmpeg."""

    name = "fake-ffmpeg"
    max_parallel = 1

    def __init__(self) -> None:
        self.calls: list[list[SceneClip]] = []

    def assemble(self, scenes: list[SceneClip], workdir: Path) -> AssembledVideo:
        self.calls.append(scenes)
        return AssembledVideo(
            video=b"mp4",
            thumbnail=b"jpg",
            preview_gif=b"gif",
            seconds=sum(s.seconds for s in scenes),
        )


class FlakyIllustrator(SceneCardIllustrator):
    """Draws real cards, but raises the scripted error for a scene, `times` times."""

    name = "flaky-cards"
    max_parallel = 1

    def __init__(self, *, scene: int, error: BaseException, times: int = 1):
        self.scene, self.error, self.times = scene, error, times
        self.calls: list[int] = []

    def illustrate(self, request, report):
        self.calls.append(request.index)
        if request.index == self.scene and self.times > 0:
            self.times -= 1
            raise self.error
        return super().illustrate(request, report)


def transient(message: str = "The image service answered 503") -> ProviderError:
    return ProviderError(message, transient=True)


def researched_prospect(workspace, **campaign_fields) -> CampaignProspect:
    """A launched campaign's prospect whose research is already stored (no website needed)."""
    campaign = CampaignFactory(
        workspace=workspace,
        status=Campaign.Status.RUNNING,
        total_prospects=1,
        launched_at=timezone.now(),
        **campaign_fields,
    )
    entry = CampaignProspectFactory(campaign=campaign)
    research_record(campaign_prospect=entry, research=dict(RESEARCH), provider="test")
    return entry


def png_of(size=(1024, 576), color=(10, 120, 200)) -> bytes:
    """A picture as a hosted image service would send it (not at the video's size)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()
