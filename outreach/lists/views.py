"""Pages of list work: CSV imports (upload, map, follow, download the errors), bulk actions
over a list's selection, and global search from the top bar."""

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from config.errors import ApplicationError
from config.pagination import dashboard_page
from outreach.lists import selectors
from outreach.lists.forms import BulkActionForm, ImportMappingForm, ImportUploadForm
from outreach.lists.services import bulk as bulk_services
from outreach.lists.services import imports as import_services
from outreach.models import BulkAction, ImportJob
from outreach.workspaces.access import MemberRequest, member_required

# --- Imports -----------------------------------------------------------------------------------


@member_required
def import_list(request: MemberRequest) -> HttpResponse:
    page = dashboard_page(request, selectors.import_jobs(workspace=request.workspace))
    return render(request, "outreach/lists/import_list.html", {"page": page})


@member_required
@require_http_methods(["GET", "POST"])
def import_create(request: MemberRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_services.import_create(
                workspace=request.workspace, by=request.user, file_name=upload.name, upload=upload
            )
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("lists:import_detail", import_id=job.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "outreach/lists/import_create.html", {"form": form}, status=status)


def _job_or_404(request: MemberRequest, import_id: int) -> ImportJob:
    job = ImportJob.objects.filter(workspace=request.workspace, pk=import_id).first()
    if job is None:
        raise Http404("No such import.")
    return job


@member_required
def import_detail(request: MemberRequest, import_id: int) -> HttpResponse:
    job = _job_or_404(request, import_id)
    form = ImportMappingForm(job=job) if job.status == ImportJob.Status.DRAFT else None
    return render(request, "outreach/lists/import_detail.html", {"job": job, "form": form})


@member_required
@require_POST
def import_start(request: MemberRequest, import_id: int) -> HttpResponse:
    job = _job_or_404(request, import_id)
    if job.status != ImportJob.Status.DRAFT:
        return redirect("lists:import_detail", import_id=job.pk)
    form = ImportMappingForm(request.POST, job=job)
    if form.is_valid():
        try:
            import_services.import_start(
                job=job, mapping=form.mapping(), on_duplicate=form.cleaned_data["on_duplicate"]
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("lists:import_detail", import_id=job.pk)
    context = {"job": job, "form": form}
    return render(request, "outreach/lists/import_detail.html", context, status=422)


@member_required
def import_progress(request: MemberRequest, import_id: int) -> HttpResponse:
    job = _job_or_404(request, import_id)
    return render(request, "outreach/lists/partials/import_progress.html", {"job": job})


@member_required
def import_error_report(request: MemberRequest, import_id: int) -> HttpResponse:
    job = _job_or_404(request, import_id)
    if not job.error_report:
        raise Http404("This import has no errors to report.")
    try:
        stream = default_storage.open(job.error_report, "rb")
    except OSError as exc:
        raise Http404("The error report is gone.") from exc
    name = job.file_name.rsplit(".", 1)[0] or "import"
    return FileResponse(
        stream, as_attachment=True, filename=f"{name}-errors.csv", content_type="text/csv"
    )


# --- Bulk actions ------------------------------------------------------------------------------


@member_required
@require_POST
def bulk_action_create(request: MemberRequest) -> HttpResponse:
    form = BulkActionForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts=None) or not back.startswith("/"):
        back = "/prospects/"
    if not form.is_valid():
        messages.error(request, "Choose an action and the records to apply it to.")
        return redirect(back)
    data = form.cleaned_data
    filters = {
        "q": data["q"],
        "status": data["filter_status"],
        "tag": data["filter_tag"],
        "outreach_status": data["outreach_status"],
    }
    try:
        bulk = bulk_services.bulk_action_create(
            workspace=request.workspace,
            by=request.user,
            target=data["target"],
            action=data["action"],
            params={
                "sequence_id": data["sequence_id"],
                "tag": data["tag"],
                "owner_id": data["owner_id"],
                "status": data["status"],
            },
            record_ids=form.record_ids(),
            filters=filters,
            select_all=data["select_all"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    return redirect("lists:bulk_detail", bulk_id=bulk.pk)


@member_required
def bulk_detail(request: MemberRequest, bulk_id: int) -> HttpResponse:
    bulk = BulkAction.objects.filter(workspace=request.workspace, pk=bulk_id).first()
    if bulk is None:
        raise Http404("No such bulk action.")
    template = (
        "outreach/lists/partials/bulk_status.html"
        if request.htmx
        else "outreach/lists/bulk_detail.html"
    )
    return render(request, template, {"bulk": bulk})


# --- Search ------------------------------------------------------------------------------------


@member_required
def search(request: MemberRequest) -> HttpResponse:
    results = selectors.search(workspace=request.workspace, query=request.GET.get("q", ""))
    template = (
        "outreach/lists/partials/search_results.html"
        if request.htmx
        else "outreach/lists/search.html"
    )
    return render(request, template, {"results": results})
