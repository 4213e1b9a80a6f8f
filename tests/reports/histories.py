"""Histories the report tests build: a few of every row each report reads."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from outreach.crm.services.deals import deal_create, deal_move_stage
from outreach.models import Activity, Meeting, OutreachLog, Reply
from tests.factories import (
    ActivityFactory,
    CampaignFactory,
    CampaignProspectFactory,
    ContactFactory,
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


def history(workspace, host, n: int, mark: str = "Acme"):
    """n of every kind of row each report reads, all within the last week."""
    pipeline = PipelineFactory(workspace=workspace, name=f"{mark} pipeline")
    campaign = CampaignFactory(
        workspace=workspace, name=f"{mark} campaign", launched_at=timezone.now() - timedelta(days=9)
    )
    for i in range(n):
        prospect = ProspectFactory(workspace=workspace, name=f"{mark} {i}")
        contact = ContactFactory(prospect=prospect)
        enrollment = OutreachSequenceFactory(contact=contact)
        log = OutreachLogFactory(prospect=prospect, contact=contact, created_by=host)
        step = OutreachStepFactory(
            sequence=enrollment, step_order=1, status="done", outreach_log=log
        )
        ActivityFactory(
            contact=contact, kind=Activity.Kind.EMAIL_OPEN, metadata={"stepId": step.pk}
        )
        ReplyFactory(contact=contact, answers=log, intent=Reply.Intent.QUESTION)
        TouchTaskFactory(prospect=prospect, contact=contact, assignee=host)
        MeetingFactory(contact=contact, host=host, workspace=workspace)
        deal_create(
            workspace=workspace,
            pipeline=pipeline,
            prospect=prospect,
            name=f"{mark} deal",
            value=Decimal("1000"),
        )
        MemberEngagementFactory(contact=contact)
        entry = CampaignProspectFactory(
            campaign=campaign,
            prospect=prospect,
            contact=contact,
            status="complete",
            completed_at=timezone.now(),
        )
        ActivityFactory(
            contact=contact,
            kind=Activity.Kind.VIDEO_PLAY,
            metadata={"campaignProspectId": entry.pk},
        )
        ActivityFactory(contact=contact, kind=Activity.Kind.WIZARD_STEP)
    return pipeline, campaign


def a_month_of_work(workspace, reps) -> None:
    """Three weeks of a small team's outreach, spread over the days, for pages to look at."""
    now = timezone.now()
    pipeline = PipelineFactory(
        workspace=workspace, name="Sales", stages=["Qualification", "Discovery", "Proposal", "Won"]
    )
    stages = list(pipeline.stages.order_by("position"))
    cadence = SequenceTemplateFactory(workspace=workspace, name="Fintech founders")
    follow_up = SequenceTemplateFactory(workspace=workspace, name="Event follow-up")
    campaign = CampaignFactory(
        workspace=workspace,
        name="Fintech leaders: video intros",
        launched_at=now - timedelta(days=21),
    )
    intents = list(Reply.Intent)
    outcomes = ["connected", "left_voicemail", "no_answer", "meeting_booked"]
    for i in range(24):
        day = now - timedelta(days=i % 20, hours=i % 5)
        rep = reps[i % len(reps)]
        prospect = ProspectFactory(workspace=workspace, name=f"Company {i}", owner=rep)
        contact = ContactFactory(prospect=prospect)
        enrollment = OutreachSequenceFactory(contact=contact, template=(cadence, follow_up)[i % 2])
        for order in (1, 2, 3)[: 1 + i % 3]:
            log = OutreachLogFactory(prospect=prospect, contact=contact, created_by=rep)
            OutreachLog.objects.filter(pk=log.pk).update(created_at=day + timedelta(hours=order))
            step = OutreachStepFactory(
                sequence=enrollment, step_order=order, status="done", outreach_log=log
            )
            if (i + order) % 2:
                ActivityFactory(
                    contact=contact,
                    kind=Activity.Kind.EMAIL_OPEN,
                    occurred_at=day,
                    metadata={"stepId": step.pk},
                )
            if order == 1 and i % 3 == 0:
                ReplyFactory(
                    contact=contact, answers=log, received_at=day, intent=intents[i % len(intents)]
                )
        call = OutreachLogFactory(
            prospect=prospect,
            contact=contact,
            created_by=rep,
            log_type=OutreachLog.Type.CALL,
            channel=OutreachLog.Channel.CALL,
            status=OutreachLog.Status.DONE,
            metadata={"callOutcome": outcomes[i % 4]},
        )
        OutreachLog.objects.filter(pk=call.pk).update(created_at=day)
        TouchTaskFactory(prospect=prospect, contact=contact, assignee=rep, due_at=day)
        if i % 4 == 0:
            meeting = MeetingFactory(contact=contact, host=rep, workspace=workspace)
            Meeting.objects.filter(pk=meeting.pk).update(created_at=day)
        deal = deal_create(
            workspace=workspace,
            pipeline=pipeline,
            prospect=prospect,
            name=f"Deal {i}",
            value=Decimal(2000 + 750 * (i % 7)),
        )
        for stage in stages[1 : 1 + i % 4]:
            deal_move_stage(deal=deal, stage=stage)
        MemberEngagementFactory(
            contact=contact, level=["highly_engaged", "moderate", "at_risk", "new"][i % 4]
        )
        if i % 2 == 0:
            entry = CampaignProspectFactory(
                campaign=campaign,
                prospect=prospect,
                contact=contact,
                status="complete",
                completed_at=day,
            )
            ActivityFactory(contact=contact, kind=Activity.Kind.WIZARD_STEP, occurred_at=day)
            if i % 4 == 0:
                ActivityFactory(
                    contact=contact,
                    kind=Activity.Kind.VIDEO_PLAY,
                    occurred_at=day,
                    metadata={"campaignProspectId": entry.pk},
                )
