"""Admin overrides of a contact's level, their clearing (by an admin or when they expire),
and the history of both."""

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.errors import Conflict, ValidationFailed
from engagement.models import EngagementLevel, EngagementOverrideHistory, MemberEngagement
from engagement.providers.rules import RulesEngagementProvider
from outreach.models import Contact, Workspace

SYSTEM_LABEL = "system"


def engagement_override_set(
    *,
    contact: Contact,
    level: str,
    notes: str,
    expires_at: datetime | None = None,
    by: User | None = None,
    by_label: str = "",
) -> MemberEngagement:
    """Pin a contact's level (an admin's call); the computation keeps scoring underneath."""
    notes = notes.strip()
    if level not in EngagementLevel.values:
        raise ValidationFailed.for_field("level", f"{level!r} is not an engagement level.")
    if not notes:
        raise ValidationFailed.for_field("notes", "Say why the level is overridden.")
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise ValidationFailed.for_field("expires_at", "The expiry must be in the future.")
    if not MemberEngagement.objects.filter(contact=contact).exists():
        # Never scored yet: score it by the rules first (offline, instant), so the override
        # has a computed level to return to. (Imported here: scoring imports this module.)
        from engagement.services.scoring import engagement_compute_contact

        engagement_compute_contact(contact=contact, provider=RulesEngagementProvider(), now=now)
    performer = _performer_label(by, by_label)
    with transaction.atomic():
        engagement = MemberEngagement.objects.select_for_update().get(
            workspace_id=contact.workspace_id, contact=contact
        )
        previous = engagement.level
        engagement.override_level = engagement.level = level
        engagement.override_notes = notes
        engagement.overridden_by = by
        engagement.overridden_by_label = performer
        engagement.overridden_at = now
        engagement.override_expires_at = expires_at
        engagement.save(
            update_fields=[
                "level",
                "override_level",
                "override_notes",
                "overridden_by",
                "overridden_by_label",
                "overridden_at",
                "override_expires_at",
            ]
        )
        EngagementOverrideHistory.objects.create(
            workspace_id=contact.workspace_id,
            engagement=engagement,
            action=EngagementOverrideHistory.Action.OVERRIDE,
            previous_level=previous,
            new_level=level,
            notes=notes,
            performed_by=by,
            performed_by_label=performer,
            performed_at=now,
            expires_at=expires_at,
        )
    return engagement


def engagement_override_clear(
    *,
    contact: Contact,
    notes: str = "",
    by: User | None = None,
    by_label: str = "",
) -> MemberEngagement:
    """Hand the contact's level back to the computation."""
    with transaction.atomic():
        engagement = (
            MemberEngagement.objects.select_for_update()
            .filter(workspace_id=contact.workspace_id, contact=contact)
            .exclude(override_level="")
            .first()
        )
        if engagement is None:
            raise Conflict("This contact's level is not overridden.")
        _clear([engagement], notes=notes.strip(), by=by, label=_performer_label(by, by_label))
    return engagement


def engagement_overrides_clear_expired(
    *,
    workspace: Workspace | None = None,
    now: datetime | None = None,
    contact_ids: list[int] | None = None,
    batch_size: int = 500,
    max_batches: int = 100,
) -> int:
    """Lift every override whose expiry has passed, writing a history row for each.

    Runs at the start of every computation and from a short beat sweep, so an override ends
    close to the time the admin chose. Rows an admin holds right now are left to the next run.
    """
    now = now or timezone.now()
    cleared = 0
    for _ in range(max_batches):
        with transaction.atomic():
            expired = (
                MemberEngagement.objects.select_for_update(skip_locked=True)
                .filter(override_expires_at__lte=now)
                .exclude(override_level="")
            )
            if workspace is not None:
                expired = expired.filter(workspace=workspace)
            if contact_ids is not None:
                expired = expired.filter(contact_id__in=contact_ids)
            batch = list(expired.order_by("override_expires_at", "pk")[:batch_size])
            if batch:
                _clear(batch, notes="The override expired.", by=None, label=SYSTEM_LABEL, now=now)
        cleared += len(batch)
        if len(batch) < batch_size:
            break
    return cleared


def _clear(
    engagements: list[MemberEngagement],
    *,
    notes: str,
    by: User | None,
    label: str,
    now: datetime | None = None,
) -> None:
    """Lift the overrides of locked rows and write their history (two queries in all)."""
    now = now or timezone.now()
    MemberEngagement.objects.filter(pk__in=[e.pk for e in engagements]).update(
        level=F("computed_level"),
        override_level="",
        override_notes="",
        overridden_by=None,
        overridden_by_label="",
        overridden_at=None,
        override_expires_at=None,
    )
    history = []
    for engagement in engagements:
        history.append(
            EngagementOverrideHistory(
                workspace_id=engagement.workspace_id,
                engagement=engagement,
                action=EngagementOverrideHistory.Action.CLEAR,
                previous_level=engagement.override_level,
                new_level=engagement.computed_level,
                notes=notes,
                performed_by=by,
                performed_by_label=label,
                performed_at=now,
                expires_at=engagement.override_expires_at,
            )
        )
        engagement.level = engagement.computed_level
        engagement.override_level = engagement.override_notes = engagement.overridden_by_label = ""
        engagement.overridden_by = engagement.overridden_at = engagement.override_expires_at = None
    EngagementOverrideHistory.objects.bulk_create(history)


def _performer_label(by: User | None, by_label: str) -> str:
    if by is not None:
        return by.get_username()
    return by_label or SYSTEM_LABEL
