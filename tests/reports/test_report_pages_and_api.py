"""The report pages, their CSV and the API: every report answers, bad input is a clear 4xx,
another workspace's ids are refused and its figures never show, and a report costs the same
number of queries however much history there is."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outreach.models import Meeting
from reports.registry import REPORTS
from tests.reports.histories import history

MARKER = "zzstrangerzz"


def count_queries(fetch):
    with CaptureQueriesContext(connection) as ctx:
        response = fetch()
    return len(ctx.captured_queries), response


@pytest.mark.django_db
def test_every_report_page_shows_its_chart_table_and_csv(alice_client, workspace, alice):
    history(workspace, alice, 2)
    index = alice_client.get("/reports/")
    assert index.status_code == 200
    for report in REPORTS.values():
        assert f"/reports/{report.name}/".encode() in index.content
        page = alice_client.get(f"/reports/{report.name}/?range=7d")
        assert page.status_code == 200, report.name
        html = page.content.decode()
        assert '<svg class="report-chart wide"' in html and 'class="bar"' in html, report.name
        assert "<table" in html
        assert 'aria-current="page"' in html
        download = alice_client.get(f"/reports/{report.name}.csv?range=7d")
        assert download.status_code == 200
        assert download["Content-Type"].startswith("text/csv")
        lines = list(csv.reader(io.StringIO(download.content.decode())))
        assert lines[0][0] == report.title
        assert len(lines) > 4


@pytest.mark.django_db
def test_the_activity_csv_holds_the_figures_of_the_page(alice_client, workspace, alice):
    history(workspace, alice, 3)
    lines = list(
        csv.reader(io.StringIO(alice_client.get("/reports/activity.csv").content.decode()))
    )
    per_rep = lines[lines.index(["Per rep"]) + 1 :]
    header, alice_row = per_rep[0], per_rep[1]
    assert header[:3] == ["Rep", "Emails", "Calls"]
    assert alice_row[0] == "Alice"
    assert alice_row[1] == "3"  # three emails
    assert alice_row[header.index("Meetings booked")] == "3"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query,field",
    [
        ("range=forever", "range"),
        ("start=2026-13-01", "start"),
        ("start=2026-02-01&end=2026-01-01", "end"),
        ("start=2020-01-01&end=2026-01-01", "end"),
        ("by=month", "by"),
        ("start=9999-12-30&end=9999-12-31", "start"),
        ("start=0001-01-01&end=0001-01-02", "start"),
    ],
)
def test_a_bad_range_is_a_400_that_says_why(alice_client, workspace, query, field):
    page = alice_client.get(f"/reports/activity/?{query}")
    assert page.status_code == 400
    assert b'role="alert"' in page.content
    assert alice_client.get(f"/reports/activity.csv?{query}").status_code == 400


@pytest.mark.django_db
def test_an_unknown_report_is_a_404(alice_client, api):
    assert alice_client.get("/reports/nope/").status_code == 404
    assert alice_client.get("/reports/nope.csv").status_code == 404
    assert api.get("reports/nope").status_code == 404


@pytest.mark.django_db
def test_a_filter_naming_another_workspaces_record_is_refused(
    alice_client, api, workspace, other_workspace, alice, charlie
):
    pipeline, campaign = history(other_workspace, charlie, 1, mark=MARKER)
    for name, query in (
        ("pipeline", f"pipeline={pipeline.pk}"),
        ("campaigns", f"campaign={campaign.pk}"),
        ("activity", f"rep={charlie.pk}"),
        ("pipeline", "pipeline=abc"),
    ):
        page = alice_client.get(f"/reports/{name}/?{query}")
        assert page.status_code == 400, (name, query)
        assert MARKER.encode() not in page.content
        if query != "pipeline=abc":
            response = api.get(f"reports/{name}?{query}")
            assert response.status_code == 422, (name, query)
            assert MARKER.encode() not in response.content


@pytest.mark.django_db
def test_no_report_shows_another_workspaces_figures(
    alice_client, api, workspace, other_workspace, alice, charlie
):
    history(other_workspace, charlie, 3, mark=MARKER)
    for report in REPORTS.values():
        page = alice_client.get(f"/reports/{report.name}/?range=7d")
        assert page.status_code == 200
        assert MARKER.encode() not in page.content
        assert b'class="bar"' not in page.content, f"{report.name} drew a stranger's figures"
        response = api.get(f"reports/{report.name}?range=7d")
        assert response.status_code == 200
        body = response.json()
        assert MARKER not in response.content.decode()
        assert all(not any(series["values"]) for series in body["chart"]["series"]), report.name


@pytest.mark.django_db
def test_the_api_returns_the_series_with_the_pages_filters(api, workspace, alice):
    pipeline, _campaign = history(workspace, alice, 2)
    response = api.get(f"reports/pipeline?range=90d&pipeline={pipeline.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "pipeline"
    assert body["filters"] == {"pipeline": pipeline.pk}
    assert body["time_zone"] == workspace.time_zone
    assert body["chart"]["categories"] == ["Qualification", "Proposal", "Closed Won"]
    assert body["chart"]["series"][0]["values"] == [2000.0, 0.0, 0.0]
    first = body["tables"][0]["rows"][0]
    assert first["deals"] == 2 and first["entered"] == 2 and first["value"] == 2000.0
    weekly = api.get("reports/activity?start=2026-01-01&end=2026-03-31&by=week").json()
    assert weekly["by"] == "week" and weekly["start"] == "2026-01-01"
    assert len(weekly["chart"]["categories"]) == 14
    assert api.get("reports/activity?by=fortnight").status_code == 422
    assert api.get("reports/activity?start=2026-03-01&end=2026-01-01").status_code == 422
    assert api.get("reports/activity?start=9999-12-30&end=9999-12-31").status_code == 422
    spec = api.get("openapi.json").json()
    for report in REPORTS.values():
        assert f"/api/v1/reports/{report.name}" in spec["paths"]


@pytest.mark.django_db
def test_a_reps_session_reads_the_reports_too(bob_client, workspace, alice):
    history(workspace, alice, 1)
    assert bob_client.get("/reports/activity/").status_code == 200
    assert bob_client.get("/api/v1/reports/replies").status_code == 200


@pytest.mark.django_db
def test_each_report_costs_the_same_queries_for_little_or_much_history(
    alice_client, api, workspace, alice
):
    history(workspace, alice, 2)
    alice_client.get("/")
    api.get("reports/replies")  # the key's first use of the minute writes last_used_at
    few = {}
    for report in REPORTS.values():
        few[report.name] = (
            count_queries(lambda r=report: alice_client.get(f"/reports/{r.name}/?range=30d"))[0],
            count_queries(lambda r=report: api.get(f"reports/{r.name}?range=30d"))[0],
        )
    history(workspace, alice, 25, mark="More")
    Meeting.objects.update(created_at=timezone.now() - timedelta(days=2))
    for report in REPORTS.values():
        page, page_response = count_queries(
            lambda r=report: alice_client.get(f"/reports/{r.name}/?range=30d")
        )
        route, route_response = count_queries(
            lambda r=report: api.get(f"reports/{r.name}?range=30d")
        )
        assert page_response.status_code == route_response.status_code == 200
        assert (page, route) == few[report.name], report.name
        assert route <= 12, f"{report.name} runs {route} queries"
