"""The step machine: a run that stops anywhere resumes at the first unfinished step, and no
finished job is done again."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from campaigns.models import CampaignProspect
from campaigns.services import campaign_prospect_retry
from media_pipeline import pipeline, services
from media_pipeline.models import GenerationJob
from tests.media_pipeline.fakes import FakeAssembler, FlakyIllustrator, researched_prospect

Job = GenerationJob


class WorkerKilled(BaseException):
    """What the pipeline sees of a worker that dies: nothing it can catch."""


@pytest.fixture
def assembler(monkeypatch) -> FakeAssembler:
    fake = FakeAssembler()
    monkeypatch.setattr(pipeline, "FfmpegAssembler", lambda: fake)
    return fake


def use_illustrator(monkeypatch, illustrator) -> None:
    monkeypatch.setattr(pipeline, "illustrator", lambda: illustrator)


def jobs_of(entry) -> dict[tuple[str, int | None], GenerationJob]:
    return {(job.job_type, job.scene_index): job for job in entry.generation_jobs.all()}


def test_a_run_goes_from_the_stored_research_to_a_finished_video(workspace, assembler):
    entry = researched_prospect(workspace)

    pipeline.run_pipeline(campaign_prospect_id=entry.pk)

    entry.refresh_from_db()
    assert entry.status == CampaignProspect.Status.COMPLETE
    scenes = len(entry.script["scenes"])
    assert len(entry.scene_assets) == scenes
    assert all(asset["audio"] and asset["image"] for asset in entry.scene_assets)
    assert entry.video.name.endswith(".mp4") and entry.thumbnail and entry.preview_gif
    jobs = jobs_of(entry)
    assert len(jobs) == 1 + 1 + 2 * scenes + 1
    assert {job.status for job in jobs.values()} == {Job.Status.SUCCEEDED}
    assert {job.attempts for job in jobs.values()} == {1}
    # The assembler got each scene's narration length plus the pause.
    assert [clip.seconds for clip in assembler.calls[0]] == [
        asset["duration_seconds"] for asset in entry.scene_assets
    ]
    entry.campaign.refresh_from_db()
    assert entry.campaign.status == "completed"


def test_a_killed_run_resumes_at_the_unfinished_step_without_redoing_finished_jobs(
    workspace, assembler, monkeypatch
):
    entry = researched_prospect(workspace)
    use_illustrator(monkeypatch, FlakyIllustrator(scene=2, error=WorkerKilled()))

    with pytest.raises(WorkerKilled):
        pipeline.run_pipeline(campaign_prospect_id=entry.pk)

    entry.refresh_from_db()
    assert entry.status == CampaignProspect.Status.GENERATING_VISUALS
    before = jobs_of(entry)
    assert before[("visual", 2)].status == Job.Status.RUNNING
    finished_before = {
        key: (job.attempts, job.finished_at)
        for key, job in before.items()
        if job.status == Job.Status.SUCCEEDED
    }
    assert all(("voice", i) in finished_before for i in range(len(entry.script["scenes"])))

    # Later, the sweep finds the job whose worker stopped renewing its lease, and a new run
    # picks the prospect up.
    later = timezone.now() + timedelta(seconds=services.lease_seconds() + 5)
    healthy = FlakyIllustrator(scene=-1, error=WorkerKilled())
    use_illustrator(monkeypatch, healthy)
    with time_machine.travel(later, tick=True):
        assert services.pipeline_sweep()["stuck_jobs"] >= 1
        pipeline.run_pipeline(campaign_prospect_id=entry.pk)

    entry.refresh_from_db()
    assert entry.status == CampaignProspect.Status.COMPLETE
    after = jobs_of(entry)
    # One row per job: only the assembly job is new.
    assert set(after) - set(before) == {("assembly", None)}
    for key, (attempts, finished_at) in finished_before.items():
        assert (after[key].attempts, after[key].finished_at) == (attempts, finished_at), key
    assert after[("visual", 2)].attempts == 2
    visuals_done_before = {scene for kind, scene in finished_before if kind == "visual"}
    assert not visuals_done_before & set(healthy.calls)
    assert len(assembler.calls) == 1


def test_a_failed_prospect_is_retried_from_the_step_that_failed(workspace, assembler, monkeypatch):
    entry = researched_prospect(workspace)
    flaky = FlakyIllustrator(scene=1, error=ValueError("a bug in the card"), times=1)
    use_illustrator(monkeypatch, flaky)

    pipeline.run_pipeline(campaign_prospect_id=entry.pk)

    entry.refresh_from_db()
    assert entry.status == CampaignProspect.Status.FAILED
    assert entry.failed_step == "visuals"
    assert entry.error == "Visuals failed (scene 2): Unexpected error (ValueError)."
    voice_done = {k: j.finished_at for k, j in jobs_of(entry).items() if k[0] == "voice"}
    entry.campaign.refresh_from_db()
    assert entry.campaign.failed_prospects == 1 and entry.campaign.status == "completed"

    campaign_prospect_retry(campaign_prospect=entry)
    entry.campaign.refresh_from_db()
    assert entry.campaign.failed_prospects == 0 and entry.campaign.status == "running"
    pipeline.run_pipeline(campaign_prospect_id=entry.pk)

    entry.refresh_from_db()
    assert entry.status == CampaignProspect.Status.COMPLETE
    jobs = jobs_of(entry)
    assert {k: j.finished_at for k, j in jobs.items() if k[0] == "voice"} == voice_done
    assert jobs[("research", None)].attempts == jobs[("script", None)].attempts == 1
    assert jobs[("visual", 1)].status == Job.Status.SUCCEEDED
    entry.campaign.refresh_from_db()
    assert entry.campaign.completed_prospects == 1 and entry.campaign.status == "completed"


def test_a_new_run_takes_over_a_dead_runs_jobs_without_waiting_for_the_sweep(
    workspace, assembler, monkeypatch
):
    entry = researched_prospect(workspace)
    use_illustrator(monkeypatch, FlakyIllustrator(scene=0, error=WorkerKilled()))
    with pytest.raises(WorkerKilled):
        pipeline.run_pipeline(campaign_prospect_id=entry.pk)

    use_illustrator(monkeypatch, FlakyIllustrator(scene=-1, error=WorkerKilled()))
    later = timezone.now() + timedelta(seconds=services.lease_seconds() + 5)
    with time_machine.travel(later, tick=True):
        pipeline.run_pipeline(campaign_prospect_id=entry.pk)

    entry.refresh_from_db()
    assert entry.status == CampaignProspect.Status.COMPLETE
    assert jobs_of(entry)[("visual", 0)].attempts == 2
