"""A workspace's engagement thresholds."""

from django.contrib.auth.models import User
from django.db import transaction

from config.errors import ValidationFailed
from config.validation import validate_model
from engagement import selectors
from engagement.models import EngagementSettings
from outreach.models import Workspace


def engagement_settings_update(
    *, workspace: Workspace, changes: dict[str, int], by: User | None = None
) -> EngagementSettings:
    """Change the workspace's thresholds; the next computation rescores every contact."""
    row = selectors.engagement_settings_for(workspace=workspace)
    unknown = set(changes) - set(EngagementSettings.DEFAULTS)
    if unknown:
        raise ValidationFailed(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    for name, value in changes.items():
        setattr(row, name, value)
    if row.highly_engaged_min_events <= row.moderate_min_events:
        raise ValidationFailed.for_field(
            "highly_engaged_min_events",
            "Highly engaged must need more events than moderate.",
        )
    if row.inactive_after_days <= row.window_days:
        raise ValidationFailed.for_field(
            "inactive_after_days",
            "A contact becomes inactive only after a longer silence than the window.",
        )
    row.updated_by = by
    with transaction.atomic():
        validate_model(row, exclude=["workspace", "updated_by"])
        row.save()
    return row
