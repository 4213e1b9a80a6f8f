"""The wizard's "What we learned" step tells what the campaign's research read on the
prospect's own website, with its source; the welcome step carries the team's friendly words."""

from outreach.crm.services.engagement_triggers import call_contact_for
from tests.factories import (
    CampaignProspectFactory,
    ContactFactory,
    MemberEngagementFactory,
    ProspectFactory,
    WizardLinkFactory,
)

RESEARCH = {
    "url": "https://brex.com/",
    "description": "Spend management for finance teams.",
    "what_they_do": "Corporate cards, expenses and bill pay in one place.",
    "who_they_serve": "Finance teams at 30,000 growing companies.",
    "headlines": ["Brex launches AI expense review", "Bill pay now in 50 countries"],
    "own_words": ["Issue cards with limits and policies built in."],
    "fetched_at": "2026-03-02T10:00:00+00:00",
}


def test_what_we_learned_shows_the_research_and_where_it_was_read(workspace, client):
    prospect = ProspectFactory(workspace=workspace, name="Brex")
    CampaignProspectFactory(
        campaign__workspace=workspace, prospect=prospect, research_data=RESEARCH
    )
    link = WizardLinkFactory(prospect=prospect)

    page = client.get(f"/w/{link.token}/2/").content.decode()

    assert "Corporate cards, expenses and bill pay in one place." in page
    assert "Finance teams at 30,000 growing companies." in page
    assert "Brex launches AI expense review" in page
    assert "“Issue cards with limits and policies built in.”" in page
    assert 'href="https://brex.com/"' in page and "read on March 2, 2026" in page


def test_older_research_without_the_new_fields_still_reads(workspace, client):
    prospect = ProspectFactory(workspace=workspace, name="Ramp")
    older = {
        "url": "https://ramp.com/",
        "description": "The corporate card that saves you money.",
        "headings": ["Ramp", "Close your books 8x faster"],
        "key_text": ["Ramp customers save 5% on average."],
    }
    CampaignProspectFactory(campaign__workspace=workspace, prospect=prospect, research_data=older)
    page = client.get(f"/w/{WizardLinkFactory(prospect=prospect).token}/2/").content.decode()
    assert "The corporate card that saves you money." in page
    assert "Close your books 8x faster" in page
    assert "Ramp customers save 5% on average." in page


def test_the_contacts_friendly_message_greets_them(workspace, client):
    prospect = ProspectFactory(workspace=workspace, name="Plaid")
    contact = ContactFactory(prospect=prospect, first_name="Morgan")
    assert call_contact_for(prospect=prospect) == contact
    MemberEngagementFactory(
        contact=contact, member_explanation="Thanks for keeping in touch, Morgan."
    )
    page = client.get(f"/w/{WizardLinkFactory(prospect=prospect).token}/").content.decode()
    assert '<p class="wizard-greeting">Thanks for keeping in touch, Morgan.</p>' in page


def test_no_research_and_no_score_show_nothing_made_up(workspace, client):
    prospect = ProspectFactory(workspace=workspace, name="Mercury", custom_fields={})
    link = WizardLinkFactory(prospect=prospect)
    assert "wizard-greeting" not in client.get(f"/w/{link.token}/").content.decode()
    about = client.get(f"/w/{link.token}/2/").content.decode()
    assert "wizard-learned" not in about
