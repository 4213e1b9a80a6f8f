"""The automation pages cost the same queries for few or many automations, runs and steps."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.automations import api_world


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_lists_and_run_pages_do_not_grow_with_rows(alice_client, workspace, alice):
    ids = api_world.populate(workspace, alice, 2, {})
    pages = [
        "/automations/",
        "/automations/runs/",
        f"/automations/runs/{ids['execution_id']}/",
        f"/automations/{ids['automation_id']}/",
    ]
    alice_client.get("/")
    few = {page: queries(alice_client, page) for page in pages}
    api_world.populate(workspace, alice, 30, {})
    for page in pages:
        assert queries(alice_client, page) == few[page], page
