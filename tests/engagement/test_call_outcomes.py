"""What happened on a call decides what it is worth: a booked meeting makes the contact highly
engaged, a connected call counts like any call held, a voicemail or no answer is our own
attempt, and a "not interested" or a wrong number brings the contact down to at risk until they
engage again. A completed call task and a call logged on the timeline count the same."""

import pytest
from django.utils import timezone

from engagement.models import EngagementLevel
from outreach.crm.services.tasks import contact_touch_log, touch_task_complete
from outreach.models import Activity, CallOutcome
from tests.engagement.conftest import activity, contact_added, engagement_of, score
from tests.factories import TouchTaskFactory

Kind = Activity.Kind


def call(contact, outcome: str, *, days: float) -> Activity:
    return activity(contact, Kind.CALL_DONE, days=days, outcome=outcome)


def test_a_meeting_booked_makes_the_contact_highly_engaged_on_its_own(workspace, added_long_ago):
    call(added_long_ago, CallOutcome.MEETING_BOOKED, days=20)
    score(workspace)
    scored = engagement_of(added_long_ago)
    assert scored.level == EngagementLevel.HIGHLY_ENGAGED
    assert scored.signals["events_in_window"] == 1
    assert scored.signals["calls_by_outcome"] == {"meeting_booked": 1}
    assert "1 meeting was booked" in scored.admin_explanation
    assert "at risk" not in scored.member_explanation.lower()


def test_a_connected_call_counts_like_any_call_held(workspace, added_long_ago):
    call(added_long_ago, CallOutcome.CONNECTED, days=5)
    score(workspace)
    scored = engagement_of(added_long_ago)
    assert scored.level == EngagementLevel.MODERATE
    assert scored.signals["events_by_kind"] == {"call_done": 1}


def test_voicemails_and_unanswered_calls_are_not_engagement(workspace, added_long_ago):
    call(added_long_ago, CallOutcome.LEFT_VOICEMAIL, days=3)
    call(added_long_ago, CallOutcome.NO_ANSWER, days=2)
    call(added_long_ago, CallOutcome.NO_ANSWER, days=1)
    score(workspace)
    scored = engagement_of(added_long_ago)
    assert scored.level == EngagementLevel.INACTIVE
    assert scored.signals["events_in_window"] == 0
    assert scored.signals["last_activity_at"] is None
    assert "1 voicemail left, 2 calls not answered" in scored.admin_explanation


@pytest.mark.parametrize(
    ("outcome", "words"),
    [
        (CallOutcome.NOT_INTERESTED, "the contact said they were not interested"),
        (CallOutcome.WRONG_NUMBER, "the number called was a wrong number"),
    ],
)
def test_a_call_that_says_no_brings_an_engaged_contact_down_to_at_risk(
    workspace, added_long_ago, outcome, words
):
    for days in (30, 20, 10):
        activity(added_long_ago, Kind.PDF_DOWNLOAD, days=days)
    call(added_long_ago, outcome, days=4)
    score(workspace)
    scored = engagement_of(added_long_ago)
    assert scored.level == EngagementLevel.AT_RISK
    assert scored.signals["last_call_said_no"]["outcome"] == outcome
    assert words in scored.admin_explanation
    assert "3 engagement events in the last 90 days" in scored.admin_explanation


def test_engaging_again_after_a_no_lifts_the_cap(workspace, added_long_ago):
    call(added_long_ago, CallOutcome.NOT_INTERESTED, days=10)
    activity(added_long_ago, Kind.EMAIL_CLICK, days=3)
    call(added_long_ago, CallOutcome.MEETING_BOOKED, days=2)
    score(workspace)
    scored = engagement_of(added_long_ago)
    assert scored.level == EngagementLevel.HIGHLY_ENGAGED
    assert scored.signals["last_call_said_no"] is None


def test_a_no_after_a_booked_meeting_is_the_last_word(workspace, added_long_ago):
    call(added_long_ago, CallOutcome.MEETING_BOOKED, days=10)
    call(added_long_ago, CallOutcome.NOT_INTERESTED, days=2)
    score(workspace)
    assert engagement_of(added_long_ago).level == EngagementLevel.AT_RISK


def test_a_new_contact_who_says_no_is_at_risk_not_new(workspace):
    newcomer = contact_added(workspace, days=3)
    call(newcomer, CallOutcome.NOT_INTERESTED, days=1)
    score(workspace)
    assert engagement_of(newcomer).level == EngagementLevel.AT_RISK


def test_a_no_long_ago_no_longer_counts(workspace, added_long_ago):
    call(added_long_ago, CallOutcome.NOT_INTERESTED, days=120)
    activity(added_long_ago, Kind.EMAIL_CLICK, days=130)
    score(workspace)
    scored = engagement_of(added_long_ago)
    assert scored.signals["last_call_said_no"] is None
    assert scored.level == EngagementLevel.AT_RISK  # silent past the window, engaged before
    assert "no engagement in the last 90 days" in scored.admin_explanation


def test_a_completed_call_task_and_a_logged_call_both_reach_the_score(workspace):
    booked = contact_added(workspace, days=200, first_name="Booked")
    refused = contact_added(workspace, days=200, first_name="Refused")
    task = TouchTaskFactory(prospect=booked.prospect, contact=booked)
    touch_task_complete(task=task, by=None, call_outcome=CallOutcome.MEETING_BOOKED)
    contact_touch_log(
        contact=refused, kind="call", by=None, call_outcome=CallOutcome.NOT_INTERESTED
    )
    score(workspace, now=timezone.now())
    assert engagement_of(booked).level == EngagementLevel.HIGHLY_ENGAGED
    assert engagement_of(refused).level == EngagementLevel.INACTIVE
    assert engagement_of(refused).signals["calls_by_outcome"] == {"not_interested": 1}
