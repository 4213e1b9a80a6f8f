"""factory_boy factories for every model the tests create."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from automations.models import (
    Automation,
    AutomationActionRun,
    AutomationEvent,
    AutomationExecution,
    TriggerType,
)
from campaigns.models import Campaign, CampaignProspect
from engagement.models import (
    EngagementLevel,
    EngagementOverrideHistory,
    MemberEngagement,
)
from media_pipeline.models import GenerationJob
from outreach.models import (
    Activity,
    ApiKey,
    Contact,
    Deal,
    EmailTemplate,
    InboundMailbox,
    Meeting,
    MeetingType,
    Membership,
    OutboundEmail,
    OutreachLog,
    OutreachSequence,
    OutreachStep,
    Pipeline,
    Prospect,
    Reply,
    Role,
    SequenceTemplate,
    SequenceTemplateStep,
    Stage,
    Tag,
    TaskPriority,
    WizardLink,
    WizardSession,
    Workspace,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.LazyAttribute(lambda u: u.username.title())
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Workspace {n}")
    slug = factory.Sequence(lambda n: f"workspace-{n}")
    time_zone = "UTC"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.REP


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"tag-{n}")


class ProspectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prospect
        skip_postgeneration_save = True

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Company {n}")
    domain = factory.Sequence(lambda n: f"company{n}.example")
    website = factory.LazyAttribute(lambda p: f"https://{p.domain}")

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags.add(*extracted)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact
        skip_postgeneration_save = True

    prospect = factory.SubFactory(ProspectFactory)
    workspace = factory.LazyAttribute(lambda c: c.prospect.workspace)
    first_name = factory.Sequence(lambda n: f"Pat{n}")
    last_name = "Doe"
    email = factory.LazyAttribute(lambda c: f"{c.first_name.lower()}@{c.prospect.domain}")
    title = "Head of Sales"

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags.add(*extracted)


class PipelineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pipeline
        skip_postgeneration_save = True

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Pipeline {n}")

    @factory.post_generation
    def stages(obj, create, extracted, **kwargs):
        if create:
            for i, name in enumerate(extracted or ["Qualification", "Proposal", "Closed Won"]):
                Stage.objects.create(pipeline=obj, name=name, position=i)


class DealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deal

    prospect = factory.SubFactory(ProspectFactory)
    workspace = factory.LazyAttribute(lambda d: d.prospect.workspace)
    pipeline = factory.LazyAttribute(lambda d: PipelineFactory(workspace=d.workspace))
    stage = factory.LazyAttribute(lambda d: d.pipeline.stages.order_by("position").first())
    name = factory.Sequence(lambda n: f"Deal {n}")
    value = Decimal("1000.00")
    stage_changed_at = factory.LazyFunction(timezone.now)


class TouchTaskFactory(factory.django.DjangoModelFactory):
    """An open touch task, shaped as the services write it."""

    class Meta:
        model = OutreachLog

    class Params:
        priority_label = "normal"
        notes = ""

    prospect = factory.SubFactory(ProspectFactory)
    workspace = factory.LazyAttribute(lambda t: t.prospect.workspace)
    log_type = OutreachLog.Type.FOLLOW_UP
    channel = OutreachLog.Channel.CALL
    status = OutreachLog.Status.TOUCH_OPEN
    subject = factory.Sequence(lambda n: f"Call about proposal {n}")
    priority = factory.LazyAttribute(lambda t: TaskPriority.from_label(t.priority_label))
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    metadata = factory.LazyAttribute(
        lambda t: {
            "kind": OutreachLog.TOUCH_TASK,
            "priority": t.priority_label,
            "dueAt": t.due_at.isoformat(),
            "notes": t.notes,
            "createdBy": "factory",
        }
    )


class OutreachLogFactory(factory.django.DjangoModelFactory):
    """A touch that happened (an email sent, by default)."""

    class Meta:
        model = OutreachLog

    prospect = factory.SubFactory(ProspectFactory)
    workspace = factory.LazyAttribute(lambda t: t.prospect.workspace)
    log_type = OutreachLog.Type.EMAIL
    channel = OutreachLog.Channel.EMAIL
    status = OutreachLog.Status.SENT
    subject = factory.Sequence(lambda n: f"Intro email {n}")
    body = "Hi there"


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    contact = factory.SubFactory(ContactFactory)
    prospect = factory.LazyAttribute(lambda a: a.contact.prospect)
    workspace = factory.LazyAttribute(lambda a: a.contact.workspace)
    kind = Activity.Kind.CALL_DONE


class SequenceTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SequenceTemplate

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Cadence {n}")


class SequenceTemplateStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SequenceTemplateStep

    template = factory.SubFactory(SequenceTemplateFactory)
    position = factory.Sequence(lambda n: n)
    channel = OutreachLog.Channel.EMAIL
    subject_template = "Hello {{contact.first_name}}"
    body_template = "A note for {{prospect.name}}"


class EmailTemplateFactory(factory.django.DjangoModelFactory):
    """A shared template of the workspace's library."""

    class Meta:
        model = EmailTemplate

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Template {n}")
    subject = "A question, {{contact.first_name}}"
    body = "Hello {{contact.first_name}}, a thought for {{prospect.name}}."
    shared = True


class OutreachSequenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutreachSequence

    contact = factory.SubFactory(ContactFactory)
    prospect = factory.LazyAttribute(lambda s: s.contact.prospect)
    workspace = factory.LazyAttribute(lambda s: s.contact.workspace)
    template = factory.LazyAttribute(lambda s: SequenceTemplateFactory(workspace=s.workspace))


class OutreachStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutreachStep

    sequence = factory.SubFactory(OutreachSequenceFactory)
    step_order = factory.Sequence(lambda n: n)
    channel = OutreachLog.Channel.EMAIL


def sequence_with_steps(workspace: Workspace, *steps: dict, **fields) -> SequenceTemplate:
    """A sequence template whose steps are given in order as SequenceTemplateStep fields."""
    template = SequenceTemplateFactory(workspace=workspace, **fields)
    for position, step in enumerate(steps, start=1):
        SequenceTemplateStepFactory(template=template, position=position, **step)
    return template


def api_key_for(workspace: Workspace, *, role: str = Role.ADMIN) -> str:
    """Create an API key in the workspace and return the raw key."""
    from outreach.workspaces.services.workspaces import api_key_create

    _, raw_key = api_key_create(workspace=workspace, name="tests", role=role, by=None)
    return raw_key


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Video campaign {n}")
    brief = "We would love to show your team how a personal video gets more replies."
    sender_name = "Alice Admin"


class CampaignProspectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignProspect

    campaign = factory.SubFactory(CampaignFactory)
    workspace = factory.LazyAttribute(lambda cp: cp.campaign.workspace)
    prospect = factory.LazyAttribute(lambda cp: ProspectFactory(workspace=cp.workspace))
    contact = factory.LazyAttribute(lambda cp: ContactFactory(prospect=cp.prospect))


class GenerationJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GenerationJob

    campaign_prospect = factory.SubFactory(CampaignProspectFactory)
    workspace = factory.LazyAttribute(lambda job: job.campaign_prospect.workspace)
    job_type = GenerationJob.Type.RESEARCH


__all__ = ["ApiKey", "api_key_for"]


class WizardLinkFactory(factory.django.DjangoModelFactory):
    """A live wizard link with its (not yet opened) session, as the service creates it."""

    class Meta:
        model = WizardLink
        skip_postgeneration_save = True

    prospect = factory.SubFactory(ProspectFactory)
    workspace = factory.LazyAttribute(lambda link: link.prospect.workspace)
    session = factory.RelatedFactory(
        "tests.factories.WizardSessionFactory", factory_related_name="link"
    )


class WizardSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WizardSession

    link = factory.SubFactory(WizardLinkFactory, session=None)


# --- Meetings ----------------------------------------------------------------------------------


class MeetingTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingType

    host = factory.SubFactory(UserFactory)
    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Intro call {n}")
    slug = factory.Sequence(lambda n: f"intro-call-{n}")


class MeetingFactory(factory.django.DjangoModelFactory):
    """A booked meeting with a prospect's contact, for 30 minutes."""

    class Meta:
        model = Meeting

    contact = factory.SubFactory(ContactFactory)
    prospect = factory.LazyAttribute(lambda m: m.contact.prospect)
    workspace = factory.LazyAttribute(lambda m: m.contact.workspace)
    host = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Intro call {n}")
    # Tomorrow at 15:00 UTC, the next one an hour later: a host's meetings never share a start.
    start_at = factory.Sequence(
        lambda n: (
            (timezone.now() + timedelta(days=1)).replace(hour=15, minute=0, second=0, microsecond=0)
            + timedelta(hours=n)
        )
    )
    end_at = factory.LazyAttribute(lambda m: m.start_at + timedelta(minutes=30))
    invitee_name = factory.LazyAttribute(lambda m: m.contact.full_name or "Pat Doe")
    invitee_email = factory.LazyAttribute(lambda m: m.contact.email)
    invitee_time_zone = "UTC"


# --- Engagement scoring ------------------------------------------------------------------------


class MemberEngagementFactory(factory.django.DjangoModelFactory):
    """A stored score, as a computation leaves it."""

    class Meta:
        model = MemberEngagement

    contact = factory.SubFactory(ContactFactory)
    workspace = factory.LazyAttribute(lambda e: e.contact.workspace)
    level = EngagementLevel.MODERATE
    computed_level = factory.LazyAttribute(lambda e: e.level)
    admin_explanation = "Moderate: 2 engagement events in the last 90 days."
    member_explanation = "Thanks for keeping in touch."
    signals = factory.LazyFunction(lambda: {"events_in_window": 2})
    signals_hash = "0" * 64
    model_version = "rules-3"
    computed_at = factory.LazyFunction(timezone.now)


class EngagementOverrideHistoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EngagementOverrideHistory

    engagement = factory.SubFactory(MemberEngagementFactory)
    workspace = factory.LazyAttribute(lambda h: h.engagement.workspace)
    action = EngagementOverrideHistory.Action.OVERRIDE
    previous_level = EngagementLevel.MODERATE
    new_level = EngagementLevel.HIGHLY_ENGAGED
    notes = "Met them at the conference."
    performed_by_label = "alice"


class InboundMailboxFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InboundMailbox
        django_get_or_create = ["workspace"]

    workspace = factory.SubFactory(WorkspaceFactory)


class ReplyFactory(factory.django.DjangoModelFactory):
    """A received human reply from a contact, waiting for review. `contact=None` (with a
    workspace) makes one from an unknown sender."""

    class Meta:
        model = Reply

    contact = factory.SubFactory(ContactFactory)
    prospect = factory.LazyAttribute(lambda r: r.contact.prospect if r.contact else None)
    workspace = factory.LazyAttribute(
        lambda r: r.contact.workspace if r.contact else WorkspaceFactory()
    )
    message_id = factory.Sequence(lambda n: f"<reply-{n}@mail.example>")
    from_email = factory.LazyAttribute(
        lambda r: r.contact.email if r.contact else "stranger@unknown.example"
    )
    from_name = factory.LazyAttribute(lambda r: r.contact.full_name if r.contact else "")
    subject = "Re: Quick question"
    text = "Sounds good, let's talk next week."
    body = "Sounds good, let's talk next week."
    source = Reply.Source.API
    received_at = factory.LazyFunction(timezone.now)
    kind = Reply.Kind.HUMAN
    intent = Reply.Intent.INTERESTED
    confidence = 0.6
    triage_source = "rules"
    state = Reply.State.NEEDS_REVIEW


class AutomationFactory(factory.django.DjangoModelFactory):
    """An enabled rule: when a contact is created, notify the admins."""

    class Meta:
        model = Automation

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Automation {n}")
    trigger_type = TriggerType.CONTACT_CREATED
    trigger_config = factory.LazyFunction(dict)
    actions = factory.LazyFunction(
        lambda: [
            {
                "type": "notify_admins",
                "params": {"title": "New contact: {{contact.full_name}}", "body": ""},
                "delay_seconds": 0,
            }
        ]
    )
    enabled = True


class AutomationEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AutomationEvent

    workspace = factory.SubFactory(WorkspaceFactory)
    event_type = TriggerType.CONTACT_CREATED
    payload = factory.LazyFunction(dict)
    status = AutomationEvent.Status.DISPATCHED


class AutomationExecutionFactory(factory.django.DjangoModelFactory):
    """A finished run of an automation, with the event that started it."""

    class Meta:
        model = AutomationExecution

    automation = factory.SubFactory(AutomationFactory)
    workspace = factory.LazyAttribute(lambda r: r.automation.workspace)
    event = factory.LazyAttribute(
        lambda r: AutomationEventFactory(
            workspace=r.workspace, event_type=r.automation.trigger_type
        )
    )
    actions = factory.LazyAttribute(lambda r: r.automation.actions)
    status = AutomationExecution.Status.COMPLETED
    next_action_index = factory.LazyAttribute(lambda r: len(r.actions))
    finished_at = factory.LazyFunction(timezone.now)


class AutomationActionRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AutomationActionRun

    execution = factory.SubFactory(AutomationExecutionFactory)
    action_index = factory.Sequence(lambda n: n)
    action_type = "notify_admins"
    status = AutomationActionRun.Status.SUCCEEDED
    attempts = 1


class OutboundEmailFactory(factory.django.DjangoModelFactory):
    """A one-off email that went out from a mailbox (give `mailbox` and `contact`)."""

    class Meta:
        model = OutboundEmail

    workspace = factory.LazyAttribute(lambda e: e.mailbox.workspace)
    prospect = factory.LazyAttribute(lambda e: e.contact.prospect)
    subject = factory.Sequence(lambda n: f"A note {n}")
    body = "Hello there"
    message_id = factory.Sequence(lambda n: f"<email-{n}@sender.example>")
    status = OutboundEmail.Status.SENT
