"""Creating a campaign with its prospects (existing ones, or new ones by name, company, title,
website and email) is all or nothing."""

from campaigns.models import Campaign, CampaignProspect
from outreach.models import Contact, Prospect
from tests.factories import ContactFactory, ProspectFactory

CAMPAIGN = {
    "name": "Q3 fintech intros",
    "brief": "We would love to show you a two-week pilot.",
    "sender_name": "Alice",
    "voice_id": "pNInz6obpgDQGcFmaJgB",
}


def test_a_campaign_is_created_with_existing_and_new_prospects(api, workspace):
    stripe = ProspectFactory(workspace=workspace, name="Stripe", domain="stripe.com")
    first = ContactFactory(prospect=stripe, first_name="Avery")
    jordan = ContactFactory(prospect=stripe, first_name="Jordan")
    plaid = ProspectFactory(workspace=workspace, name="Plaid", domain="plaid.com")
    ContactFactory(prospect=plaid, first_name="Morgan")

    response = api.post(
        "campaigns",
        {
            **CAMPAIGN,
            "prospects": [
                {"prospect_id": stripe.pk, "contact_id": jordan.pk},
                {"prospect_id": plaid.pk},
                {
                    "company": "Acme",
                    "website": "https://www.acme.example/about",
                    "contact_name": "Dana Reyes",
                    "contact_title": "VP Finance",
                    "contact_email": "Dana@Acme.example",
                },
            ],
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["total_prospects"] == 3
    campaign = Campaign.objects.get(pk=body["id"])
    entries = {e.prospect.name: e for e in campaign.campaign_prospects.select_related("prospect")}
    assert entries["Stripe"].contact == jordan != first
    assert entries["Plaid"].contact.first_name == "Morgan"
    acme = entries["Acme"]
    assert (acme.prospect.domain, acme.prospect.website) == (
        "acme.example",
        "https://www.acme.example/about",
    )
    assert (acme.contact.first_name, acme.contact.last_name, acme.contact.title) == (
        "Dana",
        "Reyes",
        "VP Finance",
    )
    assert acme.contact.email == "dana@acme.example"
    assert {e.status for e in entries.values()} == {"queued"}


def test_a_new_prospect_with_a_known_website_is_the_existing_prospect(api, workspace):
    acme = ProspectFactory(workspace=workspace, name="Acme Inc", domain="acme.example")
    response = api.post(
        "campaigns",
        {**CAMPAIGN, "prospects": [{"company": "Acme", "website": "https://acme.example"}]},
    )
    assert response.status_code == 201
    assert CampaignProspect.objects.get().prospect == acme
    assert Prospect.objects.filter(workspace=workspace).count() == 1


def test_nothing_is_created_when_one_prospect_is_wrong(api, workspace):
    stripe = ProspectFactory(workspace=workspace)
    before = (Prospect.objects.count(), Contact.objects.count())

    response = api.post(
        "campaigns",
        {
            **CAMPAIGN,
            "prospects": [
                {"company": "Brand New Co", "contact_name": "Sam Lee", "contact_email": "s@n.co"},
                {"prospect_id": stripe.pk},
                {"prospect_id": stripe.pk},
            ],
        },
    )

    assert response.status_code == 422
    assert response.json()["detail"] == f"{stripe.name} is on the list twice."
    assert Campaign.objects.count() == 0
    assert (Prospect.objects.count(), Contact.objects.count()) == before


def test_a_contact_must_work_at_the_prospect(api, workspace):
    stripe, plaid = ProspectFactory(workspace=workspace), ProspectFactory(workspace=workspace)
    morgan = ContactFactory(prospect=plaid)

    response = api.post(
        "campaigns",
        {**CAMPAIGN, "prospects": [{"prospect_id": stripe.pk, "contact_id": morgan.pk}]},
    )

    assert response.status_code == 422
    assert "must work at the prospect" in response.json()["detail"]


def test_a_prospect_needs_an_id_or_a_company(api):
    response = api.post("campaigns", {**CAMPAIGN, "prospects": [{"contact_name": "Sam"}]})
    assert response.status_code == 422
    assert "give a prospect id, or a new company's name" in response.json()["detail"]


def test_a_campaign_needs_prospects(api):
    response = api.post("campaigns", {**CAMPAIGN, "prospects": []})
    assert response.status_code == 422
    assert Campaign.objects.count() == 0


def test_another_workspaces_prospect_cannot_be_added(api, other_workspace):
    theirs = ProspectFactory(workspace=other_workspace)
    response = api.post("campaigns", {**CAMPAIGN, "prospects": [{"prospect_id": theirs.pk}]})
    assert response.status_code == 422
    assert Campaign.objects.count() == 0
