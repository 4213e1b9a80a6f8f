"""Every write of the media pipeline: generation jobs and their attempts, a campaign prospect's
way through the steps, handing prospects to workers, and the sweep that finds stuck work."""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from campaigns.models import Campaign, CampaignProspect
from config.errors import Conflict
from media_pipeline import tasks as pipeline_tasks
from media_pipeline.models import GenerationJob
from outreach.outbox.services import publish
from outreach.wizard.services import wizard_reports_refresh
from outreach.workspaces.services.notifications import notify_admins

Job = GenerationJob
Status = CampaignProspect.Status
# A provider asking us to wait longer than this is treated as this; the job row waits, not a
# worker.
MAX_RETRY_AFTER_SECONDS = 600
SWEEP_BATCH = 100
FILE_STEMS: dict[str, str] = {
    Job.Type.VOICE: "voice",
    Job.Type.VISUAL: "visual",
    Job.Type.ASSEMBLY: "video",
}


def lease_seconds() -> int:
    return settings.MEDIA_PIPELINE_LEASE_SECONDS


def retry_delay_seconds(attempts: int) -> float:
    """Exponential backoff, base 2: the first retry waits the configured delay, then double."""
    return settings.MEDIA_PIPELINE_RETRY_DELAY_SECONDS * 2 ** max(0, attempts - 1)


# --- Jobs ----------------------------------------------------------------------------------------


def jobs_ensure(
    *, campaign_prospect: CampaignProspect, job_type: str, scene_count: int | None
) -> None:
    """Create the step's missing jobs. Unique constraints make a concurrent call harmless."""
    wanted = [None] if scene_count is None else list(range(scene_count))
    existing = set(
        Job.objects.filter(campaign_prospect=campaign_prospect, job_type=job_type).values_list(
            "scene_index", flat=True
        )
    )
    missing = [
        Job(
            workspace_id=campaign_prospect.workspace_id,
            campaign_prospect=campaign_prospect,
            job_type=job_type,
            scene_index=index,
        )
        for index in wanted
        if index not in existing
    ]
    if missing:
        with transaction.atomic():
            Job.objects.bulk_create(missing, ignore_conflicts=True)


def job_claim(*, job: GenerationJob, provider: str) -> bool:
    """Start an attempt of a due job; False when another worker took it first."""
    now = timezone.now()
    with transaction.atomic():
        claimed = Job.objects.filter(pk=job.pk, status=Job.Status.PENDING, due_at__lte=now).update(
            status=Job.Status.RUNNING,
            attempts=F("attempts") + 1,
            provider=provider,
            started_at=now,
            lease_expires_at=now + timedelta(seconds=lease_seconds()),
            updated_at=now,
        )
    if claimed:
        job.refresh_from_db()
    return bool(claimed)


def job_external_id_record(*, job: GenerationJob, external_id: str) -> None:
    """Keep the id a hosted service gave the job, so a resumed attempt polls it."""
    with transaction.atomic():
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts).update(
            external_id=external_id[:200], updated_at=timezone.now()
        )
    job.external_id = external_id[:200]


def job_succeed(
    *,
    job: GenerationJob,
    result: dict,
    files: dict[str, tuple[str, bytes]],
    on_success: Callable[[dict[str, str]], None] | None = None,
) -> bool:
    """Store the attempt's files and mark the job done; `on_success` writes the prospect's
    step output in the same transaction. False when the attempt was no longer the job's
    current one (the sweep gave up on it), and its files are dropped."""
    prefix = FILE_STEMS.get(job.job_type, job.job_type)
    if job.scene_index is not None:
        prefix = f"scene-{job.scene_index + 1}-{prefix}"
    names = {}
    for role, (extension, content) in files.items():
        stem = prefix if role == "main" else role
        names[role] = _store(
            job.campaign_prospect.media_path(f"{stem}-a{job.attempts}.{extension}"), content
        )
    now = timezone.now()
    with transaction.atomic():
        done = Job.objects.filter(
            pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts
        ).update(
            status=Job.Status.SUCCEEDED,
            result=result,
            result_file=names.get("main", ""),
            error="",
            lease_expires_at=None,
            finished_at=now,
            updated_at=now,
        )
        if done and on_success is not None:
            on_success(names)
    if not done:
        for name in names.values():
            default_storage.delete(name)
        return False
    job.refresh_from_db()
    return True


def job_attempt_fail(
    *,
    job: GenerationJob,
    error: str,
    transient: bool,
    retry_after: float | None = None,
    keep_external_id: bool = False,
) -> bool:
    """Record a failed attempt: a transient failure waits out its backoff and runs again, up to
    the attempt limit; anything else fails the job with its reason."""
    return _attempt_end(
        job,
        error=error,
        transient=transient,
        retry_after=retry_after,
        keep_external_id=keep_external_id,
    )


def job_expire(*, job: GenerationJob) -> bool:
    """A running job whose lease ran out: its worker was killed or lost. The job is due again
    at once, keeping the hosted job's id so the retry resumes it, and the lost attempt does
    not count toward MEDIA_PIPELINE_MAX_ATTEMPTS (a deploy or a crashed machine is not the
    job's error). Only a job that loses its worker MEDIA_PIPELINE_MAX_LOST_LEASES times fails:
    it is probably what kills them. False when the worker renewed the lease after all."""
    now = timezone.now()
    lost = job.lost_leases + 1
    error = "The worker on this job stopped answering."
    fields: dict[str, object]
    if lost >= settings.MEDIA_PIPELINE_MAX_LOST_LEASES:
        fields = {
            "status": Job.Status.FAILED,
            "error": f"{error} (gave up after its worker stopped {lost} times)",
            "finished_at": now,
        }
    else:
        fields = {"status": Job.Status.PENDING, "error": error, "due_at": now}
    with transaction.atomic():
        updated = Job.objects.filter(
            pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts, lease_expires_at__lt=now
        ).update(lease_expires_at=None, updated_at=now, lost_leases=F("lost_leases") + 1, **fields)
    return bool(updated)


def _attempt_end(
    job: GenerationJob,
    *,
    error: str,
    transient: bool,
    retry_after: float | None = None,
    keep_external_id: bool = False,
    **condition,
) -> bool:
    now = timezone.now()
    attempts = job.attempts
    # Attempts cut short by a dead worker are not the job's failures.
    counted = attempts - job.lost_leases
    if not transient or counted >= settings.MEDIA_PIPELINE_MAX_ATTEMPTS:
        suffix = f" (gave up after {counted} attempts)" if transient else ""
        fields = {
            "status": Job.Status.FAILED,
            "error": f"{error}{suffix}",
            "finished_at": now,
        }
    else:
        delay = max(retry_delay_seconds(counted), min(retry_after or 0, MAX_RETRY_AFTER_SECONDS))
        fields = {
            "status": Job.Status.PENDING,
            "error": error,
            "due_at": now + timedelta(seconds=delay),
        }
    if not keep_external_id:
        fields["external_id"] = ""
    with transaction.atomic():
        updated = Job.objects.filter(
            pk=job.pk, status=Job.Status.RUNNING, attempts=attempts, **condition
        ).update(lease_expires_at=None, updated_at=now, **fields)
    return bool(updated)


def leases_renew(*, job_ids: list[int], campaign_prospect: CampaignProspect) -> None:
    """The worker is alive: push back the time after which its work counts as stuck."""
    now = timezone.now()
    until = now + timedelta(seconds=lease_seconds())
    with transaction.atomic():
        if job_ids:
            Job.objects.filter(pk__in=job_ids, status=Job.Status.RUNNING).update(
                lease_expires_at=until, updated_at=now
            )
        CampaignProspect.objects.filter(
            pk=campaign_prospect.pk, status__in=CampaignProspect.IN_PROGRESS
        ).update(run_due_at=until)


def jobs_expire_stuck(*, batch: int = SWEEP_BATCH) -> int:
    """Retry the running jobs whose worker stopped renewing the lease."""
    now = timezone.now()
    with transaction.atomic():
        stuck = list(
            Job.objects.select_for_update(skip_locked=True)
            .filter(status=Job.Status.RUNNING, lease_expires_at__lt=now)
            .order_by("lease_expires_at")[:batch]
        )
        expired = sum(job_expire(job=job) for job in stuck)
    return expired


# --- A campaign prospect's way through the steps -------------------------------------------------


def prospect_run_start(*, campaign_prospect: CampaignProspect) -> None:
    now = timezone.now()
    with transaction.atomic():
        CampaignProspect.objects.filter(
            pk=campaign_prospect.pk, status__in=CampaignProspect.IN_PROGRESS
        ).update(run_due_at=now + timedelta(seconds=lease_seconds()))
        CampaignProspect.objects.filter(pk=campaign_prospect.pk, started_at__isnull=True).update(
            started_at=now
        )


def prospect_step_enter(*, campaign_prospect: CampaignProspect, status: str) -> None:
    with transaction.atomic():
        CampaignProspect.objects.filter(
            pk=campaign_prospect.pk, status__in=CampaignProspect.IN_PROGRESS
        ).exclude(status=status).update(status=status)
    campaign_prospect.status = status


def prospect_output_save(*, campaign_prospect: CampaignProspect, **outputs) -> None:
    """Persist a step's output on the prospect (inside the caller's transaction)."""
    with transaction.atomic():
        CampaignProspect.objects.filter(pk=campaign_prospect.pk).update(
            updated_at=timezone.now(), **outputs
        )
        if "research_data" in outputs:
            # The prospect's PDF report tells what the research read.
            wizard_reports_refresh(prospect_ids=[campaign_prospect.prospect_id])
    for field, value in outputs.items():
        setattr(campaign_prospect, field, value)


def prospect_wait(*, campaign_prospect: CampaignProspect, until: datetime) -> None:
    """Nothing to do before `until` (a retry's backoff): the sweep hands it out again then."""
    with transaction.atomic():
        CampaignProspect.objects.filter(
            pk=campaign_prospect.pk, status__in=CampaignProspect.IN_PROGRESS
        ).update(run_due_at=until)


def prospect_complete(*, campaign_prospect: CampaignProspect) -> bool:
    return _prospect_finish(campaign_prospect, status=Status.COMPLETE, error="", failed_step="")


def prospect_fail(*, campaign_prospect: CampaignProspect, step: str, error: str) -> bool:
    return _prospect_finish(campaign_prospect, status=Status.FAILED, error=error, failed_step=step)


def _prospect_finish(campaign_prospect: CampaignProspect, *, status: str, **fields) -> bool:
    now = timezone.now()
    counter = "completed_prospects" if status == Status.COMPLETE else "failed_prospects"
    with transaction.atomic():
        moved = CampaignProspect.objects.filter(
            pk=campaign_prospect.pk, status__in=CampaignProspect.IN_PROGRESS
        ).update(status=status, run_due_at=None, completed_at=now, updated_at=now, **fields)
        if not moved:
            return False
        Campaign.objects.filter(pk=campaign_prospect.campaign_id).update(
            **{counter: F(counter) + 1}, updated_at=now
        )
        finished = Campaign.objects.filter(
            pk=campaign_prospect.campaign_id,
            status=Campaign.Status.RUNNING,
            total_prospects__lte=F("completed_prospects") + F("failed_prospects"),
        ).update(status=Campaign.Status.COMPLETED, completed_at=now, updated_at=now)
        if finished:
            _announce_finished(campaign_prospect.campaign_id)
    campaign_prospect.status = status
    for field, value in fields.items():
        setattr(campaign_prospect, field, value)
    return True


def _announce_finished(campaign_id: int) -> None:
    campaign = Campaign.objects.select_related("workspace").get(pk=campaign_id)
    failed = f", {campaign.failed_prospects} failed" if campaign.failed_prospects else ""
    notify_admins(
        workspace=campaign.workspace,
        title=f"Campaign “{campaign.name}” finished",
        body=f"{campaign.completed_prospects} of {campaign.total_prospects} videos are ready"
        f"{failed}.",
        link=f"/campaigns/{campaign.pk}/",
    )


def pipeline_retry(*, campaign_prospect: CampaignProspect) -> CampaignProspect:
    """Run a failed prospect again from the step that failed; earlier steps are kept."""
    now = timezone.now()
    with transaction.atomic():
        moved = CampaignProspect.objects.filter(
            pk=campaign_prospect.pk, status=Status.FAILED
        ).update(
            status=Status.QUEUED,
            error="",
            failed_step="",
            completed_at=None,
            run_due_at=now,
            updated_at=now,
        )
        if not moved:
            raise Conflict("Only a failed video can be retried.")
        Job.objects.filter(campaign_prospect=campaign_prospect, status=Job.Status.FAILED).update(
            status=Job.Status.PENDING,
            attempts=0,
            error="",
            external_id="",
            due_at=now,
            finished_at=None,
            updated_at=now,
        )
        Campaign.objects.filter(pk=campaign_prospect.campaign_id).update(
            failed_prospects=F("failed_prospects") - 1,
            status=Campaign.Status.RUNNING,
            completed_at=None,
            updated_at=now,
        )
        pipeline_dispatch()
    campaign_prospect.refresh_from_db()
    return campaign_prospect


# --- Handing prospects to workers ----------------------------------------------------------------


def pipeline_dispatch() -> list[int]:
    """Enqueue a run for each due prospect, keeping at most MEDIA_PIPELINE_MAX_IN_FLIGHT
    claimed at once (a soft cap: two concurrent dispatches may both fill it). The rest wait
    as rows, so a big campaign never floods the queue."""
    now = timezone.now()
    with transaction.atomic():
        in_flight = CampaignProspect.objects.filter(
            status__in=CampaignProspect.IN_PROGRESS, run_due_at__gt=now
        ).count()
        free = settings.MEDIA_PIPELINE_MAX_IN_FLIGHT - in_flight
        if free <= 0:
            return []
        due = list(
            CampaignProspect.objects.select_for_update(skip_locked=True)
            .filter(status__in=CampaignProspect.IN_PROGRESS, run_due_at__lte=now)
            .order_by("run_due_at", "pk")
            .values_list("pk", flat=True)[:free]
        )
        if not due:
            return []
        # A run that never starts (its message lost, or held by a worker that died) is handed
        # out again after this; a second message for a run that did start finds its jobs
        # leased and leaves them be.
        grace = timedelta(seconds=2 * lease_seconds())
        CampaignProspect.objects.filter(pk__in=due).update(run_due_at=now + grace)
        # A broker outage only delays these: the sweep hands them out again after the grace.
        transaction.on_commit(
            lambda: [publish(task=pipeline_tasks.pipeline_run, args=[pk]) for pk in due]
        )
    return due


def pipeline_sweep() -> dict[str, int]:
    """Retry stuck jobs, then hand out every prospect whose time has come."""
    stuck = jobs_expire_stuck()
    dispatched = pipeline_dispatch()
    return {"stuck_jobs": stuck, "dispatched": len(dispatched)}


def _store(name: str, content: bytes) -> str:
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(content))


def research_record(
    *, campaign_prospect: CampaignProspect, research: dict, provider: str
) -> GenerationJob:
    """Research obtained some other way (a saved snapshot of the website): stored as a finished
    research job, so the pipeline starts at the script."""
    now = timezone.now()
    with transaction.atomic():
        job, _ = Job.objects.update_or_create(
            campaign_prospect=campaign_prospect,
            job_type=Job.Type.RESEARCH,
            scene_index=None,
            defaults={
                "workspace_id": campaign_prospect.workspace_id,
                "status": Job.Status.SUCCEEDED,
                "provider": provider,
                "attempts": 1,
                "result": {"url": research.get("url", ""), "title": research.get("title", "")},
                "started_at": now,
                "finished_at": now,
            },
        )
        prospect_output_save(campaign_prospect=campaign_prospect, research_data=research)
    return job
