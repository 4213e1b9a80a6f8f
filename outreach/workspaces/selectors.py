"""Reads scoped to one workspace: objects by id, references in payloads, and members."""

from typing import TypeVar, overload

from django.contrib.auth.models import User
from django.db.models import Manager, Model, QuerySet

from config.errors import NotFound, ValidationFailed
from outreach.models import (
    Membership,
    Workspace,
)

_M = TypeVar("_M", bound=Model)


def get_in_workspace(
    queryset: QuerySet[_M] | Manager[_M], *, workspace: Workspace, pk: int, label: str
) -> _M:
    """The object with this id in the workspace, or a 404 that says nothing of other tenants."""
    obj = queryset.filter(workspace=workspace, pk=pk).first()
    if obj is None:
        raise NotFound(f"No {label} with id {pk}.")
    return obj


@overload
def ref_in_workspace(
    queryset: QuerySet[_M] | Manager[_M], *, workspace: Workspace, pk: int, field: str
) -> _M: ...
@overload
def ref_in_workspace(
    queryset: QuerySet[_M] | Manager[_M], *, workspace: Workspace, pk: int | None, field: str
) -> _M | None: ...
def ref_in_workspace(
    queryset: QuerySet[_M] | Manager[_M], *, workspace: Workspace, pk: int | None, field: str
) -> _M | None:
    """An object a payload points at (by `field`), which must be in the workspace."""
    if pk is None:
        return None
    obj = queryset.filter(workspace=workspace, pk=pk).first()
    if obj is None:
        raise ValidationFailed.for_field(field, f"No object with id {pk} in this workspace.")
    return obj


def member_user(*, workspace: Workspace, user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    membership = (
        Membership.objects.select_related("user")
        .filter(workspace=workspace, user_id=user_id)
        .first()
    )
    if membership is None:
        raise ValidationFailed.for_field(field, f"User {user_id} is not in this workspace.")
    return membership.user


def workspace_members(*, workspace: Workspace) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .order_by("user__username")
    )
