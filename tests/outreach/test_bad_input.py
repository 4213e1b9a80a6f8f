"""Whatever a client sends, the answer is a clear 4xx, never a 500, and nothing is half-written."""

import pytest

from config.api import api as ninja_api
from outreach.models import Prospect
from tests.factories import ProspectFactory


def test_malformed_json_is_a_400(api):
    response = api.client.post(
        "/api/v1/prospects", "{not json", content_type="application/json", headers=api.headers
    )
    assert response.status_code == 400


def test_nul_characters_are_refused_in_bodies_and_queries(api):
    assert api.post("prospects", {"name": "Evil\u0000Corp"}).status_code == 400
    assert api.post("prospects", {"name": "Ok", "custom_fields": {"k\u0000": 1}}).status_code == 400
    response = api.get("prospects", q="a\x00b")
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    assert not Prospect.objects.exists()


@pytest.mark.parametrize(
    "path",
    ["prospects/99999999999999999999", "prospects/0", "prospects/-1", "tasks/9223372036854775808"],
)
def test_out_of_range_ids_are_refused(api, path):
    assert api.get(path).status_code in {404, 422}


def test_out_of_range_values_are_refused(api, workspace):
    prospect = ProspectFactory(workspace=workspace)
    huge = {"prospect_id": prospect.pk, "subject": "x", "due_at": "0001-01-01T00:00:00+14:00"}
    assert api.post("tasks", huge).status_code == 422
    assert (
        api.post("tasks", {**huge, "due_at": "2030-01-01", "assignee_id": 2**64}).status_code == 422
    )
    deal = {"pipeline_id": 1, "prospect_id": prospect.pk, "name": "x", "value": "1e20"}
    assert api.post("deals", deal).status_code == 422
    assert api.post("prospects", {"name": "x", "custom_fields": {"k" * 101: 1}}).status_code == 422
    assert api.post("prospects", {"name": "x" * 201}).status_code == 422


def test_workspace_settings_validate_hours_and_zones(api):
    assert api.patch("workspace", {"time_zone": "Atlantis/City"}).status_code == 422
    response = api.patch("workspace", {"business_day_start": "18:00", "business_day_end": "09:00"})
    assert response.status_code == 422
    response = api.patch(
        "workspace",
        {
            "time_zone": "Europe/Paris",
            "business_day_start": "08:30+05:00",
            "holidays": ["2030-12-25"],
        },
    )
    assert response.status_code == 200
    assert response.json()["business_day_start"] == "08:30"
    assert response.json()["holidays"] == ["2030-12-25"]


def test_huge_page_numbers_are_refused_not_overflowed(api):
    assert api.get("prospects", page=10**25).status_code == 422
    assert api.get("tasks", page=5472719760906671104, page_size=6796).status_code == 422
    assert api.get("prospects", page=100_000).json()["items"] == []
    for listing in ("sequences", "campaigns", "automations"):
        assert api.get(listing, page=10**25).status_code == 422, listing


def test_every_paginated_route_bounds_its_page_number(api):
    """Each list in the schema uses the one bounded pagination, so no route can overflow."""
    paths = api.get("openapi.json").json()["paths"]
    paginated = {
        f"{method.upper()} {path}": {p["name"]: p["schema"] for p in operation["parameters"]}
        for path, methods in paths.items()
        for method, operation in methods.items()
        if any(p["name"] == "page" for p in operation.get("parameters", []))
    }
    assert len(paginated) >= 10

    def bounded(schema: dict) -> bool:
        return all(
            "maximum" in option
            for option in schema.get("anyOf", [schema])
            if option.get("type") == "integer"
        )

    unbounded = [
        route
        for route, params in paginated.items()
        if not (bounded(params["page"]) and bounded(params.get("page_size", {})))
    ]
    assert unbounded == []


def test_a_null_name_or_an_unparsable_domain_is_a_422(api, workspace):
    from tests.factories import ProspectFactory, TagFactory

    tag = TagFactory(workspace=workspace)
    assert api.patch(f"tags/{tag.pk}", {"name": None}).status_code == 422
    prospect = ProspectFactory(workspace=workspace)
    assert api.patch(f"prospects/{prospect.pk}", {"domain": "\n=[s"}).status_code == 422


@pytest.mark.parametrize(
    "custom_fields",
    [
        {"employees": 2**64},
        {"employees": -(2**63)},
        {"ratio": 1e300},
        {"tags": list(range(11))},
        {"address": {"street": {"nested": "too deep"}}},
        {"notes": "x" * 501},
        {f"field{n}": n for n in range(51)},
    ],
)
def test_custom_fields_beyond_their_documented_bounds_are_refused_before_storing(
    api, custom_fields
):
    response = api.post("prospects", {"name": "Acme", "custom_fields": custom_fields})
    assert response.status_code == 422
    assert not Prospect.objects.exists()


def test_custom_fields_within_their_bounds_are_stored_and_read_back(api):
    custom_fields = {
        "employees": 2**63 - 1,
        "ratio": 0.25,
        "public": True,
        "ticker": None,
        "regions": ["EU", "US"],
        "hq": {"city": "Dublin", "since": 2011},
    }
    response = api.post("prospects", {"name": "Acme", "custom_fields": custom_fields})
    assert response.status_code == 201
    assert api.get(f"prospects/{response.json()['id']}").json()["custom_fields"] == custom_fields


def test_a_body_that_is_not_an_object_is_refused_and_changes_nothing(api, workspace):
    prospect = ProspectFactory(workspace=workspace, name="Acme")
    for body in ("[null, null]", '"Acme Two"', "42"):
        response = api.client.patch(
            f"/api/v1/prospects/{prospect.pk}",
            body,
            content_type="application/json",
            headers=api.headers,
        )
        assert response.status_code == 400, body
    prospect.refresh_from_db()
    assert prospect.name == "Acme"


def test_a_misspelt_field_is_refused_rather_than_dropped(api, workspace):
    prospect = ProspectFactory(workspace=workspace, name="Acme")
    response = api.patch(f"prospects/{prospect.pk}", {"nmae": "Acme Two"})
    assert response.status_code == 422
    assert "nmae" in str(response.json()["detail"])
    prospect.refresh_from_db()
    assert prospect.name == "Acme"
    components = ninja_api.get_openapi_schema()["components"]["schemas"]
    assert components["ProspectPatch"]["additionalProperties"] is False
    assert components["SequenceStepIn"]["additionalProperties"] is False


def test_a_date_given_as_a_bare_number_is_refused(api, workspace):
    prospect = ProspectFactory(workspace=workspace)
    response = api.post("tasks", {"prospect_id": prospect.pk, "subject": "Call", "due_at": 0})
    assert response.status_code == 422
    assert "ISO 8601" in str(response.json()["detail"])
