"""Request and response shapes of the campaigns API."""

from datetime import datetime
from typing import Annotated, Any

from django.core.files.storage import default_storage
from ninja import Field, Schema

from campaigns.models import Campaign, CampaignProspect, OfflineVoice
from config.schemas import Id, Input


def absolute(context: Any, url: str) -> str:
    """Media URLs as full addresses, so an integration can fetch or embed them as they are."""
    request = (context or {}).get("request")
    return request.build_absolute_uri(url) if url and request is not None else url


def _storage_url(context: Any, name: str | None) -> str:
    return absolute(context, default_storage.url(name)) if name else ""


class CampaignProspectIn(Input):
    """An existing prospect (`prospect_id`, optionally `contact_id`), or a new one given by
    `company` and optionally `website` and the person the video speaks to."""

    prospect_id: Id | None = None
    contact_id: Id | None = None
    company: Annotated[str, Field(max_length=200)] = ""
    website: Annotated[str, Field(max_length=500)] = ""
    contact_name: Annotated[str, Field(max_length=200)] = ""
    contact_title: Annotated[str, Field(max_length=200)] = ""
    contact_email: Annotated[str, Field(max_length=254)] = ""


class CampaignIn(Input):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    brief: Annotated[str, Field(max_length=5000)] = ""
    sender_name: Annotated[str, Field(min_length=1, max_length=100)]
    voice_id: Annotated[str, Field(max_length=100, pattern=r"^[A-Za-z0-9_\-]*$")] = Field(
        "", description="The ElevenLabs voice; blank for the default one."
    )
    offline_voice: OfflineVoice = Field(
        OfflineVoice.US_MALE, description="The eSpeak NG voice used when ElevenLabs is not set."
    )
    words_per_minute: Annotated[int, Field(ge=110, le=220)] = 165
    prospects: list[CampaignProspectIn] = Field(min_length=1, max_length=500)


class CampaignOut(Schema):
    id: int
    name: str
    brief: str
    sender_name: str
    sender_company: str = Field(
        description="The workspace's name: the company every video and page speaks for."
    )
    voice_id: str
    offline_voice: str
    words_per_minute: int
    status: Campaign.Status
    total_prospects: int
    completed_prospects: int
    failed_prospects: int
    created_at: datetime
    launched_at: datetime | None
    completed_at: datetime | None


class VideoFilesOut(Schema):
    video_url: str
    thumbnail_url: str
    preview_gif_url: str

    @staticmethod
    def resolve_video_url(obj: CampaignProspect, context: Any) -> str:
        return absolute(context, obj.video_url)

    @staticmethod
    def resolve_thumbnail_url(obj: CampaignProspect, context: Any) -> str:
        return absolute(context, obj.thumbnail_url)

    @staticmethod
    def resolve_preview_gif_url(obj: CampaignProspect, context: Any) -> str:
        return absolute(context, obj.preview_gif_url)


class CampaignProspectOut(VideoFilesOut):
    id: int
    campaign_id: int
    prospect_id: int
    prospect_name: str
    contact_id: int | None
    contact_name: str
    status: CampaignProspect.Status
    error: str
    failed_step: str
    started_at: datetime | None
    completed_at: datetime | None

    @staticmethod
    def resolve_prospect_name(obj: CampaignProspect) -> str:
        return obj.prospect.name

    @staticmethod
    def resolve_contact_name(obj: CampaignProspect) -> str:
        return obj.contact.full_name if obj.contact else ""


class SceneFilesOut(Schema):
    index: int
    audio_url: str
    image_url: str
    duration_seconds: float | None


class CampaignProspectFilesOut(VideoFilesOut):
    scenes: list[SceneFilesOut]

    @staticmethod
    def resolve_scenes(obj: CampaignProspect, context: Any) -> list[dict]:
        return [
            {
                "index": i,
                "audio_url": _storage_url(context, asset.get("audio")),
                "image_url": _storage_url(context, asset.get("image")),
                "duration_seconds": asset.get("duration_seconds"),
            }
            for i, asset in enumerate(obj.scene_assets or [])
        ]


class CampaignProspectDetailOut(CampaignProspectOut):
    research_data: dict[str, Any]
    script: dict[str, Any]
    files: CampaignProspectFilesOut

    @staticmethod
    def resolve_files(obj: CampaignProspect) -> CampaignProspect:
        return obj


class ProspectProgressOut(Schema):
    id: int
    prospect_id: int
    prospect_name: str
    contact_name: str
    status: CampaignProspect.Status
    step: str
    step_number: int = Field(description="1-5 while a step runs or failed; 0 queued; 6 done.")
    progress_percent: int
    error: str
    video_url: str
    thumbnail_url: str
    preview_gif_url: str


class CampaignProgressOut(Schema):
    campaign_id: int
    status: Campaign.Status
    total_prospects: int
    completed_prospects: int
    failed_prospects: int
    counts: dict[str, int] = Field(description="Prospects per status.")
    prospects: list[ProspectProgressOut]
