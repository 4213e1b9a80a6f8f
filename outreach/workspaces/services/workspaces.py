"""Workspaces, memberships and API keys."""

import secrets
from datetime import date, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from config.errors import PermissionDenied, ValidationFailed
from config.validation import save_or_conflict, validate_model
from outreach import events
from outreach.models import ApiKey, Membership, Role, Workspace


def workspace_create(
    *, name: str, owner: User, slug: str = "", time_zone: str = "UTC"
) -> Workspace:
    with transaction.atomic():
        workspace = Workspace(name=name, slug=slug or _free_slug(name), time_zone=time_zone)
        validate_model(workspace)
        save_or_conflict(workspace, "A workspace with this slug already exists.")
        Membership.objects.create(workspace=workspace, user=owner, role=Role.ADMIN)
    return workspace


# A value the caller did not give, where None has a meaning of its own ("use the default").
UNCHANGED: Any = object()


def workspace_update(
    *,
    workspace: Workspace,
    name: str | None = None,
    company_description: str | None = None,
    brand_color: str | None = None,
    time_zone: str | None = None,
    business_day_start: time | None = None,
    business_day_end: time | None = None,
    business_days: list[int] | None = None,
    holidays: list[date] | None = None,
    daily_send_limit: int | None = UNCHANGED,
) -> Workspace:
    changes = {
        "name": name,
        "company_description": (
            company_description.strip() if company_description is not None else None
        ),
        "brand_color": brand_color.lower() if brand_color else None,
        "time_zone": time_zone,
        "business_day_start": business_day_start,
        "business_day_end": business_day_end,
        "business_days": business_days,
        "holidays": sorted({day.isoformat() for day in holidays}) if holidays is not None else None,
    }
    changed = {}
    for field, value in changes.items():
        if value is not None and value != getattr(workspace, field):
            changed[field] = (getattr(workspace, field), value)
            setattr(workspace, field, value)
    if daily_send_limit is not UNCHANGED:
        workspace.daily_send_limit = daily_send_limit
    if workspace.business_day_start >= workspace.business_day_end:
        raise ValidationFailed.for_field(
            "business_day_end", "Business hours must end after they start."
        )
    if any(day not in range(7) for day in workspace.business_days):
        raise ValidationFailed.for_field("business_days", "Days are numbered 0 (Mon) to 6 (Sun).")
    with transaction.atomic():
        validate_model(workspace)
        workspace.save()
        if changed:
            events.announce(events.WorkspaceChanged(workspace, changed))
    return workspace


def membership_add(*, workspace: Workspace, user: User, role: str) -> Membership:
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            workspace=workspace, user=user, defaults={"role": role}
        )
        if not created and membership.role != role:
            membership.role = role
            membership.save(update_fields=["role"])
    return membership


def api_key_create(
    *, workspace: Workspace, name: str, role: str = Role.REP, by: User | None
) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is never stored and never shown again."""
    if not name.strip():
        raise ValidationFailed.for_field("name", "Give the key a name.")
    raw_key = ApiKey.PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        api_key = ApiKey.objects.create(
            workspace=workspace,
            name=name.strip(),
            role=role,
            prefix=raw_key[: len(ApiKey.PREFIX) + 6],
            key_hash=ApiKey.hash_key(raw_key),
            created_by=by,
        )
    return api_key, raw_key


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    with transaction.atomic():
        ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    api_key.refresh_from_db()
    return api_key


def api_key_authenticate(*, raw_key: str) -> ApiKey | None:
    """The live key behind a bearer token, or None. Notes its use at most once a minute."""
    if not raw_key.startswith(ApiKey.PREFIX):
        return None
    api_key = (
        ApiKey.objects.select_related("workspace")
        .filter(key_hash=ApiKey.hash_key(raw_key), revoked_at__isnull=True)
        .first()
    )
    if api_key is None:
        return None
    now = timezone.now()
    resolution = timedelta(seconds=settings.API_KEY_LAST_USED_RESOLUTION_SECONDS)
    if api_key.last_used_at is None or now - api_key.last_used_at >= resolution:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


def ensure_member(*, workspace: Workspace, user: User | None, field: str = "owner_id") -> None:
    """Refuse a user who is not in the workspace (as an owner or assignee, say)."""
    if user is not None and not Membership.objects.filter(workspace=workspace, user=user).exists():
        raise ValidationFailed.for_field(field, "That person is not a member of this workspace.")


def require_admin(membership_role: str) -> None:
    if membership_role != Role.ADMIN:
        raise PermissionDenied("Only workspace admins can do this.")


def _free_slug(name: str) -> str:
    base = slugify(name)[:60] or "workspace"
    slug, n = base, 1
    while Workspace.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
