"""What a report is (its name, title, filters, and the selector that builds it) and the shape of
what it shows: headline figures, a chart's series, and the table behind the chart."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from outreach.models import Workspace
from reports.period import Period


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # "int", "money", "percent", "days" or "text": how the page and the CSV write a value.
    kind: str = "int"


@dataclass
class Series:
    name: str
    values: list[float]


@dataclass
class Chart:
    # "stacked" (bars per category, series on top of each other) or "grouped" (side by side).
    kind: str
    categories: list[str]
    series: list[Series]
    unit: str = ""


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]


@dataclass
class ReportData:
    summary: list[tuple[str, str]]
    chart: Chart
    # The first table is the one behind the chart; the CSV holds them all.
    tables: list[Table]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Filters:
    """Ids the URL narrowed the report to (each checked to be the workspace's)."""

    rep: int | None = None
    sequence: int | None = None
    pipeline: int | None = None
    campaign: int | None = None


Builder = Callable[..., ReportData]


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    blurb: str
    filters: tuple[str, ...]
    build: Builder  # (*, workspace, period, filters) -> ReportData
    buckets: bool = True  # whether "by day / by week" changes it


REPORTS: dict[str, Report] = {}


def register(report: Report) -> Report:
    REPORTS[report.name] = report
    return report


def build(*, report: Report, workspace: Workspace, period: Period, filters: Filters) -> ReportData:
    with _planned_for_their_values():
        return report.build(workspace=workspace, period=period, filters=filters)


@contextmanager
def _planned_for_their_values() -> Iterator[None]:
    """Run the report's queries unprepared. A statement the connection has run a few times is
    prepared, and PostgreSQL may then plan it once for any values: for a report that plan
    cannot use the partial indexes (it does not know the values their conditions name) nor
    tell a week's range from a year's, and the 10th and later answers took 4-5 times as long.
    Planning each query takes under a millisecond of queries that run for tens."""
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    driver = connection.connection
    threshold = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = threshold
