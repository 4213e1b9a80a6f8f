"""Reads of the media pipeline: a video's generation jobs, and each step's progress."""

from collections import defaultdict

from django.db.models import Count, Q, QuerySet

from campaigns.models import Campaign, CampaignProspect
from media_pipeline.models import GenerationJob

Job = GenerationJob
# The step each job type belongs to, by the step names campaigns use.
STEP_OF_JOB_TYPE: dict[str, str] = {
    Job.Type.RESEARCH: "research",
    Job.Type.SCRIPT: "script",
    Job.Type.VOICE: "voice",
    Job.Type.VISUAL: "visuals",
    Job.Type.ASSEMBLY: "assembly",
}


def generation_job_list(*, campaign_prospect: CampaignProspect) -> QuerySet[GenerationJob]:
    return GenerationJob.objects.filter(campaign_prospect=campaign_prospect).order_by(
        "created_at", "job_type", "scene_index", "pk"
    )


def step_progress(*, campaign: Campaign) -> dict[int, dict[str, tuple[int, int]]]:
    """By campaign prospect and step: (jobs done, jobs in all), in one query."""
    progress: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    rows = (
        GenerationJob.objects.filter(campaign_prospect__campaign=campaign)
        .values("campaign_prospect_id", "job_type")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(status=Job.Status.SUCCEEDED)))
        .order_by()
    )
    for row in rows:
        step = STEP_OF_JOB_TYPE[row["job_type"]]
        progress[row["campaign_prospect_id"]][step] = (row["done"], row["total"])
    return progress
