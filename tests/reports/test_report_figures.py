"""Every figure each report shows, over small known histories on a fixed clock, in a workspace
on New York time: an event at 23:30 there (04:30 UTC the next day) counts on the New York day.
Each history is also built in a stranger's workspace, whose figures never show."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from engagement.models import EngagementLevel, MemberEngagement
from outreach.crm.services.deals import deal_create, deal_move_stage
from outreach.models import Activity, Meeting, OutreachLog, OutreachSequence, Reply, ReplyTriage
from reports.models import EngagementLevelDay
from reports.period import period_from_params
from reports.registry import REPORTS, Filters, build
from reports.services import engagement_levels_record
from tests.factories import (
    ActivityFactory,
    CampaignFactory,
    CampaignProspectFactory,
    ContactFactory,
    EmailTemplateFactory,
    EngagementOverrideHistoryFactory,
    MeetingFactory,
    MemberEngagementFactory,
    OutreachLogFactory,
    OutreachSequenceFactory,
    OutreachStepFactory,
    PipelineFactory,
    ProspectFactory,
    ReplyFactory,
    SequenceTemplateFactory,
    TouchTaskFactory,
)

NOW = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)  # 10:00 in New York
# Dec 1 to Dec 4 in New York: from 05:00 UTC on Dec 1 to 05:00 UTC on Dec 5.
RANGE = {"start": "2026-12-01", "end": "2026-12-04", "by": "day"}
LATE_ON_DEC_1 = datetime(2026, 12, 2, 4, 30, tzinfo=UTC)  # 23:30 on Dec 1 in New York
LATE_ON_DEC_4 = datetime(2026, 12, 5, 4, 30, tzinfo=UTC)  # 23:30 on Dec 4 in New York
EARLY_ON_DEC_5 = datetime(2026, 12, 5, 5, 30, tzinfo=UTC)  # 00:30 on Dec 5: outside
LATE_ON_NOV_30 = datetime(2026, 12, 1, 4, 59, tzinfo=UTC)  # 23:59 on Nov 30: outside


def at(day: int, hour: int = 15) -> datetime:
    return datetime(2026, 12, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def ny(workspace, other_workspace):
    for space in (workspace, other_workspace):
        space.time_zone = "America/New_York"
        space.save(update_fields=["time_zone"])
    return workspace


@pytest.fixture(autouse=True)
def fixed_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def figures(name: str, workspace, **filters):
    period = period_from_params(RANGE, time_zone=workspace.time_zone)
    return build(
        report=REPORTS[name], workspace=workspace, period=period, filters=Filters(**filters)
    )


def figures_by_week(name: str, workspace, **filters):
    period = period_from_params(RANGE | {"by": "week"}, time_zone=workspace.time_zone)
    return build(
        report=REPORTS[name], workspace=workspace, period=period, filters=Filters(**filters)
    )


def by_key(table, key: str) -> dict:
    return {row[key]: row for row in table.rows}


def test_the_range_is_the_workspaces_calendar_days(ny):
    period = period_from_params(RANGE, time_zone="America/New_York")
    assert period.start_at == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
    assert period.end_at == datetime(2026, 12, 5, 5, 0, tzinfo=UTC)
    assert period.buckets() == [date(2026, 12, d) for d in (1, 2, 3, 4)]
    weeks = period_from_params(RANGE | {"by": "week"}, time_zone="America/New_York")
    assert weeks.buckets() == [date(2026, 11, 30)]  # the Monday of the week
    preset = period_from_params({"range": "7d"}, time_zone="America/New_York")
    assert (preset.start, preset.end) == (date(2026, 11, 29), date(2026, 12, 5))


# Activity by rep -------------------------------------------------------------------------------


def activity_history(workspace, alice, bob):
    prospect = ProspectFactory(workspace=workspace)
    contact = ContactFactory(prospect=prospect)

    def log(**fields):
        return OutreachLogFactory(prospect=prospect, contact=contact, **fields)

    log(created_by=alice, created_at=LATE_ON_DEC_1)  # an email on Dec 1
    log(created_by=alice, created_at=EARLY_ON_DEC_5)  # outside
    log(created_by=alice, created_at=LATE_ON_NOV_30)  # outside
    log(
        created_by=bob,
        created_at=at(3),
        channel=OutreachLog.Channel.CALL,
        log_type=OutreachLog.Type.CALL,
        status=OutreachLog.Status.DONE,
        metadata={"callOutcome": "connected"},
    )
    task = TouchTaskFactory(prospect=prospect, contact=contact, assignee=bob)
    OutreachLog.objects.filter(pk=task.pk).update(
        status=OutreachLog.Status.DONE,
        completed_by=bob,
        completed_at=at(4),
        created_at=datetime(2026, 11, 20, tzinfo=UTC),
        metadata=task.metadata | {"callOutcome": "meeting_booked"},
    )
    TouchTaskFactory(prospect=prospect, contact=contact, assignee=bob, due_at=at(1))  # overdue
    TouchTaskFactory(prospect=prospect, contact=contact, assignee=bob, due_at=at(9))  # not yet
    meeting = MeetingFactory(contact=contact, host=alice, workspace=workspace)
    Meeting.objects.filter(pk=meeting.pk).update(created_at=at(2))


def test_activity_by_rep_counts_each_reps_touches_per_day(ny, alice, bob, charlie, other_workspace):
    activity_history(ny, alice, bob)
    activity_history(other_workspace, charlie, charlie)
    data = figures("activity", ny)

    per_day, per_rep = data.tables
    assert [
        (row["bucket"], row["emails"], row["calls"], row["tasks_completed"], row["meetings_booked"])
        for row in per_day.rows
    ] == [
        ("2026-12-01", 1, 0, 0, 0),
        ("2026-12-02", 0, 0, 0, 1),
        ("2026-12-03", 0, 1, 0, 0),
        ("2026-12-04", 0, 1, 1, 0),
    ]
    reps = by_key(per_rep, "rep")
    assert set(reps) == {"Alice", "Bob"}
    assert reps["Alice"] | {} == {
        "rep": "Alice",
        "emails": 1,
        "calls": 0,
        **{
            f"call_{o}": 0
            for o in (
                "connected",
                "left_voicemail",
                "no_answer",
                "wrong_number",
                "meeting_booked",
                "not_interested",
            )
        },
        "tasks_done": 0,
        "tasks_overdue": 0,
        "meetings": 1,
    }
    assert reps["Bob"]["calls"] == 2
    assert reps["Bob"]["call_connected"] == 1
    assert reps["Bob"]["call_meeting_booked"] == 1
    assert reps["Bob"]["call_no_answer"] == 0
    assert reps["Bob"]["tasks_done"] == 1
    assert reps["Bob"]["tasks_overdue"] == 1
    assert reps["Bob"]["emails"] == 0
    assert data.summary == [
        ("Emails", "1"),
        ("Calls", "2"),
        ("Tasks completed", "1"),
        ("Overdue now", "1"),
        ("Meetings booked", "1"),
    ]
    assert [s.name for s in data.chart.series] == [
        "Emails",
        "Calls",
        "Tasks completed",
        "Meetings booked",
    ]
    assert data.chart.series[1].values == [0, 0, 1, 1]

    only_bob = figures("activity", ny, rep=bob.pk)
    assert [row["rep"] for row in only_bob.tables[1].rows] == ["Bob"]
    assert only_bob.summary[0] == ("Emails", "0")


def test_days_and_weeks_follow_the_workspace_clock_across_a_clock_change(ny, alice):
    """New York sets its clocks back at 02:00 on Sunday Nov 1, 2026: midnight is 04:00 UTC
    before it and 05:00 UTC after it, and each email counts on the day (and week) of the clock
    on the wall when it was sent."""
    prospect = ProspectFactory(workspace=ny)
    sent = [
        datetime(2026, 11, 1, 3, 30, tzinfo=UTC),  # 23:30 on Saturday Oct 31
        datetime(2026, 11, 1, 4, 30, tzinfo=UTC),  # 00:30 on Sunday Nov 1
        datetime(2026, 11, 2, 4, 30, tzinfo=UTC),  # 23:30 on Sunday Nov 1
        datetime(2026, 11, 2, 5, 30, tzinfo=UTC),  # 00:30 on Monday Nov 2
    ]
    for moment in sent:
        OutreachLogFactory(prospect=prospect, created_by=alice, created_at=moment)
    days = {"start": "2026-10-31", "end": "2026-11-02"}

    def emails(by: str) -> list[tuple[str, int]]:
        period = period_from_params(days | {"by": by}, time_zone=ny.time_zone)
        data = build(report=REPORTS["activity"], workspace=ny, period=period, filters=Filters())
        return [(row["bucket"], row["emails"]) for row in data.tables[0].rows]

    assert emails("day") == [("2026-10-31", 1), ("2026-11-01", 2), ("2026-11-02", 1)]
    assert emails("week") == [("2026-10-26", 3), ("2026-11-02", 1)]


# Replies over time -----------------------------------------------------------------------------


def reply_history(workspace):
    contact = ContactFactory(prospect=ProspectFactory(workspace=workspace))

    def reply(received_at, intent, *triages, kind=Reply.Kind.HUMAN):
        row = ReplyFactory(contact=contact, received_at=received_at, intent=intent, kind=kind)
        for source, triage_intent in triages:
            ReplyTriage.objects.create(reply=row, source=source, intent=triage_intent)

    reply(LATE_ON_DEC_1, "interested", ("rules", "interested"))
    reply(at(3), "question", ("rules", "interested"), ("rep", "question"))  # corrected
    reply(at(3, 16), "not_interested", ("rules", "not_interested"), ("rep", "not_interested"))
    reply(at(3, 17), "", kind=Reply.Kind.BOUNCE_HARD)  # a bounce is no reply
    reply(EARLY_ON_DEC_5, "interested", ("rules", "interested"))  # outside


def test_replies_over_time_by_intent_with_the_triages_precision(ny, other_workspace):
    reply_history(ny)
    reply_history(other_workspace)
    data = figures("replies", ny)

    rows = by_key(data.tables[0], "bucket")
    assert rows["2026-12-01"]["Interested"] == 1
    assert rows["2026-12-01"]["total"] == 1
    assert rows["2026-12-02"]["total"] == 0
    assert rows["2026-12-03"]["Question"] == 1
    assert rows["2026-12-03"]["Not interested"] == 1
    assert rows["2026-12-03"]["Interested"] == 0
    assert rows["2026-12-03"]["total"] == 2
    assert rows["2026-12-03"]["automatic"] == 2
    assert rows["2026-12-03"]["corrected"] == 1
    assert rows["2026-12-03"]["precision"] == 0.5
    assert rows["2026-12-04"]["total"] == 0
    assert rows["2026-12-04"]["precision"] is None
    assert data.summary == [
        ("Replies", "3"),
        ("Triaged automatically", "3"),
        ("Corrected by a rep", "1"),
        ("Triage precision", "66.7%"),
    ]
    series = {s.name: s.values for s in data.chart.series}
    assert series == {
        "Interested": [1, 0, 0, 0],
        "Not interested": [0, 0, 1, 0],
        "Question": [0, 0, 1, 0],
    }


# Pipeline --------------------------------------------------------------------------------------


def pipeline_history(workspace):
    pipeline = PipelineFactory(workspace=workspace, name="Sales")
    _qualification, proposal, won = pipeline.stages.order_by("position")

    def deal(when, value):
        with time_machine.travel(when, tick=False):
            return deal_create(
                workspace=workspace,
                pipeline=pipeline,
                prospect=ProspectFactory(workspace=workspace),
                name=f"Deal {value}",
                value=Decimal(value),
            )

    def move(when, deal, stage):
        with time_machine.travel(when, tick=False):
            deal_move_stage(deal=deal, stage=stage)

    a = deal(at(1), "1000")
    move(at(3), a, proposal)
    deal(at(2), "500")
    c = deal(datetime(2026, 11, 1, 15, tzinfo=UTC), "2000")
    move(datetime(2026, 11, 2, 15, tzinfo=UTC), c, proposal)
    move(at(4), c, won)
    return pipeline


def test_the_pipeline_by_stage_with_conversion_and_days_in_stage(ny, other_workspace):
    pipeline = pipeline_history(ny)
    pipeline_history(other_workspace)
    data = figures("pipeline", ny, pipeline=pipeline.pk)

    assert data.tables[0].rows == [
        {
            "stage": "Qualification",
            "deals": 1,
            "value": Decimal("500.00"),
            "entered": 2,
            "moved_on": 1,
            "conversion": 0.5,
            "left": 1,
            "avg_days": 2.0,
        },
        {
            "stage": "Proposal",
            "deals": 1,
            "value": Decimal("1000.00"),
            "entered": 1,
            "moved_on": 0,
            "conversion": 0.0,
            "left": 1,
            "avg_days": 32.0,
        },
        {
            "stage": "Closed Won",
            "deals": 1,
            "value": Decimal("2000.00"),
            "entered": 1,
            "moved_on": 0,
            "conversion": 0.0,
            "left": 0,
            "avg_days": None,
        },
    ]
    assert data.summary == [
        ("Pipeline", "Sales"),
        ("Deals", "3"),
        ("Value", "3,500"),
        ("Entered a stage", "4"),
    ]
    assert data.chart.categories == ["Qualification", "Proposal", "Closed Won"]
    assert data.chart.series[0].values == [500.0, 1000.0, 2000.0]


# Sequence funnel -------------------------------------------------------------------------------


def funnel_history(workspace, host):
    template = SequenceTemplateFactory(workspace=workspace, name="Welcome")
    library = EmailTemplateFactory(workspace=workspace, name="First touch")
    contacts = [ContactFactory(prospect=ProspectFactory(workspace=workspace)) for _ in range(3)]
    enrollments = [OutreachSequenceFactory(contact=c, template=template) for c in contacts]
    OutreachSequence.objects.filter(pk__in=[e.pk for e in enrollments[:2]]).update(created_at=at(1))
    OutreachSequence.objects.filter(pk=enrollments[2].pk).update(
        created_at=datetime(2026, 11, 1, tzinfo=UTC)
    )

    def sent(enrollment, order, when, email_template=None):
        log = OutreachLogFactory(
            prospect=enrollment.prospect,
            contact=enrollment.contact,
            created_at=when,
            email_template=email_template,
        )
        return OutreachStepFactory(
            sequence=enrollment, step_order=order, status="done", outreach_log=log
        )

    c1_first = sent(enrollments[0], 1, at(1, 16), library)
    c2_first = sent(enrollments[1], 1, at(1, 17), library)
    c1_second = sent(enrollments[0], 2, at(3))
    sent(enrollments[2], 1, datetime(2026, 11, 2, tzinfo=UTC))  # outside

    def signal(step, kind, when):
        ActivityFactory(
            contact=step.sequence.contact,
            kind=kind,
            occurred_at=when,
            metadata={"logId": step.outreach_log_id, "stepId": step.pk},
        )

    signal(c1_first, Activity.Kind.EMAIL_OPEN, at(1, 18))
    signal(c1_first, Activity.Kind.EMAIL_OPEN, at(2))  # the same email again: one open
    signal(c2_first, Activity.Kind.EMAIL_OPEN, LATE_ON_DEC_1)
    signal(c1_first, Activity.Kind.EMAIL_CLICK, at(2, 16))

    def answer(step, when, **fields):
        ReplyFactory(
            contact=step.sequence.contact, answers=step.outreach_log, received_at=when, **fields
        )

    answer(c1_first, at(2), intent="interested")
    answer(c2_first, at(2), kind=Reply.Kind.BOUNCE_HARD, intent="")
    answer(c1_second, at(4), intent="unsubscribe")
    meeting = MeetingFactory(contact=contacts[0], host=host, workspace=workspace)
    Meeting.objects.filter(pk=meeting.pk).update(created_at=at(4))
    return template


def test_the_sequence_funnel_per_sequence_and_step(ny, alice, other_workspace, charlie):
    template = funnel_history(ny, alice)
    funnel_history(other_workspace, charlie)
    data = figures("sequence-funnel", ny)

    steps, templates = data.tables
    zero_intents = {
        i: 0
        for i in (
            "interested",
            "not_interested",
            "out_of_office",
            "unsubscribe",
            "referral",
            "question",
            "unclear",
        )
    }
    assert steps.rows == [
        {
            "sequence": "Welcome",
            "step": "All steps",
            "enrolled": 2,
            "sent": 3,
            "opened": 2,
            "clicked": 1,
            "replied": 2,
            **zero_intents,
            "interested": 1,
            "unsubscribe": 1,
            "bounced": 1,
            "opted_out": 1,
            "meetings": 1,
            "reply_rate": 0.6667,
        },
        {
            "sequence": "Welcome",
            "step": "Step 1 · Email",
            "enrolled": None,
            "sent": 2,
            "opened": 2,
            "clicked": 1,
            "replied": 1,
            **zero_intents,
            "interested": 1,
            "bounced": 1,
            "opted_out": 0,
            "meetings": None,
            "reply_rate": 0.5,
        },
        {
            "sequence": "Welcome",
            "step": "Step 2 · Email",
            "enrolled": None,
            "sent": 1,
            "opened": 0,
            "clicked": 0,
            "replied": 1,
            **zero_intents,
            "unsubscribe": 1,
            "bounced": 0,
            "opted_out": 1,
            "meetings": None,
            "reply_rate": 1.0,
        },
    ]
    assert templates.rows == [
        {"template": "First touch", "sent": 2, "replied": 1, "reply_rate": 0.5}
    ]
    assert data.summary == [
        ("Enrolled", "2"),
        ("Sent", "3"),
        ("Replied", "2"),
        ("Reply rate", "66.7%"),
        ("Meetings", "1"),
    ]
    assert data.chart.categories == ["Welcome"]
    by_step = figures("sequence-funnel", ny, sequence=template.pk)
    assert by_step.chart.categories == ["Step 1 · Email", "Step 2 · Email"]
    assert {s.name: s.values for s in by_step.chart.series} == {
        "Sent": [2, 1],
        "Opened": [2, 0],
        "Clicked": [1, 0],
        "Replied": [1, 1],
    }


# Engagement ------------------------------------------------------------------------------------


def engagement_history(workspace):
    def scored(level):
        return MemberEngagementFactory(
            contact=ContactFactory(prospect=ProspectFactory(workspace=workspace)), level=level
        )

    high = scored(EngagementLevel.HIGHLY_ENGAGED)
    moderate = scored(EngagementLevel.MODERATE)
    scored(EngagementLevel.MODERATE)
    ActivityFactory(contact=high.contact, kind=Activity.Kind.EMAIL_OPEN, occurred_at=LATE_ON_DEC_1)
    ActivityFactory(contact=high.contact, kind=Activity.Kind.MEETING_BOOKED, occurred_at=at(2))
    ActivityFactory(contact=moderate.contact, kind=Activity.Kind.REPLY, occurred_at=at(3))
    ActivityFactory(contact=moderate.contact, kind=Activity.Kind.REPLY, occurred_at=EARLY_ON_DEC_5)
    EngagementOverrideHistoryFactory(engagement=high, performed_at=at(2))


def test_engagement_levels_and_what_moved_them(ny, other_workspace):
    engagement_history(ny)
    engagement_history(other_workspace)
    engagement_levels_record(now=at(2, 20))  # Dec 2 in New York
    one = MemberEngagement.objects.filter(workspace=ny, level=EngagementLevel.MODERATE).first()
    MemberEngagement.objects.filter(pk=one.pk).update(level=EngagementLevel.AT_RISK)
    engagement_levels_record(now=LATE_ON_DEC_1.replace(day=3))  # 23:30 on Dec 2 in New York
    engagement_levels_record(now=LATE_ON_DEC_4.replace(day=4))  # 23:30 on Dec 3
    engagement_levels_record(now=LATE_ON_DEC_4.replace(day=4))  # a repeat changes nothing
    assert EngagementLevelDay.objects.filter(workspace=ny, day=date(2026, 12, 3)).count() == 3
    data = figures("engagement", ny)

    series = {s.name: s.values for s in data.chart.series}
    assert series["Highly engaged"] == [0, 1, 1, 0]
    assert series["Moderate"] == [0, 1, 1, 0]  # Dec 2's last count had one at risk already
    assert series["At risk"] == [0, 1, 1, 0]
    assert series["New"] == [0, 0, 0, 0]
    over_time = by_key(data.tables[0], "bucket")
    assert over_time["2026-12-03"]["Moderate"] == 1
    weekly = figures_by_week("engagement", ny)
    assert {s.name: s.values for s in weekly.chart.series}["At risk"] == [1]

    rows = by_key(data.tables[1], "level")
    assert rows["Highly engaged"]["contacts"] == 1
    assert rows["Highly engaged"]["overrides"] == 1
    assert rows["Highly engaged"]["email_open"] == 1
    assert rows["Highly engaged"]["meeting_booked"] == 1
    assert rows["Highly engaged"]["reply"] == 0
    assert rows["Moderate"]["contacts"] == 1
    assert rows["At risk"]["contacts"] == 1
    # The reply came from the contact who is moderate now, or the one now at risk.
    assert rows["Moderate"]["reply"] + rows["At risk"]["reply"] == 1
    assert rows["Moderate"]["overrides"] == 0
    assert dict(data.summary)["Moderate"] == "1"
    signals = by_key(data.tables[2], "bucket")
    assert signals["2026-12-01"]["Highly engaged"] == 1
    assert signals["2026-12-02"]["Highly engaged"] == 1
    assert signals["2026-12-03"]["Moderate"] + signals["2026-12-03"]["At risk"] == 1
    assert signals["2026-12-04"]["Moderate"] == 0


def test_todays_levels_count_as_they_stand(ny):
    engagement_history(ny)
    period = period_from_params({"range": "7d"}, time_zone=ny.time_zone)
    data = build(report=REPORTS["engagement"], workspace=ny, period=period, filters=Filters())
    series = {s.name: s.values for s in data.chart.series}
    assert series["Moderate"] == [0, 0, 0, 0, 0, 0, 2]
    assert series["Highly engaged"][-1] == 1


# Campaigns -------------------------------------------------------------------------------------


def campaign_history(workspace, host):
    campaign = CampaignFactory(
        workspace=workspace, name="Fintech intros", launched_at=datetime(2026, 11, 30, tzinfo=UTC)
    )
    made = CampaignProspectFactory(campaign=campaign, status="complete", completed_at=at(1))
    older = CampaignProspectFactory(
        campaign=campaign, status="complete", completed_at=datetime(2026, 11, 20, tzinfo=UTC)
    )
    for when in (at(2), at(2, 16)):
        ActivityFactory(contact=made.contact, kind=Activity.Kind.WIZARD_STEP, occurred_at=when)
    ActivityFactory(contact=older.contact, kind=Activity.Kind.WIZARD_STEP, occurred_at=at(3))
    # Three plays: two whose player told how much was watched (half, then nine tenths), and
    # one from before players told, which counts as a play but not in the average.
    for when, told in ((at(2), {"watched": 0.5}), (at(3), {"watched": 0.9}), (at(3, 16), {})):
        ActivityFactory(
            contact=made.contact,
            kind=Activity.Kind.VIDEO_PLAY,
            occurred_at=when,
            metadata={"campaignProspectId": made.pk} | told,
        )
    ActivityFactory(contact=made.contact, kind=Activity.Kind.PDF_DOWNLOAD, occurred_at=at(3))
    task = TouchTaskFactory(prospect=made.prospect, contact=made.contact)
    OutreachLog.objects.filter(pk=task.pk).update(created_at=at(3))
    earlier = TouchTaskFactory(prospect=made.prospect, contact=made.contact)  # before the launch
    OutreachLog.objects.filter(pk=earlier.pk).update(
        created_at=LATE_ON_NOV_30.replace(day=1, month=11)
    )
    meeting = MeetingFactory(contact=made.contact, host=host, workspace=workspace)
    Meeting.objects.filter(pk=meeting.pk).update(created_at=at(4))
    return campaign


def test_campaigns_from_videos_made_to_meetings(ny, alice, other_workspace, charlie):
    campaign_history(ny, alice)
    campaign_history(other_workspace, charlie)
    data = figures("campaigns", ny)

    assert data.tables[0].rows == [
        {
            "campaign": "Fintech intros",
            "videos": 1,
            "visitors": 2,
            "step_views": 3,
            "plays": 3,
            "watched": 0.7,
            "downloads": 1,
            "call_tasks": 1,
            "meetings": 1,
        }
    ]
    assert data.summary == [
        ("Videos made", "1"),
        ("Wizard visitors", "2"),
        ("Plays", "3"),
        ("PDF downloads", "1"),
        ("Meetings", "1"),
    ]
