"""Engagement scores: each contact's level with its explanations, the admin overrides and their
history, and each workspace's thresholds."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from outreach.models import Contact, Workspace


class EngagementLevel(models.TextChoices):
    HIGHLY_ENGAGED = "highly_engaged", "Highly engaged"
    MODERATE = "moderate", "Moderate"
    AT_RISK = "at_risk", "At risk"
    NEW = "new", "New"
    INACTIVE = "inactive", "Inactive"


class EngagementSettings(models.Model):
    """One workspace's thresholds. A workspace without a row uses the defaults below."""

    DEFAULTS = {
        "window_days": 90,
        "highly_engaged_min_events": 3,
        "moderate_min_events": 1,
        "new_contact_days": 60,
        "inactive_after_days": 180,
    }

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="engagement_settings"
    )
    # Events are counted over this many days; a contact silent for as long is at risk.
    window_days = models.PositiveSmallIntegerField(
        default=DEFAULTS["window_days"], validators=[MinValueValidator(7), MaxValueValidator(730)]
    )
    highly_engaged_min_events = models.PositiveSmallIntegerField(
        default=DEFAULTS["highly_engaged_min_events"],
        validators=[MinValueValidator(2), MaxValueValidator(1000)],
    )
    moderate_min_events = models.PositiveSmallIntegerField(
        default=DEFAULTS["moderate_min_events"],
        validators=[MinValueValidator(1), MaxValueValidator(999)],
    )
    new_contact_days = models.PositiveSmallIntegerField(
        default=DEFAULTS["new_contact_days"],
        validators=[MinValueValidator(1), MaxValueValidator(730)],
    )
    inactive_after_days = models.PositiveSmallIntegerField(
        default=DEFAULTS["inactive_after_days"],
        validators=[MinValueValidator(8), MaxValueValidator(3650)],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "engagement settings"

    def __str__(self) -> str:
        return f"Engagement thresholds of {self.workspace}"

    def as_thresholds(self) -> dict[str, int]:
        return {field: getattr(self, field) for field in self.DEFAULTS}


class MemberEngagement(models.Model):
    """A contact's engagement level as the team sees it.

    `computed_level` is what the last computation said; `level` is what everyone sees: the
    override's level while an admin override is in force, the computed one otherwise. Keeping
    the visible level in one indexed column lets counts and filters use the index.
    """

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="member_engagements"
    )
    # Looked up through the (contact, workspace) unique index below, which starts with contact.
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="engagements", db_index=False
    )
    level = models.CharField(max_length=20, choices=EngagementLevel.choices)
    computed_level = models.CharField(max_length=20, choices=EngagementLevel.choices)
    # Detailed, with the signals: for the team.
    admin_explanation = models.TextField()
    # Friendly, and safe to show the contact: never names a risk level.
    member_explanation = models.TextField()
    signals = models.JSONField(default=dict)
    # A digest of the signals, thresholds and model version: the same digest means nothing
    # changed since this score, so the daily run skips the contact.
    signals_hash = models.CharField(max_length=64)
    model_version = models.CharField(max_length=100)
    # Why the hosted model's answer was not used (the rules' result was stored instead).
    fallback_reason = models.CharField(max_length=300, blank=True)
    computed_at = models.DateTimeField()

    override_level = models.CharField(max_length=20, choices=EngagementLevel.choices, blank=True)
    override_notes = models.TextField(blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who overrode, as shown: a username, or the API key an integration used.
    overridden_by_label = models.CharField(max_length=150, blank=True)
    overridden_at = models.DateTimeField(null=True, blank=True)
    override_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "workspace"], name="member_engagement_unique_contact"
            ),
        ]
        # The workspace foreign key has its own index; counts and filters use this one.
        indexes = [
            models.Index(fields=["workspace", "level"], name="member_engagement_ws_level"),
            # The sweep that lifts overrides when they lapse.
            models.Index(
                fields=["override_expires_at"],
                condition=models.Q(override_expires_at__isnull=False),
                name="member_engagement_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.get_level_display()}"

    @property
    def is_overridden(self) -> bool:
        return bool(self.override_level)

    @property
    def override_has_expired(self) -> bool:
        return (
            self.is_overridden
            and self.override_expires_at is not None
            and self.override_expires_at <= timezone.now()
        )


class EngagementOverrideHistory(models.Model):
    class Action(models.TextChoices):
        OVERRIDE = "override", "Override"
        CLEAR = "clear", "Clear"

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="engagement_override_history"
    )
    engagement = models.ForeignKey(
        MemberEngagement, on_delete=models.CASCADE, related_name="override_history"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    previous_level = models.CharField(max_length=20, choices=EngagementLevel.choices)
    new_level = models.CharField(max_length=20, choices=EngagementLevel.choices)
    notes = models.TextField(blank=True)
    # Empty for the system (an override that lapsed) and for API keys.
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    performed_by_label = models.CharField(max_length=150)
    performed_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "engagement override history"
        indexes = [
            models.Index(fields=["engagement", "performed_at"], name="override_history_engagement"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.previous_level} → {self.new_level}"
