"""A rep creates, edits and deletes prospects, contacts and deals from the dashboard, sees what
is wrong next to the field that is wrong, and is asked before anything is deleted. Every write
goes through the CRM's services, so automations hear about it."""

from decimal import Decimal

import pytest

from automations.models import AutomationEvent
from outreach.models import Contact, Deal, OutreachLog, Prospect
from tests.factories import (
    AutomationFactory,
    ContactFactory,
    DealFactory,
    PipelineFactory,
    ProspectFactory,
    TagFactory,
)

HTMX = {"HX-Request": "true"}


def errors_next_to(response, field: str) -> str:
    """The error messages the page shows under one field."""
    form = response.context["form"]
    return " ".join(form.errors.get(field, []))


# --- Prospects ------------------------------------------------------------------------------


def test_a_rep_creates_a_prospect_with_an_owner_and_tags(bob_client, workspace, bob):
    TagFactory(workspace=workspace, name="Fintech")
    response = bob_client.post(
        "/prospects/new/",
        {
            "name": " Ramp ",
            "website": "ramp.com/about",
            "domain": "",
            "status": "NEW",
            "owner": bob.pk,
            "tags": "fintech, Series D, fintech",
        },
    )
    prospect = Prospect.objects.get(workspace=workspace)
    assert (response.status_code, response.url) == (302, f"/prospects/{prospect.pk}/")
    assert prospect.name == "Ramp"
    assert prospect.website == "https://ramp.com/about"
    assert prospect.domain == "ramp.com"
    assert prospect.owner == bob
    assert sorted(tag.name for tag in prospect.tags.all()) == ["Fintech", "Series D"]


def test_a_taken_domain_is_said_next_to_the_domain_field(bob_client, workspace):
    ProspectFactory(workspace=workspace, domain="ramp.com")
    response = bob_client.post(
        "/prospects/new/",
        {"name": "Ramp again", "website": "https://www.ramp.com", "status": "NEW"},
    )
    assert response.status_code == 422
    assert "already exists" in errors_next_to(response, "domain")
    assert Prospect.objects.filter(workspace=workspace).count() == 1


def test_the_form_refuses_what_it_cannot_read(bob_client, workspace, charlie):
    response = bob_client.post(
        "/prospects/new/", {"name": "", "status": "SOLD", "owner": str(charlie.pk)}
    )
    assert response.status_code == 422
    assert errors_next_to(response, "name")
    assert errors_next_to(response, "status")
    assert errors_next_to(response, "owner")  # a stranger is no choice
    assert not Prospect.objects.filter(workspace=workspace).exists()


def test_editing_a_prospect_announces_what_changed(bob_client, workspace, alice):
    prospect = ProspectFactory(workspace=workspace, name="Brex", domain="brex.com")
    AutomationFactory(workspace=workspace, trigger_type="field.changed")
    page = bob_client.get(f"/prospects/{prospect.pk}/edit/")
    assert page.context["form"].initial["domain"] == "brex.com"
    response = bob_client.post(
        f"/prospects/{prospect.pk}/edit/",
        {"name": "Brex Inc", "website": "", "domain": "brex.com", "status": "ENGAGED"},
    )
    assert response.status_code == 302
    prospect.refresh_from_db()
    assert (prospect.name, prospect.status) == ("Brex Inc", "ENGAGED")
    fields = {e.payload["field"]["name"] for e in AutomationEvent.objects.all()}
    assert {"prospect.name", "prospect.status"} <= fields


def test_deleting_a_prospect_asks_first_and_says_what_goes_with_it(bob_client, workspace):
    prospect = ProspectFactory(workspace=workspace, name="Mercury")
    ContactFactory.create_batch(2, prospect=prospect)
    confirm = bob_client.get(f"/prospects/{prospect.pk}/delete/")
    assert confirm.status_code == 200
    assert "Delete Mercury?" in confirm.content.decode()
    assert "2 contacts" in confirm.content.decode()
    assert Prospect.objects.filter(pk=prospect.pk).exists()

    done = bob_client.post(f"/prospects/{prospect.pk}/delete/")
    assert (done.status_code, done.url) == (302, "/prospects/")
    assert not Prospect.objects.filter(pk=prospect.pk).exists()
    assert not Contact.objects.filter(prospect_id=prospect.pk).exists()


# --- In place, on the prospect page ---------------------------------------------------------


def test_the_status_is_edited_in_place(bob_client, workspace, alice):
    prospect = ProspectFactory(workspace=workspace)
    AutomationFactory(workspace=workspace, trigger_type="field.changed")
    editor = bob_client.get(f"/prospects/{prospect.pk}/fields/status/", headers=HTMX)
    assert b"<select" in editor.content and b"<html" not in editor.content

    saved = bob_client.post(
        f"/prospects/{prospect.pk}/fields/status/", {"status": "MEETING"}, headers=HTMX
    )
    assert saved.status_code == 200
    assert b"Meeting" in saved.content and b"Saved" in saved.content
    prospect.refresh_from_db()
    assert prospect.status == "MEETING"
    event = AutomationEvent.objects.get(event_type="field.changed")
    assert event.payload["field"] == {"name": "prospect.status", "old": "NEW", "new": "MEETING"}


def test_the_owner_and_tags_are_edited_in_place(bob_client, workspace, bob, charlie):
    prospect = ProspectFactory(workspace=workspace, tags=[TagFactory(workspace=workspace)])
    owner = bob_client.post(
        f"/prospects/{prospect.pk}/fields/owner/", {"owner": bob.pk}, headers=HTMX
    )
    assert owner.status_code == 200
    tags = bob_client.post(
        f"/prospects/{prospect.pk}/fields/tags/", {"tags": "warm, priority"}, headers=HTMX
    )
    assert b"priority" in tags.content
    prospect.refresh_from_db()
    assert prospect.owner == bob
    assert sorted(t.name for t in prospect.tags.all()) == ["priority", "warm"]

    stranger = bob_client.post(
        f"/prospects/{prospect.pk}/fields/owner/", {"owner": charlie.pk}, headers=HTMX
    )
    assert stranger.status_code == 422
    assert b"field-error" in stranger.content
    prospect.refresh_from_db()
    assert prospect.owner == bob


def test_an_unknown_field_is_not_found_and_a_plain_visit_goes_to_the_editor(bob_client, workspace):
    prospect = ProspectFactory(workspace=workspace)
    assert bob_client.get(f"/prospects/{prospect.pk}/fields/domain/").status_code == 404
    plain = bob_client.get(f"/prospects/{prospect.pk}/fields/status/")
    assert (plain.status_code, plain.url) == (302, f"/prospects/{prospect.pk}/edit/")


# --- Contacts -------------------------------------------------------------------------------


def test_a_contact_is_added_from_the_prospect_page(bob_client, workspace, alice):
    prospect = ProspectFactory(workspace=workspace, name="Plaid")
    AutomationFactory(workspace=workspace, trigger_type="contact.created")
    form = bob_client.get(f"/contacts/new/?prospect={prospect.pk}")
    assert "Company" not in form.content.decode()  # the prospect is given
    response = bob_client.post(
        f"/contacts/new/?prospect={prospect.pk}",
        {"first_name": "Morgan", "last_name": "Patel", "email": "Morgan@Plaid.com"},
    )
    contact = Contact.objects.get(prospect=prospect)
    assert (response.status_code, response.url) == (302, f"/contacts/{contact.pk}/")
    assert contact.email == "morgan@plaid.com"
    assert AutomationEvent.objects.filter(event_type="contact.created").count() == 1


def test_a_contact_from_the_list_names_their_company(bob_client, workspace, other_workspace):
    ProspectFactory(workspace=workspace, name="Plaid")
    ProspectFactory(workspace=other_workspace, name="Globex")
    ProspectFactory.create_batch(2, workspace=workspace, name="Twins")
    good = bob_client.post("/contacts/new/", {"prospect": "plaid", "first_name": "Ana"})
    assert good.status_code == 302
    for name, says in [
        ("Globex", "No prospect is named"),  # another workspace's
        ("Twins", "Several prospects are named"),
    ]:
        refused = bob_client.post("/contacts/new/", {"prospect": name, "first_name": "Bo"})
        assert refused.status_code == 422
        assert says in errors_next_to(refused, "prospect")
    assert Contact.objects.filter(workspace=workspace).count() == 1


def test_the_company_field_suggests_prospects_by_their_first_letters(bob_client, workspace):
    ProspectFactory(workspace=workspace, name="Stripe", domain="stripe.com")
    ProspectFactory(workspace=workspace, name="Plaid")
    options = bob_client.get("/prospects/options/?prospect=st").content.decode()
    assert 'value="Stripe"' in options and "Plaid" not in options


def test_a_contact_needs_a_name_or_an_email_and_a_free_email(bob_client, workspace):
    prospect = ProspectFactory(workspace=workspace)
    ContactFactory(prospect=prospect, email="taken@example.com")
    nameless = bob_client.post(f"/contacts/new/?prospect={prospect.pk}", {"title": "CFO"})
    assert "a name or an email" in errors_next_to(nameless, "first_name")
    taken = bob_client.post(
        f"/contacts/new/?prospect={prospect.pk}", {"email": "TAKEN@example.com"}
    )
    assert "already exists" in errors_next_to(taken, "email")
    zone = bob_client.post(
        f"/contacts/new/?prospect={prospect.pk}", {"first_name": "Al", "time_zone": "Mars/Base"}
    )
    assert errors_next_to(zone, "time_zone")
    assert Contact.objects.filter(prospect=prospect).count() == 1


def test_editing_a_contact_can_opt_them_out_which_stops_their_sequences(bob_client, workspace):
    contact = ContactFactory(prospect__workspace=workspace, first_name="Lee")
    response = bob_client.post(
        f"/contacts/{contact.pk}/edit/",
        {"first_name": "Lee", "last_name": "Chan", "outreach_status": "OPTED_OUT", "tags": ""},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.last_name, contact.outreach_status) == ("Chan", "OPTED_OUT")


def test_deleting_a_contact_keeps_the_prospect_log(bob_client, workspace):
    contact = ContactFactory(prospect__workspace=workspace, first_name="Sam", last_name="Li")
    OutreachLog.objects.create(
        workspace=workspace,
        prospect=contact.prospect,
        contact=contact,
        log_type="EMAIL",
        channel="email",
        status="sent",
        subject="Hello",
    )
    assert "Kept on" in bob_client.get(f"/contacts/{contact.pk}/delete/").content.decode()
    bob_client.post(f"/contacts/{contact.pk}/delete/")
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert OutreachLog.objects.get(subject="Hello").contact is None


# --- Deals ----------------------------------------------------------------------------------


def test_a_deal_starts_in_the_stage_chosen_which_chooses_its_pipeline(
    bob_client, workspace, alice, bob
):
    prospect = ProspectFactory(workspace=workspace)
    contact = ContactFactory(prospect=prospect)
    PipelineFactory(workspace=workspace, name="Partners")
    sales = PipelineFactory(workspace=workspace, name="Sales")
    proposal = sales.stages.get(name="Proposal")
    AutomationFactory(workspace=workspace, trigger_type="deal.created")
    response = bob_client.post(
        f"/deals/new/?prospect={prospect.pk}",
        {
            "name": "Annual plan",
            "stage": proposal.pk,
            "contact": contact.pk,
            "value": "12000.50",
            "owner": bob.pk,
            "tags": "q3",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    deal = Deal.objects.get(prospect=prospect)
    assert (deal.pipeline, deal.stage, deal.contact) == (sales, proposal, contact)
    assert deal.value == Decimal("12000.50")
    assert AutomationEvent.objects.filter(event_type="deal.created").count() == 1


def test_a_deal_refuses_a_stage_or_contact_it_cannot_have(bob_client, workspace, other_workspace):
    prospect = ProspectFactory(workspace=workspace)
    stage = PipelineFactory(workspace=workspace).stages.first()
    foreign_stage = PipelineFactory(workspace=other_workspace).stages.first()
    someone_elses = ContactFactory(prospect__workspace=workspace)
    for field, data in [
        ("stage", {"stage": foreign_stage.pk}),
        ("value", {"value": "-5"}),
        ("contact", {"contact": someone_elses.pk}),
    ]:
        response = bob_client.post(
            f"/deals/new/?prospect={prospect.pk}",
            {"name": "Deal", "value": "10", "stage": stage.pk, **data},
        )
        assert response.status_code == 422
        assert errors_next_to(response, field), field
    assert not Deal.objects.exists()


def test_without_a_pipeline_a_new_deal_sends_the_rep_to_the_board_which_says_why(
    bob_client, workspace
):
    response = bob_client.get("/deals/new/")
    assert response.status_code == 302
    assert response.url == "/deals/board/"


def test_editing_a_deal_moves_it_within_its_pipeline(bob_client, workspace, alice):
    deal = DealFactory(prospect__workspace=workspace, name="Pilot")
    later = deal.pipeline.stages.get(name="Closed Won")
    AutomationFactory(workspace=workspace, trigger_type="deal.stage_changed")
    response = bob_client.post(
        f"/deals/{deal.pk}/edit/", {"name": "Pilot", "stage": later.pk, "value": "900"}
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.stage, deal.value) == (later, Decimal("900"))
    assert AutomationEvent.objects.filter(event_type="deal.stage_changed").count() == 1


def test_a_deals_stage_is_changed_in_place_on_the_prospect_page(bob_client, workspace):
    deal = DealFactory(prospect__workspace=workspace)
    proposal = deal.pipeline.stages.get(name="Proposal")
    other = PipelineFactory(workspace=workspace).stages.first()
    assert b"<select" in bob_client.get(f"/deals/{deal.pk}/stage/", headers=HTMX).content
    refused = bob_client.post(f"/deals/{deal.pk}/stage/", {"stage": other.pk}, headers=HTMX)
    assert refused.status_code == 422
    moved = bob_client.post(f"/deals/{deal.pk}/stage/", {"stage": proposal.pk}, headers=HTMX)
    assert moved.status_code == 200 and b"Proposal" in moved.content
    deal.refresh_from_db()
    assert deal.stage == proposal


def test_deleting_a_deal_asks_first(bob_client, workspace):
    deal = DealFactory(prospect__workspace=workspace, name="Old deal")
    assert "Delete Old deal?" in bob_client.get(f"/deals/{deal.pk}/delete/").content.decode()
    response = bob_client.post(f"/deals/{deal.pk}/delete/")
    assert response.url == f"/prospects/{deal.prospect_id}/"
    assert not Deal.objects.filter(pk=deal.pk).exists()


@pytest.mark.parametrize(
    "path",
    [
        "/prospects/{prospect}/edit/",
        "/prospects/{prospect}/delete/",
        "/prospects/{prospect}/fields/status/",
        "/contacts/new/?prospect={prospect}",
        "/contacts/{contact}/",
        "/contacts/{contact}/edit/",
        "/contacts/{contact}/delete/",
        "/contacts/{contact}/log/",
        "/deals/new/?prospect={prospect}",
        "/deals/{deal}/edit/",
        "/deals/{deal}/delete/",
        "/deals/{deal}/stage/",
        "/deals/{deal}/move/",
    ],
)
def test_another_workspaces_records_are_not_found(bob_client, other_workspace, path):
    deal = DealFactory(prospect__workspace=other_workspace, contact=None)
    contact = ContactFactory(prospect=deal.prospect)
    url = path.format(prospect=deal.prospect_id, contact=contact.pk, deal=deal.pk)
    for method in ("get", "post"):
        response = getattr(bob_client, method)(url, headers=HTMX)
        assert response.status_code in (404, 405), (method, url)
    assert Deal.objects.filter(pk=deal.pk, name=deal.name).exists()
