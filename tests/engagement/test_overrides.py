"""Admins override a contact's level with notes and an optional expiry; the computation keeps
scoring underneath, lifts lapsed overrides, and every change is in the history."""

from datetime import timedelta

from django.utils import timezone

from engagement.models import EngagementLevel, EngagementOverrideHistory, MemberEngagement
from engagement.providers.rules import RulesEngagementProvider
from engagement.services import engagement_override_set, engagement_overrides_clear_expired
from engagement.tasks import clear_expired_overrides
from outreach.models import Activity
from tests.engagement.conftest import NOW, activity, contact_added, engagement_of, score
from tests.factories import ContactFactory, ProspectFactory

Kind = Activity.Kind


def override(api, contact, **body):
    return api.request("PUT", f"engagement/contacts/{contact.pk}/override", body)


def test_an_admin_overrides_a_level_with_notes_and_it_is_recorded(api, workspace, added_long_ago):
    score(workspace)
    response = override(
        api, added_long_ago, level="highly_engaged", notes="Signed the LOI at the conference."
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["level"] == "highly_engaged"
    assert body["computed_level"] == "inactive"
    assert body["override"]["notes"] == "Signed the LOI at the conference."
    assert body["override"]["overridden_by"] == "API key tests"

    history = api.get(f"engagement/contacts/{added_long_ago.pk}/history").json()["items"]
    assert [(h["action"], h["previous_level"], h["new_level"]) for h in history] == [
        ("override", "inactive", "highly_engaged")
    ]
    assert history[0]["notes"] == "Signed the LOI at the conference."


def test_an_override_needs_notes_and_a_future_expiry(api, workspace, added_long_ago):
    score(workspace)
    assert override(api, added_long_ago, level="moderate").status_code == 422
    blank = override(api, added_long_ago, level="moderate", notes="   ")
    assert blank.status_code == 422
    assert blank.json()["errors"]["notes"]
    past = override(
        api,
        added_long_ago,
        level="moderate",
        notes="Warm intro",
        expires_at=(timezone.now() - timedelta(hours=1)).isoformat(),
    )
    assert past.status_code == 422
    assert past.json()["errors"]["expires_at"]
    assert not EngagementOverrideHistory.objects.exists()
    assert engagement_of(added_long_ago).level == EngagementLevel.INACTIVE


def test_a_live_override_survives_the_computation_which_still_updates_underneath(
    workspace, alice, added_long_ago
):
    score(workspace)
    engagement_override_set(
        contact=added_long_ago, level=EngagementLevel.AT_RISK, notes="Champion left.", by=alice
    )
    for _ in range(3):
        activity(added_long_ago, Kind.MEETING_DONE, days=1)
    score(workspace)
    scored = engagement_of(added_long_ago)
    assert scored.level == EngagementLevel.AT_RISK
    assert scored.computed_level == EngagementLevel.HIGHLY_ENGAGED
    assert scored.override_notes == "Champion left."


def test_the_computation_lifts_an_expired_override_and_writes_a_system_history_row(
    workspace, alice, added_long_ago
):
    score(workspace)
    engagement_override_set(
        contact=added_long_ago,
        level=EngagementLevel.HIGHLY_ENGAGED,
        notes="Until the pilot ends.",
        expires_at=timezone.now() + timedelta(days=2),
        by=alice,
    )
    MemberEngagement.objects.filter(contact=added_long_ago).update(
        override_expires_at=NOW - timedelta(minutes=1)
    )
    report = score(workspace)
    assert report.overrides_cleared == 1
    scored = engagement_of(added_long_ago)
    assert scored.level == EngagementLevel.INACTIVE
    assert not scored.is_overridden and scored.override_expires_at is None

    lifted = EngagementOverrideHistory.objects.order_by("pk").last()
    assert lifted.action == EngagementOverrideHistory.Action.CLEAR
    assert (lifted.previous_level, lifted.new_level) == ("highly_engaged", "inactive")
    assert lifted.performed_by is None
    assert lifted.performed_by_label == "system"


def test_the_sweep_lifts_only_overrides_that_have_expired(workspace, alice):
    lapsed, running = (contact_added(workspace, days=365) for _ in range(2))
    score(workspace)
    for contact in (lapsed, running):
        engagement_override_set(
            contact=contact,
            level=EngagementLevel.MODERATE,
            notes="Trade show follow-up.",
            expires_at=timezone.now() + timedelta(hours=1),
            by=alice,
        )
    MemberEngagement.objects.filter(contact=lapsed).update(
        override_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert clear_expired_overrides.delay().get() == 1
    assert engagement_of(lapsed).level == EngagementLevel.INACTIVE
    assert engagement_of(running).level == EngagementLevel.MODERATE
    assert engagement_overrides_clear_expired() == 0


def test_clearing_returns_to_the_computed_level_and_is_recorded(api, workspace, added_long_ago):
    score(workspace)
    override(api, added_long_ago, level="highly_engaged", notes="Met at the summit.")
    response = api.delete(f"engagement/contacts/{added_long_ago.pk}/override")
    assert response.status_code == 200
    assert response.json()["level"] == "inactive"
    assert response.json()["override"] is None
    history = api.get(f"engagement/contacts/{added_long_ago.pk}/history").json()["items"]
    assert [(h["action"], h["previous_level"], h["new_level"]) for h in history] == [
        ("clear", "highly_engaged", "inactive"),
        ("override", "inactive", "highly_engaged"),
    ]
    again = api.delete(f"engagement/contacts/{added_long_ago.pk}/override")
    assert again.status_code == 409


def test_overriding_a_contact_never_scored_scores_it_first(api, workspace):
    contact = ContactFactory(prospect=ProspectFactory(workspace=workspace))
    response = override(api, contact, level="highly_engaged", notes="Inbound demo request.")
    assert response.status_code == 200
    assert response.json()["computed_level"] == "new"
    assert response.json()["level"] == "highly_engaged"


def test_an_override_set_while_scores_are_computed_is_not_undone(workspace, alice, added_long_ago):
    score(workspace)

    class OverridingMidway:
        """The rules, with an admin overriding the contact while the batch is scored."""

        def __init__(self):
            self.rules = RulesEngagementProvider()
            self.model_version = "rules-midway"
            self.batch_size = 10

        def classify(self, items, **kwargs):
            engagement_override_set(
                contact=added_long_ago, level="at_risk", notes="Heard they churned.", by=alice
            )
            return self.rules.classify(items, **kwargs)

    score(workspace, provider=OverridingMidway())
    scored = engagement_of(added_long_ago)
    assert scored.level == EngagementLevel.AT_RISK
    assert scored.model_version == "rules-3"
