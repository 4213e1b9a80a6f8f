"""Template context shared by every dashboard page: the current workspace and the others."""

from django.http import HttpRequest

from outreach.models import Membership, Notification
from outreach.workspaces.auth import current_membership


def workspace(request: HttpRequest) -> dict:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    membership = current_membership(request)
    return {
        "current_membership": membership,
        "current_workspace": membership.workspace if membership else None,
        "workspace_memberships": lambda: list(
            Membership.objects.filter(user=request.user)
            .select_related("workspace")
            .order_by("workspace__name")
        ),
        "unread_notification_count": lambda: (
            Notification.objects.filter(
                recipient=request.user, workspace=membership.workspace, read_at__isnull=True
            ).count()
            if membership
            else 0
        ),
    }
