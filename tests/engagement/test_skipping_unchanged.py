"""A computation rescoring only what changed: unchanged contacts are skipped, and each batch
costs the same few queries however many contacts it holds."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagement.models import MemberEngagement
from engagement.services import engagement_compute_workspace, engagement_settings_update
from outreach.models import Activity, Contact
from tests.engagement.conftest import NOW, activity, contact_added, engagement_of, score

Kind = Activity.Kind


def test_a_rerun_with_nothing_new_skips_every_contact(workspace):
    contacts = [contact_added(workspace, days=365) for _ in range(4)]
    activity(contacts[0], Kind.CALL_DONE, days=3)
    first = score(workspace)
    assert (first.scored, first.skipped) == (4, 0)
    stored = {e.contact_id: e.computed_at for e in MemberEngagement.objects.all()}

    again = score(workspace, now=NOW + timedelta(hours=6))
    assert (again.scored, again.skipped) == (0, 4)
    assert {e.contact_id: e.computed_at for e in MemberEngagement.objects.all()} == stored


def test_new_activity_or_a_profile_change_rescores_only_that_contact(workspace):
    replied, edited, untouched = (contact_added(workspace, days=365) for _ in range(3))
    score(workspace)
    activity(replied, Kind.REPLY, days=0, intent="interested")
    Contact.objects.filter(pk=edited.pk).update(updated_at=NOW - timedelta(hours=1))

    report = score(workspace, now=NOW + timedelta(hours=2))
    assert (report.scored, report.skipped) == (2, 1)
    assert engagement_of(untouched).computed_at == NOW
    assert engagement_of(replied).computed_at == NOW + timedelta(hours=2)
    assert engagement_of(replied).signals["events_in_window"] == 1
    assert (
        engagement_of(edited)
        .signals["profile_updated_at"]
        .startswith((NOW - timedelta(hours=1)).date().isoformat())
    )


def test_the_next_day_rescores_a_contact_whose_event_left_the_window(workspace):
    fading = contact_added(workspace, days=365)
    activity(fading, Kind.MEETING_DONE, days=90)
    score(workspace)
    assert engagement_of(fading).level == "moderate"
    report = score(workspace, now=NOW + timedelta(days=1))
    assert report.scored == 1
    assert engagement_of(fading).level == "at_risk"


def test_new_thresholds_rescore_everyone(workspace, alice):
    contact_added(workspace, days=365)
    contact_added(workspace, days=365)
    score(workspace)
    engagement_settings_update(workspace=workspace, changes={"window_days": 60}, by=alice)
    assert score(workspace).scored == 2


def test_a_score_older_than_the_rescore_age_is_redone(workspace, settings):
    settings.ENGAGEMENT_RESCORE_AFTER_DAYS = 30
    contact = contact_added(workspace, days=365)
    score(workspace)
    MemberEngagement.objects.filter(contact=contact).update(computed_at=NOW - timedelta(days=31))
    assert score(workspace).scored == 1


def test_each_batch_costs_the_same_queries_for_few_or_many_contacts(workspace, other_workspace):
    def queries(target) -> int:
        with CaptureQueriesContext(connection) as ctx:
            engagement_compute_workspace(workspace=target, now=NOW, batch_size=500)
        # The test runs inside a transaction, so each atomic block adds savepoints.
        return sum(1 for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"])

    def first_and_second_run(target, n: int) -> tuple[int, int]:
        contacts = [contact_added(target, days=365) for _ in range(n)]
        first = queries(target)
        for contact in contacts:
            activity(contact, Kind.EMAIL_OPEN, days=1)
        second = queries(target)
        assert MemberEngagement.objects.filter(workspace=target, level="moderate").count() == n
        return first, second

    few = first_and_second_run(workspace, 3)
    # SQLite splits a bulk insert into statements of at most 999 parameters: stay under it.
    many = first_and_second_run(other_workspace, 50)
    assert few == many
    # Expired overrides and thresholds once per run; per batch the contacts, two grouped
    # activity reads and the upsert, and for scores already stored the level sync. On
    # PostgreSQL the upsert is a temporary table, emptied, filled by COPY (not a query
    # Django sees) and one INSERT.
    upsert = 3 if connection.vendor == "postgresql" else 1
    assert many == (5 + upsert, 6 + upsert)
