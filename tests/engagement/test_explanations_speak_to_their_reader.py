"""Explanations name the team the contact deals with, and give dates in their reader's zone."""

from engagement.providers.rules import admin_explanation, member_explanation
from engagement.signals import ScoringInput, Thresholds


def moderate_contact(**overrides) -> ScoringInput:
    signals = {
        "events_in_window": 2,
        "events_by_kind": {"wizard_step": 2},
        "company_events_in_window": 0,
        "replies_by_intent": {},
        "emails_sent_in_window": 0,
        # Late evening in London on March 3rd is already March 4th in Sydney.
        "last_activity_at": "2026-03-03T22:30:00Z",
        "contact_added_at": "2026-01-10T12:00:00Z",
        "profile_updated_at": "2026-01-10T12:00:00Z",
        "outreach_status": "ACTIVE",
    }
    fields = {
        "contact_id": 1,
        "prospect_id": 1,
        "first_name": "Avery",
        "contact_name": "Avery Collins",
        "prospect_name": "Stripe",
        "signals": signals,
        "rule_level": "moderate",
        "team_name": "Northwind Revenue",
        "team_time_zone": "Australia/Sydney",
        "contact_time_zone": "America/Los_Angeles",
        **overrides,
    }
    return ScoringInput(**fields)


def test_the_friendly_explanation_names_the_team_the_contact_deals_with():
    text = member_explanation(moderate_contact())
    assert "Northwind Revenue" in text
    assert text.startswith("Thanks for keeping in touch, Avery.")


def test_the_teams_explanation_gives_days_in_the_teams_time_zone():
    text = admin_explanation(moderate_contact(), Thresholds())
    assert "Last engagement on Mar 4, 2026." in text
    assert "Engagement with Northwind Revenue; dates in Australia/Sydney." in text

    in_utc = admin_explanation(moderate_contact(team_time_zone="UTC"), Thresholds())
    assert "Last engagement on Mar 3, 2026." in in_utc
