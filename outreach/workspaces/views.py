"""Workspace pages: switching workspace, notifications and API keys."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from outreach.models import (
    ApiKey,
    Membership,
    Notification,
)
from outreach.workspaces.access import admin_required, member_required
from outreach.workspaces.auth import SESSION_WORKSPACE_KEY
from outreach.workspaces.forms import ApiKeyForm
from outreach.workspaces.services import notifications as notification_services
from outreach.workspaces.services import workspaces as workspace_services


@login_required
@require_POST
def workspace_switch(request: HttpRequest) -> HttpResponse:
    workspace_id = request.POST.get("workspace_id", "")
    if (
        workspace_id.isdigit()
        and Membership.objects.filter(user=request.user, workspace_id=int(workspace_id)).exists()
    ):
        request.session[SESSION_WORKSPACE_KEY] = int(workspace_id)
    return redirect("crm:dashboard")


@member_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(
        workspace=request.workspace, recipient=request.user
    ).order_by("-created_at", "-pk")[:50]
    return render(
        request, "outreach/workspaces/notifications.html", {"notifications": notifications}
    )


@member_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    notification_services.notifications_mark_read(
        workspace=request.workspace, recipient=request.user
    )
    return redirect("workspaces:notification_list")


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
        "outreach/workspaces/api_keys.html",
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
    return redirect("workspaces:api_keys")
