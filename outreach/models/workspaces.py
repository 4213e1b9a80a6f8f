"""Workspaces (tenants), who belongs to them, and the API keys integrations use."""

import hashlib
import re
import zoneinfo
from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

BRAND_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (use a name like Europe/Paris).")


def default_business_days() -> list[int]:
    return [0, 1, 2, 3, 4]  # Monday to Friday, as datetime.weekday() numbers them


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    REP = "rep", "Rep"


def validate_brand_color(value: str) -> None:
    if not BRAND_COLOR.fullmatch(value):
        raise ValidationError(f"{value!r} is not a colour like #4f46e5.")


class Workspace(models.Model):
    """A sales team, and the company prospects hear from: its name and description are what
    every video, wizard page, report and invitation says, and its brand colour dresses them."""

    name = models.CharField(max_length=200)
    company_description = models.TextField(
        blank=True, max_length=2000, help_text="What the company does, in a sentence or two."
    )
    brand_color = models.CharField(
        max_length=7, default="#4f46e5", validators=[validate_brand_color]
    )
    slug = models.SlugField(max_length=80, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    business_day_start = models.TimeField(default=time(9, 0))
    business_day_end = models.TimeField(default=time(17, 0))
    business_days = models.JSONField(default=default_business_days)
    holidays = models.JSONField(default=list, blank=True, help_text="ISO dates with no outreach.")
    daily_send_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="Sequence emails per sender a day; blank uses the default."
    )
    # Set when an automation run of the workspace waits for a run slot, cleared when a freed
    # slot finds none waiting: most runs then finish without looking for queued ones.
    automation_runs_queued = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.REP)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class ApiKey(models.Model):
    """A workspace's key for integrations. Only its SHA-256 is stored; the key is shown once."""

    PREFIX = "crm_"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.REP)
    # The first characters of the key, kept so people can tell their keys apart.
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(raw_key: str) -> str:
        # Keys are 256 random bits, so a fast hash is enough: there is nothing to brute-force.
        return hashlib.sha256(raw_key.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
