"""REST endpoints of engagement scoring: counts per level, the scored contacts, one contact's
score with its override history, overrides (admins), recomputing, and the thresholds."""

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from config.errors import NotFound
from config.schemas import PathId
from engagement import selectors, services
from engagement.models import MemberEngagement
from engagement.schemas import (
    EngagementDetailOut,
    EngagementFilter,
    EngagementOut,
    EngagementSettingsOut,
    EngagementSettingsPatch,
    EngagementSummaryOut,
    OverrideHistoryOut,
    OverrideIn,
)
from outreach.models import Contact
from outreach.workspaces.auth import Principal, principal_of, require_admin

router = Router(tags=["engagement"])


def _performer(principal: Principal) -> dict:
    label = f"API key {principal.api_key.name}" if principal.api_key else ""
    return {"by": principal.user, "by_label": label}


def _contact(request: HttpRequest, contact_id: int) -> Contact:
    return selectors.contact_in_workspace(
        workspace=principal_of(request).workspace, contact_id=contact_id
    )


def _engagement(contact: Contact) -> MemberEngagement:
    engagement = selectors.engagement_for_contact(contact=contact)
    if engagement is None:
        raise NotFound(
            f"Contact {contact.pk} has no engagement score yet; POST to its recompute URL."
        )
    return engagement


@router.get("/summary", response=EngagementSummaryOut)
def engagement_summary(request: HttpRequest):
    workspace = principal_of(request).workspace
    counts = selectors.level_counts(workspace=workspace)
    return {
        "counts": counts,
        "scored": sum(counts.values()),
        "unscored": selectors.unscored_contact_count(workspace=workspace),
    }


@router.get("/contacts", response=list[EngagementOut])
@paginate
def engagement_list(request: HttpRequest, filters: Query[EngagementFilter]):
    return selectors.engagement_list(workspace=principal_of(request).workspace, **filters.dict())


@router.get("/contacts/{contact_id}", response=EngagementDetailOut)
def engagement_get(request: HttpRequest, contact_id: PathId):
    return _engagement(_contact(request, contact_id))


@router.get("/contacts/{contact_id}/history", response=list[OverrideHistoryOut])
@paginate
def engagement_history(request: HttpRequest, contact_id: PathId):
    return selectors.override_history(contact=_contact(request, contact_id))


@router.post("/contacts/{contact_id}/recompute", response=EngagementDetailOut)
def engagement_recompute(request: HttpRequest, contact_id: PathId):
    contact = _contact(request, contact_id)
    services.engagement_compute_contact(contact=contact)
    return _engagement(contact)


@router.put("/contacts/{contact_id}/override", response=EngagementDetailOut)
def engagement_override_set(request: HttpRequest, contact_id: PathId, payload: OverrideIn):
    principal = principal_of(request)
    require_admin(principal)
    contact = _contact(request, contact_id)
    services.engagement_override_set(
        contact=contact,
        level=payload.level,
        notes=payload.notes,
        expires_at=payload.expires_at,
        **_performer(principal),
    )
    return _engagement(contact)


@router.delete("/contacts/{contact_id}/override", response=EngagementDetailOut)
def engagement_override_clear(request: HttpRequest, contact_id: PathId):
    principal = principal_of(request)
    require_admin(principal)
    contact = _contact(request, contact_id)
    services.engagement_override_clear(contact=contact, **_performer(principal))
    return _engagement(contact)


@router.get("/settings", response=EngagementSettingsOut)
def engagement_settings_get(request: HttpRequest):
    return selectors.engagement_settings_for(workspace=principal_of(request).workspace)


@router.patch("/settings", response=EngagementSettingsOut)
def engagement_settings_patch(request: HttpRequest, payload: EngagementSettingsPatch):
    principal = principal_of(request)
    require_admin(principal)
    return services.engagement_settings_update(
        workspace=principal.workspace,
        changes=payload.dict(exclude_unset=True),
        by=principal.user,
    )
