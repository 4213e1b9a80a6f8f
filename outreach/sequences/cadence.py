"""Cadence timing: step delays, business hours in a contact's time zone, out-of-office returns."""

import re
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

OUT_OF_OFFICE = re.compile(
    r"out of (?:the )?office|automatic reply|auto[- ]?reply|autoreply|away from (?:the |my )?"
    r"(?:office|desk)|on (?:vacation|holiday|annual leave|parental leave|leave|pto)|"
    r"limited access to (?:my )?e-?mail|(?:currently|will be) (?:out|away|travell?ing)",
    re.IGNORECASE,
)
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTH = r"(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(\d{4}))?"
DATE_PATTERNS = [
    ("iso", re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")),
    ("month_day", re.compile(rf"\b{_MONTH}\s+{_DAY}\b{_YEAR}", re.IGNORECASE)),
    ("day_month", re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\b{_YEAR}", re.IGNORECASE)),
    ("numeric", re.compile(r"\b(\d{1,2})([/.])(\d{1,2})(?:[/.](\d{4}|\d{2}))?\b")),
    ("weekday", re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b", re.IGNORECASE)),
    ("tomorrow", re.compile(r"\btomorrow\b", re.IGNORECASE)),
]
# Words after which a date says when the person is back ("through" means the day after).
RETURN_WORDS = re.compile(
    r"\b(back|return(?:ing|s)?|resum(?:e|ing)|until|till|til|through|thru)\b", re.IGNORECASE
)
# A return further out than this is more likely a misread date than a real absence.
LONGEST_ABSENCE = timedelta(days=180)


def looks_like_out_of_office(subject: str, body: str) -> bool:
    return bool(OUT_OF_OFFICE.search(subject) or OUT_OF_OFFICE.search(body[:2000]))


def out_of_office_return(text: str, *, received: date) -> date | None:
    """The day the writer of an out-of-office reply is back, if the reply says."""
    text = text[:5000]
    found = sorted(_dates_in(text, received))
    if not found:
        return None
    for keyword in RETURN_WORDS.finditer(text):
        after = [(vague, pos, day) for vague, pos, day in found if pos >= keyword.end()]
        if after:
            # "Monday, March 17": the calendar date says it better than the weekday.
            day = min(after)[2]
            if keyword.group(1).lower() in {"through", "thru"}:
                day += timedelta(days=1)
            return day
    return max(day for _, _, day in found)


def _dates_in(text: str, received: date):
    """(vague, position, date) for each plausible future date; weekdays and "tomorrow" are
    vague, calendar dates are not."""
    for kind, pattern in DATE_PATTERNS:
        for match in pattern.finditer(text):
            day = _to_date(kind, match, received)
            if day is not None and received < day <= received + LONGEST_ABSENCE:
                yield kind in {"weekday", "tomorrow"}, match.start(), day


def _to_date(kind: str, match: re.Match, received: date) -> date | None:
    groups = match.groups()
    if kind == "iso":
        return _safe_date(int(groups[0]), int(groups[1]), int(groups[2]))
    if kind == "month_day":
        return _with_year(MONTHS[groups[0].lower()], int(groups[1]), groups[2], received)
    if kind == "day_month":
        return _with_year(MONTHS[groups[1].lower()], int(groups[0]), groups[2], received)
    if kind == "numeric":
        first, separator, second, year = groups
        first, second = int(first), int(second)
        # Slashes read month first (3/14) unless that cannot be; dots read day first (14.3).
        month_first = (separator == "/" and first <= 12) or (separator == "." and second > 12)
        month, day = (first, second) if month_first else (second, first)
        if year and len(year) == 2:
            year = f"20{year}"
        return _with_year(month, day, year, received)
    if kind == "weekday":
        ahead = (WEEKDAYS.index(groups[0].lower()) - received.weekday()) % 7 or 7
        return received + timedelta(days=ahead)
    return received + timedelta(days=1)


def _with_year(month: int, day: int, year: str | None, received: date) -> date | None:
    if year:
        return _safe_date(int(year), month, day)
    this_year = _safe_date(received.year, month, day)
    if this_year is not None and this_year > received:
        return this_year
    return _safe_date(received.year + 1, month, day)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
