"""Free slots: a rep's working hours in their own time zone, minus their meetings.

Everything is computed in UTC from wall-clock hours read in the rep's zone day by day, so a
daylight-saving change moves the slots with the rep's clock: 9:00 in Los Angeles is 17:00 UTC
in winter and 16:00 UTC in summer. An hour that does not exist on a spring-forward day is
read with the offset before the change (02:30 becomes 03:30); one that happens twice on a
fall-back day is its first occurrence.
"""

import re
import zoneinfo
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

HOURS_PATTERN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
Interval = tuple[datetime, datetime]
WeeklyHours = Mapping[str, Sequence[Sequence[str]]]


@dataclass(frozen=True)
class SlotRules:
    """What a meeting type asks of a slot."""

    duration: timedelta
    buffer: timedelta
    days_ahead: int
    min_notice: timedelta


def parse_hours(value: str) -> time | None:
    """'09:30' -> 09:30; '24:00' (the end of a day) -> None."""
    match = HOURS_PATTERN.match(value)
    if match is None:
        raise ValueError(f"{value!r} is not a time of day like 09:30.")
    return None if value == "24:00" else time(int(value[:2]), int(value[3:]))


def check_weekly_hours(hours: object) -> dict[str, list[list[str]]]:
    """The hours in their stored shape, or ValueError saying what is wrong."""
    if not isinstance(hours, Mapping):
        raise ValueError("Working hours map a weekday (0 = Monday) to a list of [start, end].")
    clean: dict[str, list[list[str]]] = {}
    for key, spans in hours.items():
        if key not in {str(day) for day in range(7)}:
            raise ValueError(f"{key!r} is not a weekday number from 0 (Monday) to 6 (Sunday).")
        if not isinstance(spans, list | tuple):
            raise ValueError("Each day's hours are a list of [start, end] pairs.")
        day: list[list[str]] = []
        for span in spans:
            if not (isinstance(span, list | tuple) and len(span) == 2):
                raise ValueError("Each span of hours is a [start, end] pair.")
            start, end = (str(part) for part in span)
            start_time, end_time = parse_hours(start), parse_hours(end)
            if start_time is None or (end_time is not None and end_time <= start_time):
                raise ValueError(f"{start}-{end}: a span of hours must end after it starts.")
            day.append([start, end])
        day.sort()
        for (_, earlier_end), (later_start, _) in pairwise(day):
            if earlier_end > later_start:
                raise ValueError("Spans of hours on the same day must not overlap.")
        if day:
            clean[key] = day
    return clean


def working_intervals(
    *, hours: WeeklyHours, zone: str, first_day: date, last_day: date
) -> Iterator[Interval]:
    """The rep's working spans from first_day to last_day (their calendar), in UTC."""
    tz = zoneinfo.ZoneInfo(zone)
    day = first_day
    while day <= last_day:
        for start, end in hours.get(str(day.weekday()), ()):
            yield _at(day, start, tz), _at(day, end, tz)
        day += timedelta(days=1)


def free_slots(
    *,
    hours: WeeklyHours,
    zone: str,
    rules: SlotRules,
    busy: Iterable[Interval],
    now: datetime,
    after: datetime | None = None,
    limit: int | None = None,
) -> list[datetime]:
    """Start times (UTC) of every free slot from now + the minimum notice up to the last day
    the meeting type may be booked (days_ahead days after today, on the rep's calendar)."""
    tz = zoneinfo.ZoneInfo(zone)
    today = now.astimezone(tz).date()
    earliest = now + rules.min_notice
    if after is not None:
        earliest = max(earliest, after)
    # The buffer keeps this much free around every meeting, theirs and the new one alike.
    blocked = sorted((start - rules.buffer, end + rules.buffer) for start, end in busy)
    slots: list[datetime] = []
    for span_start, span_end in working_intervals(
        hours=hours, zone=zone, first_day=today, last_day=today + timedelta(days=rules.days_ahead)
    ):
        start = span_start
        while start + rules.duration <= span_end:
            end = start + rules.duration
            if start >= earliest and not _overlaps(start, end, blocked):
                slots.append(start)
                if limit is not None and len(slots) >= limit:
                    return slots
            start = end
    return slots


def _overlaps(start: datetime, end: datetime, blocked: list[Interval]) -> bool:
    return any(b_start < end and start < b_end for b_start, b_end in blocked)


def _at(day: date, hours: str, tz: zoneinfo.ZoneInfo) -> datetime:
    clock = parse_hours(hours)
    if clock is None:
        return _at(day + timedelta(days=1), "00:00", tz)
    # A wall time read in the zone, then normalised through UTC: that is what moves a time in a
    # spring-forward gap past the gap.
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)
