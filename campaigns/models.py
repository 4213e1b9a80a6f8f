"""Campaigns: one personalized, narrated video for each prospect on a list."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from outreach.models import Contact, Prospect, Workspace


class OfflineVoice(models.TextChoices):
    """eSpeak NG voices (language + variant) that read a script clearly."""

    US_MALE = "en-us+m3", "American English, male"
    US_FEMALE = "en-us+f3", "American English, female"
    GB_MALE = "en+m1", "British English, male"
    GB_FEMALE = "en+f2", "British English, female"
    RP_FEMALE = "en-gb-x-rp+f4", "British English (received pronunciation), female"


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=200)
    # What the videos should say: the pitch, the offer, the call to action.
    brief = models.TextField(blank=True)
    # Who speaks. The company they speak for is the workspace (its name and description), the
    # one source every video, wizard page, report and email reads.
    sender_name = models.CharField(max_length=100)
    # The hosted narrator's voice; blank means settings.ELEVENLABS_VOICE_ID.
    voice_id = models.CharField(max_length=100, blank=True)
    # The offline narrator (eSpeak NG), used whenever no ElevenLabs key is set.
    offline_voice = models.CharField(
        max_length=20, choices=OfflineVoice.choices, default=OfflineVoice.US_MALE
    )
    words_per_minute = models.PositiveSmallIntegerField(
        default=165, validators=[MinValueValidator(110), MaxValueValidator(220)]
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Kept as columns (moved with F() in the transaction that finishes a prospect) so lists and
    # the completion check never count rows.
    total_prospects = models.PositiveIntegerField(default=0)
    completed_prospects = models.PositiveIntegerField(default=0)
    failed_prospects = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    launched_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"], name="campaign_ws_created")]

    def __str__(self) -> str:
        return self.name

    @property
    def sender_company(self) -> str:
        return self.workspace.name


def new_media_key() -> str:
    return secrets.token_hex(16)


class CampaignProspect(models.Model):
    """One prospect (and the contact the video speaks to) in a campaign, and its video."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RESEARCHING = "researching", "Researching"
        SCRIPTING = "scripting", "Writing the script"
        GENERATING_VOICE = "generating_voice", "Recording the voice"
        GENERATING_VISUALS = "generating_visuals", "Making the visuals"
        ASSEMBLING = "assembling", "Assembling the video"
        COMPLETE = "complete", "Complete"
        FAILED = "failed", "Failed"

    IN_PROGRESS = (
        Status.QUEUED,
        Status.RESEARCHING,
        Status.SCRIPTING,
        Status.GENERATING_VOICE,
        Status.GENERATING_VISUALS,
        Status.ASSEMBLING,
    )
    FINISHED = (Status.COMPLETE, Status.FAILED)

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="campaign_prospects"
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="campaign_prospects"
    )
    prospect = models.ForeignKey(
        Prospect, on_delete=models.CASCADE, related_name="campaign_entries"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="campaign_entries"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    # Each step's output, persisted before the next step starts.
    research_data = models.JSONField(default=dict, blank=True)
    script = models.JSONField(default=dict, blank=True)
    scene_assets = models.JSONField(default=list, blank=True)
    video = models.FileField(max_length=300, blank=True)
    thumbnail = models.FileField(max_length=300, blank=True)
    preview_gif = models.FileField(max_length=300, blank=True)
    # The narration as WebVTT subtitles, which the wizard's player shows.
    subtitles = models.FileField(max_length=300, blank=True)
    # Media files live under this random folder: their URLs are shown to prospects, so they
    # must not be guessable from ids.
    media_key = models.CharField(max_length=32, unique=True, default=new_media_key)
    error = models.TextField(blank=True)
    failed_step = models.CharField(max_length=20, blank=True)
    # When the pipeline sweep should next look at this prospect: now for a queued one, the
    # lease of the worker on it, or the due time of a retry. Null once finished.
    run_due_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "prospect"], name="campaign_prospect_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status"], name="campaign_prospect_status"),
            models.Index(
                fields=["run_due_at"],
                condition=models.Q(run_due_at__isnull=False),
                name="campaign_prospect_run_due",
            ),
            models.Index(
                fields=["prospect", "status", "-completed_at"], name="campaign_prospect_video"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prospect} in {self.campaign}"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def video_url(self) -> str:
        return self.video.url if self.video else ""

    @property
    def thumbnail_url(self) -> str:
        return self.thumbnail.url if self.thumbnail else ""

    @property
    def subtitles_url(self) -> str:
        return self.subtitles.url if self.subtitles else ""

    @property
    def preview_gif_url(self) -> str:
        return self.preview_gif.url if self.preview_gif else ""

    def media_path(self, filename: str) -> str:
        return f"campaign-media/{self.media_key}/{filename}"
