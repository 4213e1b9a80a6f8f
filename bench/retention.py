"""The automation tables stay the same size under steady traffic once retention runs.

Simulates 90 days of traffic, a day at a time: each day RUNS_A_DAY finished runs (each with
its action log and its event) and SKIPPED_A_DAY events that started no run are written, then
the retention sweep runs as beat would that day (AUTOMATION_RUN_RETENTION_DAYS=30,
AUTOMATION_EVENT_RETENTION_DAYS=7) and VACUUM runs as autovacuum would. Prints the tables' and
their indexes' sizes after 60 days (two retention windows: freed index pages are being reused)
and after 90, a month of simulated traffic later: they should be the same, while the roll-up
keeps every deleted run counted.

Needs PostgreSQL: honours DATABASE_URL (the server) and creates and drops BENCH_DB_NAME,
crm_bench_retention by default. Run: .venv/bin/python bench/retention.py
"""

import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import harness

DAYS = int(os.environ.get("BENCH_DAYS", "90"))
RUNS_A_DAY = int(os.environ.get("BENCH_RUNS_A_DAY", "2000"))
SKIPPED_A_DAY = int(os.environ.get("BENCH_SKIPPED_A_DAY", "4000"))
DATABASE = os.environ.get("BENCH_DB_NAME", "crm_bench_retention")
# The tables after two retention windows (steady state: freed index pages are being reused)
# are the baseline the last month is compared with.
MIDDLE = DAYS * 2 // 3
TABLES = (
    "automations_automationexecution",
    "automations_automationactionrun",
    "automations_automationevent",
    "automations_automationrunday",
)


def main() -> int:
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        print("skipped: set DATABASE_URL to a PostgreSQL server")
        return 0
    var_dir = Path(tempfile.mkdtemp(prefix="crm-bench-"))
    os.environ.update(
        harness.server_env(
            server_url,
            "",
            DATABASE,
            var_dir,
            AUTOMATION_RUN_RETENTION_DAYS="30",
            AUTOMATION_EVENT_RETENTION_DAYS="7",
        )
    )
    sys.path.insert(0, str(harness.PROJECT))
    harness.recreate_database(server_url, DATABASE, drop_only=False)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        return simulate()
    finally:
        harness.clean_up([], server_url, DATABASE, var_dir)


def simulate() -> int:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from automations.models import (
        Automation,
        AutomationActionRun,
        AutomationEvent,
        AutomationExecution,
        AutomationRunDay,
    )
    from automations.retention import automation_history_prune
    from outreach.workspaces.services.workspaces import workspace_create

    owner = get_user_model().objects.create(username="bench")
    workspace = workspace_create(name="Bench", owner=owner)
    rules = Automation.objects.bulk_create(
        Automation(workspace=workspace, name=f"Rule {n}", trigger_type="contact.created")
        for n in range(20)
    )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    sizes: dict[int, dict[str, tuple[int, int, int]]] = {}
    prune_seconds = []
    written = 0
    for day in range(1, DAYS + 1):
        at = start + timedelta(days=day)
        events = AutomationEvent.objects.bulk_create(
            AutomationEvent(
                workspace=workspace,
                event_type="contact.created",
                payload={"contact_id": n},
                status="dispatched" if n < RUNS_A_DAY else "skipped",
            )
            for n in range(RUNS_A_DAY + SKIPPED_A_DAY)
        )
        AutomationEvent.objects.filter(pk__in=[e.pk for e in events]).update(created_at=at)
        runs = AutomationExecution.objects.bulk_create(
            AutomationExecution(
                workspace=workspace,
                automation=rules[n % len(rules)],
                event=events[n],
                status="completed" if n % 10 else "failed",
                actions=[{"type": "notify_admins", "params": {"title": "Hello"}}],
                next_action_index=1,
                finished_at=at + timedelta(seconds=n),
            )
            for n in range(RUNS_A_DAY)
        )
        AutomationActionRun.objects.bulk_create(
            AutomationActionRun(
                execution=run,
                action_index=0,
                action_type="notify_admins",
                status="succeeded",
                attempts=1,
                result={"notified": 2},
            )
            for run in runs
        )
        written += RUNS_A_DAY
        began = time.perf_counter()
        automation_history_prune(now=at + timedelta(hours=23), batch_size=1000)
        prune_seconds.append(time.perf_counter() - began)
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {', '.join(TABLES)}")
        if day in (MIDDLE, DAYS):
            sizes[day] = table_sizes()

    counted = sum(
        row.completed + row.failed + row.cancelled for row in AutomationRunDay.objects.all()
    )
    kept = AutomationExecution.objects.count()
    print(
        f"{DAYS} simulated days: {RUNS_A_DAY} finished runs (with action log and event) and "
        f"{SKIPPED_A_DAY} events that started no run a day; runs kept 30 days, spent events 7"
    )
    print(f"{'table':36} {'rows':>16} {'table kB':>18} {'indexes kB':>18}")
    for table in TABLES:
        rows_a, heap_a, index_a = sizes[MIDDLE][table]
        rows_b, heap_b, index_b = sizes[DAYS][table]
        print(
            f"{table:36} {rows_a:>7} -> {rows_b:<7} {heap_a:>8} -> {heap_b:<8} "
            f"{index_a:>8} -> {index_b:<8}"
        )
    print(f"runs written {written}, kept {kept}, deleted and counted in the roll-up {counted}")
    print(
        f"retention sweep a day: median {sorted(prune_seconds)[len(prune_seconds) // 2]:.2f} s, "
        f"max {max(prune_seconds):.2f} s"
    )
    grew = [
        table
        for table in TABLES[:3]
        if sizes[DAYS][table][2] > sizes[MIDDLE][table][2] * 1.10
        or sizes[DAYS][table][1] > sizes[MIDDLE][table][1] * 1.10
    ]
    print(
        f"hot tables and indexes the same size after {DAYS - MIDDLE} more days (within 10%): "
        + ("met" if not grew else f"MISSED by {', '.join(grew)}")
    )
    print(harness.machine())
    ok = not grew and counted + kept == written
    return 0 if ok else 1


def table_sizes() -> dict[str, tuple[int, int, int]]:
    from django.db import connection

    found = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(
                f"SELECT count(*), pg_table_size('{table}') / 1024, "
                f"pg_indexes_size('{table}') / 1024 FROM {table}"
            )
            found[table] = cursor.fetchone()
    return found


if __name__ == "__main__":
    sys.exit(main())
