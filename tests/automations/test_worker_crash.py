"""A real Celery worker on Redis is killed (SIGKILL) in the middle of runs; after a restart
every run finishes and no action was performed twice. Runs go to the interactive queue's worker,
beat's sweeps to a second worker on the sweeps and bulk queues, as in production."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from automations.models import AutomationActionRun, AutomationExecution
from automations.services import automation_create
from config.celery import app
from config.queues import BULK, INTERACTIVE, SWEEPS
from outreach.crm.services.prospects import contact_create
from outreach.models import Notification, OutreachLog
from tests.factories import ProspectFactory

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (set REDIS_URL)"),
    pytest.mark.timeout(240),
]

ROOT = Path(__file__).resolve().parents[2]
RUNS = 40


class Receiver(BaseHTTPRequestHandler):
    """A webhook receiver that, as documented, handles each Idempotency-Key once."""

    deliveries: list[tuple[str, str]] = []
    handled: dict[str, int] = {}
    lock = threading.Lock()

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        key = self.headers["Idempotency-Key"]
        time.sleep(0.03)  # a receiver that takes a moment widens the window for a kill
        with self.lock:
            self.deliveries.append((key, self.headers["X-Crm-Attempt"]))
            if key not in self.handled:
                self.handled[key] = 1
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.deliveries, Receiver.handled = [], {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()
    server.server_close()


@pytest.fixture
def real_queue():
    """Tasks go to Redis for the worker, not run in this process."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    forget_unacked()
    app.control.purge()
    yield
    app.conf.task_always_eager = eager
    forget_unacked()
    app.control.purge()


def forget_unacked() -> None:
    # Messages a killed worker held would come back after the visibility timeout and reach
    # whatever uses this Redis database next.
    with app.connection_for_write() as conn:
        conn.default_channel.client.delete("unacked", "unacked_index")


@pytest.fixture
def worker(tmp_path):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "VAR_DIR": str(tmp_path),
        "SECRET_KEY": "worker-crash-test",
        "OUTBOUND_ALLOW_PRIVATE_ADDRESSES": "true",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "AUTOMATION_SWEEP_SECONDS": "1",
        "AUTOMATION_RUN_LEASE_SECONDS": "5",
        "AUTOMATION_REQUEUE_AFTER_SECONDS": "3",
        "AUTOMATION_WEBHOOK_TIMEOUT_SECONDS": "2",
        "AUTOMATION_WEBHOOK_CONNECT_TIMEOUT_SECONDS": "1",
        # Recovery is the sweep's job: the broker's own redelivery stays out of the way.
        "CELERY_VISIBILITY_TIMEOUT": "3600",
        "LOG_LEVEL": "WARNING",
    }
    started: list[subprocess.Popen] = []

    def start(queues: str, *, beat: bool = False) -> subprocess.Popen:
        log = open(tmp_path / f"worker-{len(started)}.log", "w")  # noqa: SIM115
        with_beat = ["-B", "-s", str(tmp_path / "beat-schedule")] if beat else []
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                *with_beat,
                f"--queues={queues}",
                "--concurrency=2",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"crash-{uuid.uuid4().hex[:8]}@%h",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def wait_for(predicate, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"Timed out after {timeout} s waiting for {what}")


def test_killing_the_worker_mid_run_loses_nothing_and_repeats_nothing(
    workspace, alice, receiver, real_queue, worker
):
    automation_create(
        workspace=workspace,
        by=alice,
        enabled=True,
        name="Welcome, tell the warehouse, call later",
        trigger_type="contact.created",
        actions=[
            {"type": "create_task", "params": {"subject": "Welcome {{contact.first_name}}"}},
            {"type": "notify_admins", "params": {"title": "New contact {{contact.first_name}}"}},
            {"type": "call_webhook", "params": {"url": receiver}},
            {
                "type": "create_task",
                "params": {"subject": "Call {{contact.first_name}}"},
                "delay_seconds": 1,
            },
        ],
    )
    prospect = ProspectFactory(workspace=workspace, name="Stripe")
    for i in range(RUNS):
        contact_create(workspace=workspace, prospect=prospect, first_name=f"Dana{i}")
    steps = RUNS * 4

    first = worker(INTERACTIVE)
    worker(f"{SWEEPS},{BULK}", beat=True)
    done = lambda: AutomationActionRun.objects.filter(  # noqa: E731
        status=AutomationActionRun.Status.SUCCEEDED
    ).count()
    wait_for(lambda: done() >= steps // 4, timeout=90, what="the worker to get going")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    done_at_kill = done()
    assert done_at_kill < steps, "the worker finished before it could be killed"

    worker(INTERACTIVE)
    wait_for(
        lambda: (
            AutomationExecution.objects.filter(status=AutomationExecution.Status.COMPLETED).count()
            == RUNS
        ),
        timeout=150,
        what="every run to complete after the restart",
    )

    runs = list(AutomationExecution.objects.all())
    assert len(runs) == RUNS
    for run in runs:
        tasks = OutreachLog.objects.filter(metadata__automationExecutionId=run.pk)
        assert sorted(tasks.values_list("metadata__actionIndex", flat=True)) == [0, 3], run.pk
        assert Notification.objects.filter(link=f"/automations/runs/{run.pk}/").count() == 1
        assert Receiver.handled.get(f"run-{run.pk}-action-2") == 1
    assert set(AutomationActionRun.objects.values_list("status", flat=True)) == {
        AutomationActionRun.Status.SUCCEEDED
    }
    # Deliveries beyond one per key are the webhooks whose answer the kill swallowed: resent
    # under the same key, as documented, and handled once by the receiver.
    resent = len(Receiver.deliveries) - len(Receiver.handled)
    print(json.dumps({"steps_done_at_kill": done_at_kill, "webhooks_resent": resent}))
