"""The Engagement pages: counts per level, the filtered list, a contact's score with both
explanations, the override form and history, the thresholds, and the prospect page badge."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagement.models import EngagementLevel, EngagementSettings
from engagement.services import engagement_override_set
from outreach.models import Activity
from tests.engagement.conftest import NOW, activity, contact_added, engagement_of, score
from tests.factories import (
    ContactFactory,
    EngagementOverrideHistoryFactory,
    MemberEngagementFactory,
    ProspectFactory,
)

Kind = Activity.Kind


def test_the_overview_counts_levels_and_filters_the_list(alice_client, workspace):
    keen = contact_added(workspace, days=365, first_name="Keen", last_name="Kim")
    contact_added(workspace, days=365, first_name="Quiet", last_name="Quinn")
    for _ in range(3):
        activity(keen, Kind.WIZARD_STEP, days=1)
    score(workspace)

    page = alice_client.get("/engagement/")
    assert page.status_code == 200
    counts = dict(page.context["level_counts"])
    assert counts[EngagementLevel.HIGHLY_ENGAGED] == 1
    assert counts[EngagementLevel.INACTIVE] == 1
    html = page.content.decode()
    assert "Keen Kim" in html and "Quiet Quinn" in html

    filtered = alice_client.get("/engagement/", {"level": "highly_engaged"}).content.decode()
    assert "Keen Kim" in filtered and "Quiet Quinn" not in filtered
    searched = alice_client.get("/engagement/", {"q": "quinn"}).content.decode()
    assert "Quiet Quinn" in searched and "Keen Kim" not in searched


def test_a_contacts_page_shows_both_explanations_signals_and_history(
    alice_client, workspace, alice, added_long_ago
):
    activity(added_long_ago, Kind.PDF_DOWNLOAD, days=2)
    score(workspace)
    engagement_override_set(
        contact=added_long_ago,
        level=EngagementLevel.HIGHLY_ENGAGED,
        notes="Asked for a proposal on the call.",
        expires_at=NOW + timedelta(days=14),
        by=alice,
    )
    html = alice_client.get(f"/engagement/contacts/{added_long_ago.pk}/").content.decode()
    scored = engagement_of(added_long_ago)
    assert scored.admin_explanation in html
    assert scored.member_explanation in html
    assert "PDF report downloaded" in html
    assert "Asked for a proposal on the call." in html
    assert "Clear the override" in html
    assert 'name="notes"' in html


def test_an_admin_overrides_and_clears_from_the_dashboard(alice_client, added_long_ago):
    missing_notes = alice_client.post(
        f"/engagement/contacts/{added_long_ago.pk}/override/", {"level": "moderate"}
    )
    assert missing_notes.status_code == 422
    assert "This field is required." in missing_notes.content.decode()

    done = alice_client.post(
        f"/engagement/contacts/{added_long_ago.pk}/override/",
        {"level": "moderate", "notes": "Replied on LinkedIn."},
        follow=True,
    )
    assert "Level set to Moderate." in done.content.decode()
    cleared = alice_client.post(
        f"/engagement/contacts/{added_long_ago.pk}/override/clear/", follow=True
    )
    assert "Override cleared: back to Inactive." in cleared.content.decode()
    assert engagement_of(added_long_ago).level == EngagementLevel.INACTIVE


def test_recomputing_from_the_dashboard_scores_the_contact(bob_client, workspace):
    contact = ContactFactory(prospect=ProspectFactory(workspace=workspace))
    page = bob_client.get(f"/engagement/contacts/{contact.pk}/").content.decode()
    assert "Not scored yet" in page
    response = bob_client.post(f"/engagement/contacts/{contact.pk}/recompute/", follow=True)
    assert "Recomputed: New." in response.content.decode()


def test_an_admin_changes_the_thresholds_on_the_settings_page(alice_client, workspace):
    form = {
        "window_days": 60,
        "highly_engaged_min_events": 4,
        "moderate_min_events": 2,
        "new_contact_days": 30,
        "inactive_after_days": 120,
    }
    saved = alice_client.post("/engagement/settings/", form, follow=True)
    assert "Thresholds saved." in saved.content.decode()
    assert EngagementSettings.objects.get(workspace=workspace).as_thresholds() == form
    refused = alice_client.post("/engagement/settings/", {**form, "inactive_after_days": 30})
    assert refused.status_code == 422
    assert "longer silence than the window" in refused.content.decode()


def test_another_workspace_contact_is_not_found(alice_client, other_workspace):
    foreign = MemberEngagementFactory(contact__prospect__workspace=other_workspace)
    assert alice_client.get(f"/engagement/contacts/{foreign.contact_id}/").status_code == 404
    assert (
        alice_client.post(f"/engagement/contacts/{foreign.contact_id}/recompute/").status_code
        == 404
    )


def test_the_prospect_page_shows_each_contacts_level(alice_client, workspace):
    prospect = ProspectFactory(workspace=workspace, name="Ramp")
    MemberEngagementFactory(
        contact=ContactFactory(prospect=prospect, first_name="Jamie"),
        level=EngagementLevel.AT_RISK,
    )
    ContactFactory(prospect=prospect, first_name="Quinn")
    html = alice_client.get(f"/prospects/{prospect.pk}/").content.decode()
    assert "level-at_risk" in html
    assert "not scored yet" in html


def test_engagement_pages_cost_the_same_queries_for_few_or_many_rows(alice_client, workspace):
    def fill(n: int):
        prospect = ProspectFactory(workspace=workspace)
        engagement = None
        for _ in range(n):
            engagement = MemberEngagementFactory(contact=ContactFactory(prospect=prospect))
            EngagementOverrideHistoryFactory(engagement=engagement)
        return engagement

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert alice_client.get(path).status_code == 200
        return len(ctx.captured_queries)

    alice_client.get("/")
    small = fill(2)
    few = {"/engagement/": queries("/engagement/")}
    few_detail = queries(f"/engagement/contacts/{small.contact_id}/")
    large = fill(30)
    for _ in range(20):
        EngagementOverrideHistoryFactory(engagement=large)
    assert queries("/engagement/") == few["/engagement/"]
    assert queries(f"/engagement/contacts/{large.contact_id}/") == few_detail


def test_an_admin_scores_the_whole_workspace_now(
    alice_client, bob_client, workspace, django_capture_on_commit_callbacks
):
    contact = contact_added(workspace, days=2, first_name="Fresh", last_name="Face")
    assert "Score everyone now" not in bob_client.get("/engagement/").content.decode()
    assert bob_client.post("/engagement/recompute/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        page = alice_client.post("/engagement/recompute/", follow=True).content.decode()
    assert "Scoring every contact now" in page
    assert engagement_of(contact).level == EngagementLevel.NEW
