"""What a report is (its name, title, filters, and the selector that builds it) and the shape of
what it shows: headline figures, a chart's series, and the table behind the chart."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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
    return report.build(workspace=workspace, period=period, filters=filters)
