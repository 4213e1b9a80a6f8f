"""The date range and the bucket (day or week) a report covers, read from the URL, in the
workspace's time zone: a day is the workspace's calendar day, not UTC's."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from django.db.models import Expression, Func, IntegerField
from django.utils import timezone

from config.errors import ValidationFailed

PRESETS: dict[str, tuple[str, int]] = {
    "7d": ("Last 7 days", 7),
    "30d": ("Last 30 days", 30),
    "90d": ("Last 90 days", 90),
    "365d": ("Last 12 months", 365),
}
DEFAULT_PRESET = "30d"
BUCKETS = {"day": "Day", "week": "Week"}
# Longest custom range: two years of weeks, or a year of days, keeps a chart readable.
MAX_DAYS = {"day": 366, "week": 731}


class BucketNumber(Func):
    """Which of the buckets starting at `starts` (in order) a timestamp falls in, from 1: the
    buckets' first moments are worked out once, in Python's time zones, and each row is only
    compared with them. Converting every timestamp to the workspace's time zone instead cost
    two thirds of a 90-day count over the outreach log."""

    output_field = IntegerField()

    def __init__(self, expression: str | Expression, *, starts: list[datetime]) -> None:
        super().__init__(expression)
        self.starts = starts

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        sql, params = compiler.compile(self.source_expressions[0])
        whens, all_params = [], []
        for number, start in enumerate(self.starts[1:], start=1):
            whens.append(f"WHEN {sql} < %s THEN {number}")
            all_params += [*params, connection.ops.adapt_datetimefield_value(start)]
        if not whens:  # one bucket holds the whole range
            return "1", []
        return f"CASE {' '.join(whens)} ELSE {len(self.starts)} END", all_params

    def as_postgresql(self, compiler, connection, **extra_context):
        # A binary search of the array, whatever the number of buckets.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"width_bucket({sql}, %s::timestamptz[])", [*params, self.starts]


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    by: str  # "day" or "week"
    time_zone: ZoneInfo
    preset: str  # a key of PRESETS, or "custom"

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=self.time_zone)

    @property
    def end_at(self) -> datetime:
        """The first moment after the range (exclusive)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=self.time_zone)

    def buckets(self) -> list[date]:
        if self.by == "day":
            first, step = self.start, timedelta(days=1)
        else:
            first, step = self.start - timedelta(days=self.start.weekday()), timedelta(days=7)
        days = []
        while first <= self.end:
            days.append(first)
            first += step
        return days

    def bucket_of(self, field: str | Expression) -> Expression:
        """The bucket a timestamp falls in (the day, or the week from its Monday, in the
        workspace's time zone), as the database numbers it: bucket_day() reads the number."""
        return BucketNumber(field, starts=self.bucket_starts())

    def bucket_starts(self) -> list[datetime]:
        return [datetime.combine(day, time.min, tzinfo=self.time_zone) for day in self.buckets()]

    def bucket_day(self, number: int) -> date:
        return self._bucket_days[number - 1]

    @cached_property
    def _bucket_days(self) -> list[date]:
        return self.buckets()

    def as_params(self) -> dict[str, str]:
        if self.preset == "custom":
            return {"start": self.start.isoformat(), "end": self.end.isoformat(), "by": self.by}
        return {"range": self.preset, "by": self.by}


def period_from_params(
    params: Mapping[str, str], *, time_zone: str, today: date | None = None
) -> Period:
    """Read `range` (a preset) or `start`/`end` (ISO dates), and `by`; refuse what makes no
    sense with the field it concerns."""
    zone = ZoneInfo(time_zone)
    today = today or timezone.localdate(timezone=zone)
    by = params.get("by") or "day"
    if by not in BUCKETS:
        raise ValidationFailed.for_field("by", "Group by day or week.")
    preset = params.get("range") or ""
    if preset and preset != "custom" and preset not in PRESETS:
        raise ValidationFailed.for_field("range", f"Choose one of {', '.join(PRESETS)}.")
    start_text, end_text = params.get("start") or "", params.get("end") or ""
    # A preset wins over the dates the form also sends; the dates make a custom range.
    if preset not in PRESETS and (start_text or end_text or preset == "custom"):
        start = _date(start_text, "start") if start_text else None
        end = _date(end_text, "end") if end_text else today
        if start is None:
            raise ValidationFailed.for_field("start", "Give the first day of the range.")
        if start > end:
            raise ValidationFailed.for_field("end", "The range ends before it starts.")
        if (end - start).days + 1 > MAX_DAYS[by]:
            raise ValidationFailed.for_field(
                "end", f"A range by {by} covers at most {MAX_DAYS[by]} days."
            )
        return Period(start=start, end=end, by=by, time_zone=zone, preset="custom")
    preset = preset or DEFAULT_PRESET
    days = PRESETS[preset][1]
    if days > MAX_DAYS[by]:
        raise ValidationFailed.for_field("by", "Group a range this long by week.")
    return Period(
        start=today - timedelta(days=days - 1), end=today, by=by, time_zone=zone, preset=preset
    )


# Dates a sales history can have; beyond them the time-zone arithmetic would overflow.
EARLIEST, LATEST = date(1970, 1, 1), date(2199, 12, 31)


def _date(text: str, field: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed.for_field(field, "Give a date as YYYY-MM-DD.") from None
    if not EARLIEST <= day <= LATEST:
        raise ValidationFailed.for_field(
            field, f"Give a date between {EARLIEST.year} and {LATEST.year}."
        )
    return day
