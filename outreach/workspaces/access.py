"""Who may open a dashboard page (signed-in members of a workspace, and its admins), and where a
form may send them back to."""

from collections.abc import Callable
from functools import wraps
from typing import cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from outreach.models import Membership, Workspace
from outreach.workspaces.auth import current_membership


class MemberRequest(HttpRequest):
    """A dashboard request that member_required let through, as the pages and panels read it.

    A type only: member_required sets these attributes on the request it is given."""

    user: User
    membership: Membership
    workspace: Workspace


def member_required(view: Callable) -> Callable:
    """Sign-in plus a workspace: sets request.membership and request.workspace."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        membership = current_membership(request)
        if membership is None:
            return render(request, "outreach/workspaces/no_workspace.html", status=403)
        member_request = cast(MemberRequest, request)  # it becomes one here
        member_request.membership = membership
        member_request.workspace = membership.workspace
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
    def wrapper(request: MemberRequest, *args, **kwargs) -> HttpResponse:
        if not request.membership.is_admin:
            return render(request, "outreach/workspaces/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def next_url(request: HttpRequest, default: str) -> str:
    """The page a form asks to go back to (its `next`), if it is a page of this site; otherwise
    `default`, so a crafted link cannot send a rep elsewhere."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and safe else default
