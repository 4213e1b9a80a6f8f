"""How soon a rep sees the call task after a prospect reaches wizard step 3, end to end.

200 prospects each open their wizard and step to 3 through gunicorn, with a real Celery worker
on Redis and PostgreSQL. For each one: the time from sending the step-3 request to the call task
existing in the database. Target: p95 under 500 ms.

Needs DATABASE_URL (PostgreSQL: the bench creates and drops its own database on that server)
and REDIS_URL (the broker; the bench's worker takes every task queued there). Run from the
project directory: `.venv/bin/python bench/trigger_latency.py` (or `make bench`).
"""

import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import harness

SESSIONS = 200
CONCURRENT_VISITORS = 8
DATABASE = "crm_bench_trigger_latency"
TARGET_P95_MS = 500
TASK_WAIT_TIMEOUT = 60
PROJECT = Path(__file__).resolve().parent.parent


def main() -> int:
    server_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")) or not redis_url:
        print("skipped: set DATABASE_URL to a PostgreSQL server and REDIS_URL to a Redis database")
        return 0
    var_dir = Path(tempfile.mkdtemp(prefix="crm-bench-"))
    env = harness.server_env(
        server_url,
        redis_url,
        DATABASE,
        var_dir,
    )
    os.environ.update(env)
    sys.path.insert(0, str(PROJECT))

    harness.recreate_database(server_url, DATABASE, drop_only=False)
    processes: list[subprocess.Popen] = []
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from config.celery import app as celery_app

        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        celery_app.control.purge()  # nothing left over from an earlier run
        links = _create_prospects()

        base_url = harness.start_worker_and_web(var_dir, env, "trigger-latency", processes)

        started_at, request_ms = _visit_all(base_url, links)
        latencies_ms = _task_latencies(started_at)
        _report(latencies_ms, request_ms)
        return 0 if harness.percentile(latencies_ms, 95) < TARGET_P95_MS else 1
    finally:
        harness.clean_up(processes, server_url, DATABASE, var_dir)


def _create_prospects() -> dict[int, str]:
    """SESSIONS new prospects, each with a contact and a wizard link; {prospect id: token}."""
    from django.contrib.auth import get_user_model

    from outreach.crm.services.prospects import contact_create, prospect_create
    from outreach.wizard.services import wizard_link_create
    from outreach.workspaces.services.workspaces import workspace_create

    owner = get_user_model().objects.create_user("bench-rep", "rep@bench.example")
    workspace = workspace_create(name="Bench Sales", slug="bench", owner=owner)
    links = {}
    for n in range(SESSIONS):
        prospect = prospect_create(
            workspace=workspace, name=f"Prospect {n}", domain=f"prospect{n}.example", owner=owner
        )
        contact_create(workspace=workspace, prospect=prospect, first_name="Pat", last_name=str(n))
        links[prospect.pk] = wizard_link_create(prospect=prospect, by=owner).token
    return links


def _visit_all(base_url: str, links: dict[int, str]) -> tuple[dict[int, float], list[float]]:
    """Each prospect opens steps 1 and 2, then 3; returns when each step-3 request was sent."""

    started_at: dict[int, float] = {}
    request_ms: list[float] = []

    def session(item: tuple[int, str]) -> None:
        prospect_id, token = item
        with harness.http_client(base_url=base_url, timeout=30) as client:
            for path in (f"/w/{token}/", f"/w/{token}/2/"):
                client.get(path).raise_for_status()
            started_at[prospect_id] = time.time()
            client.get(f"/w/{token}/3/").raise_for_status()
            request_ms.append((time.time() - started_at[prospect_id]) * 1000)

    with ThreadPoolExecutor(CONCURRENT_VISITORS) as pool:
        list(pool.map(session, links.items()))
    return started_at, request_ms


def _task_latencies(started_at: dict[int, float]) -> list[float]:
    from outreach.models import OutreachLog

    deadline = time.time() + TASK_WAIT_TIMEOUT
    created: dict[int, float] = {}
    while len(created) < len(started_at) and time.time() < deadline:
        rows = OutreachLog.objects.filter(
            prospect_id__in=started_at, metadata__triggerSource="wizard_step3"
        ).values_list("prospect_id", "created_at")
        created = {prospect_id: at.timestamp() for prospect_id, at in rows}
        time.sleep(0.2)
    missing = len(started_at) - len(created)
    if missing:
        raise SystemExit(f"{missing} call tasks did not appear within {TASK_WAIT_TIMEOUT} s")
    return [(created[pk] - started_at[pk]) * 1000 for pk in started_at]


def _report(latencies_ms: list[float], request_ms: list[float]) -> None:
    p95 = harness.percentile(latencies_ms, 95)
    print(f"wizard sessions to step 3: {len(latencies_ms)} ({CONCURRENT_VISITORS} at a time)")
    print("worker: 1 Celery worker, 2 processes; web: gunicorn 2 workers x 4 threads")
    print(
        f"step-3 request to call task:  p50 {harness.percentile(latencies_ms, 50):.0f} ms  "
        f"p95 {p95:.0f} ms  max {max(latencies_ms):.0f} ms  "
        f"(target p95 < {TARGET_P95_MS} ms: {'met' if p95 < TARGET_P95_MS else 'MISSED'})"
    )
    print(
        f"step-3 page response:         p50 {harness.percentile(request_ms, 50):.0f} ms  "
        f"p95 {harness.percentile(request_ms, 95):.0f} ms"
    )
    print(harness.machine())


if __name__ == "__main__":
    sys.exit(main())
