"""The daily beat job scores every workspace at 04:00 UTC, hands the rest to a follow-up task
when its time runs out, and a single contact can be rescored on demand."""

from celery.schedules import crontab

from config.celery import app
from engagement import tasks
from engagement.models import MemberEngagement
from tests.engagement.conftest import contact_added


def test_the_daily_job_runs_at_four_utc_and_expires():
    entry = app.conf.beat_schedule["compute-engagement-scores"]
    assert entry["task"] == "engagement.compute_scores"
    assert entry["schedule"] == crontab(hour=4, minute=0)
    assert app.conf.timezone == "UTC"
    assert 0 < entry["options"]["expires"] <= 24 * 60 * 60
    sweep = app.conf.beat_schedule["clear-expired-engagement-overrides"]
    assert sweep["task"] == "engagement.clear_expired_overrides"
    assert sweep["options"]["expires"] < sweep["schedule"]


def test_the_daily_job_scores_every_workspace(
    django_capture_on_commit_callbacks, workspace, other_workspace
):
    ours = contact_added(workspace, days=365)
    theirs = contact_added(other_workspace, days=5)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.compute_scores.delay().get() == 2
    assert MemberEngagement.objects.get(contact=ours).workspace == workspace
    assert MemberEngagement.objects.get(contact=theirs).level == "new"


def test_a_run_out_of_time_continues_in_a_follow_up_task(
    django_capture_on_commit_callbacks, settings, workspace
):
    settings.ENGAGEMENT_TASK_TIME_BUDGET_SECONDS = 0
    settings.ENGAGEMENT_BATCH_SIZE = 2
    contacts = [contact_added(workspace, days=365) for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tasks.compute_workspace_scores.delay(workspace.pk).get()
    # One batch of two per task: the first task hands over twice.
    assert len(callbacks) == 2
    assert MemberEngagement.objects.filter(contact__in=contacts).count() == 5


def test_tasks_return_quietly_when_the_row_is_gone(db):
    assert tasks.compute_workspace_scores.delay(987654).get() == 0
    assert tasks.compute_contact_score.delay(987654).get() is None


def test_one_contact_is_rescored_on_demand(workspace):
    contact = contact_added(workspace, days=3)
    tasks.compute_contact_score.delay(contact.pk).get()
    assert MemberEngagement.objects.get(contact=contact).level == "new"
