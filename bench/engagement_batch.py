"""Benchmark: score 100,000 contacts with the embedded (rules) scorer on PostgreSQL.

Creates its own database (crm_bench_engagement), fills it with one workspace of prospects,
contacts and their activity, scores every contact, reruns with nothing changed (every contact
must be skipped), then records new activity for 1% of the contacts and reruns once more.
Prints contacts scored per second and queries per 1,000 contacts, then drops the database.

    .venv/bin/python bench/engagement_batch.py [--contacts 100000]

Targets: at least 2,000 contacts/s and at most 10 queries per 1,000 contacts.
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE = "crm_bench_engagement"
SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
CONTACTS_PER_PROSPECT = 5
TARGET_RATE = 2000
TARGET_QUERIES_PER_1000 = 10

# Kinds and how often they occur, roughly as a sales team sees them.
KIND_WEIGHTS = {
    "email_sent": 30,
    "email_open": 25,
    "email_click": 8,
    "reply": 6,
    "call_done": 5,
    "meeting_done": 2,
    "pdf_download": 3,
}
INTENTS = ["interested", "question", "referral", "not_interested", "unsubscribe", "out_of_office"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    args = parser.parse_args()

    admin_url = f"{SERVER}/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}"')
        admin.execute(f'CREATE DATABASE "{DATABASE}"')
    try:
        run(args.contacts)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}"')


def run(n_contacts: int) -> None:
    os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["ANTHROPIC_API_KEY"] = ""
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from django.utils import timezone

    from engagement.providers.rules import RulesEngagementProvider
    from engagement.services import engagement_compute_workspace
    from outreach.models import Workspace

    now = timezone.now()
    started = time.monotonic()
    workspace = Workspace.objects.create(name="Bench workspace", slug="bench")
    contact_ids, prospect_ids, activity_count = fill(workspace.pk, n_contacts, now)
    print(
        f"data: {len(contact_ids):,} contacts of {len(prospect_ids):,} prospects, "
        f"{activity_count:,} activity rows (loaded in {time.monotonic() - started:.1f}s)"
    )
    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} / "
        f"{os.getloadavg()[1]:.2f} / {os.getloadavg()[2]:.2f} (1/5/15 min)"
    )

    provider = RulesEngagementProvider()

    def score(label: str):
        with QueryCounter() as queries:
            began, cpu_began = time.perf_counter(), time.process_time()
            report = engagement_compute_workspace(workspace=workspace, provider=provider)
            seconds = time.perf_counter() - began
            cpu = time.process_time() - cpu_began
        seen = report.contacts_seen
        print(
            f"{label}: {seen:,} contacts in {seconds:.2f}s = {seen / seconds:,.0f} contacts/s "
            f"(this process used {cpu:.2f}s of CPU); "
            f"scored {report.scored:,}, skipped {report.skipped:,}; "
            f"{queries.count} queries = {queries.count / (seen / 1000):.2f} per 1,000 contacts"
        )
        return report, seconds, queries.count

    first, seconds, queries = score("first run (all scored)")
    print("levels:", ", ".join(f"{level} {n:,}" for level, n in sorted(first.levels.items())))
    rerun, _, _ = score("unchanged rerun")
    touched = add_activity(workspace.pk, contact_ids, prospect_ids, now)
    partial, _, _ = score(f"rerun after new activity for {touched:,} contacts")

    rate = first.scored / seconds
    per_1000 = queries / (first.contacts_seen / 1000)
    print()
    print(f"contacts scored per second (embedded default): {rate:,.0f} (target >= {TARGET_RATE:,})")
    print(f"queries per 1,000 contacts: {per_1000:.2f} (target <= {TARGET_QUERIES_PER_1000})")
    print(
        f"unchanged rerun skipped {rerun.skipped:,} of {rerun.contacts_seen:,} "
        f"({'all' if rerun.scored == 0 else f'{rerun.scored:,} rescored'})"
    )
    print(f"after new activity: rescored {partial.scored:,}, skipped {partial.skipped:,}")
    ok = (
        rate >= TARGET_RATE
        and per_1000 <= TARGET_QUERIES_PER_1000
        and rerun.scored == 0
        and partial.scored == touched
    )
    print("result:", "targets met" if ok else "TARGETS MISSED")


class QueryCounter:
    """Counts every statement sent: Django's queries, and the COPYs that bypass Django."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        from django.db import connection

        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        self._copy = psycopg.Cursor.copy
        counter = self

        def counted_copy(cursor, *args, **kwargs):
            counter.count += 1
            return counter._copy(cursor, *args, **kwargs)

        psycopg.Cursor.copy = counted_copy
        return self

    def __exit__(self, *exc_info):
        psycopg.Cursor.copy = self._copy
        self._wrapper.__exit__(*exc_info)


def fill(workspace_id: int, n_contacts: int, now: datetime) -> tuple[list[int], list[int], int]:
    """Prospects, contacts and about eight activity rows per contact, loaded with COPY."""
    from django.db import connection

    rng = random.Random(20260615)
    n_prospects = max(1, n_contacts // CONTACTS_PER_PROSPECT)
    kinds = list(KIND_WEIGHTS)
    weights = list(KIND_WEIGHTS.values())
    with connection.cursor() as cursor:
        copy_rows(
            cursor,
            "outreach_prospect (workspace_id, name, domain, website, status, custom_fields, "
            "created_at, updated_at)",
            (
                (workspace_id, f"Company {i}", f"company{i}.example", "", "NEW", "{}", now, now)
                for i in range(n_prospects)
            ),
        )
        cursor.execute("SELECT id FROM outreach_prospect ORDER BY id")
        prospect_ids = [row[0] for row in cursor.fetchall()]

        def contacts():
            for i in range(n_contacts):
                added = now - timedelta(days=rng.uniform(0, 420))
                changed = added + (now - added) * rng.random()
                yield (
                    workspace_id,
                    prospect_ids[i // CONTACTS_PER_PROSPECT % n_prospects],
                    f"Pat{i}",
                    "Doe",
                    f"pat{i}@company{i // CONTACTS_PER_PROSPECT}.example",
                    "",
                    "Head of Sales",
                    "",
                    "ACTIVE",
                    "{}",
                    added,
                    changed,
                )

        copy_rows(
            cursor,
            "outreach_contact (workspace_id, prospect_id, first_name, last_name, email, phone, "
            "title, time_zone, outreach_status, custom_fields, created_at, updated_at)",
            contacts(),
        )
        cursor.execute("SELECT id, prospect_id, created_at FROM outreach_contact ORDER BY id")
        contacts_added = cursor.fetchall()

        def activities():
            for contact_id, prospect_id, added in contacts_added:
                # A third of the contacts went quiet a while ago: at risk and inactive ones.
                horizon = (now - added).total_seconds()
                quiet_since = horizon * rng.choice([1.0, 1.0, 0.4])
                for _ in range(rng.randint(0, 14)):
                    kind = rng.choices(kinds, weights)[0]
                    seconds_ago = horizon - rng.random() * quiet_since
                    metadata = {"intent": rng.choice(INTENTS)} if kind == "reply" else {}
                    yield (
                        workspace_id,
                        prospect_id,
                        contact_id,
                        kind,
                        now - timedelta(seconds=seconds_ago),
                        json.dumps(metadata),
                    )
            for prospect_id in prospect_ids:
                for step in range(rng.randint(0, 4)):
                    yield (
                        workspace_id,
                        prospect_id,
                        None,
                        rng.choice(["wizard_step", "video_play"]),
                        now - timedelta(days=rng.uniform(0, 300)),
                        json.dumps({"step": step + 1}),
                    )

        activity_count = copy_rows(
            cursor,
            "outreach_activity (workspace_id, prospect_id, contact_id, kind, occurred_at, "
            "metadata)",
            activities(),
        )
        cursor.execute("ANALYZE")
    return [row[0] for row in contacts_added], prospect_ids, activity_count


def add_activity(workspace_id, contact_ids, prospect_ids, now: datetime) -> int:
    """A reply from 1% of the contacts, as the morning's inbox would bring."""
    from django.db import connection

    chosen = contact_ids[:: max(1, len(contact_ids) // max(1, len(contact_ids) // 100))]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, prospect_id FROM outreach_contact WHERE id = ANY(%s)", [chosen])
        rows = cursor.fetchall()
        copy_rows(
            cursor,
            "outreach_activity (workspace_id, prospect_id, contact_id, kind, occurred_at, "
            "metadata)",
            (
                (workspace_id, prospect_id, contact_id, "reply", now, '{"intent": "interested"}')
                for contact_id, prospect_id in rows
            ),
        )
    return len(rows)


def copy_rows(cursor, target: str, rows) -> int:
    count = 0
    with cursor.cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


if __name__ == "__main__":
    started_at = datetime.now(UTC)
    main()
    print(f"finished in {(datetime.now(UTC) - started_at).total_seconds():.0f}s")
