"""Reads of the campaigns app: lists, the live progress of a campaign, and a prospect's video."""

from dataclasses import dataclass

from django.db.models import QuerySet

from campaigns.models import Campaign, CampaignProspect
from campaigns.pipeline import video_pipeline
from outreach.models import Prospect, Workspace
from outreach.workspaces.selectors import get_in_workspace

Status = CampaignProspect.Status
# The five steps in order: the prospect's status while each runs, and its name.
STEP_ORDER: list[tuple[str, str]] = [
    (Status.RESEARCHING, "research"),
    (Status.SCRIPTING, "script"),
    (Status.GENERATING_VOICE, "voice"),
    (Status.GENERATING_VISUALS, "visuals"),
    (Status.ASSEMBLING, "assembly"),
]
STEP_COUNT = len(STEP_ORDER)


def campaign_list(*, workspace: Workspace) -> QuerySet[Campaign]:
    return (
        Campaign.objects.filter(workspace=workspace)
        .select_related("workspace")
        .order_by("-created_at", "-pk")
    )


def campaign_prospect_list(*, campaign: Campaign) -> QuerySet[CampaignProspect]:
    return (
        CampaignProspect.objects.filter(campaign=campaign)
        .select_related("prospect", "contact")
        .order_by("pk")
    )


def campaign_prospect_get(*, workspace: Workspace, campaign_id: int, pk: int) -> CampaignProspect:
    """A prospect of a campaign in the workspace, or a 404."""
    return get_in_workspace(
        CampaignProspect.objects.select_related("prospect", "contact").filter(
            campaign_id=campaign_id
        ),
        workspace=workspace,
        pk=pk,
        label="campaign prospect",
    )


def finished_video_for_prospect(*, prospect: Prospect) -> CampaignProspect | None:
    """The prospect's latest finished video (for their wizard page), or None.

    The result has `video_url`, `thumbnail_url` and `preview_gif_url` (site-relative media
    URLs), and `campaign` and `contact` loaded.
    """
    return (
        CampaignProspect.objects.filter(prospect=prospect, status=Status.COMPLETE)
        .exclude(video="")
        .select_related("campaign", "contact", "workspace", "prospect")
        .order_by("-completed_at", "-pk")
        .first()
    )


STEP_LABELS = ["Research", "Script", "Voice", "Visuals", "Video"]
COUNT_LABELS: dict[str, str] = {
    Status.QUEUED: "Queued",
    Status.RESEARCHING: "Research",
    Status.SCRIPTING: "Script",
    Status.GENERATING_VOICE: "Voice",
    Status.GENERATING_VISUALS: "Visuals",
    Status.ASSEMBLING: "Assembly",
    Status.COMPLETE: "Complete",
    Status.FAILED: "Failed",
}


@dataclass(frozen=True)
class ProspectProgress:
    entry: CampaignProspect
    # 1-5 while a step runs (or the step that failed); 0 when queued, 6 when complete.
    step_number: int
    percent: int
    steps_done: int = 0

    @property
    def steps(self) -> list[tuple[str, str]]:
        """Each step's label and state: done, now, failed or waiting."""
        failed = self.entry.status == Status.FAILED
        states = []
        for number, label in enumerate(STEP_LABELS, start=1):
            if number <= self.steps_done:
                state = "done"
            elif number == self.step_number:
                state = "failed" if failed else "now"
            else:
                state = "waiting"
            states.append((label, state))
        return states

    @property
    def step_label(self) -> str:
        if self.entry.status == Status.FAILED:
            return f"Failed at {self.entry.failed_step or 'a step'}"
        return self.entry.get_status_display()


@dataclass(frozen=True)
class CampaignProgress:
    campaign: Campaign
    counts: dict[str, int]
    prospects: list[ProspectProgress]

    @property
    def is_live(self) -> bool:
        return self.campaign.status == Campaign.Status.RUNNING

    @property
    def count_rows(self) -> list[tuple[str, str, int]]:
        """Each status with a short label (the step's name) and its count, in pipeline order."""
        return [(status, COUNT_LABELS[status], self.counts[status]) for status in Status.values]


def campaign_progress(*, campaign: Campaign) -> CampaignProgress:
    """Counts per status and each prospect's step and progress, in three queries whatever the
    campaign's size."""
    entries = list(campaign_prospect_list(campaign=campaign))
    done_jobs = video_pipeline().step_progress(campaign=campaign)
    counts = dict.fromkeys(Status.values, 0)
    for entry in entries:
        counts[entry.status] += 1
    return CampaignProgress(
        campaign=campaign,
        counts=counts,
        prospects=[_progress(entry, done_jobs.get(entry.pk, {})) for entry in entries],
    )


def _progress(entry: CampaignProspect, jobs: dict[str, tuple[int, int]]) -> ProspectProgress:
    if entry.status == Status.COMPLETE:
        return ProspectProgress(entry, STEP_COUNT + 1, 100, STEP_COUNT)
    if entry.status == Status.QUEUED:
        # A retried or pre-researched prospect may already be part-way.
        finished = 0
        for _, step in STEP_ORDER:
            done, total = jobs.get(step, (0, 0))
            if not total or done < total:
                break
            finished += 1
        return ProspectProgress(entry, 0, round(100 * finished / STEP_COUNT), finished)
    names = [status for status, _ in STEP_ORDER]
    if entry.status == Status.FAILED:
        steps = [name for _, name in STEP_ORDER]
        index = steps.index(entry.failed_step) if entry.failed_step in steps else 0
    else:
        index = names.index(entry.status)
    done, total = jobs.get(STEP_ORDER[index][1], (0, 0))
    fraction = done / total if total else 0
    return ProspectProgress(
        entry, index + 1, round(100 * (index + fraction) / STEP_COUNT), steps_done=index
    )
