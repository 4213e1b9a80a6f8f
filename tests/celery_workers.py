"""Real Celery worker processes on the test's PostgreSQL database and Redis, all consuming the
same queues, for tests that check that several workers never do a piece of work twice."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection

from config.celery import app
from config.queues import QUEUE_NAMES

ROOT = Path(__file__).resolve().parents[1]


class Workers:
    """Worker processes, each in its own process group, logging to one file."""

    def __init__(self, env: dict[str, str], log: Path):
        self.env, self.log, self.running = env, log, []

    def start(self, count: int, *, queues: str = ",".join(QUEUE_NAMES)) -> None:
        for _ in range(count):
            command = [
                sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
                f"--queues={queues}", "--concurrency=1",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                "-n", f"shared-{uuid.uuid4().hex[:8]}@%h", "--loglevel=WARNING",
            ]  # fmt: skip
            with self.log.open("a") as log:
                self.running.append(
                    subprocess.Popen(
                        command,
                        cwd=ROOT,
                        env=self.env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )

    def stop_all(self) -> None:
        for worker in self.running:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
        for worker in self.running:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)
        self.running = []

    def wait_until(
        self, condition: Callable[[], bool], *, seconds: float, what: str, meanwhile=None
    ) -> None:
        """Poll `condition`, calling `meanwhile` between polls; fail with the workers' log."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            dead = [worker.returncode for worker in self.running if worker.poll() is not None]
            if dead:
                raise AssertionError(f"a worker stopped (exit {dead}):\n{self.tail()}")
            if meanwhile is not None:
                meanwhile()
            time.sleep(0.5)
        raise AssertionError(f"Timed out after {seconds} s waiting for {what}.\n{self.tail()}")

    def tail(self) -> str:
        return self.log.read_text()[-4000:] if self.log.exists() else ""


def _forget_queued_work() -> None:
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete(*QUEUE_NAMES, "unacked", "unacked_index")


@contextmanager
def shared_queue_workers(tmp_path: Path, **env_overrides: str) -> Iterator[Workers]:
    """Workers on this test's database; tasks this process sends go to Redis for them."""
    db = connection.settings_dict
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "VAR_DIR": str(tmp_path / "var"),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SECRET_KEY": "shared-queue-workers",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # Recovery is the sweeps' job: the broker's own redelivery stays out of the way.
        "CELERY_VISIBILITY_TIMEOUT": "3600",
        "LOG_LEVEL": "WARNING",
        **env_overrides,
    }
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    _forget_queued_work()
    workers = Workers(env, tmp_path / "workers.log")
    try:
        yield workers
    finally:
        workers.stop_all()
        app.conf.task_always_eager = eager
        _forget_queued_work()
