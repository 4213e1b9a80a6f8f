"""GET /api/v1/reports/<name>: each report's figures as JSON, with the page's range and filters."""

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from outreach.workspaces.auth import principal_of
from reports import selectors
from reports.period import period_from_params
from reports.presentation import json_rows
from reports.registry import REPORTS, build
from reports.schemas import PeriodQuery, ReportOut

router = Router(tags=["reports"])


def _answer(request: HttpRequest, name: str, query: PeriodQuery, **filters: int | None) -> Any:
    report = REPORTS[name]
    workspace = principal_of(request).workspace
    params = {
        "range": query.range or "",
        "start": query.start.isoformat() if query.start else "",
        "end": query.end.isoformat() if query.end else "",
        "by": query.by,
    }
    period = period_from_params(params, time_zone=workspace.time_zone)
    choices = selectors.filter_choices(workspace=workspace, names=report.filters)
    chosen = selectors.filters_from_params(
        {key: "" if value is None else str(value) for key, value in filters.items()},
        choices=choices,
    )
    data = build(report=report, workspace=workspace, period=period, filters=chosen)
    return {
        "name": report.name,
        "title": report.title,
        "start": period.start,
        "end": period.end,
        "by": period.by,
        "time_zone": period.time_zone.key,
        "filters": {key: value for key, value in asdict(chosen).items() if value is not None},
        "summary": [{"label": label, "value": value} for label, value in data.summary],
        "chart": asdict(data.chart),
        "tables": [
            {
                "title": table.title,
                "columns": [asdict(c) for c in table.columns],
                "rows": json_rows(table),
            }
            for table in data.tables
        ],
        "notes": data.notes,
    }


@router.get("/sequence-funnel", response=ReportOut, summary="Sequence funnel")
def sequence_funnel(request: HttpRequest, query: Query[PeriodQuery], sequence: int | None = None):
    """Per sequence and step: enrolled, sent, opened, clicked, replied by intent, bounced,
    opted out and meetings; the reply rate per step and per email template."""
    return _answer(request, "sequence-funnel", query, sequence=sequence)


@router.get("/activity", response=ReportOut, summary="Activity by rep")
def activity(request: HttpRequest, query: Query[PeriodQuery], rep: int | None = None):
    """Emails, calls by outcome, tasks completed and overdue, meetings booked, per rep and per
    day or week."""
    return _answer(request, "activity", query, rep=rep)


@router.get("/replies", response=ReportOut, summary="Replies over time")
def replies(request: HttpRequest, query: Query[PeriodQuery]):
    """Replies by intent per day or week, and the triage's measured precision."""
    return _answer(request, "replies", query)


@router.get("/pipeline", response=ReportOut, summary="Pipeline")
def pipeline(request: HttpRequest, query: Query[PeriodQuery], pipeline: int | None = None):
    """Deal value and count by stage, stage-to-stage conversion and average days in stage."""
    return _answer(request, "pipeline", query, pipeline=pipeline)


@router.get("/engagement", response=ReportOut, summary="Engagement")
def engagement(request: HttpRequest, query: Query[PeriodQuery]):
    """Contacts per engagement level, and the signals that moved them."""
    return _answer(request, "engagement", query)


@router.get("/campaigns", response=ReportOut, summary="Campaigns")
def campaigns(request: HttpRequest, query: Query[PeriodQuery], campaign: int | None = None):
    """Per campaign: videos made, wizard visitors, plays, PDF downloads, and the call tasks and
    meetings that followed."""
    return _answer(request, "campaigns", query, campaign=campaign)
