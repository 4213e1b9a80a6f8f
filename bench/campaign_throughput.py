"""Campaign throughput: a 20-prospect campaign made offline (research from a local web server,
template scripts, eSpeak NG, Pillow cards, ffmpeg) by one Celery worker with 2 processes.

Prints the worker's CPU seconds per prospect (target: at most 15: the worker processes and the
ffmpeg and eSpeak work they wait for, read from /proc), seconds of wall time per prospect and
videos per minute. Uses its
own database (crm_bench_campaign_throughput on the DATABASE_URL server, or a SQLite file) and
the REDIS_URL broker if set, else a file queue; everything it starts is stopped at the end.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROSPECTS = 20
WORKER_PROCESSES = 2
TARGET_SECONDS_PER_PROSPECT = 15
TIMEOUT_SECONDS = 20 * 60
BENCH_DB = "crm_bench_campaign_throughput"
SNAPSHOTS = ROOT / "demo" / "sites"


class Websites(BaseHTTPRequestHandler):
    """Each prospect's website: one of the demo snapshots."""

    def do_GET(self):
        pages = sorted(SNAPSHOTS.glob("*.html"))
        index = int(self.path.strip("/") or 0) % len(pages)
        body = pages[index].read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def bench_database(workdir: Path) -> tuple[str, object]:
    """A fresh database for the run, and how to drop it."""
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{workdir / 'bench.sqlite3'}", lambda: None
    import psycopg

    parts = urlsplit(configured)
    admin_url = urlunsplit(parts._replace(path="/postgres"))

    def run(sql: str) -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql)

    run(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    run(f"CREATE DATABASE {BENCH_DB}")
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}")), lambda: run(
        f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"
    )


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="crm-bench-"))
    database_url, drop_database = bench_database(workdir)
    websites = ThreadingHTTPServer(("127.0.0.1", 0), Websites)
    websites.daemon_threads = True
    threading.Thread(target=websites.serve_forever, daemon=True).start()
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "VAR_DIR": str(workdir / "var"),
        "MEDIA_ROOT": str(workdir / "media"),
        "OUTBOUND_ALLOW_PRIVATE_ADDRESSES": "true",
        "ANTHROPIC_API_KEY": "",
        "ELEVENLABS_API_KEY": "",
        "MEDIA_IMAGE_API_KEY": "",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    os.environ.update(env)
    worker = None
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        worker_log = workdir / "worker.log"
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            f"--concurrency={WORKER_PROCESSES}", "--without-gossip", "--without-mingle",
            "--loglevel=WARNING",
        ]  # fmt: skip
        with worker_log.open("w") as log:
            worker = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**os.environ},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return run_campaign(
            f"http://127.0.0.1:{websites.server_address[1]}", worker_log, worker.pid
        )
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
        websites.shutdown()
        websites.server_close()
        from django.db import connections

        connections.close_all()
        drop_database()
        shutil.rmtree(workdir, ignore_errors=True)


def cpu_seconds(root_pid: int) -> float:
    """CPU time (user + system) of a process and all its descendants, with the children they
    already waited for (each ffmpeg run): what the worker cost the machine so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = sum(int(value) for value in fields[11:15])
    tree, grew = {root_pid}, True
    while grew:
        children = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= children
        grew = bool(children)
    return sum(used.get(pid, 0) for pid in tree) / ticks


def run_campaign(site_url: str, worker_log: Path, worker_pid: int) -> int:
    from django.contrib.auth import get_user_model
    from django.db.models import Avg, F

    from campaigns.models import Campaign
    from campaigns.services import ExistingTarget, campaign_create, campaign_launch
    from media_pipeline.models import GenerationJob
    from outreach.crm.services.prospects import contact_create, prospect_create
    from outreach.workspaces.services.workspaces import workspace_create

    owner = get_user_model().objects.create(username="bench")
    workspace = workspace_create(name="Bench", slug="bench", owner=owner)
    targets = []
    for i in range(PROSPECTS):
        prospect = prospect_create(
            workspace=workspace,
            name=f"Prospect {i + 1}",
            domain=f"prospect-{i + 1}.example",
            website=f"{site_url}/{i}",
        )
        contact_create(workspace=workspace, prospect=prospect, first_name=f"Pat{i + 1}")
        targets.append(ExistingTarget(prospect=prospect))
    campaign = campaign_create(
        workspace=workspace,
        name="Throughput",
        brief="We would love to show your team a two-week pilot.",
        sender_name="Alex",
        targets=targets,
        by=owner,
    )

    from config.celery import app as celery_app

    while not celery_app.control.ping(timeout=1):
        time.sleep(0.5)  # the worker's start-up is not the campaign's cost
    load_before = os.getloadavg()
    cpu_before = cpu_seconds(worker_pid)
    started = time.monotonic()
    campaign_launch(campaign=campaign)
    while True:
        campaign.refresh_from_db()
        if campaign.status == Campaign.Status.COMPLETED:
            break
        if time.monotonic() - started > TIMEOUT_SECONDS:
            print(f"Timed out; worker log:\n{worker_log.read_text()[-3000:]}")
            return 1
        time.sleep(0.5)
    wall = time.monotonic() - started
    cpu = cpu_seconds(worker_pid) - cpu_before
    load_after = os.getloadavg()

    per_prospect = wall / PROSPECTS
    steps = (
        GenerationJob.objects.filter(campaign_prospect__campaign=campaign, started_at__isnull=False)
        .values("job_type")
        .annotate(seconds=Avg(F("finished_at") - F("started_at")))
        .order_by("job_type")
    )
    print(f"prospects:                {PROSPECTS} ({campaign.completed_prospects} videos, "
          f"{campaign.failed_prospects} failed)")  # fmt: skip
    print(f"worker processes:         {WORKER_PROCESSES}")
    print(f"wall time:                {wall:.1f} s")
    print(
        f"worker CPU per prospect:  {cpu / PROSPECTS:.2f} s "
        f"(target <= {TARGET_SECONDS_PER_PROSPECT}; {cpu:.1f} s in all)"
    )
    print(f"wall time per prospect:   {per_prospect:.2f} s")
    print(f"videos per minute:        {60 * campaign.completed_prospects / wall:.1f}")
    for row in steps:
        print(f"  mean {row['job_type']:<9} job: {row['seconds'].total_seconds():.2f} s")
    print(f"load average before/after: {load_before[0]:.2f} / {load_after[0]:.2f} "
          f"({os.cpu_count()} CPUs)")  # fmt: skip
    return (
        0
        if campaign.failed_prospects == 0 and cpu / PROSPECTS <= TARGET_SECONDS_PER_PROSPECT
        else 1
    )


if __name__ == "__main__":
    sys.exit(main())
