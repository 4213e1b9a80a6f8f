"""Dashboard pages of the CRM: the overview, the prospect list and a prospect's page."""

from django.contrib import messages
from django.db.models import F, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from config.errors import ApplicationError
from config.pagination import dashboard_page
from outreach.crm import selectors
from outreach.crm.forms import INLINE_PROSPECT_FIELDS, ProspectFilterForm, TaskForm
from outreach.crm.panels import render_overview_panels, render_prospect_panels
from outreach.crm.services import tasks as task_services
from outreach.models import (
    Contact,
    Deal,
    OutreachLog,
    Prospect,
)
from outreach.workspaces.access import member_required


@member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace
    my_tasks = selectors.task_queue(workspace=workspace, assignee_id=request.user.pk)[:8]
    recent = (
        selectors.prospect_list(workspace=workspace)
        .prefetch_related("tags")
        .order_by("-updated_at", "-pk")[:6]
    )
    return render(
        request,
        "outreach/crm/dashboard.html",
        {
            "status_counts": selectors.prospect_status_counts(workspace=workspace),
            "my_tasks": my_tasks,
            "open_task_count": selectors.task_queue(workspace=workspace).count(),
            "recent_prospects": recent,
            "overview_panels": render_overview_panels(request),
        },
    )


@member_required
def prospect_list(request: HttpRequest) -> HttpResponse:
    form = ProspectFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    prospects = selectors.prospect_list_for_dashboard(
        workspace=request.workspace,
        q=filters.get("q", ""),
        status=filters.get("status") or None,
        tag=filters.get("tag") or None,
    )
    page = dashboard_page(request, prospects)
    template = (
        "outreach/crm/partials/prospect_table.html"
        if request.htmx
        else "outreach/crm/prospect_list.html"
    )
    tags = request.workspace.tags.order_by("name")
    return render(request, template, {"form": form, "page": page, "tags": tags})


@member_required
def prospect_detail(request: HttpRequest, prospect_id: int) -> HttpResponse:
    prospect = prospect_or_404(request, prospect_id)
    form = TaskForm(prospect=prospect)
    return render(
        request, "outreach/crm/prospect_detail.html", _detail_context(request, prospect, form)
    )


@member_required
@require_POST
def prospect_task_create(request: HttpRequest, prospect_id: int) -> HttpResponse:
    prospect = prospect_or_404(request, prospect_id)
    form = TaskForm(request.POST, prospect=prospect)
    if form.is_valid():
        data = form.cleaned_data
        contact = prospect.contacts.filter(pk=data["contact"]).first() if data["contact"] else None
        try:
            task_services.touch_task_create(
                workspace=request.workspace,
                prospect=prospect,
                contact=contact,
                channel=data["channel"],
                subject=data["subject"],
                notes=data["notes"],
                priority=data["priority"],
                due_at=data["due_at"],
                assignee=request.user,
                by=request.user,
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Task added to your queue.")
            return redirect("crm:prospect_detail", prospect_id=prospect.pk)
    context = _detail_context(request, prospect, form)
    return render(request, "outreach/crm/prospect_detail.html", context, status=422)


def prospect_or_404(request: HttpRequest, prospect_id: int) -> Prospect:
    prospect = (
        Prospect.objects.select_related("owner")
        .prefetch_related(
            "tags",
            Prefetch(
                "contacts",
                queryset=Contact.objects.prefetch_related("tags")
                # The engagement badge, joined in: no query per contact.
                .annotate(engagement_level=F("engagements__level"))
                .order_by("pk"),
            ),
        )
        .filter(workspace=request.workspace, pk=prospect_id)
        .first()
    )
    if prospect is None:
        raise Http404("No such prospect.")
    return prospect


def _detail_context(request: HttpRequest, prospect: Prospect, form: TaskForm) -> dict:
    deals = (
        Deal.objects.filter(prospect=prospect)
        .select_related("pipeline", "stage", "contact")
        .prefetch_related("pipeline__stages")
        .order_by("-created_at", "-pk")
    )
    log = selectors.outreach_log_for_prospect(prospect=prospect).exclude(
        status=OutreachLog.Status.TOUCH_OPEN
    )
    return {
        "prospect": prospect,
        "deals": deals,
        "open_tasks": selectors.task_queue(workspace=request.workspace, prospect_id=prospect.pk),
        "log": log[:50],
        "task_form": form,
        "inline_fields": INLINE_PROSPECT_FIELDS,
        "panels": render_prospect_panels(request, prospect),
    }
