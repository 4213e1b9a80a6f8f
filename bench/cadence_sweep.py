"""Benchmark of the cadence sweep on PostgreSQL.

Prints: steps promoted per second by the sweep; the raw SQL ceiling of the same run (one
INSERT ... SELECT writing the same task rows, plus the same step updates); their ratio (target
>= 25%); and the sweep time for 100,000 due steps beside 1,000,000 not-due steps divided by the
time with no not-due steps (target <= 1.5), with the EXPLAIN of the sweep's claim query.

It creates and drops its own database (BENCH_DATABASE_URL, default crm_bench_cadence on the
local server). Sizes can be lowered for a quick look: `--due 10000 --not-due 100000`.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import harness

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_bench_cadence"
)
TEMPLATES = 100  # a contact is in a sequence once at a time, so spread them over templates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--due", type=int, default=100_000)
    parser.add_argument("--not-due", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each measurement; the best is kept"
    )
    parser.add_argument(
        "--sweepers", type=int, default=1, help="sweeps running at once (separate processes)"
    )
    parser.add_argument("--profile", action="store_true", help="profile the first sweep")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
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
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    world = load_world(contacts=(args.due + args.not_due) // TEMPLATES + 1)
    print(
        f"PostgreSQL {harness.server_version()}; {os.cpu_count()} CPUs; "
        f"load {harness.load_average()}"
    )

    # The machine is shared and its load swings by the minute, so each sweep run is paired
    # with a raw run right after it (same load), and each figure is the best of the runs.
    alone, raw = [], []
    for run in range(args.repeat):
        reset_due(world, args.due)
        alone.append(timed_sweep(args, profile=args.profile and run == 0))
        reset_due(world, args.due)
        raw.append(timed_raw_ceiling())
        print(
            f"  run {run + 1}: sweep {alone[-1]:.2f} s, raw {raw[-1]:.2f} s, "
            f"ratio {raw[-1] / alone[-1]:.0%}, load {harness.load_average()}"
        )
    rate = args.due / min(alone)
    print(f"sweep, {args.due:,} due steps alone: {_runs(alone)} = {rate:,.0f} steps/s")
    print(f"raw SQL ceiling, same rows: {_runs(raw)} = {args.due / min(raw):,.0f} steps/s")
    ratios = [r / a for a, r in zip(alone, raw, strict=True)]
    print(
        f"sweep / ceiling: {max(ratios):.0%} best pair, {min(raw) / min(alone):.0%} best of "
        "each (target >= 25%)"
    )

    reset_due(world, args.due)
    load_not_due(world, args.due, args.not_due)
    print(explain_claim())
    beside = []
    for run in range(args.repeat):
        if run:
            reset_due(world, args.due, keep_not_due=True)
        beside.append(timed_sweep(args))
    print(
        f"sweep, {args.due:,} due beside {args.not_due:,} not due: {_runs(beside)}; "
        f"ratio to alone {min(beside) / min(alone):.2f} (target <= 1.5)"
    )
    print(f"load at the end: {harness.load_average()}")


# --- Database --------------------------------------------------------------------------------


def database_name() -> str:
    return urlsplit(BENCH_URL).path.lstrip("/")


def create_database() -> None:
    harness.recreate_database(BENCH_URL, database_name(), drop_only=False)


def drop_database() -> None:
    harness.recreate_database(BENCH_URL, database_name(), drop_only=True)


def raw_cursor():
    from django.db import connection

    connection.ensure_connection()
    return connection.connection.cursor()


def copy_rows(table: str, columns: list[str], rows) -> None:
    with (
        raw_cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def execute(sql: str, params=None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def analyze() -> None:
    from django.db import connection

    connection.ensure_connection()
    previous = connection.connection.autocommit
    connection.connection.autocommit = True
    try:
        execute("VACUUM ANALYZE")
    finally:
        connection.connection.autocommit = previous


# --- Data ------------------------------------------------------------------------------------


def load_world(*, contacts: int) -> dict:
    """One workspace open around the clock, a rep, prospects, contacts and templates."""
    from datetime import time as clock

    from django.contrib.auth import get_user_model

    from outreach.models import Membership, Prospect, Role, SequenceTemplate, Workspace
    from outreach.models import SequenceTemplateStep as Step

    workspace = Workspace.objects.create(
        name="Bench",
        slug="bench",
        business_days=list(range(7)),
        business_day_start=clock(0, 0),
        business_day_end=clock(23, 59, 59),
    )
    rep = get_user_model().objects.create_user("bob", "bob@example.com", "x")
    Membership.objects.create(workspace=workspace, user=rep, role=Role.REP)
    Prospect.objects.bulk_create(
        Prospect(workspace=workspace, name=f"Company {i}", domain=f"c{i}.example", owner=rep)
        for i in range(1000)
    )
    prospect_ids = list(Prospect.objects.values_list("pk", flat=True))
    now = datetime.now(UTC)
    copy_rows(
        "outreach_contact",
        [
            "workspace_id",
            "prospect_id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "title",
            "time_zone",
            "outreach_status",
            "custom_fields",
            "created_at",
            "updated_at",
        ],
        (
            (
                workspace.pk,
                prospect_ids[i % len(prospect_ids)],
                f"Pat{i}",
                "Doe",
                f"pat{i}@example.com",
                "",
                "Head of Sales",
                "",
                "ACTIVE",
                "{}",
                now,
                now,
            )
            for i in range(contacts)
        ),
    )
    templates, steps = [], []
    for i in range(TEMPLATES):
        template = SequenceTemplate.objects.create(workspace=workspace, name=f"Cadence {i}")
        first = Step.objects.create(template=template, position=1, channel="call")
        second = Step.objects.create(
            template=template,
            position=2,
            channel="call",
            delay_days=2,
            subject_template="Call {{contact.first_name}} at {{prospect.name}}",
            body_template="Ask about their outbound team.",
        )
        templates.append(template.pk)
        steps.append((first.pk, second.pk))
    contact_rows = list(
        __import__("outreach.models", fromlist=["Contact"])
        .Contact.objects.order_by("pk")
        .values_list("pk", "prospect_id")
    )
    return {
        "workspace": workspace.pk,
        "rep": rep.pk,
        "templates": templates,
        "steps": steps,
        "contacts": contact_rows,
    }


def sequence_rows(world: dict, start: int, count: int, status_note: str):
    """(template, contact) pairs from `start`, so live enrollments never repeat a pair."""
    now = datetime.now(UTC)
    contacts = world["contacts"]
    for n in range(start, start + count):
        template_index, contact_index = n % TEMPLATES, n // TEMPLATES
        contact_id, prospect_id = contacts[contact_index]
        yield (
            world["workspace"],
            world["templates"][template_index],
            prospect_id,
            contact_id,
            "active",
            status_note,
            "",
            "",
            world["rep"],
            world["rep"],
            now,
            now,
        )


SEQUENCE_COLUMNS = [
    "workspace_id",
    "template_id",
    "prospect_id",
    "contact_id",
    "status",
    "stop_reason",
    "pause_kind",
    "pause_reason",
    "enrolled_by_id",
    "sender_id",
    "created_at",
    "updated_at",
]
STEP_COLUMNS = [
    "sequence_id",
    "template_step_id",
    "step_order",
    "channel",
    "status",
    "wait_reason",
    "failure_reason",
    "next_step_ready_at",
    "created_at",
    "updated_at",
]


def load_due(world: dict, due: int) -> None:
    """`due` sequences whose first call is done and whose second was due an hour ago."""
    copy_rows("outreach_outreachsequence", SEQUENCE_COLUMNS, sequence_rows(world, 0, due, "due"))
    for position, status, ready, reason in (
        (1, "done", "now() - interval '1 hour'", ""),
        (2, "pending", "NULL", "delay"),
    ):
        execute(
            f"""
            INSERT INTO outreach_outreachstep ({", ".join(STEP_COLUMNS)})
            SELECT seq.id, step.id, step.position, step.channel, %s, %s, '', {ready},
                   now(), now()
            FROM outreach_outreachsequence seq
            JOIN outreach_sequencetemplatestep step
              ON step.template_id = seq.template_id AND step.position = %s
            WHERE seq.stop_reason = 'due'
            """,
            [status, reason, position],
        )
    analyze()


def reset_due(world: dict, due: int, *, keep_not_due: bool = False) -> None:
    """Back to `due` freshly due sequences and no tasks (keeping the not-due ones if asked)."""
    which = "WHERE stop_reason = 'due'" if keep_not_due else ""
    execute(
        "DELETE FROM outreach_outreachstep WHERE sequence_id IN "
        f"(SELECT id FROM outreach_outreachsequence {which})"
    )
    execute(f"DELETE FROM outreach_outreachsequence {which}")
    execute("DELETE FROM outreach_outreachlog")
    load_due(world, due)


def _runs(seconds: list[float]) -> str:
    return "best of " + ", ".join(f"{s:.2f}" for s in seconds) + " s"


def load_not_due(world: dict, start: int, count: int) -> None:
    """`count` enrollments whose first step waits for an hour in the coming month."""
    copy_rows(
        "outreach_outreachsequence",
        SEQUENCE_COLUMNS,
        sequence_rows(world, start, count, "not due"),
    )
    execute(
        f"""
        INSERT INTO outreach_outreachstep ({", ".join(STEP_COLUMNS)})
        SELECT seq.id, step.id, 1, step.channel, 'pending', 'delay', '',
               now() + make_interval(hours => 1 + (seq.id % 720)::int), now(), now()
        FROM outreach_outreachsequence seq
        JOIN outreach_sequencetemplatestep step
          ON step.template_id = seq.template_id AND step.position = 1
        WHERE seq.stop_reason = 'not due'
        """
    )
    analyze()


# --- Measurements ----------------------------------------------------------------------------


def timed_sweep(args, *, profile: bool = False) -> float:
    from outreach.models import OutreachStep
    from outreach.sequences.services.sweep import cadence_sweep

    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    if args.sweepers > 1:
        promoted = parallel_sweeps(args)
    else:
        promoted = cadence_sweep(batch_size=args.batch_size, time_budget=3600)
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        print(out.getvalue())
    assert promoted == args.due, f"promoted {promoted} of {args.due}"
    assert OutreachStep.objects.filter(status="open").count() == args.due
    return elapsed


def parallel_sweeps(args) -> int:
    """Run `args.sweepers` sweeps at once in forked processes; the steps they promoted."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # each process opens its own connection
    with multiprocessing.get_context("fork").Pool(args.sweepers) as pool:
        return sum(pool.map(_one_sweep, [args.batch_size] * args.sweepers))


def _one_sweep(batch_size: int | None) -> int:
    from django.db import connections

    from outreach.sequences.services.sweep import cadence_sweep

    try:
        return cadence_sweep(batch_size=batch_size, time_budget=3600)
    finally:
        connections.close_all()


RAW_CEILING = """
WITH due AS (
    SELECT id AS cursor_id, sequence_id
    FROM outreach_outreachstep
    WHERE next_step_ready_at <= now()
    ORDER BY next_step_ready_at
    FOR UPDATE SKIP LOCKED
), target AS (
    SELECT DISTINCT ON (step.sequence_id) step.id, step.sequence_id, step.channel,
           step.step_order, step.template_step_id
    FROM outreach_outreachstep step JOIN due USING (sequence_id)
    WHERE step.status = 'pending'
    ORDER BY step.sequence_id, step.step_order
), task AS (
    INSERT INTO outreach_outreachlog (
        workspace_id, prospect_id, contact_id, log_type, channel, status, subject, body,
        metadata, priority, due_at, assignee_id, created_at, updated_at
    )
    SELECT seq.workspace_id, seq.prospect_id, seq.contact_id, 'CALL', target.channel,
           'touch_open', 'Call ' || contact.first_name || ' at ' || prospect.name, '',
           jsonb_build_object(
               'sequenceId', seq.id, 'sequenceName', template.name, 'stepId', target.id,
               'stepOrder', target.step_order, 'kind', 'touch_task', 'priority', 'normal',
               'dueAt', now(), 'notes', template_step.body_template, 'createdBy', 'cadence'),
           2, now(), seq.sender_id, now(), now()
    FROM target
    JOIN outreach_outreachsequence seq ON seq.id = target.sequence_id
    JOIN outreach_contact contact ON contact.id = seq.contact_id
    JOIN outreach_prospect prospect ON prospect.id = seq.prospect_id
    JOIN outreach_sequencetemplate template ON template.id = seq.template_id
    JOIN outreach_sequencetemplatestep template_step ON template_step.id = target.template_step_id
    RETURNING id, (metadata ->> 'stepId')::bigint AS step_id
), promoted AS (
    UPDATE outreach_outreachstep step
    SET status = 'open', outreach_log_id = task.id, scheduled_at = now(),
        triggered_by = 'cadence', wait_reason = '', updated_at = now()
    FROM task WHERE step.id = task.step_id
    RETURNING step.id
)
UPDATE outreach_outreachstep step
SET next_step_ready_at = NULL, updated_at = now()
FROM due WHERE step.id = due.cursor_id
"""


def timed_raw_ceiling() -> float:
    from django.db import transaction

    from outreach.models import OutreachStep

    started = time.perf_counter()
    with transaction.atomic():
        execute(RAW_CEILING)
    elapsed = time.perf_counter() - started
    assert OutreachStep.objects.filter(status="open").exists()
    return elapsed


def explain_claim() -> str:
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from outreach.sequences.services.sweep import due_cursors

    with transaction.atomic():
        due = due_cursors(now=timezone.now())[: settings.CADENCE_SWEEP_BATCH_SIZE]
        claim = due.select_for_update(skip_locked=True, of=("self", "sequence")).select_related(
            "sequence__contact", "sequence__prospect"
        )
        plan = claim.explain(analyze=True)
    verdict = "uses" if "outreach_step_ready" in plan else "DOES NOT USE"
    return f"EXPLAIN of the claim query ({verdict} the outreach_step_ready index):\n{plan}"


if __name__ == "__main__":
    main()
