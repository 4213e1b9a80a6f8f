"""Benchmark of the top bar's global search on PostgreSQL.

Prints the time of one search (the four queries the page runs: prospects, contacts, deals and
replies) for several kinds of text, median and 95th percentile of repeated runs, in a
workspace of 100,000 contacts (50,000 prospects with two each), 20,000 deals and 20,000 replies,
with the plans that show the trigram and full-text indexes at work. Target: under 150 ms.

It creates and drops its own database (BENCH_DATABASE_URL, default crm_bench_search on the
local server). `--contacts 20000` for a quick look.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import harness

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_bench_search"
)
QUERIES = [
    ("part of an email", "person1@company4242"),
    ("a last name", "Last31337"),
    ("first and last name", "First0 Last777"),
    ("a phone number", "555 012345"),
    ("a company's domain", "company9876.example"),
    ("a deal", "Expansion 4242"),
    ("words of a reply", "pricing next quarter"),
    ("a common word, many hits", "company"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    create_database()
    try:
        run(args)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database()


def run(args) -> None:
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from outreach.lists.selectors import search
    from outreach.models import Workspace

    workspace = Workspace.objects.create(name="Bench", slug="bench")
    Workspace.objects.create(name="Other", slug="other")
    started = time.perf_counter()
    fill(workspace.pk, args.contacts)
    print(
        f"PostgreSQL {harness.server_version()}; {os.cpu_count()} CPUs; "
        f"load {harness.load_average()}; "
        f"{args.contacts:,} contacts written in {time.perf_counter() - started:.1f} s"
    )
    for label, text in QUERIES:
        search(workspace=workspace, query=text)  # warm the cache and the plan
        times, found = [], None
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            found = search(workspace=workspace, query=text)
            times.append((time.perf_counter() - t0) * 1000)
        hits = (
            f"{len(found.prospects)} prospects, {len(found.contacts)} contacts, "
            f"{len(found.deals)} deals, {len(found.replies)} replies"
        )
        p95 = statistics.quantiles(times, n=20)[-1]
        print(
            f"{label:28} {text!r:26} median {statistics.median(times):6.1f} ms, "
            f"p95 {p95:6.1f} ms ({hits})"
        )
    explain(workspace)
    print(f"load at the end: {harness.load_average()} (target: under 150 ms a search)")


def fill(workspace_id: int, contacts: int) -> None:
    """Rows written by SQL (generate_series): the benchmark is of reading them."""
    from django.db import connection

    prospects = contacts // 2
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO outreach_prospect (workspace_id, name, domain, website, status,
                custom_fields, created_at, updated_at)
            SELECT %s, 'Company ' || i, 'company' || i || '.example', '', 'NEW', '{}',
                now(), now()
            FROM generate_series(0, %s - 1) AS i
            """,
            [workspace_id, prospects],
        )
        cursor.execute(
            """
            INSERT INTO outreach_contact (workspace_id, prospect_id, first_name, last_name, email,
                phone, title, time_zone, outreach_status, custom_fields, created_at, updated_at)
            SELECT p.workspace_id, p.id, 'First' || c, 'Last' || split_part(p.name, ' ', 2),
                'person' || c || '@' || p.domain,
                '+1 555 ' || lpad(split_part(p.name, ' ', 2), 6, '0'),
                'Head of Sales', '', 'ACTIVE', '{}', now(), now()
            FROM outreach_prospect p CROSS JOIN generate_series(0, 1) AS c
            WHERE p.workspace_id = %s
            """,
            [workspace_id],
        )
        cursor.execute(
            """
            INSERT INTO outreach_pipeline (workspace_id, name, created_at)
            VALUES (%s, 'Sales', now()) RETURNING id
            """,
            [workspace_id],
        )
        pipeline_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO outreach_stage (pipeline_id, name, position) VALUES (%s, 'New', 0) "
            "RETURNING id",
            [pipeline_id],
        )
        stage_id = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO outreach_deal (workspace_id, pipeline_id, stage_id, prospect_id, name,
                value, custom_fields, created_at, updated_at)
            SELECT p.workspace_id, %s, %s, p.id, 'Expansion ' || split_part(p.name, ' ', 2), 1000,
                '{}', now(), now()
            FROM outreach_prospect p WHERE p.workspace_id = %s AND p.id %% 5 = 0
            """,
            [pipeline_id, stage_id, workspace_id],
        )
        cursor.execute(
            """
            INSERT INTO outreach_reply (workspace_id, message_id, in_reply_to, "references",
                from_email, from_name, "to", cc, subject, text, html, body, headers, raw_size,
                truncated, source, received_at, contact_id, prospect_id, matched_by, kind,
                intent, state, triage_source, triage_reason, bounce, referral, created_at,
                updated_at)
            SELECT c.workspace_id, '<' || c.id || '@bench>', '', '[]', c.email, c.first_name,
                '[]', '[]', 'Re: intro ' || c.id,
                '', '', CASE WHEN c.id %% 50 = 0
                    THEN 'Thanks, let us talk about pricing next quarter.'
                    ELSE 'Thanks for reaching out, not right now.' END,
                '{}', 100, false, 'api', now(), c.id, c.prospect_id, 'email', 'human', '',
                'new', '', '', '{}', '{}', now(), now()
            FROM outreach_contact c WHERE c.workspace_id = %s AND c.id %% 5 = 0
            """,
            [workspace_id],
        )
        cursor.execute("ANALYZE")


def explain(workspace) -> None:
    """The plans of the page's contacts query for a last name and a domain (the texts a
    single query ORing the fields once answered by walking every contact), and of its replies
    query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from outreach.lists.selectors import search

    for label, text, table in [
        ("contacts by a last name", "Last31337", "outreach_contact"),
        ("contacts by a domain", "company9876.example", "outreach_contact"),
        ("replies by words", "pricing next quarter", "outreach_reply"),
    ]:
        with CaptureQueriesContext(connection) as run:
            search(workspace=workspace, query=text)
        sql = next(q["sql"] for q in run.captured_queries if f'FROM "{table}"' in q["sql"])
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        print(f"plan, {label}:")
        print(_indent(plan))


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def database_name() -> str:
    return urlsplit(BENCH_URL).path.lstrip("/")


def create_database() -> None:
    harness.recreate_database(BENCH_URL, database_name(), drop_only=False)


def drop_database() -> None:
    harness.recreate_database(BENCH_URL, database_name(), drop_only=True)


if __name__ == "__main__":
    main()
