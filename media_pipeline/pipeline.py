"""The durable step machine that turns one campaign prospect into a video: research, script,
voice, visuals, assembly.

Each step's output is persisted on the prospect before the next step starts, and each external
call is a GenerationJob row claimed by a conditional update. A run that stops anywhere (a
killed worker, a deploy) therefore resumes at the first unfinished step, and finished jobs are
never done twice. Only the main thread touches the database; provider calls run in a thread
pool (scenes in parallel where the provider allows) while the main thread renews the leases
that tell the sweep the work is alive.
"""

import logging
import queue
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from campaigns.models import CampaignProspect
from media_pipeline import services
from media_pipeline.models import GenerationJob
from media_pipeline.providers.assembly import FfmpegAssembler, SceneClip, scene_seconds
from media_pipeline.providers.base import (
    ProviderError,
    ReportExternalId,
    SceneVisualRequest,
    ScriptRequest,
    Voice,
)
from media_pipeline.providers.research import WebsiteResearcher
from media_pipeline.providers.script import script_variables, script_writer
from media_pipeline.providers.visuals import illustrator
from media_pipeline.providers.voice import narrator, wav_seconds

logger = logging.getLogger(__name__)

Status = CampaignProspect.Status
Job = GenerationJob
# A run starts no new step after this long and continues in a fresh task: a step may still
# take a few minutes (hosted jobs), and the run must end inside Celery's soft time limit.
RUN_BUDGET_SECONDS = 60
# Retries due sooner than this are waited out inside the run; later ones are left to the sweep.
INLINE_WAIT_SECONDS = 10
MAX_ROUNDS_PER_STEP = 12


@dataclass(frozen=True)
class Step:
    name: str
    status: str
    job_type: str
    per_scene: bool = False


STEPS = (
    Step("research", Status.RESEARCHING, Job.Type.RESEARCH),
    Step("script", Status.SCRIPTING, Job.Type.SCRIPT),
    Step("voice", Status.GENERATING_VOICE, Job.Type.VOICE, per_scene=True),
    Step("visuals", Status.GENERATING_VISUALS, Job.Type.VISUAL, per_scene=True),
    Step("assembly", Status.ASSEMBLING, Job.Type.ASSEMBLY),
)


@dataclass
class Product:
    """What a job's work returns: JSON for the job row, files to store, and the prospect's
    step output (written in the same transaction as the job's success)."""

    result: dict[str, Any] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    output: dict[str, Any] = field(default_factory=dict)


Work = Callable[[ReportExternalId], Product]


@dataclass(frozen=True)
class Outcome:
    error: str = ""
    wait_until: datetime | None = None


def scene_count(campaign_prospect: CampaignProspect) -> int:
    return len(campaign_prospect.script.get("scenes", []))


def _scene(job: GenerationJob) -> int:
    """The scene a job of a per-scene step is for: jobs_ensure numbers every one of them."""
    assert job.scene_index is not None, f"{job} belongs to a per-scene step but has no scene"
    return job.scene_index


def step_is_done(campaign_prospect: CampaignProspect, step: Step) -> bool:
    cp = campaign_prospect
    if step.name == "research":
        return bool(cp.research_data)
    if step.name == "script":
        return scene_count(cp) > 0
    if step.name in {"voice", "visuals"}:
        key = "audio" if step.name == "voice" else "image"
        assets = cp.scene_assets or []
        return len(assets) == scene_count(cp) > 0 and all(asset.get(key) for asset in assets)
    return bool(cp.video)


def next_step(campaign_prospect: CampaignProspect) -> Step | None:
    return next((step for step in STEPS if not step_is_done(campaign_prospect, step)), None)


def run_pipeline(*, campaign_prospect_id: int) -> None:
    """Take one prospect's video as far as it can go now; safe to run twice at once."""
    cp = _load(campaign_prospect_id)
    if cp is None or cp.is_finished:
        return
    deadline = time.monotonic() + RUN_BUDGET_SECONDS
    services.prospect_run_start(campaign_prospect=cp)
    for _ in range(len(STEPS) + 1):
        step = next_step(cp)
        if step is None:
            services.prospect_complete(campaign_prospect=cp)
            break
        services.prospect_step_enter(campaign_prospect=cp, status=step.status)
        outcome = _run_step(cp, step, deadline)
        if outcome.error:
            services.prospect_fail(campaign_prospect=cp, step=step.name, error=outcome.error)
            break
        if outcome.wait_until is not None:
            services.prospect_wait(campaign_prospect=cp, until=outcome.wait_until)
            break
        cp = _load(campaign_prospect_id)
        if cp is None or cp.is_finished:
            return
    # This run's slot is free: hand the next waiting prospect to a worker.
    services.pipeline_dispatch()


def _load(campaign_prospect_id: int) -> CampaignProspect | None:
    return (
        CampaignProspect.objects.select_related("campaign", "prospect", "contact")
        .filter(pk=campaign_prospect_id)
        .first()
    )


def _run_step(cp: CampaignProspect, step: Step, deadline: float) -> Outcome:
    count = scene_count(cp) if step.per_scene else None
    services.jobs_ensure(campaign_prospect=cp, job_type=step.job_type, scene_count=count)
    provider = _provider(step)
    for _ in range(MAX_ROUNDS_PER_STEP):
        jobs = list(cp.generation_jobs.filter(job_type=step.job_type).order_by("scene_index"))
        if count is not None:
            jobs = [job for job in jobs if _scene(job) < count]
        failed = next((job for job in jobs if job.status == Job.Status.FAILED), None)
        if failed is not None:
            return Outcome(error=_failure_message(step, failed))
        if all(job.status == Job.Status.SUCCEEDED for job in jobs):
            _persist_scene_assets(cp, step, jobs)
            return Outcome()
        now = timezone.now()
        if time.monotonic() >= deadline:
            return Outcome(wait_until=now)
        due = [job for job in jobs if job.status == Job.Status.PENDING and job.due_at <= now]
        if not due:
            running = [job for job in jobs if job.status == Job.Status.RUNNING]
            stale = [job for job in running if job.lease_expires_at and job.lease_expires_at < now]
            if stale:
                # A dead run's jobs: retry them here rather than wait for the sweep.
                for job in stale:
                    services.job_expire(job=job)
                continue
            if running:
                # Another run holds these jobs; it finishes the step, or the sweep notices it
                # stopped.
                return Outcome(wait_until=min(job.lease_expires_at or now for job in running))
            wake = min(job.due_at for job in jobs if job.status == Job.Status.PENDING)
            pause = (wake - now).total_seconds()
            if pause > INLINE_WAIT_SECONDS or time.monotonic() + pause >= deadline:
                return Outcome(wait_until=wake)
            time.sleep(max(0.0, pause))
            continue
        claimed = [job for job in due if services.job_claim(job=job, provider=provider.name)]
        if claimed:
            _execute(cp, step, provider, claimed)
    return Outcome(wait_until=timezone.now())


def _failure_message(step: Step, job: GenerationJob) -> str:
    scene = f" (scene {job.scene_index + 1})" if job.scene_index is not None else ""
    return f"{step.name.capitalize()} failed{scene}: {job.error}"


def _provider(step: Step):
    if step.name == "research":
        return WebsiteResearcher()
    if step.name == "script":
        return script_writer()
    if step.name == "voice":
        return narrator()
    if step.name == "visuals":
        return illustrator()
    return FfmpegAssembler()


# --- Running claimed jobs ------------------------------------------------------------------------


def _execute(cp: CampaignProspect, step: Step, provider, jobs: list[GenerationJob]) -> None:
    reports: queue.SimpleQueue[tuple[int, str]] = queue.SimpleQueue()
    by_id = {job.pk: job for job in jobs}
    work = {job.pk: _work(cp, step, provider, job) for job in jobs}
    heartbeat = max(0.5, min(5.0, services.lease_seconds() / 4))
    parallel = max(1, min(getattr(provider, "max_parallel", 1), len(jobs)))
    with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="media-job") as pool:
        futures: dict[Future, GenerationJob] = {
            pool.submit(work[job.pk], _reporter(reports, job.pk)): job for job in jobs
        }
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=heartbeat, return_when=FIRST_COMPLETED)
            _record_external_ids(reports, by_id)
            for future in done:
                _finish(cp, step, futures[future], future)
            if pending:
                services.leases_renew(
                    job_ids=[futures[f].pk for f in pending], campaign_prospect=cp
                )
    _record_external_ids(reports, by_id)


def _reporter(reports: queue.SimpleQueue, job_id: int) -> ReportExternalId:
    return lambda external_id: reports.put((job_id, external_id))


def _record_external_ids(reports: queue.SimpleQueue, jobs: dict[int, GenerationJob]) -> None:
    while True:
        try:
            job_id, external_id = reports.get_nowait()
        except queue.Empty:
            return
        services.job_external_id_record(job=jobs[job_id], external_id=external_id)


def _finish(cp: CampaignProspect, step: Step, job: GenerationJob, future: Future) -> None:
    try:
        product = future.result()
    except ProviderError as exc:
        services.job_attempt_fail(
            job=job, error=exc.message, transient=exc.transient, retry_after=exc.retry_after
        )
        return
    except Exception as exc:
        # A bug or an unexpected library error: fail the job with a reason people can see
        # (the traceback goes to the log) rather than leave it running until the sweep.
        logger.exception("Generation job %s crashed", job.pk)
        services.job_attempt_fail(
            job=job, error=f"Unexpected error ({type(exc).__name__}).", transient=False
        )
        return

    def save_output(names: dict[str, str]) -> None:
        output = dict(product.output)
        for role, name in names.items():
            if role != "main":
                output[role] = name
        if step.name == "assembly":
            output["video"] = names["main"]
        if output:
            services.prospect_output_save(campaign_prospect=cp, **output)

    services.job_succeed(
        job=job, result=product.result, files=product.files, on_success=save_output
    )


def _persist_scene_assets(cp: CampaignProspect, step: Step, jobs: list[GenerationJob]) -> None:
    if not step.per_scene or step_is_done(cp, step):
        return
    count = scene_count(cp)
    assets = [dict(asset) for asset in (cp.scene_assets or [])][:count]
    assets += [{"index": i} for i in range(len(assets), count)]
    for job in jobs:
        asset = assets[_scene(job)]
        if step.name == "voice":
            narration = float(job.result.get("narration_seconds", 0))
            asset.update(
                audio=job.result_file.name,
                narration_seconds=round(narration, 3),
                duration_seconds=scene_seconds(narration),
            )
        else:
            asset["image"] = job.result_file.name
    services.prospect_output_save(campaign_prospect=cp, scene_assets=assets)


# --- What each job does (built in the main thread, run in the pool) ------------------------------


def _work(cp: CampaignProspect, step: Step, provider, job: GenerationJob) -> Work:
    if step.name == "research":
        return _research_work(cp, provider)
    if step.name == "script":
        return _script_work(cp, provider)
    if step.name == "voice":
        return _voice_work(cp, provider, job)
    if step.name == "visuals":
        return _visual_work(cp, provider, job)
    return _assembly_work(cp, provider)


def _research_work(cp: CampaignProspect, provider: WebsiteResearcher) -> Work:
    url = cp.prospect.website or cp.prospect.domain

    def work(report: ReportExternalId) -> Product:
        if not url:
            raise ProviderError(f"{cp.prospect.name} has no website to research.")
        research = provider.research(url)
        return Product(
            result={"url": research["url"], "title": research["title"]},
            output={"research_data": research},
        )

    return work


def _script_work(cp: CampaignProspect, provider) -> Work:
    campaign, contact = cp.campaign, cp.contact
    request = ScriptRequest(
        company=cp.prospect.name,
        research=cp.research_data,
        brief=campaign.brief,
        sender_name=campaign.sender_name,
        sender_company=campaign.workspace.name,
        sender_company_description=campaign.workspace.company_description,
        contact_title=contact.title if contact else "",
        variables=script_variables(
            first_name=contact.first_name if contact else "",
            last_name=contact.last_name if contact else "",
            company=cp.prospect.name,
            title=contact.title if contact else "",
            sender_name=campaign.sender_name,
            sender_company=campaign.workspace.name,
        ),
    )

    def work(report: ReportExternalId) -> Product:
        script = provider.write(request)
        return Product(
            result={"scenes": len(script["scenes"]), "writer": script["writer"]},
            output={"script": script, "scene_assets": []},
        )

    return work


def _voice_work(cp: CampaignProspect, provider, job: GenerationJob) -> Work:
    text = cp.script["scenes"][_scene(job)]["narration"]
    campaign = cp.campaign
    voice = Voice(
        hosted_id=campaign.voice_id or settings.ELEVENLABS_VOICE_ID,
        offline=campaign.offline_voice,
        words_per_minute=campaign.words_per_minute,
    )

    def work(report: ReportExternalId) -> Product:
        wav = provider.narrate(text, voice=voice)
        return Product(
            result={"narration_seconds": round(wav_seconds(wav), 3)}, files={"main": ("wav", wav)}
        )

    return work


def _visual_work(cp: CampaignProspect, provider, job: GenerationJob) -> Work:
    index = _scene(job)
    scene = cp.script["scenes"][index]
    request = SceneVisualRequest(
        index=index,
        scene_count=scene_count(cp),
        prompt=scene["visual_prompt"],
        headline=scene["headline"],
        caption=scene.get("caption", ""),
        company=cp.prospect.name,
        sender_company=cp.campaign.workspace.name,
        colors=tuple(cp.research_data.get("colors", [])),
        external_id=job.external_id,
    )

    def work(report: ReportExternalId) -> Product:
        return Product(files={"main": ("png", provider.illustrate(request, report))})

    return work


def _assembly_work(cp: CampaignProspect, provider: FfmpegAssembler) -> Work:
    assets = list(cp.scene_assets)
    narrations = [scene["narration"] for scene in cp.script.get("scenes", [])]

    def work(report: ReportExternalId) -> Product:
        with tempfile.TemporaryDirectory(prefix="video-") as tmp:
            workdir = Path(tmp)
            scenes = []
            for i, asset in enumerate(assets):
                image, audio = workdir / f"scene-{i}.png", workdir / f"scene-{i}.wav"
                image.write_bytes(_read(asset["image"]))
                audio.write_bytes(_read(asset["audio"]))
                scenes.append(
                    SceneClip(
                        image=image,
                        audio=audio,
                        seconds=asset["duration_seconds"],
                        narration=narrations[i] if i < len(narrations) else "",
                    )
                )
            video = provider.assemble(scenes, workdir)
        return Product(
            result={"seconds": video.seconds, "scenes": len(scenes)},
            files={
                "main": ("mp4", video.video),
                "thumbnail": ("jpg", video.thumbnail),
                "preview_gif": ("gif", video.preview_gif),
                "subtitles": ("vtt", video.subtitles.encode()),
            },
        )

    return work


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as stored:
        return stored.read()
