"""Every list answered without ninja's per-row validation (config/fast_rows.py) gives exactly
the JSON that ninja's validation of the same schema gives, page by page."""

import re

import pytest

from config import fast_rows
from tests.outreach.test_query_counts import populate

FAST_LISTS = [
    "contacts",
    "deals",
    "tasks",
    "tasks?status=all",
    "replies",
    "sequences",
    "automations",
    "automations/executions",
    "campaigns",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", FAST_LISTS)
def test_a_fast_list_answers_what_ninja_validation_answers(
    path, workspace, alice, api, monkeypatch
):
    populate(workspace, alice, 7)
    api.get("prospects")  # the key's first use of the minute writes last_used_at
    url, _, query = path.partition("?")
    params = dict(re.findall(r"(\w+)=(\w+)", query))

    fast = api.get(url, page_size=5, page=2, **params)
    monkeypatch.setattr(fast_rows, "NINJA_VALIDATES", True)
    validated = api.get(url, page_size=5, page=2, **params)

    assert fast.status_code == validated.status_code == 200
    assert fast["Content-Type"] == validated["Content-Type"]
    assert fast.json()["items"], f"{path}: nothing to compare"
    assert fast.content == validated.content


def test_a_schema_with_a_resolver_that_is_not_static_is_refused():
    from ninja import Schema

    class Odd(Schema):
        name: str

        def resolve_name(self, obj):
            return "x"

    with pytest.raises(TypeError):
        fast_rows.rows_of(Odd)
