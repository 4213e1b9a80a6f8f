"""CSV exports of the lists (pages and API, streamed, with the list's filters), sortable
columns, and saved views per member."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outreach.models import SavedView
from tests.factories import ContactFactory, ProspectFactory, TagFactory, UserFactory


def rows_of(response) -> list[list[str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.django_db
def test_the_prospect_export_streams_the_filtered_list_with_tags(alice_client, workspace):
    vip = TagFactory(workspace=workspace, name="vip")
    ProspectFactory(workspace=workspace, name="Brex", status="WON", tags=[vip])
    ProspectFactory(workspace=workspace, name="=HYPERLINK(1)", status="WON")
    ProspectFactory(workspace=workspace, name="Plaid", status="NEW")

    rows = rows_of(alice_client.get("/prospects/export.csv", {"status": "WON", "sort": "name"}))

    assert rows[0][:3] == ["Id", "Company", "Domain"]
    assert [r[1] for r in rows[1:]] == ["'=HYPERLINK(1)", "Brex"]
    assert rows[2][6] == "vip"


@pytest.mark.django_db
def test_an_export_costs_the_same_queries_for_few_or_many_rows(alice_client, workspace):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            rows_of(alice_client.get("/contacts/export.csv"))
        return len(ctx.captured_queries)

    prospect = ProspectFactory(workspace=workspace)
    ContactFactory(prospect=prospect, tags=[TagFactory(workspace=workspace)])
    alice_client.get("/")  # the first visit stores the chosen workspace in the session
    few = count()
    for _ in range(30):
        ContactFactory(prospect=prospect, tags=[TagFactory(workspace=workspace)])
    assert count() == few


@pytest.mark.django_db
def test_the_api_exports_use_the_list_filters_and_stay_in_the_workspace(
    api, workspace, other_workspace
):
    prospect = ProspectFactory(workspace=workspace, name="Ours")
    ContactFactory(prospect=prospect, email="pat@ours.example", phone="+1 555 0100")
    ContactFactory(prospect=ProspectFactory(workspace=other_workspace), email="x@theirs.example")

    rows = rows_of(api.get("contacts/export", q="pat"))
    assert [r[5] for r in rows[1:]] == ["pat@ours.example"]
    assert rows[1][6] == "+1 555 0100"
    assert [r[1] for r in rows_of(api.get("prospects/export"))[1:]] == ["Ours"]
    assert api.get("prospects/export", sort="sideways").status_code == 422


@pytest.mark.django_db
def test_sorting_the_list_by_a_column_keeps_the_filter(alice_client, workspace):
    for name in ("Alpha", "Bravo", "Charlie"):
        ProspectFactory(workspace=workspace, name=name, status="NEW")
    page = alice_client.get("/prospects/", {"status": "NEW", "sort": "-name"}).content.decode()
    assert page.index("Charlie") < page.index("Bravo") < page.index("Alpha")
    assert 'aria-sort="descending"' in page
    assert "?status=NEW&amp;sort=name" in page  # the column's link turns the order around


@pytest.mark.django_db
def test_a_member_saves_a_view_of_a_list_and_only_they_see_it(alice_client, workspace, bob):
    response = alice_client.post(
        "/views/",
        {"name": "Won fintech", "list_name": "prospects", "query": "status=WON&page=3&evil=1"},
    )
    view = SavedView.objects.get()
    assert view.query == "status=WON" and view.owner.username == "alice"
    assert response["Location"] == "/prospects/?status=WON"
    assert b"Won fintech" in alice_client.get("/prospects/").content

    again = alice_client.post(
        "/views/", {"name": "Won fintech", "list_name": "prospects", "query": ""}, follow=True
    )
    assert b"already have a view named" in again.content

    stranger = UserFactory()
    from outreach.models import Membership, Role

    Membership.objects.create(workspace=workspace, user=stranger, role=Role.REP)
    alice_client.force_login(stranger)
    assert b"Won fintech" not in alice_client.get("/prospects/").content
    assert alice_client.post(f"/views/{view.pk}/delete/").status_code == 404
    assert SavedView.objects.exists()


@pytest.mark.django_db
def test_the_lists_offer_new_prospect_and_new_contact(alice_client, workspace):
    assert b'href="/prospects/new/"' in alice_client.get("/prospects/").content
    contacts = alice_client.get("/contacts/").content
    assert b'href="/contacts/new/"' in contacts and b"New contact" in contacts
