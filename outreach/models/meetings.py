"""Meetings booked with a rep: their booking page and hours, meeting types, and meetings."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from outreach.models.crm import Contact, Prospect
from outreach.models.wizard import WizardLink
from outreach.models.workspaces import Workspace, validate_time_zone


def default_weekly_hours() -> dict[str, list[list[str]]]:
    """Monday to Friday, 9 to 5: {weekday as datetime.weekday() numbers it: [[start, end]]}."""
    return {str(day): [["09:00", "17:00"]] for day in range(5)}


def new_booking_slug() -> str:
    return secrets.token_urlsafe(9)


def new_manage_token() -> str:
    # The only key to cancelling or moving a meeting: as unguessable as a wizard link.
    return secrets.token_urlsafe(24)


class BookingPage(models.Model):
    """A rep's public booking page (/book/<slug>/) and the hours they take meetings in.

    Its row is also the lock that books one rep's meetings one at a time (see
    outreach.meetings.services.booking)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="booking_pages")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="booking_pages"
    )
    slug = models.SlugField(max_length=40, unique=True, default=new_booking_slug)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    weekly_hours = models.JSONField(default=default_weekly_hours)
    bookings = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="bookingpage_one_per_rep"),
        ]

    def __str__(self) -> str:
        return f"Booking page of {self.user} in {self.workspace}"


class MeetingType(models.Model):
    """A kind of meeting a rep offers: how long, the gap kept around it, and how far ahead and
    how soon it can be booked."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="meeting_types")
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_types"
    )
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60)
    duration_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        default=10, validators=[MaxValueValidator(240)]
    )
    days_ahead = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    min_notice_minutes = models.PositiveIntegerField(
        default=240, validators=[MaxValueValidator(60 * 24 * 30)]
    )
    description = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["host", "slug"], name="meetingtype_unique_slug"),
        ]
        indexes = [models.Index(fields=["workspace", "host"], name="meetingtype_ws_host")]

    def __str__(self) -> str:
        return f"{self.name} ({self.duration_minutes} min)"


class Meeting(models.Model):
    """A meeting booked with a rep. Times are stored in UTC; each reader sees them in their own
    zone (the rep's on the dashboard, the invitee's in emails and on their pages)."""

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CANCELLED = "cancelled", "Cancelled"
        HELD = "held", "Held"
        NO_SHOW = "no_show", "No-show"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="meetings")
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hosted_meetings"
    )
    meeting_type = models.ForeignKey(
        MeetingType, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    prospect = models.ForeignKey(
        Prospect, null=True, blank=True, on_delete=models.CASCADE, related_name="meetings"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    wizard_link = models.ForeignKey(
        WizardLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    title = models.CharField(max_length=200)
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    invitee_name = models.CharField(max_length=200)
    invitee_email = models.EmailField(max_length=254)
    invitee_time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    note = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    manage_token = models.CharField(
        max_length=64, unique=True, default=new_manage_token, editable=False
    )
    # Calendar apps replace an invitation by its UID when its SEQUENCE grows (a move, a
    # cancellation). Invitations of versions below `invitations_sent` went out.
    sequence = models.PositiveIntegerField(default=0)
    invitations_sent = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # A rep's calendar: their live meetings by time, for slots and the overview.
            models.Index(
                fields=["host", "start_at"],
                condition=models.Q(status="booked"),
                name="meeting_host_booked",
            ),
            models.Index(fields=["workspace", "start_at"], name="meeting_ws_start"),
            models.Index(fields=["prospect", "start_at"], name="meeting_prospect_start"),
        ]
        constraints = [
            # Two invitees racing for one slot: the database takes one booking and refuses the
            # other, whatever the application checked first (the booking page's row lock keeps
            # overlapping slots of different lengths apart).
            models.UniqueConstraint(
                fields=["host", "start_at"],
                condition=models.Q(status="booked"),
                name="meeting_one_booking_per_slot",
            ),
            models.CheckConstraint(
                condition=models.Q(end_at__gt=models.F("start_at")), name="meeting_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} at {self.start_at:%Y-%m-%d %H:%M} UTC"

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.BOOKED

    @property
    def has_started(self) -> bool:
        return self.start_at <= timezone.now()

    @property
    def duration_minutes(self) -> int:
        return int((self.end_at - self.start_at).total_seconds() // 60)
