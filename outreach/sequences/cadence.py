"""Cadence timing: step delays, and business hours in a contact's time zone."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from outreach.models import Contact, OutreachStep, Workspace

# More closed days in a row than this means the calendar is misconfigured, not a long weekend.
MAX_CLOSED_DAYS = 366


@dataclass(frozen=True)
class BusinessHours:
    """When a contact may be reached: the workspace's hours and days, read in a time zone."""

    zone: ZoneInfo
    start: time
    end: time
    days: frozenset[int]
    holidays: frozenset[date]

    @classmethod
    def of(cls, workspace: Workspace, time_zone: str = "") -> "BusinessHours":
        return cls(
            zone=ZoneInfo(time_zone or workspace.time_zone),
            start=workspace.business_day_start,
            end=workspace.business_day_end,
            # A workspace that unticked every day still reaches people, on any day.
            days=frozenset(workspace.business_days or range(7)),
            holidays=frozenset(date.fromisoformat(day) for day in workspace.holidays or []),
        )

    @classmethod
    def for_contact(cls, contact: Contact) -> "BusinessHours":
        return cls.of(contact.workspace, contact.time_zone)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def at(self, day: date, clock: time) -> datetime:
        """The instant a wall-clock time happens on a day in this zone, in UTC."""
        # Going through UTC resolves a time that falls in a daylight-saving gap or overlap.
        return datetime.combine(day, clock, tzinfo=self.zone).astimezone(UTC)

    def next_open(self, moment: datetime) -> datetime:
        """`moment` itself if it is in business hours, otherwise the next opening."""
        moment = moment.astimezone(UTC)
        day = moment.astimezone(self.zone).date()
        for _ in range(MAX_CLOSED_DAYS):
            if self.is_business_day(day):
                opens, closes = self.at(day, self.start), self.at(day, self.end)
                if moment < opens:
                    return opens
                if moment < closes:
                    return moment
            day += timedelta(days=1)
        raise ValueError("No business day within a year: check the workspace's holidays.")

    def opening_on_or_after(self, day: date) -> datetime:
        return self.next_open(self.at(day, time(0, 0)))


def after_delay(moment: datetime, *, days: int, hours: int, zone: ZoneInfo) -> datetime:
    """`days` calendar days later at the same wall-clock time, then `hours` hours later.

    Days are counted on the contact's calendar, so "2 days later" across a daylight-saving
    change is still the same time of day; hours are elapsed time.
    """
    local = moment.astimezone(zone).replace(tzinfo=None) + timedelta(days=days)
    return local.replace(tzinfo=zone).astimezone(UTC) + timedelta(hours=hours)


def step_ready_at(
    done_at: datetime, *, delay_days: int, delay_hours: int, hours: BusinessHours
) -> tuple[datetime, str]:
    """When a step waiting `delay` after `done_at` may go, and why it waits until then."""
    due = after_delay(done_at, days=delay_days, hours=delay_hours, zone=hours.zone)
    ready = hours.next_open(due)
    if ready > due:
        return ready, OutreachStep.WaitReason.BUSINESS_HOURS
    if due > done_at:
        return ready, OutreachStep.WaitReason.DELAY
    return ready, ""


def next_day_opening(now: datetime, *, hours: BusinessHours, day_zone: ZoneInfo) -> datetime:
    """The first business moment after the day `now` falls on in `day_zone` (a sender's day)."""
    tomorrow = now.astimezone(day_zone).date() + timedelta(days=1)
    start_of_tomorrow = datetime.combine(tomorrow, time(0, 0), tzinfo=day_zone)
    return hours.next_open(start_of_tomorrow)


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


# --- Out-of-office replies --------------------------------------------------------------------
