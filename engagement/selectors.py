"""Reads of engagement scoring: the grouped activity behind a batch of scores, and the lists
and details the API and dashboard show. Always scoped to one workspace."""

from datetime import datetime
from typing import TypedDict

from django.db.models import Aggregate, Count, F, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from config.errors import NotFound
from config.filters import given, text_search
from engagement.models import (
    EngagementLevel,
    EngagementOverrideHistory,
    EngagementSettings,
    MemberEngagement,
)
from engagement.signals import (
    ENGAGEMENT_KINDS,
    NEGATIVE_CALL_OUTCOMES,
    REPLY_INTENTS,
    UNCOUNTED_CALL_OUTCOMES,
    UNCOUNTED_REPLY_INTENTS,
    ActivityCounts,
    ScoringClock,
    Thresholds,
    counts_from_row,
)
from outreach.models import Activity, CallOutcome, Contact, Workspace


def thresholds_for(*, workspace: Workspace) -> Thresholds:
    row = EngagementSettings.objects.filter(workspace=workspace).first()
    return Thresholds(**row.as_thresholds()) if row else Thresholds()


def engagement_settings_for(*, workspace: Workspace) -> EngagementSettings:
    """The workspace's settings row, or an unsaved one holding the defaults."""
    return EngagementSettings.objects.filter(workspace=workspace).first() or EngagementSettings(
        workspace=workspace
    )


class ContactToScore(TypedDict):
    """A contact as scoring reads it, with its company's name and its current score's inputs
    (None when it has no score yet)."""

    pk: int
    prospect_id: int
    first_name: str
    last_name: str
    email: str
    created_at: datetime
    updated_at: datetime
    outreach_status: str
    time_zone: str
    prospect_name: str
    scored_hash: str | None
    scored_model_version: str | None
    scored_at: datetime | None


def contacts_to_score(
    *,
    workspace: Workspace,
    after_contact_id: int = 0,
    limit: int,
    contact_ids: list[int] | None = None,
) -> list[ContactToScore]:
    """The next contacts by id, with their company and what their current score was made of
    (one query: the score is a LEFT JOIN)."""
    contacts = Contact.objects.filter(workspace=workspace, pk__gt=after_contact_id)
    if contact_ids is not None:
        contacts = contacts.filter(pk__in=contact_ids)
    return list(
        contacts.order_by("pk").values(
            "pk",
            "prospect_id",
            "first_name",
            "last_name",
            "email",
            "created_at",
            "updated_at",
            "outreach_status",
            "time_zone",
            prospect_name=F("prospect__name"),
            scored_hash=F("engagements__signals_hash"),
            scored_model_version=F("engagements__model_version"),
            scored_at=F("engagements__computed_at"),
        )[:limit]
    )


def activity_counts(
    *,
    workspace: Workspace,
    contact_ids: list[int],
    prospect_ids: list[int],
    clock: ScoringClock,
) -> tuple[dict[int, ActivityCounts], dict[int, ActivityCounts]]:
    """Each contact's own activity, and each prospect's company activity (no contact set).

    Two grouped queries for the whole batch, one row per contact or prospect, however much
    activity there is."""
    own = _counts(
        Activity.objects.filter(workspace=workspace, contact_id__in=contact_ids),
        key="contact_id",
        clock=clock,
    )
    company = _counts(
        Activity.objects.filter(
            workspace=workspace, contact__isnull=True, prospect_id__in=prospect_ids
        ),
        key="prospect_id",
        clock=clock,
    )
    return own, company


def _counts(
    activities: QuerySet[Activity], *, key: str, clock: ScoringClock
) -> dict[int, ActivityCounts]:
    in_window = Q(occurred_at__gte=clock.window_start)
    reply = Q(kind=Activity.Kind.REPLY)
    counted_reply = reply & (
        Q(metadata__intent__isnull=True) | ~Q(metadata__intent__in=UNCOUNTED_REPLY_INTENTS)
    )
    call = Q(kind=Activity.Kind.CALL_DONE)
    counted_call = call & (
        Q(metadata__outcome__isnull=True) | ~Q(metadata__outcome__in=UNCOUNTED_CALL_OUTCOMES)
    )
    counted = {kind: Q(kind=kind) for kind in ENGAGEMENT_KINDS} | {
        Activity.Kind.CALL_DONE: counted_call
    }
    # A row may stand for several opens or clicks of one day (retention compacts them): it
    # counts as many times as it says.
    aggregates: dict[str, Aggregate | Coalesce] = {
        f"n_{kind}": Coalesce(Sum("repeats", filter=in_window & counted[kind]), 0)
        for kind in ENGAGEMENT_KINDS
    }
    aggregates |= {
        f"reply_{intent}": Count("pk", filter=in_window & reply & Q(metadata__intent=intent))
        for intent in REPLY_INTENTS
    }
    aggregates |= {
        f"call_{outcome}": Count("pk", filter=in_window & call & Q(metadata__outcome=outcome))
        for outcome in CallOutcome.values
    }
    aggregates |= {
        f"last_{outcome}_at": Max(
            "occurred_at", filter=in_window & call & Q(metadata__outcome=outcome)
        )
        for outcome in NEGATIVE_CALL_OUTCOMES
    }
    aggregates["replies"] = Count("pk", filter=in_window & reply)
    aggregates["emails_sent"] = Count("pk", filter=in_window & Q(kind=Activity.Kind.EMAIL_SENT))
    aggregates["last_engagement_at"] = Max(
        "occurred_at",
        filter=(Q(kind__in=ENGAGEMENT_KINDS) & ~call) | counted_call | counted_reply,
    )
    rows = (
        activities.filter(occurred_at__lte=clock.now).values(key).annotate(**aggregates).order_by()
    )
    return {row[key]: counts_from_row(row) for row in rows}


# --- What the API and dashboard show --------------------------------------------------------


def engagement_list(
    *,
    workspace: Workspace,
    level: str | None = None,
    q: str = "",
    prospect_id: int | None = None,
    overridden: bool | None = None,
) -> QuerySet[MemberEngagement]:
    engagements = MemberEngagement.objects.filter(
        text_search(
            q,
            "contact__first_name",
            "contact__last_name",
            "contact__email",
            "contact__prospect__name",
        ),
        workspace=workspace,
        **given(level=level, contact__prospect_id=prospect_id),
    )
    if overridden is not None:
        engagements = (
            engagements.exclude(override_level="")
            if overridden
            else (engagements.filter(override_level=""))
        )
    return engagements.select_related("contact", "contact__prospect").order_by(
        "contact__last_name", "contact__first_name", "pk"
    )


def level_counts(*, workspace: Workspace) -> dict[str, int]:
    """Scored contacts per level, every level present (one grouped query)."""
    rows = (
        MemberEngagement.objects.filter(workspace=workspace)
        .values("level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict.fromkeys(EngagementLevel.values, 0)
    counts.update({row["level"]: row["n"] for row in rows})
    return counts


def unscored_contact_count(*, workspace: Workspace) -> int:
    return Contact.objects.filter(workspace=workspace, engagements__isnull=True).count()


def contact_in_workspace(*, workspace: Workspace, contact_id: int) -> Contact:
    contact = (
        Contact.objects.select_related("prospect", "workspace")
        .filter(workspace=workspace, pk=contact_id)
        .first()
    )
    if contact is None:
        raise NotFound(f"No contact with id {contact_id}.")
    return contact


def engagement_for_contact(*, contact: Contact) -> MemberEngagement | None:
    return (
        MemberEngagement.objects.select_related("contact", "contact__prospect", "overridden_by")
        .filter(workspace_id=contact.workspace_id, contact=contact)
        .first()
    )


def override_history(*, contact: Contact) -> QuerySet[EngagementOverrideHistory]:
    """Every override and clearing of the contact's level, newest first (none if never
    scored)."""
    return EngagementOverrideHistory.objects.filter(
        workspace_id=contact.workspace_id, engagement__contact=contact
    ).order_by("-performed_at", "-pk")


def friendly_message_for(contact: Contact) -> str:
    """The contact's member explanation (written to be shown to them), or ""."""
    return (
        MemberEngagement.objects.filter(workspace_id=contact.workspace_id, contact=contact)
        .values_list("member_explanation", flat=True)
        .first()
        or ""
    )
