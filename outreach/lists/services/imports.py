"""CSV imports of prospects and their contacts: upload and read a file, map its columns, then
import it in the background in batches.

Each batch is one transaction that writes its rows and moves the job's counters together, so
a worker that stops mid-file leaves whole rows and a count that says where to go on; a row is
checked completely before anything is written, so a bad row never leaves half a prospect."""

import csv
import io
import json
import logging
import re
import tempfile
import time
import uuid
import zoneinfo
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, Any, TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Model, QuerySet
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from config.errors import ApplicationError, ValidationFailed
from outreach import events
from outreach.crm.services.prospects import normalize_domain, normalize_website
from outreach.lists import csvfile
from outreach.models import Contact, ImportJob, Prospect, Tag, Workspace

logger = logging.getLogger(__name__)
M = TypeVar("M", bound=Model)
User = get_user_model()

BATCH_ROWS = 1000
# Batches before the first refresh of the planner's statistics (see _refresh_statistics); each
# later refresh waits until the run has written twice as many batches.
ANALYZE_AFTER = 10
# Row errors kept on the job for the page and the API; all of them go to the report file.
ERRORS_KEPT = 100

_email_validator = EmailValidator()
_url_validator = URLValidator(schemes=["http", "https"])
# The plain shapes nearly every email and website of a file has, each a strict subset of what
# Django's validators accept: matching one costs a microsecond, where the validators cost
# 10 to 20 per value, most of an import's reading time. Anything else goes to the validator.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PLAIN_EMAIL = re.compile(
    r"[-!#$%&'*+/=?^_`{}|~0-9a-z]+(?:\.[-!#$%&'*+/=?^_`{}|~0-9a-z]+)*"
    rf"@(?:{_LABEL}\.)+[a-z]{{2,63}}",
    re.ASCII,
)
_PLAIN_URL = re.compile(
    rf"https?://{_LABEL}(?:\.{_LABEL})*\.[a-z]{{2,63}}(?::[0-9]{{1,5}})?(?:[/?#][!-~]*)?",
    re.ASCII | re.IGNORECASE,
)
# Longer values go to the validator, which also bounds the host name at 253 characters.
_PLAIN_URL_MAX = 200


def _email_ok(value: str) -> None:
    """Django's email check, skipped for a plain lowercase address it always accepts."""
    if _PLAIN_EMAIL.fullmatch(value) is None:
        _email_validator(value)


def _url_ok(value: str) -> None:
    """Django's website check (http and https), skipped for a plain address it always accepts."""
    if len(value) > _PLAIN_URL_MAX or _PLAIN_URL.fullmatch(value) is None:
        _url_validator(value)


_TIME_ZONES = zoneinfo.available_timezones()
_STATUS_BY_WORD = {
    **{value.lower(): value for value in Prospect.Status.values},
    **{label.lower(): value for value, label in Prospect.Status.choices},
}
_LIMITS = {
    "name": 200,
    "domain": 253,
    "website": 500,
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "phone": 40,
    "title": 200,
}


class RowError(Exception):
    """Why one row of the file cannot be imported."""


# --- Uploading and mapping ---------------------------------------------------------------------


def import_create(*, workspace: Workspace, by: Any, file_name: str, upload: IO[bytes]) -> ImportJob:
    """Keep the uploaded file in the storage and read its shape: a draft to map and start."""
    size = getattr(upload, "size", None)
    if size and size > settings.IMPORT_MAX_FILE_BYTES:
        limit = settings.IMPORT_MAX_FILE_BYTES // 1_000_000
        raise ValidationFailed.for_field("file", f"The file is larger than {limit} MB.")
    try:
        shape = csvfile.inspect(upload)
    except csvfile.UnreadableFile as exc:
        raise ValidationFailed.for_field("file", str(exc)) from exc
    if shape.total_rows == 0:
        raise ValidationFailed.for_field("file", "The file has a header row but no rows.")
    upload.seek(0)
    path = default_storage.save(
        f"imports/{workspace.pk}/{uuid.uuid4().hex}/source.csv", File(upload)
    )
    with transaction.atomic():
        return ImportJob.objects.create(
            workspace=workspace,
            created_by=by if getattr(by, "pk", None) else None,
            file_name=(file_name or "import.csv")[:255],
            source_file=path,
            encoding=shape.encoding,
            delimiter=shape.delimiter,
            headers=shape.headers,
            preview=[[value[:200] for value in row] for row in shape.preview],
            mapping=csvfile.detect_mapping(shape.headers),
            total_rows=shape.total_rows,
        )


def mapping_from_names(*, job: ImportJob, by_header: dict[str, str]) -> list[str]:
    """A mapping given as {header: field} (the API's form), as one field per column."""
    unknown = set(by_header) - set(job.headers)
    if unknown:
        raise ValidationFailed.for_field(
            "mapping", f"The file has no column named {sorted(unknown)[0]!r}."
        )
    return [by_header.get(header, "") for header in job.headers]


def mapping_check(*, job: ImportJob, mapping: list[str]) -> list[str]:
    """The mapping, checked: known fields, each at most once, and a company name."""
    if len(mapping) != len(job.headers):
        raise ValidationFailed.for_field("mapping", "Map each column of the file once.")
    seen: set[str] = set()
    for column, target in zip(job.headers, mapping, strict=True):
        if not target:
            continue
        if target.startswith(csvfile.CUSTOM_PREFIX):
            if not csvfile.custom_key(target.removeprefix(csvfile.CUSTOM_PREFIX)):
                raise ValidationFailed.for_field("mapping", f"Name the custom field of {column}.")
        elif target not in csvfile.FIELDS:
            raise ValidationFailed.for_field("mapping", f"{target!r} is not a field to import.")
        if target in seen:
            label = csvfile.FIELDS.get(target, target)
            raise ValidationFailed.for_field("mapping", f"Two columns are mapped to {label}.")
        seen.add(target)
    if "name" not in seen:
        raise ValidationFailed.for_field("mapping", "Map a column to the company name.")
    return mapping


def import_start(*, job: ImportJob, mapping: list[str], on_duplicate: str) -> ImportJob:
    """Save the mapping and queue the import; only a draft starts, and only once."""
    if on_duplicate not in ImportJob.OnDuplicate.values:
        raise ValidationFailed.for_field("on_duplicate", "Choose skip, update or create.")
    mapping = mapping_check(job=job, mapping=mapping)
    with transaction.atomic():
        started = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.DRAFT).update(
            mapping=mapping, on_duplicate=on_duplicate, status=ImportJob.Status.QUEUED
        )
        if not started:
            raise ApplicationError("This import has already started.")
        transaction.on_commit(lambda: _enqueue(job.pk))
    job.refresh_from_db()
    return job


def _enqueue(job_id: int) -> None:
    from outreach.lists import tasks

    tasks.import_run.delay(job_id)


# --- Running -----------------------------------------------------------------------------------


@dataclass
class Row:
    """One record of the file, as the CRM's values."""

    line: int
    values: list[str]
    key: str = ""
    prospect: dict[str, Any] = field(default_factory=dict)
    custom: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    contact: dict[str, str] = field(default_factory=dict)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[dict] = field(default_factory=list)


class ErrorReport:
    """The rows that failed, as a CSV (line, reason, then the row as it was), kept in a local
    temporary file while the import runs and saved to the storage at the end."""

    def __init__(self, headers: list[str]):
        # Open for the whole run, closed by close().
        self.file = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115
        self.count = 0
        self._text = io.TextIOWrapper(self.file, encoding="utf-8", newline="")
        self._writer = csv.writer(self._text)
        self._writer.writerow(["line", "reason", *headers])

    def add(self, line: int, reason: str, values: list[str]) -> None:
        self.count += 1
        self._writer.writerow([line, reason, *values])

    def carry_on_from(self, path: str) -> None:
        """Start from the report an earlier run of the same import saved."""
        if not path:
            return
        with default_storage.open(path, "rb") as earlier:
            lines = io.TextIOWrapper(earlier, encoding="utf-8", newline="")
            next(lines, None)  # its header, already written
            for line in lines:
                self._text.write(line)
                self.count += 1

    def save(self, job: ImportJob) -> str:
        self._text.flush()
        self.file.seek(0)
        return default_storage.save(
            f"imports/{job.workspace_id}/{uuid.uuid4().hex}/errors-{job.pk}.csv", File(self.file)
        )

    def close(self) -> None:
        self._text.close()


class Importer:
    """One run of one import job."""

    def __init__(self, job: ImportJob):
        self.job = job
        self.workspace = job.workspace
        self.policy = job.on_duplicate
        self.mapping = list(job.mapping)
        self.members = {
            email.lower(): pk
            for pk, email in User.objects.filter(memberships__workspace=self.workspace).values_list(
                "pk", "email"
            )
            if email
        }
        # The prospects this import made or matched, by their key; the emails it has read,
        # with their line (a second row with the same email is an error of the file).
        self.prospect_ids: dict[str, int] = {}
        self.email_lines: dict[str, int] = {}
        self.tag_ids: dict[str, int] = {}

    # Reading a row --------------------------------------------------------------------------

    def parse(self, record: csvfile.Record) -> Row:
        row = Row(line=record.line, values=record.values)
        for target, raw in zip(self.mapping, record.values, strict=False):
            value = raw.replace("\x00", "").strip()
            if not target or not value:
                continue
            if target.startswith(csvfile.CUSTOM_PREFIX):
                row.custom[target.removeprefix(csvfile.CUSTOM_PREFIX)] = value[:1000]
            elif target == "tags":
                row.tags = [t.strip()[:60] for t in value.replace(";", ",").split(",") if t.strip()]
            elif target in csvfile.CONTACT_FIELDS:
                row.contact[target] = value
            else:
                row.prospect[target] = value
        self._check(row)
        return row

    def _check(self, row: Row) -> None:
        for values in (row.prospect, row.contact):
            for name, value in values.items():
                limit = _LIMITS.get(name)
                if limit and len(value) > limit:
                    label = csvfile.FIELDS[name]
                    raise RowError(f"{label} is longer than {limit} characters.")
        prospect = row.prospect
        if not prospect.get("name"):
            raise RowError("The company name is empty.")
        if "website" in prospect:
            prospect["website"] = normalize_website(prospect["website"])
            try:
                _url_ok(prospect["website"])
            except ValidationError as exc:
                raise RowError(f"{prospect['website']!r} is not a website address.") from exc
        try:
            prospect["domain"] = normalize_domain(
                prospect.get("domain") or prospect.get("website", "")
            )
        except ApplicationError as exc:
            raise RowError(exc.message) from exc
        if "status" in prospect:
            status = _STATUS_BY_WORD.get(prospect["status"].lower())
            if status is None:
                choices = ", ".join(Prospect.Status.labels)
                raise RowError(f"{prospect['status']!r} is not a status ({choices}).")
            prospect["status"] = status
        if "owner_email" in prospect:
            owner_id = self.members.get(prospect.pop("owner_email").lower())
            if owner_id is None:
                raise RowError("The owner email is not a member of this workspace.")
            prospect["owner_id"] = owner_id
        row.key = prospect["domain"] or f"name:{prospect['name'].lower()}"
        contact = row.contact
        if contact:
            if "email" in contact:
                contact["email"] = contact["email"].lower()
                try:
                    _email_ok(contact["email"])
                except ValidationError as exc:
                    raise RowError(f"{contact['email']!r} is not an email address.") from exc
                first = self.email_lines.get(contact["email"])
                if first is not None:
                    raise RowError(f"The email {contact['email']} is already on line {first}.")
            elif not (contact.get("first_name") or contact.get("last_name")):
                raise RowError("The contact has neither a name nor an email.")
            zone = contact.get("time_zone")
            if zone and zone not in _TIME_ZONES:
                raise RowError(f"{zone!r} is not a time zone (use a name like Europe/Paris).")
            if "email" in contact:
                self.email_lines[contact["email"]] = row.line

    # Writing a batch ------------------------------------------------------------------------

    def write(self, rows: list[Row]) -> Counts:
        """Write the rows of one batch; the caller holds the transaction, and when it rolls
        back, what this run remembers of the batch is forgotten with it."""
        prospect_keys, tag_names = set(self.prospect_ids), set(self.tag_ids)
        try:
            return self._write(rows)
        except BaseException:
            for key in set(self.prospect_ids) - prospect_keys:
                del self.prospect_ids[key]
            for name in set(self.tag_ids) - tag_names:
                del self.tag_ids[name]
            raise

    def _write(self, rows: list[Row]) -> Counts:
        counts = Counts()
        # What the batch changed, announced together at its end (inside its transaction).
        changed: list[events.Change] = []
        existing_prospects = self._existing_prospects(rows)
        # `exclude(email="")` repeats the unique index's condition, so the lookup uses it
        # instead of reading every contact of the workspace.
        existing_contacts = {
            c.email: c
            for c in self._loaded(
                Contact.objects.filter(
                    workspace=self.workspace,
                    email__in=[r.contact["email"] for r in rows if r.contact.get("email")],
                ).exclude(email=""),
                "email",
            )
        }
        new_prospects: dict[str, Prospect] = {}
        updated_prospects: dict[int, tuple[Prospect, dict]] = {}
        outcome: dict[int, str] = {}
        for row in rows:
            if row.key in self.prospect_ids or row.key in new_prospects:
                continue
            found = existing_prospects.get(row.key)
            if found is not None and self.policy != ImportJob.OnDuplicate.CREATE:
                self.prospect_ids[row.key] = found.pk
                if self.policy == ImportJob.OnDuplicate.UPDATE:
                    changes = self._changes(found, row.prospect, row.custom)
                    if changes:
                        updated_prospects[found.pk] = (found, changes)
                        outcome[row.line] = "updated"
                continue
            new_prospects[row.key] = Prospect(
                workspace=self.workspace,
                name=row.prospect["name"],
                # A domain belongs to one prospect: a copy made on "create" goes without it.
                domain="" if found is not None else row.prospect["domain"],
                website=row.prospect.get("website", ""),
                status=row.prospect.get("status", Prospect.Status.NEW),
                owner_id=row.prospect.get("owner_id"),
                custom_fields=row.custom,
            )
            outcome[row.line] = "created"
        if new_prospects:
            _insert(Prospect, list(new_prospects.values()))
            for key, prospect in new_prospects.items():
                self.prospect_ids[key] = prospect.pk
        for prospect, changes in updated_prospects.values():
            prospect.save(update_fields=[*changes, "updated_at"])
            changed.append(events.FieldsChanged(prospect, changes))

        new_contacts: list[Contact] = []
        for row in rows:
            if not row.contact:
                continue
            email = row.contact.get("email", "")
            prospect_id = self.prospect_ids[row.key]
            found_contact = existing_contacts.get(email) if email else None
            if found_contact is not None:
                if self.policy == ImportJob.OnDuplicate.UPDATE:
                    changes = self._changes(found_contact, row.contact, {})
                    if changes:
                        found_contact.save(update_fields=[*changes, "updated_at"])
                        changed.append(events.FieldsChanged(found_contact, changes))
                        outcome.setdefault(row.line, "updated")
                elif self.policy == ImportJob.OnDuplicate.CREATE:
                    raise RowError(f"A contact with the email {email} already exists.")
                continue
            new_contacts.append(
                Contact(workspace=self.workspace, prospect_id=prospect_id, **row.contact)
            )
            outcome[row.line] = "created"
        if new_contacts:
            _insert(Contact, new_contacts)
            changed.extend(events.ContactCreated(contact) for contact in new_contacts)
        changed.extend(self._tag(rows, new_prospects))
        if changed:
            events.announce(events.Many(self.workspace.pk, changed))
        for row in rows:
            result = outcome.get(row.line, "skipped")
            setattr(counts, result, getattr(counts, result) + 1)
        return counts

    def _existing_prospects(self, rows: list[Row]) -> dict[str, Prospect]:
        domains = {r.key for r in rows if r.key not in self.prospect_ids and r.prospect["domain"]}
        if not domains:
            return {}
        found = Prospect.objects.filter(workspace=self.workspace, domain__in=domains)
        return {p.domain: p for p in self._loaded(found.exclude(domain=""), "domain")}

    def _loaded(self, records: QuerySet[M], key: str) -> QuerySet[M]:
        """Whole records when the import updates them; otherwise their id and key alone, as
        loading every field of thousands of existing records costs more than the lookup."""
        if self.policy == ImportJob.OnDuplicate.UPDATE:
            return records
        return records.only("pk", key)

    @staticmethod
    def _changes(record: Prospect | Contact, values: dict, custom: dict) -> dict:
        """{field: (old, new)} for the file's non-empty values that differ, set on the record."""
        changes: dict[str, tuple[Any, Any]] = {}
        for name, new in values.items():
            if name == "domain" and not new:
                continue
            old = getattr(record, name)
            if old != new:
                setattr(record, name, new)
                changes[name] = (old, new)
        if custom:
            merged = {**record.custom_fields, **custom}
            if merged != record.custom_fields:
                changes["custom_fields"] = (record.custom_fields, merged)
                record.custom_fields = merged
        return changes

    def _tag(self, rows: list[Row], new_prospects: dict[str, Prospect]) -> list[events.Change]:
        """Tag the prospects this batch created, making the workspace's missing tags; returns
        the assignments to announce."""
        wanted = {name.lower(): name for r in rows if r.key in new_prospects for name in r.tags}
        missing = [lname for lname in wanted if lname not in self.tag_ids]
        if missing:
            Tag.objects.bulk_create(
                [Tag(workspace=self.workspace, name=wanted[lname]) for lname in missing],
                ignore_conflicts=True,
            )
            for tag_id, lname in (
                Tag.objects.annotate(lname=Lower("name"))
                .filter(workspace=self.workspace, lname__in=missing)
                .values_list("pk", "lname")
            ):
                self.tag_ids[lname] = tag_id
        links = {
            (new_prospects[r.key].pk, self.tag_ids[name.lower()])
            for r in rows
            if r.key in new_prospects
            for name in r.tags
        }
        if not links:
            return []
        through = Prospect.tags.through
        _insert(through, [through(prospect_id=p, tag_id=t) for p, t in links])
        tags = {t.pk: t for t in Tag.objects.filter(pk__in={t for _, t in links})}
        by_id = {p.pk: p for p in new_prospects.values()}
        return [events.TagAssigned(by_id[p], tags[t]) for p, t in sorted(links)]


def _insert(model: type[Model], records: Sequence[Model]) -> None:
    """Insert new records and give each its id. On PostgreSQL the ids come from the table's
    sequence in one query and the rows go in with one COPY, the fastest way in (Django's
    bulk_create spends most of an import building its parameter arrays); elsewhere it is
    bulk_create. A row the database refuses fails the whole statement, as bulk_create's."""
    if not records:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(records)
        return
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    for column_field in fields:
        if getattr(column_field, "auto_now", False) or getattr(column_field, "auto_now_add", False):
            for record in records:
                setattr(record, column_field.attname, now)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(records)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        columns = ", ".join(quote(str(f.column)) for f in [meta.pk, *fields])
        json_fields = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
        sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for record, pk in zip(records, ids, strict=True):
                record.pk = pk
                record._state.adding = False
                record._state.db = connection.alias
                copy.write_row(
                    [
                        pk,
                        *(
                            json.dumps(getattr(record, f.attname))
                            if f.attname in json_fields
                            else getattr(record, f.attname)
                            for f in fields
                        ),
                    ]
                )


def import_run(*, job_id: int) -> str:
    """Import a queued job's file; returns what happened. Each run is claimed by a conditional
    UPDATE from queued to running, so it happens once. A run that reaches its time budget
    (under the worker's time limit) hands the rest to a new run, which goes on after the rows
    already counted: their batches committed with the counters."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=Coalesce(F("started_at"), timezone.now())
    )
    if not claimed:
        return "not_queued"
    job = ImportJob.objects.select_related("workspace").get(pk=job_id)
    deadline = time.monotonic() + settings.IMPORT_TIME_BUDGET_SECONDS
    report = ErrorReport(job.headers)
    try:
        report.carry_on_from(job.error_report)
        with default_storage.open(job.source_file, "rb") as stream:
            finished = _import_stream(job, stream, report, deadline)
        error_report = report.save(job) if report.count else ""
    except (csvfile.UnreadableFile, OSError) as exc:
        reason = str(exc) if isinstance(exc, csvfile.UnreadableFile) else "The file is gone."
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, status_reason=reason, finished_at=timezone.now()
        )
        return "failed"
    finally:
        report.close()
    if not finished:
        with transaction.atomic():
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.QUEUED, error_report=error_report
            )
            transaction.on_commit(lambda: _enqueue(job.pk))
        return "continued"
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, error_report=error_report, finished_at=timezone.now()
    )
    return "done"


def _import_stream(job: ImportJob, stream: IO[bytes], report: ErrorReport, deadline: float) -> bool:
    """Import the file's rows after those already done; False when the time budget ran out
    first."""
    importer = Importer(job)
    records = csvfile.read_records(stream, encoding=job.encoding, delimiter=job.delimiter)
    next(records, None)  # the header row
    records = islice(records, job.processed_rows, None)
    errors_kept = len(job.errors)
    analyze_at = ANALYZE_AFTER
    for number, batch in enumerate(_batches(records, BATCH_ROWS)):
        # At least one batch a run, so each run moves the import on.
        if number and time.monotonic() > deadline:
            return False
        if number + 1 == analyze_at:
            _refresh_statistics()
            analyze_at *= 2
        rows, failed = [], []
        for record in batch:
            try:
                rows.append(importer.parse(record))
            except RowError as exc:
                failed.append((record.line, str(exc), record.values))
        try:
            with transaction.atomic():
                counts = importer.write(rows)
                _record_batch(job, len(batch), counts, failed, errors_kept)
        except (IntegrityError, RowError):
            # A row the batch could not write (a record made by someone else meanwhile, a taken
            # email): write the batch again row by row, so only that row fails.
            counts = Counts()
            for row in rows:
                try:
                    with transaction.atomic():
                        one = importer.write([row])
                except (IntegrityError, RowError) as exc:
                    reason = str(exc) if isinstance(exc, RowError) else "It conflicts with a "
                    if not isinstance(exc, RowError):
                        reason += "record saved while the import ran."
                    failed.append((row.line, reason, row.values))
                    continue
                for name in ("created", "updated", "skipped"):
                    setattr(counts, name, getattr(counts, name) + getattr(one, name))
            with transaction.atomic():
                _record_batch(job, len(batch), counts, failed, errors_kept)
        for line, reason, values in sorted(failed):
            report.add(line, reason, values)
        errors_kept = min(ERRORS_KEPT, errors_kept + len(failed))
    return True


def _refresh_statistics() -> None:
    """Tell PostgreSQL's planner how big the tables have grown. A large import doubles them
    faster than autovacuum notices, and a planner that still thinks them small reads whole
    tables to look up each batch's domains and emails instead of using their indexes. Once the
    tables have roughly doubled is enough: an ANALYZE of large tables costs most of a second,
    and one every ten batches took about a tenth of an import's time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE outreach_prospect, outreach_contact")


def _record_batch(
    job: ImportJob, size: int, counts: Counts, failed: list, errors_kept: int
) -> None:
    room = max(0, ERRORS_KEPT - errors_kept)
    update: dict[str, Any] = {
        "processed_rows": F("processed_rows") + size,
        "created_count": F("created_count") + counts.created,
        "updated_count": F("updated_count") + counts.updated,
        "skipped_count": F("skipped_count") + counts.skipped,
        "failed_count": F("failed_count") + len(failed),
    }
    if failed and room:
        job.errors = [
            *job.errors,
            *({"line": line, "reason": reason} for line, reason, _ in sorted(failed)[:room]),
        ]
        update["errors"] = job.errors
    ImportJob.objects.filter(pk=job.pk).update(**update)


def _batches(records: Iterable[csvfile.Record], size: int) -> Iterator[list[csvfile.Record]]:
    batch: list[csvfile.Record] = []
    for record in records:
        batch.append(record)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
