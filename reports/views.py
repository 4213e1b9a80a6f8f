"""Report pages: the list of reports, and each report with its range, filters, chart, tables
and CSV download."""

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from config.errors import ValidationFailed
from outreach.workspaces.access import member_required
from reports import selectors
from reports.charts import legend, svg_chart
from reports.period import BUCKETS, PRESETS, Period, period_from_params
from reports.presentation import csv_text, table_cells
from reports.registry import REPORTS, Filters, Report, ReportData, build


@member_required
def report_index(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/report_index.html", {"reports": list(REPORTS.values())})


def _report(name: str) -> Report:
    report = REPORTS.get(name)
    if report is None:
        raise Http404("No such report.")
    return report


def _choices(request: HttpRequest, report: Report) -> dict[str, list[tuple[int, str]]]:
    return selectors.filter_choices(workspace=request.workspace, names=report.filters)


@member_required
def report_detail(request: HttpRequest, name: str) -> HttpResponse:
    report = _report(name)
    workspace = request.workspace
    choices = _choices(request, report)
    try:
        period = period_from_params(request.GET, time_zone=workspace.time_zone)
        filters = selectors.filters_from_params(request.GET, choices=choices)
    except ValidationFailed as exc:
        return render(
            request,
            "reports/report_detail.html",
            {
                "report": report,
                "errors": exc.field_errors or {"": [exc.message]},
                "choices": _choice_rows(choices, request.GET),
                "reports": list(REPORTS.values()),
                "params": request.GET,
                "presets": PRESETS,
                "buckets": BUCKETS,
            },
            status=400,
        )
    data = build(report=report, workspace=workspace, period=period, filters=filters)
    return render(
        request,
        "reports/report_detail.html",
        _context(request, report, period, filters, choices, data),
    )


def _choice_rows(choices: dict, params) -> list[dict]:
    return [
        {
            "name": name,
            "label": selectors.FILTER_LABELS[name],
            "options": options,
            "selected": str(params.get(name) or ""),
            # A pipeline report is of one pipeline: the first, unless another is chosen.
            "required": name == "pipeline",
        }
        for name, options in choices.items()
    ]


def _query(period: Period, filters: Filters) -> str:
    values = period.as_params() | {
        name: str(value) for name, value in vars(filters).items() if value is not None
    }
    return urlencode(values)


def _context(
    request, report: Report, period: Period, filters: Filters, choices: dict, data: ReportData
) -> dict:
    return {
        "report": report,
        "reports": list(REPORTS.values()),
        "period": period,
        "presets": PRESETS,
        "buckets": BUCKETS,
        "choices": _choice_rows(choices, request.GET),
        "data": data,
        "chart": svg_chart(data.chart, title=report.title),
        "chart_narrow": svg_chart(data.chart, title=report.title, narrow=True),
        "legend": legend(data.chart),
        "tables": [(table, table_cells(table)) for table in data.tables],
        "query": _query(period, filters),
        "errors": {},
    }


@member_required
def report_csv(request: HttpRequest, name: str) -> HttpResponse:
    report = _report(name)
    workspace = request.workspace
    try:
        period = period_from_params(request.GET, time_zone=workspace.time_zone)
        filters = selectors.filters_from_params(request.GET, choices=_choices(request, report))
    except ValidationFailed as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    data = build(report=report, workspace=workspace, period=period, filters=filters)
    label = f"{period.start.isoformat()} to {period.end.isoformat()}"
    response = HttpResponse(
        csv_text(data, title=report.title, period_label=label),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"{report.name}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
