"""Generation jobs: every external call the pipeline makes for a prospect's video, and its fate."""

from django.db import models
from django.utils import timezone

from campaigns.models import CampaignProspect
from outreach.models import Workspace


class GenerationJob(models.Model):
    """One unit of work of a step (the research, the script, one scene's voice or visual, the
    assembly), with its attempts. Rows are unique per prospect, type and scene, so a step that
    runs again finds its finished jobs instead of redoing them."""

    class Type(models.TextChoices):
        RESEARCH = "research", "Research"
        SCRIPT = "script", "Script"
        VOICE = "voice", "Voice"
        VISUAL = "visual", "Visual"
        ASSEMBLY = "assembly", "Assembly"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="generation_jobs"
    )
    campaign_prospect = models.ForeignKey(
        CampaignProspect, on_delete=models.CASCADE, related_name="generation_jobs"
    )
    job_type = models.CharField(max_length=10, choices=Type.choices)
    # The scene a voice or visual job is for (0-based); null for whole-video jobs.
    scene_index = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    provider = models.CharField(max_length=60, blank=True)
    # The id a hosted provider gave an async job; a resumed attempt polls it instead of
    # submitting the work again.
    external_id = models.CharField(max_length=200, blank=True)
    result_file = models.FileField(max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Attempts whose worker died (their lease ran out): they do not count toward the attempt
    # limit, which is for the job's own errors; a job that loses its worker again and again
    # fails after MEDIA_PIPELINE_MAX_LOST_LEASES.
    lost_leases = models.PositiveSmallIntegerField(default=0)
    # When the next attempt may start (a retry waits out its backoff).
    due_at = models.DateTimeField(default=timezone.now)
    # A running attempt whose worker stops renewing this is stuck, and the sweep retries it.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign_prospect", "job_type", "scene_index"],
                condition=models.Q(scene_index__isnull=False),
                name="generation_job_unique_scene",
            ),
            models.UniqueConstraint(
                fields=["campaign_prospect", "job_type"],
                condition=models.Q(scene_index__isnull=True),
                name="generation_job_unique_whole",
            ),
        ]
        indexes = [
            models.Index(
                fields=["lease_expires_at"],
                condition=models.Q(status="running"),
                name="generation_job_running_lease",
            ),
            models.Index(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="generation_job_external_id",
            ),
        ]

    def __str__(self) -> str:
        scene = f" scene {self.scene_index + 1}" if self.scene_index is not None else ""
        return f"{self.get_job_type_display()}{scene} ({self.get_status_display()})"

    @property
    def result_url(self) -> str:
        return self.result_file.url if self.result_file else ""
