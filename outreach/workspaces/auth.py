"""Who is asking: a member in the dashboard session, or an integration with an API key."""

from dataclasses import dataclass

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from config.errors import PermissionDenied
from outreach.models import ApiKey, Membership, Role, Workspace
from outreach.workspaces.lockout import API_KEY_CREDENTIALS
from outreach.workspaces.services.workspaces import api_key_authenticate

SESSION_WORKSPACE_KEY = "workspace_id"


@dataclass(frozen=True)
class Principal:
    """The workspace a request acts in, with the role it acts as."""

    workspace: Workspace
    role: str
    user: User | None = None
    api_key: ApiKey | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


def principal_of(request: HttpRequest) -> Principal:
    """Who an API request acts as: what the API's authentication found."""
    principal = getattr(request, "auth", None)  # set by django-ninja's authentication
    assert isinstance(principal, Principal), "the API route has no authentication"
    return principal


def require_admin(principal: Principal, *, to: str = "do this") -> Principal:
    """The principal, if it is an admin of its workspace; a 403 otherwise."""
    if not principal.is_admin:
        raise PermissionDenied(f"Only workspace admins can {to}.")
    return principal


def current_membership(request: HttpRequest) -> Membership | None:
    """The signed-in user's membership in the workspace chosen in their session.

    Falls back to their first workspace. Cached on the request, so it costs one query.
    """
    if hasattr(request, "_membership"):
        return request._membership
    membership = None
    if request.user.is_authenticated:
        memberships = Membership.objects.select_related("workspace").filter(user=request.user)
        chosen = request.session.get(SESSION_WORKSPACE_KEY)
        if chosen is not None:
            membership = memberships.filter(workspace_id=chosen).first()
        if membership is None:
            membership = memberships.order_by("workspace__name", "pk").first()
            if membership is not None:
                request.session[SESSION_WORKSPACE_KEY] = membership.workspace_id
    # A per-request cache, which HttpRequest does not declare.
    request._membership = membership  # type: ignore[attr-defined]
    return membership


class ApiKeyAuth(HttpBearer):
    """`Authorization: Bearer crm_…`: acts in the key's workspace with the key's role.

    Wrong keys count against the client's address (django-axes, `outreach.workspaces.lockout`):
    past the limit the address is answered 429 for a while, right key or not, so keys cannot
    be guessed.
    """

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        credentials = dict(API_KEY_CREDENTIALS)
        if not AxesProxyHandler.is_allowed(request, credentials):
            # AxesMiddleware answers the request with the lockout response (429).
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]
            return None
        api_key = api_key_authenticate(raw_key=token)
        if api_key is None:
            user_login_failed.send(sender=ApiKeyAuth, credentials=credentials, request=request)
            return None
        return Principal(workspace=api_key.workspace, role=api_key.role, api_key=api_key)


class SessionWorkspaceAuth(APIKeyCookie):
    """The dashboard session (CSRF-checked on writes): acts in the chosen workspace."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Principal | None:
        membership = current_membership(request)
        user = request.user
        # Only a signed-in user has a membership; the second test tells the checker so.
        if membership is None or not user.is_authenticated:
            return None
        return Principal(workspace=membership.workspace, role=membership.role, user=user)
