"""The shapes of the reports API: the range a report covers and the series it returns."""

from datetime import date
from typing import Any, Literal

from ninja import Schema
from pydantic import Field


class PeriodQuery(Schema):
    range: Literal["7d", "30d", "90d", "365d", "custom"] | None = Field(
        None, description="A preset range ending today; wins over start and end."
    )
    start: date | None = Field(None, description="First day of a custom range (YYYY-MM-DD).")
    end: date | None = Field(None, description="Last day of a custom range; today if left out.")
    by: Literal["day", "week"] = Field("day", description="One bucket per day or per week.")


class SummaryOut(Schema):
    label: str
    value: str


class SeriesOut(Schema):
    name: str
    values: list[float]


class ChartOut(Schema):
    kind: str = Field(description="stacked or grouped bars")
    categories: list[str]
    series: list[SeriesOut]
    unit: str


class ColumnOut(Schema):
    key: str
    label: str
    kind: str = Field(description="int, money, percent (a fraction), days or text")


class TableOut(Schema):
    title: str
    columns: list[ColumnOut]
    rows: list[dict[str, Any]]


class ReportOut(Schema):
    name: str
    title: str
    start: date
    end: date
    by: str
    time_zone: str
    filters: dict[str, int]
    summary: list[SummaryOut]
    chart: ChartOut
    tables: list[TableOut]
    notes: list[str]
