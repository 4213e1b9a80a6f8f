"""Schemas of the imports API."""

from datetime import datetime

from ninja import Schema

from outreach.models import ImportJob


class ImportCounts(Schema):
    created: int
    updated: int
    skipped: int
    failed: int


class RowError(Schema):
    line: int
    reason: str


class ImportOut(Schema):
    id: int
    file_name: str
    status: ImportJob.Status
    status_reason: str
    on_duplicate: ImportJob.OnDuplicate
    # {column header: field}, the columns left out absent.
    mapping: dict[str, str]
    total_rows: int
    processed_rows: int
    counts: ImportCounts
    # The first row errors; every one is in the report (`GET /imports/{id}/errors`).
    errors: list[RowError]
    has_error_report: bool
    created_at: datetime
    finished_at: datetime | None

    @staticmethod
    def resolve_mapping(job: ImportJob) -> dict[str, str]:
        return {h: f for h, f in zip(job.headers, job.mapping, strict=False) if f}

    @staticmethod
    def resolve_counts(job: ImportJob) -> dict[str, int]:
        return {
            "created": job.created_count,
            "updated": job.updated_count,
            "skipped": job.skipped_count,
            "failed": job.failed_count,
        }

    @staticmethod
    def resolve_has_error_report(job: ImportJob) -> bool:
        return bool(job.error_report)
