"""Contacts, tags, pipelines and deals through the API."""

from outreach.models import Contact, Deal
from tests.factories import ContactFactory, DealFactory, PipelineFactory, ProspectFactory


def test_it_creates_a_contact_at_a_prospect(api, workspace):
    prospect = ProspectFactory(workspace=workspace, domain="plaid.com")
    response = api.post(
        "contacts",
        {
            "prospect_id": prospect.pk,
            "first_name": "Morgan",
            "last_name": "Patel",
            "email": " Morgan.Patel@Plaid.com ",
            "time_zone": "Europe/London",
            "tags": ["champion"],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["email"] == "morgan.patel@plaid.com"
    assert body["full_name"] == "Morgan Patel"
    assert body["outreach_status"] == "ACTIVE"
    assert body["tags"] == ["champion"]


def test_a_contact_needs_a_name_or_email_and_a_real_time_zone(api, workspace):
    prospect = ProspectFactory(workspace=workspace)
    response = api.post("contacts", {"prospect_id": prospect.pk})
    assert response.status_code == 422
    response = api.post(
        "contacts", {"prospect_id": prospect.pk, "first_name": "Al", "time_zone": "Mars/Base"}
    )
    assert response.status_code == 422
    assert "time_zone" in response.json()["errors"]
    assert not Contact.objects.exists()


def test_an_email_is_unique_in_a_workspace(api, workspace):
    contact = ContactFactory(prospect__workspace=workspace, email="drew@mercury.com")
    response = api.post(
        "contacts", {"prospect_id": contact.prospect_id, "email": "DREW@mercury.com"}
    )
    assert response.status_code == 409


def test_contacts_filter_by_prospect_status_and_search(api, workspace):
    stripe = ProspectFactory(workspace=workspace)
    ContactFactory(prospect=stripe, first_name="Avery", outreach_status="OPTED_OUT")
    ContactFactory(prospect=stripe, first_name="Jordan")
    ContactFactory(prospect__workspace=workspace, first_name="Avery")

    def firsts(**params):
        return sorted(c["first_name"] for c in api.get("contacts", **params).json()["items"])

    assert firsts(prospect_id=stripe.pk) == ["Avery", "Jordan"]
    assert firsts(q="aver") == ["Avery", "Avery"]
    assert firsts(outreach_status="OPTED_OUT") == ["Avery"]


def test_tags_are_unique_by_name_whatever_the_case(api):
    assert api.post("tags", {"name": "Hot lead", "color": "#dc2626"}).status_code == 201
    assert api.post("tags", {"name": "hot LEAD"}).status_code == 409
    assert api.post("tags", {"name": "cold", "color": "red"}).status_code == 422


def test_a_deal_starts_in_the_first_stage_and_moves_within_its_pipeline(api, workspace):
    pipeline = PipelineFactory(workspace=workspace, stages=["Qualification", "Proposal", "Won"])
    other = PipelineFactory(workspace=workspace)
    prospect = ProspectFactory(workspace=workspace)
    contact = ContactFactory(prospect=prospect)
    response = api.post(
        "deals",
        {
            "pipeline_id": pipeline.pk,
            "prospect_id": prospect.pk,
            "contact_id": contact.pk,
            "name": "Annual plan",
            "value": "12500.50",
        },
    )
    assert response.status_code == 201, response.json()
    deal = response.json()
    assert deal["stage_name"] == "Qualification"
    assert deal["value"] == "12500.50"

    proposal = pipeline.stages.get(name="Proposal")
    moved = api.patch(f"deals/{deal['id']}", {"stage_id": proposal.pk}).json()
    assert moved["stage_name"] == "Proposal"

    foreign_stage = other.stages.first()
    response = api.patch(f"deals/{deal['id']}", {"stage_id": foreign_stage.pk})
    assert response.status_code == 422
    assert Deal.objects.get(pk=deal["id"]).stage == proposal


def test_a_refused_stage_leaves_the_whole_deal_unchanged(api, workspace):
    pipeline = PipelineFactory(workspace=workspace, stages=["Qualification", "Proposal"])
    deal = DealFactory(prospect__workspace=workspace, pipeline=pipeline, name="Annual plan")
    foreign_stage = PipelineFactory(workspace=workspace).stages.first()

    response = api.patch(
        f"deals/{deal.pk}",
        {"name": "Renamed", "value": "99.00", "tags": ["hot"], "stage_id": foreign_stage.pk},
    )

    assert response.status_code == 422
    assert "stage_id" in response.json()["errors"]
    deal.refresh_from_db()
    assert (deal.name, deal.stage.name, list(deal.tags.all())) == (
        "Annual plan",
        "Qualification",
        [],
    )
    assert not workspace.tags.filter(name="hot").exists()


def test_a_deal_is_renamed_and_moved_in_one_request(api, workspace):
    pipeline = PipelineFactory(workspace=workspace, stages=["Qualification", "Proposal"])
    deal = DealFactory(prospect__workspace=workspace, pipeline=pipeline, name="Annual plan")
    proposal = pipeline.stages.get(name="Proposal")

    moved = api.patch(f"deals/{deal.pk}", {"name": "Two-year plan", "stage_id": proposal.pk})

    assert moved.status_code == 200
    assert (moved.json()["name"], moved.json()["stage_name"]) == ("Two-year plan", "Proposal")


def test_a_deal_contact_must_work_at_the_deal_prospect(api, workspace):
    deal = DealFactory(prospect__workspace=workspace)
    stranger = ContactFactory(prospect__workspace=workspace)
    response = api.patch(f"deals/{deal.pk}", {"contact_id": stranger.pk})
    assert response.status_code == 422
    assert "contact_id" in response.json()["errors"]


def test_pipelines_are_created_by_admins_with_their_stages(api, rep_api):
    response = api.post("pipelines", {"name": "Partners", "stages": ["Intro", "Pilot", "Signed"]})
    assert response.status_code == 201
    assert [s["name"] for s in response.json()["stages"]] == ["Intro", "Pilot", "Signed"]
    assert rep_api.post("pipelines", {"name": "Mine", "stages": ["A"]}).status_code == 403
    assert api.post("pipelines", {"name": "Dupes", "stages": ["A", "a"]}).status_code == 422
