"""Outreach's growing tables stay the same size under steady traffic once retention runs.

Simulates 90 days of traffic, a day at a time: each day OPENS_A_DAY email opens and clicks
(EMAILS_A_DAY emails, each opened or clicked several times that day, as image proxies and
re-reads do) and REPLIES_A_DAY replies (each with its whole message as received, about
REPLY_KB kB of text and HTML) are written and triaged, and the outbox takes and hands out one
task per reply. Then the retention sweeps run as beat would that day
(EMAIL_TRACKING_COMPACT_AFTER_DAYS=30, REPLY_FULL_MESSAGE_RETENTION_DAYS=30) and VACUUM runs as
autovacuum would. Prints the tables' (with TOAST) and indexes' sizes after 60 days (two
retention windows) and after 90, a month later: the indexes retention reads by stay the same
size, the replies' full messages stop growing, and the reports' opens stay counted.

Needs PostgreSQL: honours DATABASE_URL (the server) and creates and drops BENCH_DB_NAME,
crm_bench_retention_outreach by default. Run: .venv/bin/python bench/retention_outreach.py
"""

import os
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import harness

DAYS = int(os.environ.get("BENCH_DAYS", "90"))
EMAILS_A_DAY = int(os.environ.get("BENCH_EMAILS_A_DAY", "1000"))
OPENS_A_DAY = int(os.environ.get("BENCH_OPENS_A_DAY", "4000"))
REPLIES_A_DAY = int(os.environ.get("BENCH_REPLIES_A_DAY", "200"))
REPLY_KB = int(os.environ.get("BENCH_REPLY_KB", "20"))
DATABASE = os.environ.get("BENCH_DB_NAME", "crm_bench_retention_outreach")
MIDDLE = DAYS * 2 // 3
TABLES = ("outreach_activity", "outreach_reply", "outreach_outboxmessage")
INDEXES = ("activity_signals_to_compact", "reply_full_message_held")


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
            EMAIL_TRACKING_COMPACT_AFTER_DAYS="30",
            REPLY_FULL_MESSAGE_RETENTION_DAYS="30",
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
    from django.db.models import Sum

    from outreach.mail.services.tracking_retention import tracking_compact
    from outreach.models import Activity, Contact, OutboxMessage, Prospect, Reply
    from outreach.replies.services.retention import reply_full_messages_prune
    from outreach.workspaces.services.workspaces import workspace_create

    owner = get_user_model().objects.create(username="bench")
    workspace = workspace_create(name="Bench", owner=owner)
    prospects = Prospect.objects.bulk_create(
        Prospect(workspace=workspace, name=f"Company {n}", domain=f"c{n}.example")
        for n in range(EMAILS_A_DAY)
    )
    contacts = Contact.objects.bulk_create(
        Contact(workspace=workspace, prospect=p, first_name="Pat", email=f"pat@{p.domain}")
        for p in prospects
    )
    # Mail that compresses like mail does (TOAST compresses it), not a repeated line.
    quoted = secrets.token_hex(REPLY_KB * 256)
    message = "Thanks, let us talk next week.\n\n> " + quoted
    start = datetime(2026, 1, 1, tzinfo=UTC)
    sizes: dict[int, dict[str, tuple[int, int, int]]] = {}
    index_sizes: dict[int, dict[str, int]] = {}
    sweep_seconds = []
    opens_written = 0
    for day in range(1, DAYS + 1):
        at = start + timedelta(days=day)
        Activity.objects.bulk_create(
            Activity(
                workspace=workspace,
                prospect_id=contacts[n % EMAILS_A_DAY].prospect_id,
                contact=contacts[n % EMAILS_A_DAY],
                kind="email_click" if n % 10 == 0 else "email_open",
                occurred_at=at + timedelta(seconds=n * 7),
                metadata={"logId": day * EMAILS_A_DAY + n % EMAILS_A_DAY},
            )
            for n in range(OPENS_A_DAY)
        )
        opens_written += OPENS_A_DAY
        Reply.objects.bulk_create(
            Reply(
                workspace=workspace,
                contact=contacts[n],
                prospect_id=contacts[n].prospect_id,
                message_id=f"<{day}.{n}@bench.example>",
                from_email=contacts[n].email,
                text=message,
                html=f"<p>{message}</p>",
                body="Thanks, let us talk next week.",
                source="raw",
                received_at=at + timedelta(seconds=n),
                state="applied",
                intent="interested",
            )
            for n in range(REPLIES_A_DAY)
        )
        # Each reply's triage goes through the outbox, which the broker takes at once.
        handed = OutboxMessage.objects.bulk_create(
            OutboxMessage(task_name="outreach.process_reply", args=[n], next_attempt_at=at)
            for n in range(REPLIES_A_DAY)
        )
        OutboxMessage.objects.filter(pk__in=[m.pk for m in handed]).delete()
        began = time.perf_counter()
        now = at + timedelta(hours=23)
        tracking_compact(now=now, batch_size=1000)
        reply_full_messages_prune(now=now, batch_size=1000)
        sweep_seconds.append(time.perf_counter() - began)
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {', '.join(TABLES)}")
        if day in (MIDDLE, DAYS):
            sizes[day], index_sizes[day] = table_sizes()

    counted = Activity.objects.aggregate(n=Sum("repeats"))["n"]
    print(
        f"{DAYS} simulated days: {OPENS_A_DAY} opens and clicks of {EMAILS_A_DAY} emails and "
        f"{REPLIES_A_DAY} replies of ~{REPLY_KB} kB a day; tracking compacted after 30 days, "
        "full messages dropped after 30"
    )
    print(f"{'table (with TOAST)':26} {'rows':>18} {'table kB':>20} {'indexes kB':>18}")
    for table in TABLES:
        rows_a, heap_a, index_a = sizes[MIDDLE][table]
        rows_b, heap_b, index_b = sizes[DAYS][table]
        print(
            f"{table:26} {rows_a:>8} -> {rows_b:<8} {heap_a:>9} -> {heap_b:<9} "
            f"{index_a:>7} -> {index_b:<7}"
        )
    for index in INDEXES:
        print(f"index {index:32} {index_sizes[MIDDLE][index]:>7} -> {index_sizes[DAYS][index]} kB")
    print(f"opens and clicks written {opens_written}, still counted (sum of repeats) {counted}")
    print(
        f"retention sweeps a day: median {sorted(sweep_seconds)[len(sweep_seconds) // 2]:.2f} s, "
        f"max {max(sweep_seconds):.2f} s"
    )
    grew = [
        index for index in INDEXES if index_sizes[DAYS][index] > index_sizes[MIDDLE][index] * 1.10
    ]
    print(
        f"retention's indexes the same size after {DAYS - MIDDLE} more days (within 10%): "
        + ("met" if not grew else f"MISSED by {', '.join(grew)}")
    )
    print(harness.machine())
    return 0 if not grew and counted == opens_written else 1


def table_sizes() -> tuple[dict[str, tuple[int, int, int]], dict[str, int]]:
    from django.db import connection

    tables, indexes = {}, {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(
                f"SELECT count(*), pg_table_size('{table}') / 1024, "
                f"pg_indexes_size('{table}') / 1024 FROM {table}"
            )
            tables[table] = cursor.fetchone()
        for index in INDEXES:
            cursor.execute(f"SELECT pg_relation_size('{index}') / 1024")
            indexes[index] = cursor.fetchone()[0]
    return tables, indexes


if __name__ == "__main__":
    sys.exit(main())
