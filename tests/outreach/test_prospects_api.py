"""Prospects through the API: create, filter, paginate, update, delete, clear errors."""

from outreach.models import Prospect
from tests.factories import ProspectFactory, TagFactory


def test_it_creates_a_prospect_with_tags_and_a_normalized_domain(api, alice):
    response = api.post(
        "prospects",
        {
            "name": "Stripe",
            "website": "https://www.Stripe.com/pricing",
            "owner_id": alice.pk,
            "tags": ["fintech", "Payments"],
            "custom_fields": {"employees": 8000},
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["domain"] == "stripe.com"
    assert body["status"] == "NEW"
    assert body["owner_id"] == alice.pk
    assert body["tags"] == ["Payments", "fintech"]
    assert body["custom_fields"] == {"employees": 8000}


def test_a_second_prospect_with_the_same_domain_is_a_conflict(api):
    assert api.post("prospects", {"name": "Plaid", "domain": "plaid.com"}).status_code == 201
    response = api.post("prospects", {"name": "Plaid again", "website": "https://plaid.com"})
    assert response.status_code == 409
    assert "plaid.com" in response.json()["detail"]
    assert Prospect.objects.filter(domain="plaid.com").count() == 1


def test_invalid_fields_get_field_messages(api):
    response = api.post("prospects", {"name": "", "status": "SOMEWHERE", "website": "not a url"})
    assert response.status_code == 422
    fields = {tuple(error["loc"])[-1] for error in response.json()["detail"]}
    assert {"name", "status"} <= fields

    response = api.post("prospects", {"name": "Brex", "website": "not a url"})
    assert response.status_code == 422
    assert "website" in response.json()["errors"]


def test_an_owner_outside_the_workspace_is_refused(api, charlie):
    response = api.post("prospects", {"name": "Ramp", "owner_id": charlie.pk})
    assert response.status_code == 422
    assert "owner_id" in response.json()["errors"]
    assert not Prospect.objects.filter(name="Ramp").exists()


def test_it_filters_by_search_status_and_tag(api, workspace):
    fintech = TagFactory(workspace=workspace, name="fintech")
    ProspectFactory(workspace=workspace, name="Mercury", status="ENGAGED", tags=[fintech])
    ProspectFactory(workspace=workspace, name="Mercator", status="NEW")
    ProspectFactory(workspace=workspace, name="Brex", status="ENGAGED")

    def names(**params):
        return [p["name"] for p in api.get("prospects", **params).json()["items"]]

    assert names(q="merc") == ["Mercator", "Mercury"]
    assert names(status="ENGAGED") == ["Brex", "Mercury"]
    assert names(tag="FINTECH") == ["Mercury"]
    assert names(q="merc", status="NEW") == ["Mercator"]


def test_it_paginates_with_a_total_count(api, workspace):
    ProspectFactory.create_batch(7, workspace=workspace)
    page = api.get("prospects", page=2, page_size=5).json()
    assert page["count"] == 7
    assert len(page["items"]) == 2
    assert len(api.get("prospects", page=9, page_size=5).json()["items"]) == 0


def test_it_updates_only_the_fields_sent(api, workspace):
    prospect = ProspectFactory(workspace=workspace, name="Ramp", status="NEW")
    response = api.patch(f"prospects/{prospect.pk}", {"status": "MEETING", "tags": ["hot"]})
    assert response.status_code == 200
    assert response.json()["name"] == "Ramp"
    assert response.json()["status"] == "MEETING"
    assert response.json()["tags"] == ["hot"]

    assert api.patch(f"prospects/{prospect.pk}", {"tags": []}).json()["tags"] == []


def test_it_deletes_a_prospect_and_its_contacts(api, workspace):
    prospect = ProspectFactory(workspace=workspace)
    assert api.delete(f"prospects/{prospect.pk}").status_code == 204
    assert api.get(f"prospects/{prospect.pk}").status_code == 404
