"""Every list (API endpoints and dashboard pages) runs the same number of queries whatever the
page size: no N+1 anywhere a list is shown."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outreach.models import Role
from tests import api_world
from tests.factories import (
    ContactFactory,
    DealFactory,
    MeetingFactory,
    MembershipFactory,
    OutreachLogFactory,
    PipelineFactory,
    ProspectFactory,
    TagFactory,
    TouchTaskFactory,
    UserFactory,
    api_key_for,
)
from tests.outreach.test_tenancy import operations


def populate(workspace, owner, n: int) -> dict[str, int]:
    """n rows of every listed kind, each with the relations the lists show."""
    tags = [TagFactory(workspace=workspace) for _ in range(3)]
    pipeline = PipelineFactory(workspace=workspace)
    first = None
    for i in range(n):
        prospect = ProspectFactory(workspace=workspace, owner=owner, tags=tags[: 1 + i % 3])
        first = first or prospect
        contact = ContactFactory(prospect=prospect, tags=tags[:2])
        DealFactory(prospect=prospect, pipeline=pipeline, contact=contact, owner=owner)
        TouchTaskFactory(prospect=first, contact=contact, assignee=owner)
        OutreachLogFactory(prospect=first, contact=contact)
        PipelineFactory(workspace=workspace)
        api_key_for(workspace)
        MembershipFactory(workspace=workspace, user=UserFactory(), role=Role.REP)
    ids = {"prospect_id": first.pk}
    for module in api_world.extensions():
        ids.update(module.populate(workspace, owner, n, ids))
    return ids


def count_queries(fetch) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = fetch()
    return len(ctx.captured_queries), response


@pytest.mark.django_db
def test_every_api_list_costs_the_same_queries_for_5_or_50_rows(client, workspace, alice, api):
    ids = populate(workspace, alice, 55)
    spec = client.get("/api/v1/openapi.json").json()
    schemas = spec["components"]["schemas"]

    def is_page(operation: dict) -> bool:
        content = operation["responses"]["200"].get("content", {})
        if "application/json" not in content:
            return False  # a CSV export, counted below
        ref = content["application/json"]["schema"].get("$ref")
        return bool(ref) and "items" in schemas[ref.split("/")[-1]].get("properties", {})

    list_paths = [
        path
        for path, method, operation in operations(spec)
        if method == "get" and is_page(operation)
    ]
    assert "/api/v1/prospects" in list_paths and "/api/v1/tasks" in list_paths
    api.get("prospects")  # the key's first use of the minute writes last_used_at; skip it

    for path in list_paths:
        url = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)
        small, small_page = count_queries(lambda u=url: api.get(u, page_size=5))
        large, large_page = count_queries(lambda u=url: api.get(u, page_size=50))
        assert small_page.status_code == large_page.status_code == 200, path
        assert len(large_page.json()["items"]) > len(small_page.json()["items"]) or (
            large_page.json()["count"] <= 5
        ), path
        assert small == large, f"{path}: {small} queries for 5 rows, {large} for 50"
        assert large <= 6, f"{path} runs {large} queries"


@pytest.mark.django_db
def test_dashboard_lists_cost_the_same_queries_for_few_or_many_rows(alice_client, workspace, alice):
    populate(workspace, alice, 3)
    pages = [
        "/prospects/",
        "/prospects/?sort=-created&status=NEW",
        "/prospects/?sort=status&tag=x",
        "/contacts/",
        "/contacts/?sort=-email&q=a",
        "/imports/",
        "/search/?q=po",
        "/tasks/?scope=all",
        "/tasks/?scope=all&show=snoozed",
        "/",
        "/settings/api-keys/",
        "/deals/board/",
        "/settings/tags/",
        "/settings/pipelines/",
        "/deals/new/",
        "/templates/",
        "/mailboxes/",
        "/meetings/",
    ]
    alice_client.get("/")  # the first visit stores the chosen workspace in the session
    few = {page: count_queries(lambda p=page: alice_client.get(p))[0] for page in pages}
    populate(workspace, alice, 40)
    for page in pages:
        many, response = count_queries(lambda p=page: alice_client.get(p))
        assert response.status_code == 200
        assert many == few[page], f"{page}: {few[page]} queries with 3 rows, {many} with 43"


@pytest.mark.django_db
def test_the_prospect_page_costs_the_same_queries_for_few_or_many_records(
    alice_client, workspace, alice
):
    def prospect_with(n: int):
        prospect = ProspectFactory(workspace=workspace, tags=[TagFactory(workspace=workspace)])
        for _ in range(n):
            contact = ContactFactory(prospect=prospect, tags=[TagFactory(workspace=workspace)])
            DealFactory(prospect=prospect, contact=contact)
            TouchTaskFactory(prospect=prospect, contact=contact)
            OutreachLogFactory(prospect=prospect, contact=contact)
            MeetingFactory(contact=contact, host=alice, workspace=workspace)
        return prospect

    small, large = prospect_with(1), prospect_with(12)
    alice_client.get("/")
    few, _ = count_queries(lambda: alice_client.get(f"/prospects/{small.pk}/"))
    many, response = count_queries(lambda: alice_client.get(f"/prospects/{large.pk}/"))
    assert response.status_code == 200
    assert many == few


@pytest.mark.django_db
def test_a_contacts_page_and_the_record_editors_cost_the_same_queries_for_few_or_many(
    alice_client, workspace, alice
):
    pipeline = PipelineFactory(workspace=workspace)

    def contact_with(n: int):
        prospect = ProspectFactory(workspace=workspace, tags=[TagFactory(workspace=workspace)])
        contact = ContactFactory(prospect=prospect, tags=[TagFactory(workspace=workspace)])
        for _ in range(n):
            ContactFactory(prospect=prospect)
            DealFactory(prospect=prospect, contact=contact, pipeline=pipeline)
            TouchTaskFactory(prospect=prospect, contact=contact)
            OutreachLogFactory(prospect=prospect, contact=contact)
            MembershipFactory(workspace=workspace, user=UserFactory())
        return contact

    small, large = contact_with(1), contact_with(12)
    alice_client.get("/")
    for page in (
        "/contacts/{contact}/",
        "/contacts/{contact}/edit/",
        "/prospects/{prospect}/edit/",
        "/deals/new/?prospect={prospect}",
        "/deals/{deal}/edit/",
        "/prospects/{prospect}/delete/",
    ):
        few, _ = count_queries(
            lambda p=page: alice_client.get(
                p.format(contact=small.pk, prospect=small.prospect_id, deal=small.deals.first().pk)
            )
        )
        many, response = count_queries(
            lambda p=page: alice_client.get(
                p.format(contact=large.pk, prospect=large.prospect_id, deal=large.deals.first().pk)
            )
        )
        assert response.status_code == 200, page
        assert many == few, f"{page}: {few} queries with 1 of everything, {many} with 12"
