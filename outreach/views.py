"""Dashboard pages: overview, prospects, the task queue, and workspace settings."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from config.errors import ApplicationError
from outreach import selectors, sequence_selectors
from outreach.auth import SESSION_WORKSPACE_KEY, current_membership
from outreach.forms import ApiKeyForm, ProspectFilterForm, TaskFilterForm, TaskForm
from outreach.models import (
    ApiKey,
    Contact,
    Deal,
    Membership,
    Notification,
    OutreachLog,
    Prospect,
    WizardLink,
)
from outreach.services import notifications as notification_services
from outreach.services import tasks as task_services
from outreach.services import wizard as wizard_services
from outreach.services import workspaces as workspace_services

PAGE_SIZE = 25


def member_required(view: Callable) -> Callable:
    """Sign-in plus a workspace: sets request.membership and request.workspace."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        membership = current_membership(request)
        if membership is None:
            return render(request, "outreach/no_workspace.html", status=403)
        request.membership = membership
        request.workspace = membership.workspace
        # Reps read times in their team's zone, whatever the server runs in.
        timezone.activate(membership.workspace.time_zone)
        try:
            return view(request, *args, **kwargs)
        finally:
            timezone.deactivate()

    return wrapper


def admin_required(view: Callable) -> Callable:
    @member_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.membership.is_admin:
            return render(request, "outreach/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


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
        "outreach/dashboard.html",
        {
            "status_counts": selectors.prospect_status_counts(workspace=workspace),
            "my_tasks": my_tasks,
            "open_task_count": selectors.task_queue(workspace=workspace).count(),
            "recent_prospects": recent,
        },
    )


@login_required
@require_POST
def workspace_switch(request: HttpRequest) -> HttpResponse:
    workspace_id = request.POST.get("workspace_id", "")
    if (
        workspace_id.isdigit()
        and Membership.objects.filter(user=request.user, workspace_id=int(workspace_id)).exists()
    ):
        request.session[SESSION_WORKSPACE_KEY] = int(workspace_id)
    return redirect("dashboard")


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
    page = Paginator(prospects, PAGE_SIZE).get_page(request.GET.get("page"))
    template = (
        "outreach/partials/prospect_table.html" if request.htmx else "outreach/prospect_list.html"
    )
    tags = request.workspace.tags.order_by("name")
    return render(request, template, {"form": form, "page": page, "tags": tags})


@member_required
def prospect_detail(request: HttpRequest, prospect_id: int) -> HttpResponse:
    prospect = _prospect_or_404(request, prospect_id)
    form = TaskForm(prospect=prospect)
    return render(
        request, "outreach/prospect_detail.html", _detail_context(request, prospect, form)
    )


@member_required
@require_POST
def prospect_task_create(request: HttpRequest, prospect_id: int) -> HttpResponse:
    prospect = _prospect_or_404(request, prospect_id)
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
            return redirect("prospect_detail", prospect_id=prospect.pk)
    context = _detail_context(request, prospect, form)
    return render(request, "outreach/prospect_detail.html", context, status=422)


@member_required
def task_queue(request: HttpRequest) -> HttpResponse:
    form = TaskFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    scope = filters.get("scope") or "mine"
    tasks = selectors.task_queue(
        workspace=request.workspace,
        assignee_id=request.user.pk if scope == "mine" else None,
        priority=filters.get("priority") or None,
    )
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "outreach/task_queue.html", {"form": form, "page": page, "scope": scope})


@member_required
@require_POST
def task_complete(request: HttpRequest, task_id: int) -> HttpResponse:
    return _close_task(request, task_id, task_services.touch_task_complete)


@member_required
@require_POST
def task_skip(request: HttpRequest, task_id: int) -> HttpResponse:
    def skip(*, task: OutreachLog, by, outcome: str) -> OutreachLog:
        return task_services.touch_task_skip(task=task, by=by, reason=outcome)

    return _close_task(request, task_id, skip)


@member_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(
        workspace=request.workspace, recipient=request.user
    ).order_by("-created_at", "-pk")[:50]
    return render(request, "outreach/notifications.html", {"notifications": notifications})


@member_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    notification_services.notifications_mark_read(
        workspace=request.workspace, recipient=request.user
    )
    return redirect("notification_list")


@admin_required
def api_keys(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _, new_key = workspace_services.api_key_create(
            workspace=request.workspace,
            name=form.cleaned_data["name"],
            role=form.cleaned_data["role"],
            by=request.user,
        )
        form = ApiKeyForm()
    keys = ApiKey.objects.filter(workspace=request.workspace).select_related("created_by")
    return render(
        request,
        "outreach/api_keys.html",
        {"form": form, "keys": keys.order_by("-created_at"), "new_key": new_key},
    )


@admin_required
@require_POST
def api_key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    api_key = ApiKey.objects.filter(workspace=request.workspace, pk=key_id).first()
    if api_key is None:
        raise Http404("No such API key.")
    workspace_services.api_key_revoke(api_key=api_key)
    messages.success(request, f"The key {api_key.name!r} no longer works.")
    return redirect("api_keys")


@member_required
@require_POST
def wizard_link_create(request: HttpRequest, prospect_id: int) -> HttpResponse:
    prospect = _prospect_or_404(request, prospect_id)
    wizard_services.wizard_link_create(prospect=prospect, by=request.user)
    messages.success(request, f"New wizard link for {prospect.name}: copy it into your message.")
    return redirect(f"{reverse('prospect_detail', args=[prospect.pk])}#wizard-links")


@member_required
@require_POST
def wizard_link_revoke(request: HttpRequest, link_id: int) -> HttpResponse:
    link = (
        WizardLink.objects.select_related("prospect")
        .filter(workspace=request.workspace, pk=link_id)
        .first()
    )
    if link is None:
        raise Http404("No such wizard link.")
    wizard_services.wizard_link_revoke(link=link)
    messages.success(request, f"The wizard link for {link.prospect.name} no longer opens.")
    return redirect(f"{reverse('prospect_detail', args=[link.prospect_id])}#wizard-links")


def _close_task(request: HttpRequest, task_id: int, close: Callable) -> HttpResponse:
    task = (
        OutreachLog.objects.select_related("prospect", "contact", "workspace")
        .filter(workspace=request.workspace, pk=task_id, metadata__kind=OutreachLog.TOUCH_TASK)
        .first()
    )
    if task is None:
        raise Http404("No such task.")
    error = ""
    try:
        close(task=task, by=request.user, outcome=request.POST.get("outcome", "")[:5000])
    except ApplicationError as exc:
        error = exc.message
    if request.htmx:
        return render(request, "outreach/partials/task_row.html", {"task": task, "error": error})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Done: {task.subject}")
    return redirect(request.POST.get("next") or reverse("task_queue"))


def _prospect_or_404(request: HttpRequest, prospect_id: int) -> Prospect:
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
        .order_by("-created_at")
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
        "wizard_links": selectors.wizard_links_for_prospect(prospect=prospect),
        "sequence_panel": sequence_selectors.prospect_sequence_panel(
            workspace=request.workspace, prospect=prospect
        ),
    }
