"""Reads of meetings: a rep's booking page and meeting types, free slots, upcoming meetings."""

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone

from outreach.meetings.slots import SlotRules, free_slots
from outreach.models import BookingPage, Meeting, MeetingType, Prospect, Workspace

DEFAULT_MEETING_TYPE = {
    "name": "Intro call",
    "slug": "intro-call",
    "duration_minutes": 30,
    "buffer_minutes": 10,
    "days_ahead": 14,
    "min_notice_minutes": 240,
    "description": "A first conversation about what you are working on.",
}
# How many free slots a booking page and the wizard show at once.
SLOTS_SHOWN = 24


@dataclass(frozen=True)
class SlotDay:
    """One day of free slots as the viewer's calendar has it: (UTC start, local label)."""

    day: date
    slots: list[tuple[datetime, str]]


@cache
def time_zone_names() -> list[str]:
    """Every zone a viewer may pick, by name (the IANA database Python ships with)."""
    return sorted(name for name in zoneinfo.available_timezones() if "/" in name or name == "UTC")


def is_time_zone(name: str) -> bool:
    return name in set(time_zone_names())


def booking_page_for(*, workspace: Workspace, user: User) -> BookingPage:
    """The rep's booking page; an unsaved one with the workspace's hours if they have none."""
    page = BookingPage.objects.filter(workspace=workspace, user=user).first()
    if page is not None:
        return page
    return BookingPage(workspace=workspace, user=user, **booking_page_defaults(workspace))


def booking_page_defaults(workspace: Workspace) -> dict:
    start = workspace.business_day_start.strftime("%H:%M")
    end = workspace.business_day_end.strftime("%H:%M")
    days = workspace.business_days or []
    hours = {str(day): [[start, end]] for day in days} if start < end else {}
    return {"time_zone": workspace.time_zone, "weekly_hours": hours}


def booking_page_by_slug(*, slug: str) -> BookingPage | None:
    return BookingPage.objects.select_related("workspace", "user").filter(slug=slug).first()


def meeting_types_for(*, workspace: Workspace, user: User) -> list[MeetingType]:
    """The rep's active meeting types; the default one (unsaved) when they set up none."""
    types = list(
        MeetingType.objects.filter(workspace=workspace, host=user, is_active=True).order_by(
            "duration_minutes", "name"
        )
    )
    return types or [MeetingType(workspace=workspace, host=user, **DEFAULT_MEETING_TYPE)]


def meeting_type_for(*, workspace: Workspace, user: User, slug: str) -> MeetingType | None:
    return next(
        (t for t in meeting_types_for(workspace=workspace, user=user) if t.slug == slug), None
    )


def slot_rules(meeting_type: MeetingType) -> SlotRules:
    return SlotRules(
        duration=timedelta(minutes=meeting_type.duration_minutes),
        buffer=timedelta(minutes=meeting_type.buffer_minutes),
        days_ahead=meeting_type.days_ahead,
        min_notice=timedelta(minutes=meeting_type.min_notice_minutes),
    )


def busy_intervals(
    *, host_id: int, start: datetime, end: datetime, excluding: int | None = None
) -> list[tuple[datetime, datetime]]:
    """The rep's live meetings that touch [start, end) (in any workspace: one person, one
    calendar)."""
    meetings = Meeting.objects.filter(
        host_id=host_id, status=Meeting.Status.BOOKED, start_at__lt=end, end_at__gt=start
    )
    if excluding is not None:
        meetings = meetings.exclude(pk=excluding)
    return list(meetings.values_list("start_at", "end_at"))


def open_slots(
    *,
    page: BookingPage,
    meeting_type: MeetingType,
    now: datetime | None = None,
    after: datetime | None = None,
    limit: int | None = SLOTS_SHOWN,
    excluding: int | None = None,
) -> list[datetime]:
    """The next free slots of this meeting type on the rep's calendar (UTC starts)."""
    now = now or timezone.now()
    rules = slot_rules(meeting_type)
    horizon = now + timedelta(days=rules.days_ahead + 2)
    busy = busy_intervals(host_id=page.user_id, start=now, end=horizon, excluding=excluding)
    return free_slots(
        hours=page.weekly_hours,
        zone=page.time_zone,
        rules=rules,
        busy=busy,
        now=now,
        after=after,
        limit=limit,
    )


def slots_by_day(slots: Iterable[datetime], *, zone: str) -> list[SlotDay]:
    """Slots grouped by the viewer's calendar day, labelled in the viewer's zone."""
    tz = zoneinfo.ZoneInfo(zone)
    days: list[SlotDay] = []
    for start in slots:
        local = start.astimezone(tz)
        if not days or days[-1].day != local.date():
            days.append(SlotDay(day=local.date(), slots=[]))
        days[-1].slots.append((start, local_time_label(local)))
    return days


def local_time_label(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment:%M} {'am' if moment.hour < 12 else 'pm'}"


def upcoming_meetings(
    *, workspace: Workspace, host: User | None = None, prospect: Prospect | None = None
) -> QuerySet[Meeting]:
    """Live meetings that have not ended yet, soonest first."""
    meetings = Meeting.objects.filter(
        workspace=workspace, status=Meeting.Status.BOOKED, end_at__gt=timezone.now()
    )
    if host is not None:
        meetings = meetings.filter(host=host)
    if prospect is not None:
        meetings = meetings.filter(prospect=prospect)
    return meetings.select_related("prospect", "contact", "host").order_by("start_at", "pk")


def meetings_to_settle(*, workspace: Workspace, host: User | None = None) -> QuerySet[Meeting]:
    """Booked meetings that have ended: the rep marks each held or a no-show."""
    meetings = Meeting.objects.filter(
        workspace=workspace, status=Meeting.Status.BOOKED, end_at__lte=timezone.now()
    )
    if host is not None:
        meetings = meetings.filter(host=host)
    return meetings.select_related("prospect", "contact", "host").order_by("-start_at", "-pk")


def meetings_for_prospect(*, prospect: Prospect) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(prospect=prospect)
        .select_related("host", "contact", "prospect")
        .order_by("-start_at", "-pk")
    )


def meeting_by_manage_token(*, token: str) -> Meeting | None:
    if not token or len(token) > 64:
        return None
    return (
        Meeting.objects.select_related("workspace", "host", "meeting_type", "prospect")
        .filter(manage_token=token)
        .first()
    )


def meeting_list(
    *, workspace: Workspace, status: str | None = None, host_id: int | None = None
) -> QuerySet[Meeting]:
    meetings = Meeting.objects.filter(workspace=workspace)
    if status:
        meetings = meetings.filter(status=status)
    if host_id:
        meetings = meetings.filter(host_id=host_id)
    return meetings.order_by("-start_at", "-pk")
