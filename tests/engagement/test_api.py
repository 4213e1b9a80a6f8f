"""The engagement API: counts per level, the filtered list, one contact's score with both
explanations, recomputing, and the workspace's thresholds."""

from engagement.models import EngagementLevel
from outreach.models import Activity
from tests.engagement.conftest import activity, contact_added, score
from tests.factories import ContactFactory, MemberEngagementFactory, ProspectFactory

Kind = Activity.Kind


def test_the_summary_counts_contacts_per_level_and_those_not_scored(api, workspace):
    keen = contact_added(workspace, days=365)
    contact_added(workspace, days=365)
    for _ in range(3):
        activity(keen, Kind.PDF_DOWNLOAD, days=1)
    score(workspace)
    ContactFactory(prospect=ProspectFactory(workspace=workspace))
    body = api.get("engagement/summary").json()
    assert body == {
        "counts": {
            "highly_engaged": 1,
            "moderate": 0,
            "at_risk": 0,
            "new": 0,
            "inactive": 1,
        },
        "scored": 2,
        "unscored": 1,
    }


def test_the_list_filters_by_level_search_company_and_override(api, workspace):
    stripe = ProspectFactory(workspace=workspace, name="Stripe")
    plaid = ProspectFactory(workspace=workspace, name="Plaid")
    avery = MemberEngagementFactory(
        contact=ContactFactory(prospect=stripe, first_name="Avery", last_name="Collins"),
        level=EngagementLevel.HIGHLY_ENGAGED,
    )
    MemberEngagementFactory(
        contact=ContactFactory(prospect=plaid, first_name="Morgan", last_name="Patel"),
        level=EngagementLevel.AT_RISK,
        computed_level=EngagementLevel.MODERATE,
        override_level=EngagementLevel.AT_RISK,
    )

    def names(**params):
        return [
            item["contact_name"]
            for item in api.get("engagement/contacts", **params).json()["items"]
        ]

    assert names() == ["Avery Collins", "Morgan Patel"]
    assert names(level="at_risk") == ["Morgan Patel"]
    assert names(q="stripe") == ["Avery Collins"]
    assert names(prospect_id=plaid.pk) == ["Morgan Patel"]
    assert names(overridden="true") == ["Morgan Patel"]
    assert names(overridden="false") == ["Avery Collins"]
    first = api.get("engagement/contacts", level="highly_engaged").json()["items"][0]
    assert first["contact_id"] == avery.contact_id
    assert first["prospect_name"] == "Stripe"
    assert first["override"] is None
    assert api.get("engagement/contacts", level="lukewarm").status_code == 422


def test_a_contacts_engagement_has_both_explanations_and_its_signals(
    api, workspace, added_long_ago
):
    activity(added_long_ago, Kind.MEETING_DONE, days=2)
    score(workspace)
    body = api.get(f"engagement/contacts/{added_long_ago.pk}").json()
    assert body["level"] == body["computed_level"] == "moderate"
    assert body["admin_explanation"].startswith("Moderate: 1 engagement event in the last 90 days")
    assert body["member_explanation"] == (
        "Thanks for keeping in touch, Avery. It has been good to hear from you recently, and "
        "Acme Sales is glad to help whenever you need us."
    )
    assert body["signals"]["events_by_kind"] == {"meeting_done": 1}
    assert body["model_version"] == "rules-3"


def test_a_contact_not_scored_yet_is_404_until_recomputed(api, workspace):
    contact = ContactFactory(prospect=ProspectFactory(workspace=workspace))
    missing = api.get(f"engagement/contacts/{contact.pk}")
    assert missing.status_code == 404
    assert "no engagement score yet" in missing.json()["detail"]
    assert api.get(f"engagement/contacts/{contact.pk}/history").json()["items"] == []
    recomputed = api.post(f"engagement/contacts/{contact.pk}/recompute")
    assert recomputed.status_code == 200
    assert recomputed.json()["level"] == "new"
    assert api.get(f"engagement/contacts/{contact.pk}").status_code == 200


def test_recompute_rescores_one_contact_at_once(api, workspace, added_long_ago):
    score(workspace)
    for _ in range(3):
        activity(added_long_ago, Kind.EMAIL_CLICK, days=0)
    body = api.post(f"engagement/contacts/{added_long_ago.pk}/recompute").json()
    assert body["level"] == "highly_engaged"


def test_admins_read_and_change_the_thresholds(api, workspace):
    assert api.get("engagement/settings").json() == {
        "window_days": 90,
        "highly_engaged_min_events": 3,
        "moderate_min_events": 1,
        "new_contact_days": 60,
        "inactive_after_days": 180,
        "updated_at": None,
    }
    changed = api.patch("engagement/settings", {"highly_engaged_min_events": 5, "window_days": 60})
    assert changed.status_code == 200
    assert changed.json()["highly_engaged_min_events"] == 5
    assert api.get("engagement/settings").json()["window_days"] == 60


def test_thresholds_that_contradict_each_other_are_refused(api, workspace):
    upside_down = api.patch(
        "engagement/settings", {"highly_engaged_min_events": 2, "moderate_min_events": 2}
    )
    assert upside_down.status_code == 422
    assert upside_down.json()["errors"]["highly_engaged_min_events"]
    too_short = api.patch("engagement/settings", {"inactive_after_days": 60})
    assert too_short.status_code == 422
    assert api.patch("engagement/settings", {"window_days": 0}).status_code == 422
    assert api.patch("engagement/settings", {"window_days": None}).status_code == 422
    assert api.get("engagement/settings").json()["updated_at"] is None
