"""Every write of engagement scoring: computing scores, overrides and the thresholds."""

from engagement.services.overrides import (
    engagement_override_clear,
    engagement_override_set,
    engagement_overrides_clear_expired,
)
from engagement.services.scoring import (
    ComputeReport,
    engagement_compute_contact,
    engagement_compute_workspace,
    engagement_compute_workspace_soon,
)
from engagement.services.thresholds import engagement_settings_update

__all__ = [
    "ComputeReport",
    "engagement_compute_contact",
    "engagement_compute_workspace",
    "engagement_compute_workspace_soon",
    "engagement_override_clear",
    "engagement_override_set",
    "engagement_overrides_clear_expired",
    "engagement_settings_update",
]
