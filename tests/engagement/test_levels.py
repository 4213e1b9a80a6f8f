"""The embedded scorer puts every contact at the level the workspace's thresholds give, on
each side of every boundary, and says why in both explanations."""

from datetime import timedelta

import pytest

from engagement.models import EngagementLevel
from engagement.services import engagement_settings_update
from outreach.models import Activity, Contact
from tests.engagement.conftest import (
    activity,
    company_activity,
    contact_added,
    days_ago,
    engagement_of,
    score,
)
from tests.factories import ContactFactory

Kind = Activity.Kind
SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("events", "level"),
    [
        (0, EngagementLevel.INACTIVE),
        (1, EngagementLevel.MODERATE),
        (2, EngagementLevel.MODERATE),
        (3, EngagementLevel.HIGHLY_ENGAGED),
        (7, EngagementLevel.HIGHLY_ENGAGED),
    ],
)
def test_events_in_the_last_90_days_make_a_contact_moderate_or_highly_engaged(
    workspace, added_long_ago, events, level
):
    for i in range(events):
        activity(added_long_ago, Kind.MEETING_DONE, days=10 + i)
    score(workspace)
    assert engagement_of(added_long_ago).level == level


def test_an_event_on_the_90th_day_counts_and_one_a_second_earlier_does_not(
    workspace, added_long_ago
):
    activity(added_long_ago, Kind.PDF_DOWNLOAD, days=5)
    activity(added_long_ago, Kind.PDF_DOWNLOAD, days=6)
    edge = activity(added_long_ago, Kind.WIZARD_STEP, days=90)
    score(workspace)
    assert engagement_of(added_long_ago).level == EngagementLevel.HIGHLY_ENGAGED

    Activity.objects.filter(pk=edge.pk).update(occurred_at=days_ago(90) - SECOND)
    score(workspace)
    scored = engagement_of(added_long_ago)
    assert scored.level == EngagementLevel.MODERATE
    assert scored.signals["events_in_window"] == 2


def test_silence_past_the_window_is_at_risk_until_180_days_then_inactive(workspace, added_long_ago):
    call = activity(added_long_ago, Kind.CALL_DONE, days=90 + 1)
    score(workspace)
    at_risk = engagement_of(added_long_ago)
    assert at_risk.level == EngagementLevel.AT_RISK
    assert "no engagement in the last 90 days" in at_risk.admin_explanation

    Activity.objects.filter(pk=call.pk).update(occurred_at=days_ago(180))
    score(workspace)
    assert engagement_of(added_long_ago).level == EngagementLevel.AT_RISK

    Activity.objects.filter(pk=call.pk).update(occurred_at=days_ago(180) - SECOND)
    score(workspace)
    inactive = engagement_of(added_long_ago)
    assert inactive.level == EngagementLevel.INACTIVE
    assert "more than 180 days ago" in inactive.admin_explanation


def test_a_contact_is_new_for_60_days_then_inactive_if_never_engaged(workspace):
    fresh = contact_added(workspace, days=60)
    older = contact_added(workspace, days=60)
    Contact.objects.filter(pk=older.pk).update(created_at=days_ago(60) - SECOND)
    score(workspace)
    assert engagement_of(fresh).level == EngagementLevel.NEW
    never = engagement_of(older)
    assert never.level == EngagementLevel.INACTIVE
    assert "no engagement recorded since the contact was added" in never.admin_explanation


def test_engagement_outranks_newness(workspace):
    keen = contact_added(workspace, days=3)
    curious = contact_added(workspace, days=3)
    for _ in range(3):
        activity(keen, Kind.WIZARD_STEP, days=1)
    activity(curious, Kind.EMAIL_CLICK, days=1)
    score(workspace)
    assert engagement_of(keen).level == EngagementLevel.HIGHLY_ENGAGED
    assert engagement_of(curious).level == EngagementLevel.MODERATE


def test_company_events_count_for_every_contact_of_the_prospect_and_are_explained(
    workspace, added_long_ago
):
    prospect = added_long_ago.prospect
    colleague = ContactFactory(prospect=prospect, first_name="Jordan")
    for step in (1, 2, 3):
        company_activity(prospect, Kind.WIZARD_STEP, days=4, step=step)
    score(workspace)
    for contact in (added_long_ago, colleague):
        scored = engagement_of(contact)
        assert scored.level == EngagementLevel.HIGHLY_ENGAGED
        assert scored.signals["company_events_in_window"] == 3
        assert f"recorded for {prospect.name} as a company" in scored.admin_explanation


def test_our_own_emails_and_replies_that_say_stop_are_not_engagement(workspace, added_long_ago):
    for _ in range(4):
        activity(added_long_ago, Kind.EMAIL_SENT, days=3)
    activity(added_long_ago, Kind.REPLY, days=2, intent="not_interested")
    activity(added_long_ago, Kind.REPLY, days=2, intent="unsubscribe")
    activity(added_long_ago, Kind.REPLY, days=2, intent="out_of_office")
    score(workspace)
    scored = engagement_of(added_long_ago)
    assert scored.level == EngagementLevel.INACTIVE
    assert scored.signals["events_in_window"] == 0
    assert scored.signals["last_activity_at"] is None
    assert scored.signals["replies_by_intent"] == {
        "not_interested": 1,
        "out_of_office": 1,
        "unsubscribe": 1,
    }
    assert "1 reply saying not interested" in scored.admin_explanation
    assert "4 emails we sent" in scored.admin_explanation


def test_interested_questions_referrals_and_untriaged_replies_count(workspace, added_long_ago):
    activity(added_long_ago, Kind.REPLY, days=2, intent="interested")
    activity(added_long_ago, Kind.REPLY, days=2, intent="question")
    activity(added_long_ago, Kind.REPLY, days=2, intent="referral")
    activity(added_long_ago, Kind.REPLY, days=2)
    score(workspace)
    scored = engagement_of(added_long_ago)
    assert scored.level == EngagementLevel.HIGHLY_ENGAGED
    assert scored.signals["events_by_kind"] == {"reply": 4}
    assert scored.signals["replies_by_intent"]["untriaged"] == 1
    assert "4 replies" in scored.admin_explanation


def test_a_workspace_sets_its_own_thresholds(workspace, added_long_ago, alice):
    quiet = contact_added(workspace, days=365)
    for _ in range(3):
        activity(added_long_ago, Kind.MEETING_DONE, days=10)
    activity(quiet, Kind.EMAIL_OPEN, days=10)
    engagement_settings_update(
        workspace=workspace,
        changes={"highly_engaged_min_events": 5, "moderate_min_events": 2},
        by=alice,
    )
    score(workspace)
    assert engagement_of(added_long_ago).level == EngagementLevel.MODERATE
    thin = engagement_of(quiet)
    assert thin.level == EngagementLevel.AT_RISK
    assert "only 1 engagement event in the last 90 days, fewer than the 2" in (
        thin.admin_explanation
    )


def test_another_workspace_thresholds_do_not_apply(workspace, other_workspace, added_long_ago):
    engagement_settings_update(workspace=other_workspace, changes={"highly_engaged_min_events": 2})
    for _ in range(2):
        activity(added_long_ago, Kind.MEETING_DONE, days=10)
    score(workspace)
    assert engagement_of(added_long_ago).level == EngagementLevel.MODERATE


def test_the_friendly_explanation_greets_by_name_and_never_says_at_risk(workspace):
    contacts = {
        EngagementLevel.HIGHLY_ENGAGED: contact_added(workspace, days=365, first_name="Hana"),
        EngagementLevel.MODERATE: contact_added(workspace, days=365, first_name="Mo"),
        EngagementLevel.AT_RISK: contact_added(workspace, days=365, first_name="Ari"),
        EngagementLevel.NEW: contact_added(workspace, days=5, first_name="Nia"),
        EngagementLevel.INACTIVE: contact_added(workspace, days=365, first_name="Ivo"),
    }
    for _ in range(3):
        activity(contacts[EngagementLevel.HIGHLY_ENGAGED], Kind.CALL_DONE, days=1)
    activity(contacts[EngagementLevel.MODERATE], Kind.CALL_DONE, days=1)
    activity(contacts[EngagementLevel.AT_RISK], Kind.CALL_DONE, days=120)
    score(workspace)
    for level, contact in contacts.items():
        scored = engagement_of(contact)
        assert scored.level == level
        assert contact.first_name in scored.member_explanation
        assert "risk" not in scored.member_explanation.lower()
        assert scored.admin_explanation.startswith(scored.get_level_display())


def test_an_old_reply_not_triaged_yet_still_counts_as_past_engagement(workspace, added_long_ago):
    activity(added_long_ago, Kind.REPLY, days=120)
    activity(added_long_ago, Kind.REPLY, days=10, intent="out_of_office")
    score(workspace)
    scored = engagement_of(added_long_ago)
    assert scored.level == EngagementLevel.AT_RISK
    assert scored.signals["last_activity_at"] == days_ago(120).isoformat().replace("+00:00", "Z")
