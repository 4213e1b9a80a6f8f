"""The daily count of contacts per engagement level: recorded by a beat job on each
workspace's own calendar day, once per day and level however often it runs."""

from datetime import UTC, date, datetime

import pytest

from config.celery import app
from engagement.models import EngagementLevel
from reports.models import EngagementLevelDay
from reports.services import engagement_levels_record
from reports.tasks import record_engagement_levels
from tests.factories import ContactFactory, MemberEngagementFactory, ProspectFactory


@pytest.mark.django_db
def test_each_workspace_records_its_own_day_once(workspace, other_workspace):
    workspace.time_zone = "Asia/Tokyo"
    workspace.save(update_fields=["time_zone"])
    for space, levels in ((workspace, ["moderate", "moderate", "new"]), (other_workspace, ["new"])):
        for level in levels:
            MemberEngagementFactory(
                contact=ContactFactory(prospect=ProspectFactory(workspace=space)), level=level
            )
    evening_in_london = datetime(2026, 12, 5, 20, 0, tzinfo=UTC)  # already Dec 6 in Tokyo
    assert engagement_levels_record(now=evening_in_london) == 3
    assert engagement_levels_record(now=evening_in_london) == 3

    tokyo = EngagementLevelDay.objects.filter(workspace=workspace)
    assert set(tokyo.values_list("day", "level", "contacts")) == {
        (date(2026, 12, 6), EngagementLevel.MODERATE, 2),
        (date(2026, 12, 6), EngagementLevel.NEW, 1),
    }
    london = EngagementLevelDay.objects.filter(workspace=other_workspace)
    assert list(london.values_list("day", "level", "contacts")) == [
        (date(2026, 12, 5), EngagementLevel.NEW, 1)
    ]


@pytest.mark.django_db
def test_a_level_nobody_has_any_more_leaves_the_days_count(workspace):
    score = MemberEngagementFactory(
        contact=ContactFactory(prospect=ProspectFactory(workspace=workspace)), level="at_risk"
    )
    noon = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    engagement_levels_record(now=noon)
    score.level = EngagementLevel.HIGHLY_ENGAGED
    score.save(update_fields=["level"])
    engagement_levels_record(now=noon.replace(hour=13))
    assert list(EngagementLevelDay.objects.values_list("level", "contacts")) == [
        (EngagementLevel.HIGHLY_ENGAGED, 1)
    ]


@pytest.mark.django_db
def test_the_beat_job_records_the_levels(workspace):
    MemberEngagementFactory(contact=ContactFactory(prospect=ProspectFactory(workspace=workspace)))
    assert record_engagement_levels() == 1
    entry = app.conf.beat_schedule["reports-record-engagement-levels"]
    assert entry["task"] == record_engagement_levels.name == "reports.record_engagement_levels"
    assert entry["options"]["expires"] > 0
