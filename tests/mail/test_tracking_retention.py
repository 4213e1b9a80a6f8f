"""Old email opens and clicks are compacted: one row per email, contact, kind and day of the
workspace, counting the repeats. The reports show the same figures before and after, scores
count the same, and batches (however small) keep the same few queries each."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from engagement.selectors import activity_counts
from engagement.signals import ScoringClock, Thresholds
from outreach.mail.services.tracking_retention import tracking_compact
from outreach.models import Activity
from reports.period import period_from_params
from reports.registry import REPORTS, Filters, build
from tests.factories import (
    ActivityFactory,
    ContactFactory,
    OutreachLogFactory,
    OutreachSequenceFactory,
    OutreachStepFactory,
)

REPORTED = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)  # when the reports are read
LATER = REPORTED + timedelta(days=45)  # when retention runs: December is past its 30 days
# 23:30 on Dec 1 in New York is 04:30 UTC on Dec 2: it belongs with Dec 1's opens.
LATE_ON_DEC_1 = datetime(2026, 12, 2, 4, 30, tzinfo=UTC)


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 12, day, hour, 0, tzinfo=UTC)


def sent_step(contact, order: int):
    log = OutreachLogFactory(prospect=contact.prospect)
    sequence = OutreachSequenceFactory(contact=contact)
    return OutreachStepFactory(sequence=sequence, step_order=order, outreach_log=log)


def signal(contact, step, kind, when, **metadata):
    return ActivityFactory(
        contact=contact,
        kind=kind,
        occurred_at=when,
        step=step,
        metadata={"logId": step.outreach_log_id, "stepId": step.pk, **metadata},
    )


def every_figure(workspace):
    figures = []
    for by in ("day", "week"):
        period = period_from_params(
            {"start": "2026-11-25", "end": "2026-12-05", "by": by}, time_zone=workspace.time_zone
        )
        for name in ("sequence-funnel", "engagement"):
            data = build(
                report=REPORTS[name], workspace=workspace, period=period, filters=Filters()
            )
            figures.append((name, by, data.summary, [table.rows for table in data.tables]))
    return figures


@pytest.fixture
def ny(workspace):
    workspace.time_zone = "America/New_York"
    workspace.save(update_fields=["time_zone"])
    return workspace


@pytest.mark.django_db
def test_a_days_repeats_become_one_row_and_every_report_and_score_counts_the_same(ny, settings):
    settings.EMAIL_TRACKING_COMPACT_AFTER_DAYS = 30
    pat = ContactFactory(prospect__workspace=ny)
    sam = ContactFactory(prospect=pat.prospect)
    first, second = sent_step(pat, 1), sent_step(pat, 2)
    for when in (at(1, 14), at(1, 18), LATE_ON_DEC_1):
        signal(pat, first, "email_open", when)
    signal(pat, first, "email_open", at(3, 15))
    signal(pat, first, "email_click", at(3, 15), url="https://a.example/pricing")
    last_click = signal(pat, first, "email_click", at(3, 16), url="https://a.example/demo")
    signal(pat, second, "email_open", at(4, 12))
    sams = sent_step(sam, 1)
    signal(sam, sams, "email_open", at(1, 14))
    signal(sam, sams, "email_open", at(1, 15))
    call = ActivityFactory(contact=pat, kind="call_done", occurred_at=at(1, 14))
    with time_machine.travel(REPORTED, tick=False):
        before = every_figure(ny)
    clock = ScoringClock(now=REPORTED, thresholds=Thresholds())
    contacts = [pat.pk, sam.pk]
    scores_before = activity_counts(
        workspace=ny, contact_ids=contacts, prospect_ids=[pat.prospect_id], clock=clock
    )

    folded = tracking_compact(now=LATER)

    assert folded == 4
    rows = {
        (row.contact_id, row.step_id, row.kind, row.repeats)
        for row in Activity.objects.filter(kind__in=["email_open", "email_click"])
    }
    assert rows == {
        (pat.pk, first.pk, "email_open", 3),  # Dec 1 in New York, the late one included
        (pat.pk, first.pk, "email_open", 1),  # Dec 3
        (pat.pk, first.pk, "email_click", 2),
        (pat.pk, second.pk, "email_open", 1),
        (sam.pk, sams.pk, "email_open", 2),
    }
    click = Activity.objects.get(kind="email_click")
    assert click.pk == last_click.pk and click.metadata["url"] == "https://a.example/demo"
    assert Activity.objects.get(pk=call.pk).repeats == 1
    assert not Activity.objects.filter(compacted=False, kind="email_open").exists()
    with time_machine.travel(REPORTED, tick=False):
        assert every_figure(ny) == before
    assert (
        activity_counts(
            workspace=ny, contact_ids=contacts, prospect_ids=[pat.prospect_id], clock=clock
        )
        == scores_before
    )


@pytest.mark.django_db
def test_recent_opens_wait_for_their_retention(workspace, settings):
    settings.EMAIL_TRACKING_COMPACT_AFTER_DAYS = 30
    pat = ContactFactory(prospect__workspace=workspace)
    step = sent_step(pat, 1)
    for hour in (9, 10, 11):
        signal(pat, step, "email_open", LATER - timedelta(days=10, hours=hour))

    assert tracking_compact(now=LATER) == 0
    assert Activity.objects.filter(kind="email_open", compacted=False).count() == 3


@pytest.mark.django_db
def test_small_batches_fold_into_the_row_an_earlier_batch_kept_with_the_same_queries_each(
    workspace, settings
):
    settings.EMAIL_TRACKING_COMPACT_AFTER_DAYS = 30
    pat = ContactFactory(prospect__workspace=workspace)
    step = sent_step(pat, 1)
    for minute in range(7):
        signal(pat, step, "email_open", at(2, 9) + timedelta(minutes=minute))
    one_batch = CaptureQueriesContext(connection)
    with one_batch:
        tracking_compact(now=LATER, batch_size=100)
    assert Activity.objects.get(kind="email_open").repeats == 7

    other = ContactFactory(prospect=pat.prospect)
    other_step = sent_step(other, 1)
    for minute in range(7):
        signal(other, other_step, "email_open", at(2, 9) + timedelta(minutes=minute))
    small = CaptureQueriesContext(connection)
    with small:
        assert tracking_compact(now=LATER, batch_size=2) == 6

    kept = Activity.objects.get(kind="email_open", contact=other)
    assert (kept.repeats, kept.occurred_at) == (7, at(2, 9) + timedelta(minutes=6))
    # Four batches (2, 2, 2, 1), each a fixed handful of queries, whatever its size.
    assert len(small.captured_queries) <= 4 * len(one_batch.captured_queries)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_sweepers_at_once_lose_and_double_no_open(workspace, settings):
    settings.EMAIL_TRACKING_COMPACT_AFTER_DAYS = 30
    pat = ContactFactory(prospect__workspace=workspace)
    steps = [sent_step(pat, n) for n in range(5)]
    Activity.objects.bulk_create(
        Activity(
            workspace=workspace,
            prospect=pat.prospect,
            contact=pat,
            kind="email_open",
            step=steps[n % 5],
            metadata={"logId": steps[n % 5].outreach_log_id},
            occurred_at=at(1 + n % 3, 9) + timedelta(seconds=n),
        )
        for n in range(1500)
    )
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def sweeper():
        try:
            start.wait()
            tracking_compact(now=LATER, batch_size=100)
        except BaseException as exc:  # reported by the main thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    assert not errors, errors
    opens = Activity.objects.filter(kind="email_open")
    assert opens.aggregate(n=Sum("repeats"))["n"] == 1500
    assert not opens.filter(compacted=False).exists()
    # 5 emails on 3 days each; two sweepers may each keep a row for the same email and day.
    assert 15 <= opens.count() <= 60
