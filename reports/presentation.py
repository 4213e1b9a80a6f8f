"""How a report's figures are written: on the page, in the CSV, and as JSON for the API."""

import csv
import io
from decimal import Decimal
from typing import Any

from reports.registry import Column, ReportData, Table


def cell_text(value: Any, column: Column) -> str:
    if value is None:
        return "—" if column.kind != "text" else ""
    if column.kind == "percent":
        return f"{value * 100:.1f}%"
    if column.kind == "money":
        return f"{Decimal(value):,.2f}"
    if column.kind == "days":
        return f"{value:.1f}"
    if column.kind == "int":
        return f"{value:,}"
    return str(value)


def table_cells(table: Table) -> list[list[tuple[str, bool]]]:
    """Each row as (text, is a number) pairs, in the columns' order."""
    return [
        [
            (cell_text(row.get(column.key), column), column.kind != "text")
            for column in table.columns
        ]
        for row in table.rows
    ]


def csv_text(data: ReportData, *, title: str, period_label: str) -> str:
    """Every table of the report, one after the other, with its title; raw figures (a rate as a
    fraction, money with its cents), so a spreadsheet can compute with them."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title, period_label])
    for table in data.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow([column.label for column in table.columns])
        for row in table.rows:
            writer.writerow([_raw(row.get(column.key)) for column in table.columns])
    return out.getvalue()


def _raw(value: Any) -> Any:
    if value is None:
        return ""
    text = str(value)
    # A cell a spreadsheet would run as a formula is written as text.
    if isinstance(value, str) and text[:1] in {"=", "+", "-", "@"}:
        return "'" + text
    return text


def json_rows(table: Table) -> list[dict[str, Any]]:
    return [
        {
            column.key: float(row[column.key])
            if isinstance(row.get(column.key), Decimal)
            else row.get(column.key)
            for column in table.columns
        }
        for row in table.rows
    ]
