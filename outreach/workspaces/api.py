"""REST endpoints of the workspace: its settings, members and API keys."""

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from config.schemas import PathId
from outreach.models import (
    ApiKey,
)
from outreach.workspaces.auth import principal_of, require_admin
from outreach.workspaces.schemas import (
    ApiKeyCreatedOut,
    ApiKeyIn,
    ApiKeyOut,
    MemberOut,
    WorkspaceOut,
    WorkspacePatch,
)
from outreach.workspaces.selectors import get_in_workspace, workspace_members
from outreach.workspaces.services import workspaces as workspace_services

router = Router(tags=["workspace"])


@router.get("/workspace", response=WorkspaceOut)
def workspace_get(request: HttpRequest):
    return principal_of(request).workspace


@router.patch("/workspace", response=WorkspaceOut)
def workspace_patch(request: HttpRequest, payload: WorkspacePatch):
    principal = principal_of(request)
    require_admin(principal)
    return workspace_services.workspace_update(
        workspace=principal.workspace, **payload.dict(exclude_unset=True)
    )


@router.get("/members", response=list[MemberOut])
@paginate
def member_list(request: HttpRequest):
    return [
        MemberOut(user_id=m.user_id, username=m.user.username, email=m.user.email, role=m.role)
        for m in workspace_members(workspace=principal_of(request).workspace)
    ]


@router.get("/api-keys", response=list[ApiKeyOut])
@paginate
def api_key_list(request: HttpRequest):
    principal = principal_of(request)
    require_admin(principal)
    return ApiKey.objects.filter(workspace=principal.workspace).order_by("-created_at", "-pk")


@router.post("/api-keys", response={201: ApiKeyCreatedOut})
def api_key_create(request: HttpRequest, payload: ApiKeyIn):
    principal = principal_of(request)
    require_admin(principal)
    api_key, raw_key = workspace_services.api_key_create(
        workspace=principal.workspace, name=payload.name, role=payload.role, by=principal.user
    )
    return Status(201, {**ApiKeyOut.from_orm(api_key).dict(), "key": raw_key})


@router.delete("/api-keys/{key_id}", response=ApiKeyOut)
def api_key_revoke(request: HttpRequest, key_id: PathId):
    principal = principal_of(request)
    require_admin(principal)
    api_key = get_in_workspace(
        ApiKey.objects, workspace=principal.workspace, pk=key_id, label="API key"
    )
    return workspace_services.api_key_revoke(api_key=api_key)
