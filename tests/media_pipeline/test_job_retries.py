"""Each external call is retried up to 3 times with exponential backoff (base 2); stuck jobs
are found by their lease, and a late answer from a lost attempt is dropped."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from media_pipeline import pipeline, services
from media_pipeline.models import GenerationJob
from tests.factories import GenerationJobFactory
from tests.media_pipeline.fakes import (
    FakeAssembler,
    FlakyIllustrator,
    researched_prospect,
    transient,
)

Job = GenerationJob


@pytest.fixture
def job(db) -> GenerationJob:
    return GenerationJobFactory(job_type=Job.Type.VISUAL, scene_index=0)


def attempt(job: GenerationJob) -> GenerationJob:
    job.due_at = timezone.now()
    job.save(update_fields=["due_at"])
    assert services.job_claim(job=job, provider="test")
    return job


def test_transient_failures_wait_2_then_4_seconds_and_give_up_after_3_attempts(job, settings):
    settings.MEDIA_PIPELINE_RETRY_DELAY_SECONDS = 2
    with time_machine.travel("2030-01-02 10:00:00+00:00", tick=False) as clock:
        now = timezone.now()
        services.job_attempt_fail(job=attempt(job), error="answered 503", transient=True)
        job.refresh_from_db()
        assert (job.status, job.attempts, job.due_at) == ("pending", 1, now + timedelta(seconds=2))

        clock.shift(2)
        services.job_attempt_fail(job=attempt(job), error="answered 503", transient=True)
        job.refresh_from_db()
        assert (job.status, job.due_at) == ("pending", now + timedelta(seconds=6))

        clock.shift(4)
        services.job_attempt_fail(job=attempt(job), error="answered 503", transient=True)
        job.refresh_from_db()
        assert job.status == "failed"
        assert job.error == "answered 503 (gave up after 3 attempts)"


def test_a_permanent_failure_is_not_retried(job):
    services.job_attempt_fail(job=attempt(job), error="answered 404 Not Found", transient=False)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == ("failed", 1, "answered 404 Not Found")


def test_a_retry_waits_as_long_as_the_provider_asks_within_a_cap(job, settings):
    settings.MEDIA_PIPELINE_RETRY_DELAY_SECONDS = 2
    before = timezone.now()
    services.job_attempt_fail(job=attempt(job), error="429", transient=True, retry_after=45)
    job.refresh_from_db()
    assert job.due_at >= before + timedelta(seconds=45)

    services.job_attempt_fail(job=attempt(job), error="429", transient=True, retry_after=86_400)
    job.refresh_from_db()
    assert job.due_at <= timezone.now() + timedelta(seconds=services.MAX_RETRY_AFTER_SECONDS)


def test_a_stuck_job_is_retried_keeping_its_hosted_job_id(job):
    attempt(job)
    services.job_external_id_record(job=job, external_id="pred-123")

    assert services.jobs_expire_stuck() == 0  # its lease is still running
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert services.jobs_expire_stuck() == 1

    job.refresh_from_db()
    assert job.status == "pending"
    assert job.external_id == "pred-123"
    assert job.error == "The worker on this job stopped answering."


def test_attempts_whose_worker_died_do_not_count_toward_the_attempt_limit(job, settings):
    settings.MEDIA_PIPELINE_MAX_ATTEMPTS = 2
    later = timezone.now()
    for _ in range(3):  # three workers killed mid-job
        attempt(job)
        later += timedelta(minutes=5)
        with time_machine.travel(later):
            assert services.jobs_expire_stuck() == 1
        job.refresh_from_db()
        assert job.status == "pending"
        assert job.due_at < later + timedelta(seconds=1)  # due at once: no backoff
    # The job's own errors still get every one of their attempts.
    services.job_attempt_fail(job=attempt(job), error="answered 503", transient=True)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.lost_leases) == ("pending", 4, 3)
    services.job_attempt_fail(job=attempt(job), error="answered 503", transient=True)
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == "answered 503 (gave up after 2 attempts)"


def test_a_job_that_loses_its_worker_again_and_again_fails_in_the_end(job, settings):
    settings.MEDIA_PIPELINE_MAX_LOST_LEASES = 3
    later = timezone.now()
    for _ in range(3):
        attempt(job)
        later += timedelta(minutes=5)
        with time_machine.travel(later):
            services.jobs_expire_stuck()
        job.refresh_from_db()
    assert job.status == "failed"
    assert "gave up after its worker stopped 3 times" in job.error


def test_a_late_answer_from_an_attempt_the_sweep_gave_up_on_is_dropped(job):
    late = attempt(job)
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        services.jobs_expire_stuck()
    attempt(GenerationJob.objects.get(pk=job.pk))  # a new attempt is under way

    kept = services.job_succeed(job=late, result={}, files={"main": ("png", b"late")})

    assert kept is False
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result_file.name) == ("running", 2, "")


def test_the_pipeline_retries_a_flaky_provider_and_carries_on(workspace, monkeypatch):
    entry = researched_prospect(workspace)
    flaky = FlakyIllustrator(scene=0, error=transient(), times=2)
    monkeypatch.setattr(pipeline, "illustrator", lambda: flaky)
    monkeypatch.setattr(pipeline, "FfmpegAssembler", FakeAssembler)

    pipeline.run_pipeline(campaign_prospect_id=entry.pk)

    entry.refresh_from_db()
    assert entry.status == "complete"
    visual = entry.generation_jobs.get(job_type="visual", scene_index=0)
    assert (visual.status, visual.attempts) == ("succeeded", 3)
    assert flaky.calls.count(0) == 3


def test_the_pipeline_fails_the_prospect_once_retries_run_out(workspace, monkeypatch):
    entry = researched_prospect(workspace)
    flaky = FlakyIllustrator(scene=1, error=transient("The image service answered 503"), times=9)
    monkeypatch.setattr(pipeline, "illustrator", lambda: flaky)

    pipeline.run_pipeline(campaign_prospect_id=entry.pk)

    entry.refresh_from_db()
    assert entry.status == "failed"
    assert entry.error == (
        "Visuals failed (scene 2): The image service answered 503 (gave up after 3 attempts)"
    )
    assert flaky.calls.count(1) == 3


def test_a_job_whose_worker_renewed_its_lease_is_not_taken_away(job):
    attempt(job)
    stale_view = GenerationJob.objects.get(pk=job.pk)
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        # The worker is alive after all and renews just before the sweep acts on its old view.
        services.leases_renew(job_ids=[job.pk], campaign_prospect=job.campaign_prospect)
        assert services.job_expire(job=stale_view) is False
    job.refresh_from_db()
    assert job.status == "running"
