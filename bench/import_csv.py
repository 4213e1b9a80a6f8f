"""Benchmark of the CSV import on PostgreSQL.

Prints: rows imported per second for a file of 100,000 rows (50,000 prospects with 2 contacts
each, with tags and a custom field; target >= 2,000 rows/s); the rate of a plain COPY of the
same file into a staging table, measured in the same run (target: the import at >= 25% of
it); the rate of the database's own floor for these rows, one INSERT ... SELECT from that staging
table into the prospect and contact tables with their indexes and no checks at all (rolled back),
which shows how much of the COPY rate any import that keeps the tables searchable can reach; the
import's memory (resident set size) as it goes, which stays flat because the file is
streamed in batches; and a second import of the same file with "skip", which must create
nothing.

It creates and drops its own database (BENCH_DATABASE_URL, default crm_bench_import on the
local server) and keeps the files in a temporary MEDIA_ROOT. Sizes can be lowered for a quick
look: `--prospects 5000`.
"""

import argparse
import csv
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import harness

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_bench_import"
)
HEADER = [
    "Company",
    "Website",
    "Industry",
    "Tags",
    "First name",
    "Last name",
    "Email",
    "Phone",
    "Job title",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prospects", type=int, default=50_000)
    parser.add_argument("--contacts-per-prospect", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    create_database()
    media = tempfile.TemporaryDirectory(prefix="bench-import-")
    try:
        run(args, Path(media.name))
    finally:
        media.cleanup()
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database()


def run(args, media: Path) -> None:
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ["MEDIA_ROOT"] = str(media)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from outreach.models import Contact, Membership, Prospect, Role, Workspace

    workspace = Workspace.objects.create(name="Bench", slug="bench")
    owner = get_user_model().objects.create_user("bench", "bench@example.com", "x")
    Membership.objects.create(workspace=workspace, user=owner, role=Role.ADMIN)

    source = media / "leads.csv"
    rows = write_file(source, args.prospects, args.contacts_per_prospect)
    size_mb = source.stat().st_size / 1e6
    print(
        f"PostgreSQL {harness.server_version()}; {os.cpu_count()} CPUs; "
        f"load {harness.load_average()}"
    )
    print(f"file: {rows:,} rows ({args.prospects:,} prospects), {size_mb:.1f} MB")

    copy_seconds = timed_copy(source)
    copy_rate = rows / copy_seconds
    print(f"plain COPY into a staging table: {copy_seconds:.2f} s = {copy_rate:,.0f} rows/s")
    floor_seconds = timed_insert_select(workspace)
    print(
        f"INSERT ... SELECT of the staged rows into the indexed prospect and contact tables "
        f"(no checks, rolled back): {floor_seconds:.2f} s = {rows / floor_seconds:,.0f} rows/s "
        f"= {copy_seconds / floor_seconds:.1%} of COPY"
    )
    drop_staging()

    memory = RssSampler()
    memory.start()
    seconds, job = timed_import(workspace, owner, source, "skip")
    memory.stop()
    rate = rows / seconds
    print(
        f"import: {seconds:.2f} s = {rate:,.0f} rows/s (target >= 2,000); "
        f"created {job.created_count:,}, updated {job.updated_count:,}, "
        f"skipped {job.skipped_count:,}, failed {job.failed_count:,}"
    )
    print(f"import / COPY: {copy_seconds / seconds:.1%} (target >= 25%)")
    print(f"import / INSERT ... SELECT: {floor_seconds / seconds:.1%}")
    print(f"records: {Prospect.objects.count():,} prospects, {Contact.objects.count():,} contacts")
    print(f"memory (RSS): {memory.report()}")
    print(f"load after the import: {harness.load_average()}")

    prospects, contacts = Prospect.objects.count(), Contact.objects.count()
    seconds, again = timed_import(workspace, owner, source, "skip")
    created = (Prospect.objects.count() - prospects) + (Contact.objects.count() - contacts)
    print(
        f"re-import with skip: {seconds:.2f} s = {rows / seconds:,.0f} rows/s; "
        f"created {again.created_count:,} (new records in the database: {created:,}), "
        f"skipped {again.skipped_count:,}, failed {again.failed_count:,}"
    )
    if created or again.created_count:
        raise SystemExit("re-importing with skip created records")
    print(f"load at the end: {harness.load_average()}")


def write_file(path: Path, prospects: int, per_prospect: int) -> int:
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for p in range(prospects):
            tags = "bench, enterprise" if p % 3 == 0 else "bench"
            for c in range(per_prospect):
                writer.writerow(
                    [
                        f"Company {p}",
                        f"https://www.company{p}.example",
                        ("Fintech", "Retail", "Health")[p % 3],
                        tags,
                        f"First{c}",
                        f"Last{p}",
                        f"person{c}@company{p}.example",
                        f"+1 555 {p:06d}",
                        "Head of Sales" if c == 0 else "CFO",
                    ]
                )
                rows += 1
    return rows


def timed_copy(source: Path) -> float:
    """COPY the file's rows into a staging table of text columns: the floor of any import."""
    from django.db import connection

    columns = ", ".join(f"c{i} text" for i in range(len(HEADER)))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_staging ({columns})")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        sql = "COPY bench_staging FROM STDIN WITH (FORMAT csv, HEADER true)"
        with raw.copy(sql) as copy, source.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                copy.write(chunk)
    return time.perf_counter() - started


def timed_insert_select(workspace) -> float:
    """Insert the staged rows into the prospect and contact tables in two statements, with
    every index the app keeps (the search indexes among them) and no duplicate, tag or field
    handling, then roll back: the database's floor for writing these rows where they live."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO outreach_prospect (name, domain, website, status, custom_fields, "
            "created_at, updated_at, workspace_id) "
            "SELECT DISTINCT ON (c1) c0, regexp_replace(c1, '^https?://(www[.])?', ''), c1, "
            "'NEW', jsonb_build_object('industry', c2), now(), now(), %s FROM bench_staging",
            [workspace.pk],
        )
        cursor.execute(
            "INSERT INTO outreach_contact (first_name, last_name, email, phone, title, "
            "time_zone, outreach_status, custom_fields, created_at, updated_at, prospect_id, "
            "workspace_id) "
            "SELECT s.c4, s.c5, s.c6, s.c7, s.c8, '', 'ACTIVE', '{}', now(), now(), p.id, %s "
            "FROM bench_staging s JOIN outreach_prospect p ON p.workspace_id = %s "
            "AND p.domain = regexp_replace(s.c1, '^https?://(www[.])?', '')",
            [workspace.pk, workspace.pk],
        )
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def drop_staging() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_staging")


def timed_import(workspace, owner, source: Path, on_duplicate: str):
    from outreach.lists.services import imports

    started = time.perf_counter()
    with source.open("rb") as upload:
        job = imports.import_create(
            workspace=workspace, by=owner, file_name=source.name, upload=upload
        )
    # The task runs eagerly when the start commits: this times the whole import.
    imports.import_start(job=job, mapping=job.mapping, on_duplicate=on_duplicate)
    job.refresh_from_db()
    seconds = time.perf_counter() - started
    if job.status != "done":
        raise SystemExit(f"the import ended {job.status}: {job.status_reason}")
    return seconds, job


class RssSampler:
    """The process's resident memory, read from /proc every 0.2 s while the import runs."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.samples.append((time.perf_counter(), rss()))
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append((time.perf_counter(), rss()))

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.samples.append((time.perf_counter(), rss()))

    def report(self) -> str:
        start, end = self.samples[0][0], self.samples[-1][0]

        def at(fraction: float) -> float:
            moment = start + (end - start) * fraction
            return next(m for t, m in self.samples if t >= moment) / 1e6

        peak = max(m for _, m in self.samples) / 1e6
        return (
            f"before {at(0):.0f} MB, at 25% of the time {at(0.25):.0f} MB, 50% {at(0.5):.0f} MB, "
            f"75% {at(0.75):.0f} MB, end {at(1):.0f} MB, peak {peak:.0f} MB"
        )


def rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def database_name() -> str:
    return urlsplit(BENCH_URL).path.lstrip("/")


def create_database() -> None:
    harness.recreate_database(BENCH_URL, database_name(), drop_only=False)


def drop_database() -> None:
    harness.recreate_database(BENCH_URL, database_name(), drop_only=True)


if __name__ == "__main__":
    main()
