"""Dashboard pages of the CRM: the overview, the prospect list and a prospect's page."""

from django.contrib import messages
from django.db.models import F, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from config.errors import ApplicationError
from config.pagination import dashboard_page
from outreach.crm import exports, selectors
from outreach.crm.exports import csv_download
from outreach.crm.forms import (
    INLINE_PROSPECT_FIELDS,
    ContactFilterForm,
    ProspectFilterForm,
    SavedViewForm,
    TaskForm,
)
from outreach.crm.panels import render_overview_panels, render_prospect_panels
from outreach.crm.services import saved_views as saved_view_services
from outreach.crm.services import tasks as task_services
from outreach.models import (
    Contact,
    Deal,
    OutreachLog,
    Prospect,
    SavedView,
    SequenceTemplate,
)
from outreach.workspaces.access import member_required
from outreach.workspaces.selectors import workspace_members


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


def _prospect_filters(request: HttpRequest) -> tuple[ProspectFilterForm, dict]:
    """The list's filter and sort, read from the URL (so a view can be bookmarked)."""
    form = ProspectFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = {
        "q": data.get("q", ""),
        "status": data.get("status") or None,
        "tag": data.get("tag") or None,
        "sort": data.get("sort") or None,
    }
    return form, filters


@member_required
def prospect_list(request: HttpRequest) -> HttpResponse:
    form, filters = _prospect_filters(request)
    prospects = selectors.prospect_list_for_dashboard(workspace=request.workspace, **filters)
    page = dashboard_page(request, prospects)
    template = (
        "outreach/crm/partials/prospect_table.html"
        if request.htmx
        else "outreach/crm/prospect_list.html"
    )
    context = {
        "form": form,
        "page": page,
        "sort_links": _sort_links(request, filters["sort"] or "name", PROSPECT_COLUMNS),
        **_list_context(request, "prospects"),
    }
    return render(request, template, context)


@member_required
def prospect_export(request: HttpRequest) -> HttpResponse:
    _, filters = _prospect_filters(request)
    prospects = selectors.prospect_list(workspace=request.workspace, **filters)
    return csv_download(exports.prospect_csv(prospects), "prospects")


def _contact_filters(request: HttpRequest) -> tuple[ContactFilterForm, dict]:
    form = ContactFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = {
        "q": data.get("q", ""),
        "outreach_status": data.get("outreach_status") or None,
        "tag": data.get("tag") or None,
        "sort": data.get("sort") or None,
    }
    return form, filters


@member_required
def contact_list(request: HttpRequest) -> HttpResponse:
    form, filters = _contact_filters(request)
    contacts = (
        selectors.contact_list(workspace=request.workspace, **filters)
        .select_related("prospect")
        .with_tag_names()
    )
    page = dashboard_page(request, contacts)
    template = (
        "outreach/crm/partials/contact_table.html"
        if request.htmx
        else "outreach/crm/contact_list.html"
    )
    context = {
        "form": form,
        "page": page,
        "sort_links": _sort_links(request, filters["sort"] or "name", CONTACT_COLUMNS),
        **_list_context(request, "contacts"),
    }
    return render(request, template, context)


@member_required
def contact_export(request: HttpRequest) -> HttpResponse:
    _, filters = _contact_filters(request)
    contacts = selectors.contact_list(workspace=request.workspace, **filters)
    return csv_download(exports.contact_csv(contacts), "contacts")


PROSPECT_COLUMNS = {"name": "Company", "status": "Status", "created": "Added"}
CONTACT_COLUMNS = {"name": "Name", "email": "Email", "created": "Added"}


def _sort_links(request: HttpRequest, current: str, columns: dict[str, str]) -> dict:
    """Each sortable column's link: sorted by it (descending if it already is), same filter,
    first page; and how the list is sorted by it now, for aria-sort."""
    links = {}
    for key, label in columns.items():
        params = request.GET.copy()
        params.pop("page", None)
        params["sort"] = f"-{key}" if current == key else key
        state = {key: "ascending", f"-{key}": "descending"}.get(current, "")
        links[key] = {"label": label, "href": f"?{params.urlencode()}", "state": state}
    return links


def _list_context(request: HttpRequest, list_name: str) -> dict:
    """What a list page offers around its rows: tags to filter by, the member's saved views,
    and the choices of its bulk actions."""
    workspace = request.workspace
    return {
        "tags": workspace.tags.order_by("name"),
        "saved_views": SavedView.objects.filter(
            workspace=workspace, owner=request.user, list_name=list_name
        ).order_by("name"),
        "sequences": SequenceTemplate.objects.filter(workspace=workspace).order_by("name"),
        "members": workspace_members(workspace=workspace),
        "statuses": Prospect.Status.choices,
        "list_name": list_name,
    }


@member_required
@require_POST
def saved_view_create(request: HttpRequest) -> HttpResponse:
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Name the view (up to 80 characters).")
        return redirect("crm:prospect_list")
    data = form.cleaned_data
    back = "crm:contact_list" if data["list_name"] == "contacts" else "crm:prospect_list"
    try:
        view = saved_view_services.saved_view_create(
            workspace=request.workspace,
            owner=request.user,
            list_name=data["list_name"],
            name=data["name"],
            query=data["query"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, f"Saved the view {view.name}.")
    return redirect(f"{reverse(back)}?{view.query}" if view.query else reverse(back))


@member_required
@require_POST
def saved_view_delete(request: HttpRequest, view_id: int) -> HttpResponse:
    view = SavedView.objects.filter(
        workspace=request.workspace, owner=request.user, pk=view_id
    ).first()
    if view is None:
        raise Http404("No such view.")
    saved_view_services.saved_view_delete(view=view)
    messages.success(request, f"Deleted the view {view.name}.")
    return redirect("crm:contact_list" if view.list_name == "contacts" else "crm:prospect_list")


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
