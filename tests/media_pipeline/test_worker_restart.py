"""A real worker killed (SIGKILL) in the middle of a video: after a restart the run completes,
and no finished job is done again (the GenerationJob rows prove it)."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from campaigns.services import ExistingTarget, campaign_create, campaign_launch
from config.celery import app
from config.queues import BULK, INTERACTIVE, QUEUE_NAMES, SWEEPS
from demo.campaign import SNAPSHOTS
from media_pipeline import services
from media_pipeline.models import GenerationJob
from tests.factories import ContactFactory, ProspectFactory
from tests.local_server import Handler, base_url, local_server
from tests.media import streams
from tests.media_pipeline.fakes import png_of

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="a real worker needs Redis (set REDIS_URL)"),
]

BASE_DIR = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 3


class ImageApiAndWebsite(Handler):
    """The prospect's website, and a hosted image API whose jobs finish when released."""

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        prediction_id = f"pred-{len(self.server.submitted) + 1}"
        self.server.submitted.append(prediction_id)
        self._json(201, {"id": prediction_id, "status": "starting", "output": None})

    def do_GET(self):
        if self.path.startswith("/v1/predictions/"):
            prediction_id = self.path.rsplit("/", 1)[-1]
            if not self.server.released.is_set():
                self._json(200, {"id": prediction_id, "status": "processing", "output": None})
                return
            url = f"{base_url(self.server)}/out/{prediction_id}.png"
            self._json(200, {"id": prediction_id, "status": "succeeded", "output": [url]})
            return
        if self.path.startswith("/out/"):
            self.send(200, png_of(), "image/png")
            return
        self.send(200, (SNAPSHOTS / "ramp.com.html").read_bytes(), "text/html")

    def _json(self, status: int, body: dict) -> None:
        self.send(status, json.dumps(body).encode(), "application/json")


@pytest.fixture
def image_api():
    with local_server(ImageApiAndWebsite, submitted=[], released=threading.Event()) as server:
        yield server


class Workers:
    """Real Celery workers on this test's database and Redis, each in its own process group."""

    def __init__(self, env: dict[str, str], log: Path):
        self.env, self.log, self.running = env, log, []

    def start(self, queues: str) -> subprocess.Popen:
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
            f"--queues={queues}",
            "--concurrency=1", "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--loglevel=INFO",
        ]  # fmt: skip
        with self.log.open("a") as log:
            worker = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running.append(worker)
        return worker

    def kill(self, worker: subprocess.Popen) -> None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        self.running.remove(worker)

    def stop_all(self) -> None:
        for worker in list(self.running):
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)
            self.running.remove(worker)

    def tail(self) -> str:
        return self.log.read_text()[-3000:] if self.log.exists() else ""


@pytest.fixture
def workers(image_api, settings, tmp_path):
    db = connection.settings_dict
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "VAR_DIR": str(tmp_path / "var"),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "OUTBOUND_ALLOW_PRIVATE_ADDRESSES": "true",
        "MEDIA_IMAGE_API_KEY": "test-key",
        "MEDIA_IMAGE_API_URL": f"{base_url(image_api)}/v1",
        "MEDIA_IMAGE_MODEL": "test/flux",
        "MEDIA_IMAGE_POLL_SECONDS": "1",
        "MEDIA_IMAGE_CONCURRENCY": "6",
        "MEDIA_PIPELINE_LEASE_SECONDS": str(LEASE_SECONDS),
        "MEDIA_PIPELINE_RETRY_DELAY_SECONDS": "1",
    }
    # This process sends tasks to the real broker, and sweeps with the workers' lease.
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    settings.MEDIA_PIPELINE_LEASE_SECONDS = LEASE_SECONDS
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete(*QUEUE_NAMES, "unacked", "unacked_index")
    pool = Workers(env, tmp_path / "worker.log")
    yield pool
    pool.stop_all()
    app.conf.task_always_eager = eager
    broker.delete(*QUEUE_NAMES, "unacked", "unacked_index")


def wait_until(condition, *, seconds: float, what: str, workers: Workers) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    pytest.fail(f"Timed out waiting until {what}.\n--- worker log ---\n{workers.tail()}")


def test_a_killed_worker_resumes_the_video_without_redoing_finished_jobs(
    workers, image_api, workspace
):
    prospect = ProspectFactory(
        workspace=workspace, name="Ramp", domain="ramp.example", website=f"{base_url(image_api)}/"
    )
    ContactFactory(prospect=prospect, first_name="Jamie")
    campaign = campaign_create(
        workspace=workspace,
        name="Resilience",
        sender_name="Alice",
        targets=[ExistingTarget(prospect=prospect)],
    )
    entry = campaign.campaign_prospects.get()
    # Videos are bulk work; a second worker takes the other queues, as in production.
    first = workers.start(BULK)
    workers.start(f"{INTERACTIVE},{SWEEPS}")
    campaign_launch(campaign=campaign)

    def visuals_submitted() -> bool:
        jobs = GenerationJob.objects.filter(campaign_prospect=entry, job_type="visual")
        return jobs.exists() and not jobs.filter(external_id="").exists()

    wait_until(
        visuals_submitted, seconds=60, what="every scene's image job is submitted", workers=workers
    )
    workers.kill(first)
    before = {job.pk: job for job in GenerationJob.objects.filter(campaign_prospect=entry)}
    finished = {pk: job for pk, job in before.items() if job.status == "succeeded"}
    scenes = len(image_api.submitted)
    assert {job.job_type for job in finished.values()} == {"research", "script", "voice"}
    assert (
        scenes == GenerationJob.objects.filter(campaign_prospect=entry, job_type="visual").count()
    )

    image_api.released.set()
    workers.start(BULK)

    def complete() -> bool:
        services.pipeline_sweep()
        entry.refresh_from_db()
        return entry.status in {"complete", "failed"}

    wait_until(complete, seconds=120, what="the video is complete", workers=workers)

    assert entry.status == "complete", entry.error
    after = {job.pk: job for job in GenerationJob.objects.filter(campaign_prospect=entry)}
    # No finished job ran again, and none was duplicated: only the assembly job is new.
    for pk, job in finished.items():
        assert (after[pk].attempts, after[pk].finished_at) == (1, job.finished_at), job
    assert [job.job_type for pk, job in after.items() if pk not in before] == ["assembly"]
    # The interrupted image jobs resumed polling their hosted jobs: nothing was paid twice.
    assert len(image_api.submitted) == scenes
    visuals = [job for job in after.values() if job.job_type == "visual"]
    assert {(job.status, job.attempts) for job in visuals} == {("succeeded", 2)}
    found = streams(entry.video.path)
    assert {"video", "audio"} <= set(found)
