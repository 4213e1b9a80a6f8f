"""The task queue a rep works through, with keyboard shortcuts, and what they do to a task:
complete it (a call with its outcome, in a dialog), skip it, or snooze it until later."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_http_methods, require_POST

from config.errors import ApplicationError
from config.pagination import dashboard_page
from outreach.crm import selectors
from outreach.crm.forms import SnoozeForm, TaskCompleteForm, TaskFilterForm, show_errors
from outreach.crm.services import tasks as task_services
from outreach.models import OutreachLog
from outreach.workspaces.access import MemberRequest, member_required, next_url

# The keys of the queue, as its hint bar shows them (static/js/task_queue.js acts on them).
SHORTCUTS = [
    ("J", "next"),
    ("K", "previous"),
    ("C", "complete"),
    ("S", "skip"),
    ("Z", "snooze"),
]


@member_required
def task_queue(request: MemberRequest) -> HttpResponse:
    form = TaskFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    scope = filters.get("scope") or "mine"
    show = "snoozed" if request.GET.get("show") == "snoozed" else "due"
    tasks = selectors.task_queue(
        workspace=request.workspace,
        assignee_id=request.user.pk if scope == "mine" else None,
        priority=filters.get("priority") or None,
        snoozed=show == "snoozed",
    )
    if show == "snoozed":
        tasks = tasks.order_by("due_at", "pk")
    page = dashboard_page(request, tasks)
    return render(
        request,
        "outreach/crm/task_queue.html",
        {
            "form": form,
            "page": page,
            "scope": scope,
            "show": show,
            "shortcuts": SHORTCUTS,
        },
    )


@member_required
@require_http_methods(["GET", "POST"])
def task_complete(request: MemberRequest, task_id: int) -> HttpResponse:
    """GET: the completion form (a dialog over the queue, or a page without JavaScript), which
    asks a call's outcome. POST: complete the task."""
    task = _task_or_404(request, task_id)
    form = TaskCompleteForm(request.POST if request.method == "POST" else None, task=task)
    if request.method == "GET":
        return _complete_form(request, task, form)
    error = ""
    if not form.is_valid():
        return _complete_form(request, task, form, status=422)
    try:
        task_services.touch_task_complete(
            task=task,
            by=request.user,
            outcome=form.cleaned_data["outcome"],
            call_outcome=form.cleaned_data.get("call_outcome", ""),
        )
    except ApplicationError as exc:
        if exc.field_errors:
            show_errors(form, exc)
            return _complete_form(request, task, form, status=422)
        error = exc.message
    return _task_answer(request, task, error=error, done=f"Done: {task.subject}")


@member_required
@require_POST
def task_skip(request: MemberRequest, task_id: int) -> HttpResponse:
    task = _task_or_404(request, task_id)
    error = ""
    try:
        task_services.touch_task_skip(
            task=task, by=request.user, reason=request.POST.get("outcome", "")[:5000]
        )
    except ApplicationError as exc:
        error = exc.message
    return _task_answer(request, task, error=error, done=f"Skipped: {task.subject}")


@member_required
@require_POST
def task_snooze(request: MemberRequest, task_id: int) -> HttpResponse:
    """Put the task out of the queue until a time the rep picks (a preset, or their own)."""
    task = _task_or_404(request, task_id)
    form = SnoozeForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            task = task_services.touch_task_snooze(
                task=task, until=form.cleaned_data["until"], by=request.user
            )
        except ApplicationError as exc:
            error = exc.message
    else:
        error = " ".join(message for messages in form.errors.values() for message in messages)
    when = date_format(timezone.localtime(task.due_at), "D M j, H:i") if task.due_at else ""
    return _task_answer(
        request,
        task,
        error=error,
        done=f"Snoozed until {when}: {task.subject}",
        snoozed_now=not error,
    )


def _complete_form(
    request: MemberRequest, task: OutreachLog, form: TaskCompleteForm, status: int = 200
) -> HttpResponse:
    template = (
        "outreach/crm/partials/task_complete_dialog.html"
        if request.htmx
        else "outreach/crm/task_complete.html"
    )
    context = {
        "task": task,
        "form": form,
        "next": next_url(request, reverse("crm:task_queue")),
    }
    response = render(request, template, context, status=status)
    if request.htmx and request.method == "POST":
        # The form sits in a dialog but targets the task's row: its errors go to the dialog.
        response["HX-Retarget"] = f"#task-dialog-{task.pk}"
        response["HX-Reswap"] = "outerHTML"
    return response


def _task_answer(
    request: MemberRequest,
    task: OutreachLog,
    *,
    error: str,
    done: str,
    snoozed_now: bool = False,
) -> HttpResponse:
    """The task's row again (htmx), or back to the page the rep came from with a message."""
    if request.htmx:
        task.refresh_from_db()
        return render(
            request,
            "outreach/crm/partials/task_row.html",
            {"task": task, "error": error, "snoozed_now": snoozed_now},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(next_url(request, reverse("crm:task_queue")))


def _task_or_404(request: MemberRequest, task_id: int) -> OutreachLog:
    task = (
        OutreachLog.objects.select_related("prospect", "contact", "workspace")
        .filter(workspace=request.workspace, pk=task_id, metadata__kind=OutreachLog.TOUCH_TASK)
        .first()
    )
    if task is None:
        raise Http404("No such task.")
    return task
