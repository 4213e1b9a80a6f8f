"""Overrides, clearing and thresholds are for workspace admins: reps get 403, in the API and
on the dashboard, and nothing changes."""

from engagement.models import EngagementLevel, EngagementOverrideHistory, EngagementSettings
from engagement.services import engagement_override_set
from tests.engagement.conftest import engagement_of, score


def test_a_rep_key_cannot_override_clear_or_change_thresholds(rep_api, workspace, added_long_ago):
    score(workspace)
    path = f"engagement/contacts/{added_long_ago.pk}/override"
    denied = rep_api.request("PUT", path, {"level": "highly_engaged", "notes": "I think so"})
    assert denied.status_code == 403
    assert denied.json() == {"detail": "Only workspace admins can do this."}
    assert rep_api.delete(path).status_code == 403
    assert rep_api.patch("engagement/settings", {"window_days": 30}).status_code == 403
    assert engagement_of(added_long_ago).level == EngagementLevel.INACTIVE
    assert not EngagementOverrideHistory.objects.exists()
    assert not EngagementSettings.objects.exists()


def test_a_rep_can_read_scores_and_recompute(rep_api, workspace, added_long_ago):
    assert rep_api.post(f"engagement/contacts/{added_long_ago.pk}/recompute").status_code == 200
    assert rep_api.get(f"engagement/contacts/{added_long_ago.pk}").status_code == 200
    assert rep_api.get("engagement/settings").json()["window_days"] == 90


def test_a_rep_signed_in_cannot_override_or_clear_from_the_dashboard(
    bob_client, workspace, alice, added_long_ago
):
    score(workspace)
    engagement_override_set(
        contact=added_long_ago, level=EngagementLevel.MODERATE, notes="Warm intro.", by=alice
    )
    page = bob_client.get(f"/engagement/contacts/{added_long_ago.pk}/").content.decode()
    assert "Only workspace admins can override" in page
    assert "Clear the override" not in page
    override = bob_client.post(
        f"/engagement/contacts/{added_long_ago.pk}/override/",
        {"level": "highly_engaged", "notes": "Trust me"},
    )
    assert override.status_code == 403
    clear = bob_client.post(f"/engagement/contacts/{added_long_ago.pk}/override/clear/")
    assert clear.status_code == 403
    assert bob_client.get("/engagement/settings/").status_code == 403
    assert engagement_of(added_long_ago).level == EngagementLevel.MODERATE
    assert EngagementOverrideHistory.objects.count() == 1


def test_a_session_admin_override_is_signed_with_their_name(alice_client, alice, added_long_ago):
    response = alice_client.post(
        f"/engagement/contacts/{added_long_ago.pk}/override/",
        {"level": "highly_engaged", "notes": "Booked a second demo."},
    )
    assert response.status_code == 302
    scored = engagement_of(added_long_ago)
    assert scored.level == EngagementLevel.HIGHLY_ENGAGED
    assert scored.overridden_by == alice
    history = EngagementOverrideHistory.objects.get()
    assert (history.performed_by, history.performed_by_label) == (alice, "alice")
