"""Automation throughput on PostgreSQL and Redis with one worker process: executions per second
of a one-action automation, and how late parked runs are resumed when 10,000 come due at once.

    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/automation_throughput.py
    options: --runs 2000 --parked 10000 --sweep-seconds 10

It creates (and drops) its own database, BENCH_DB_NAME (crm_bench_automation_throughput by
default), on the PostgreSQL server of BENCH_POSTGRES_URL or DATABASE_URL (default
postgres://postgres@127.0.0.1:5432), starts one Celery worker process (prefork, one child)
and, for the second part, Celery beat.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = os.environ.get("BENCH_DB_NAME", "crm_bench_automation_throughput")
# The worker and beat processes, watched while waiting: a benchmark whose worker died stops.
_STARTED: list[subprocess.Popen] = []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000, help="events for the throughput part")
    parser.add_argument("--parked", type=int, default=10_000, help="runs coming due together")
    parser.add_argument("--sweep-seconds", type=int, default=10, help="the beat sweep interval")
    parser.add_argument("--pool", default="prefork", choices=["prefork", "solo"])
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        print("skipped: this benchmark needs Redis (set REDIS_URL=redis://127.0.0.1:6379/7).")
        return 0
    server = _postgres_server()
    database_url = urlunsplit(urlsplit(server)._replace(path=f"/{DB_NAME}"))
    var_dir = Path(tempfile.mkdtemp(prefix="crm-bench-automations-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "VAR_DIR": str(var_dir),
        "SECRET_KEY": "automation-throughput-bench",
        "AUTOMATION_SWEEP_SECONDS": str(args.sweep_seconds),
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    _recreate_database(server)
    processes: list[subprocess.Popen] = []
    try:
        import django

        sys.path.insert(0, str(ROOT))
        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from config.celery import app

        app.control.purge()
        processes.append(_start(env, var_dir, "worker", "--concurrency=1", f"--pool={args.pool}"))
        _wait_for_worker(app)
        throughput = _throughput(args.runs, worker=processes[0])
        processes.append(
            _start(env, var_dir, "beat", "-s", str(var_dir / "beat-schedule"), beat=True)
        )
        lag = _resume_lag(args.parked, args.sweep_seconds)
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
        from django.db import connections

        connections.close_all()
        _drop_database(server)
    _report(args, throughput, lag)
    return 0


def _throughput(runs: int, worker: subprocess.Popen) -> dict:
    """Tag `runs` contacts at once; a one-action automation creates a call task for each."""
    from django.db import transaction

    from automations.models import AutomationExecution
    from automations.services import automation_create
    from outreach.crm.services.tags import tag_assign
    from outreach.models import Contact, Prospect, Tag

    workspace, admin = _workspace()
    vip = Tag.objects.create(workspace=workspace, name="vip")
    automation_create(
        workspace=workspace,
        by=admin,
        enabled=True,
        name="VIPs get a call",
        trigger_type="tag.assigned",
        trigger_config={"tag_id": vip.pk},
        actions=[{"type": "create_task", "params": {"subject": "Call {{contact.first_name}}"}}],
    )
    prospect = Prospect.objects.create(workspace=workspace, name="Stripe", domain="stripe.com")
    contacts = Contact.objects.bulk_create(
        Contact(workspace=workspace, prospect=prospect, first_name=f"Pat{i}") for i in range(runs)
    )
    cpu_before = _cpu_seconds(worker.pid)
    with transaction.atomic():
        for contact in contacts:
            tag_assign(target=contact, tag=vip)
    started = time.monotonic()
    _wait(lambda: AutomationExecution.objects.filter(status="completed").count() >= runs, 600)
    elapsed = time.monotonic() - started
    cpu = {side: _cpu_seconds(worker.pid)[side] - cpu_before[side] for side in cpu_before}
    latencies = [
        (run.finished_at - run.event.created_at).total_seconds()
        for run in AutomationExecution.objects.select_related("event")
    ]
    return {
        "runs": runs,
        "seconds": elapsed,
        "per_second": runs / elapsed,
        "latency": latencies,
        "cpu": cpu,
    }


def _cpu_seconds(worker_pid: int) -> dict[str, float]:
    """CPU time used so far by the worker's processes and by PostgreSQL's backends of the
    bench database (all of them, ours included: polling is a small share)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [DB_NAME])
        backends = {row[0] for row in cursor.fetchall()}
    worker = {pid for pid in _pids() if _stat(pid)[2] == worker_pid}
    return {
        "worker": sum(_stat(pid)[1] for pid in worker),
        "postgres": sum(_stat(pid)[1] for pid in backends),
    }


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _stat(pid: int) -> tuple[int, float, int]:
    """(pid, CPU seconds, process group) from /proc; a process gone since reads as zero.
    The CPU time includes the children the process has reaped: pool children the worker
    replaced (max tasks per child) still count."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return pid, 0.0, -1
    ticks = os.sysconf("SC_CLK_TCK")
    # utime, stime, cutime, cstime
    return pid, sum(int(field) for field in fields[11:15]) / ticks, int(fields[2])


def _resume_lag(parked: int, sweep_seconds: int) -> dict:
    """Park `parked` runs that all come due at one moment, and measure how late each resumes."""
    from django.utils import timezone

    from automations.models import (
        Automation,
        AutomationActionRun,
        AutomationEvent,
        AutomationExecution,
    )
    from outreach.models import Contact

    automation = Automation.objects.get()
    contact = Contact.objects.first()
    event = AutomationEvent.objects.create(
        workspace=automation.workspace,
        event_type="tag.assigned",
        payload={"contact": {"id": contact.pk}, "prospect": {"id": contact.prospect_id}},
        status=AutomationEvent.Status.DISPATCHED,
    )
    actions = [{**automation.actions[0], "delay_seconds": 86400}]
    due = timezone.now() + timedelta(seconds=5)
    runs = AutomationExecution.objects.bulk_create(
        (
            AutomationExecution(
                workspace=automation.workspace,
                automation=automation,
                event=event,
                status=AutomationExecution.Status.WAITING,
                actions=actions,
                resume_at=due,
            )
            for _ in range(parked)
        ),
        batch_size=2000,
    )
    AutomationActionRun.objects.bulk_create(
        (
            AutomationActionRun(
                execution=run,
                action_index=0,
                action_type="create_task",
                status=AutomationActionRun.Status.SCHEDULED,
                due_at=due,
            )
            for run in runs
        ),
        batch_size=2000,
    )
    ids = [run.pk for run in runs]
    parked_runs = AutomationExecution.objects.filter(pk__in=ids)
    _wait(lambda: not parked_runs.filter(resumed_at__isnull=True).exists(), 120 + sweep_seconds)
    resumed = time.monotonic()
    _wait(lambda: parked_runs.filter(status="completed").count() >= parked, 1800)
    drained = time.monotonic() - resumed
    lags = [
        (resumed_at - due).total_seconds()
        for resumed_at in parked_runs.values_list("resumed_at", flat=True)
    ]
    starts = [
        (started - due).total_seconds()
        for started in AutomationActionRun.objects.filter(execution_id__in=ids).values_list(
            "started_at", flat=True
        )
    ]
    return {"parked": parked, "lag": lags, "start": starts, "drain_seconds": drained}


def _workspace():
    from django.contrib.auth import get_user_model

    from outreach.workspaces.services.workspaces import workspace_create

    admin = get_user_model().objects.create_user("bench-admin", "admin@bench.example")
    return workspace_create(name="Bench", owner=admin), admin


def _report(args, throughput: dict, lag: dict) -> None:
    def pct(values: list[float], p: int) -> float:
        return statistics.quantiles(values, n=100)[p - 1] if len(values) > 1 else values[0]

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load} (after the run)")
    print(f"one worker process ({args.pool} pool, concurrency 1), PostgreSQL {DB_NAME}, Redis")
    print(
        f"executions/s (one-action automation, {throughput['runs']} events): "
        f"{throughput['per_second']:.1f}  "
        f"[{throughput['runs']} runs in {throughput['seconds']:.1f} s; event to finished "
        f"p50 {pct(throughput['latency'], 50):.1f} s, p95 {pct(throughput['latency'], 95):.1f} s]"
    )
    cpu = throughput["cpu"]
    per_run = {side: seconds / throughput["runs"] * 1000 for side, seconds in cpu.items()}
    print(
        f"  CPU per execution: worker {per_run['worker']:.1f} ms, PostgreSQL "
        f"{per_run['postgres']:.1f} ms: with a core each, about "
        f"{1000 / max(per_run.values()):.0f} executions/s"
    )
    target = args.sweep_seconds + 5
    print(
        f"resume lag, {lag['parked']} runs due at once, sweep every {args.sweep_seconds} s: "
        f"p50 {pct(lag['lag'], 50):.2f} s, p95 {pct(lag['lag'], 95):.2f} s, "
        f"max {max(lag['lag']):.2f} s (target p95 < {target} s)"
    )
    print(
        f"  due to next action started: p50 {pct(lag['start'], 50):.1f} s, "
        f"p95 {pct(lag['start'], 95):.1f} s; all {lag['parked']} done "
        f"{lag['drain_seconds']:.1f} s after the last resumed"
    )


def _start(env: dict, var_dir: Path, kind: str, *extra: str, beat: bool = False):
    command = [sys.executable, "-m", "celery", "-A", "config", kind, "--loglevel=WARNING"]
    if not beat:
        command += ["--without-gossip", "--without-mingle", "-n", f"bench-{os.getpid()}@%h"]
    log = open(var_dir / f"{kind}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [*command, *extra],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    _STARTED.append(process)
    return process


def _wait_for_worker(app) -> None:
    _wait(lambda: bool(app.control.ping(timeout=0.5)), 60)


def _wait(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        for process in _STARTED:
            if process.poll() is not None:
                raise SystemExit(f"celery {process.args[5]} stopped (exit {process.returncode})")
        time.sleep(0.25)
    raise SystemExit(f"gave up after {timeout} s")


def _postgres_server() -> str:
    """BENCH_POSTGRES_URL, else the server of a PostgreSQL DATABASE_URL, else the local one."""
    if os.environ.get("BENCH_POSTGRES_URL"):
        return os.environ["BENCH_POSTGRES_URL"]
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres://", "postgresql://")):
        return urlunsplit(urlsplit(database_url)._replace(path="/postgres"))
    return "postgres://postgres@127.0.0.1:5432/postgres"


def _recreate_database(server: str) -> None:
    _drop_database(server)
    _admin(server, f'CREATE DATABASE "{DB_NAME}"')


def _drop_database(server: str) -> None:
    _admin(server, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def _admin(server: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(statement)


if __name__ == "__main__":
    sys.exit(main())
