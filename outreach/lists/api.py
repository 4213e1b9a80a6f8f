"""REST endpoints of CSV imports: upload a file to import, follow it, download its errors."""

import json

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from config.errors import NotFound, ValidationFailed
from config.schemas import PathId
from outreach.lists import selectors
from outreach.lists.schemas import ImportOut
from outreach.lists.services import imports as import_services
from outreach.models import ImportJob
from outreach.workspaces.auth import principal_of
from outreach.workspaces.selectors import get_in_workspace

router = Router(tags=["imports"])


@router.post("/imports", response={201: ImportOut})
def import_create(
    request: HttpRequest,
    file: File[UploadedFile],
    mapping: Form[str] = "",
    on_duplicate: Form[ImportJob.OnDuplicate] = ImportJob.OnDuplicate.SKIP,
):
    """Import a CSV of prospects and their contacts in the background (multipart: `file`;
    optional `mapping`, a JSON object {column header: field}, where a field is one of name,
    domain, website, status, owner_email, tags, first_name, last_name, email, phone, title,
    time_zone or custom:<key>, the columns it leaves out being dropped; without it the columns
    are recognised by their headers; `on_duplicate`: skip, update or create). Follow it with
    `GET /imports/{id}`."""
    by_header = _mapping(mapping)
    principal = principal_of(request)
    job = import_services.import_create(
        workspace=principal.workspace, by=principal.user, file_name=file.name or "", upload=file
    )
    columns = (
        import_services.mapping_from_names(job=job, by_header=by_header)
        if by_header is not None
        else job.mapping
    )
    job = import_services.import_start(job=job, mapping=columns, on_duplicate=on_duplicate)
    return Status(201, job)


def _mapping(raw: str) -> dict[str, str] | None:
    if not raw.strip():
        return None
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ValidationFailed.for_field("mapping", "The mapping is not JSON.") from exc
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValidationFailed.for_field(
            "mapping", "The mapping is a JSON object of column header to field name."
        )
    return value


@router.get("/imports", response=list[ImportOut])
@paginate
def import_list(request: HttpRequest):
    return selectors.import_jobs(workspace=principal_of(request).workspace).defer(None)


@router.get("/imports/{import_id}", response=ImportOut)
def import_get(request: HttpRequest, import_id: PathId):
    return _job(request, import_id)


@router.get(
    "/imports/{import_id}/errors",
    openapi_extra={
        "responses": {
            200: {
                "description": "The rows not imported (line, reason, the row as it was), CSV.",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def import_errors(request: HttpRequest, import_id: PathId):
    job = _job(request, import_id)
    if not job.error_report:
        raise NotFound("This import has no errors to report.")
    try:
        stream = default_storage.open(job.error_report, "rb")
    except OSError as exc:
        raise NotFound("The error report is gone.") from exc
    return FileResponse(
        stream, as_attachment=True, filename=f"import-{job.pk}-errors.csv", content_type="text/csv"
    )


def _job(request: HttpRequest, import_id: int) -> ImportJob:
    return get_in_workspace(
        ImportJob.objects, workspace=principal_of(request).workspace, pk=import_id, label="import"
    )
