"""Create the demo workspace (once) and print how to sign in to it."""

import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from automations.services import automation_create
from demo.campaign import demo_campaign_seed
from engagement.services.scoring import engagement_compute_workspace
from outreach.crm.services.deals import deal_create, pipeline_create
from outreach.crm.services.prospects import contact_create, prospect_create, prospect_set_status
from outreach.crm.services.tags import tag_create
from outreach.crm.services.tasks import outreach_log_record, touch_task_create
from outreach.models import Contact, OutreachLog, Prospect, Reply, Role, WizardLink, Workspace
from outreach.replies.inbound.message import parse_raw
from outreach.replies.services.intake import reply_receive
from outreach.replies.services.triage import reply_process
from outreach.sequences.services.enrollment import sequence_enroll
from outreach.sequences.services.templates import sequence_template_create
from outreach.wizard.services import wizard_link_create
from outreach.workspaces.services.mailboxes import inbound_mailbox_ensure
from outreach.workspaces.services.workspaces import (
    membership_add,
    workspace_create,
    workspace_update,
)

DEMO_SLUG = "demo"
# The prospect whose wizard link `make run` prints: new, so opening the link to step 3 shows it
# become Engaged and a high-priority call task appear in the admin's queue.
DEMO_WIZARD_PROSPECT = "Brex"
TAGS = {
    "fintech": "#4f46e5",
    "payments": "#0891b2",
    "enterprise": "#7c3aed",
    "hot-lead": "#dc2626",
    "banking-api": "#059669",
}
# name, domain, status, tags, contacts (first, last, title), deal stage, deal value
PROSPECTS = [
    (
        "Stripe",
        "stripe.com",
        "ENGAGED",
        ["fintech", "payments", "hot-lead"],
        [
            ("Avery", "Collins", "VP Revenue Operations"),
            ("Jordan", "Lee", "Head of Sales Enablement"),
        ],
        "Proposal",
        Decimal("48000"),
    ),
    (
        "Plaid",
        "plaid.com",
        "CONTACTED",
        ["fintech", "banking-api"],
        [
            ("Morgan", "Patel", "Director of Growth"),
            ("Riley", "Nguyen", "Sales Operations Manager"),
        ],
        "Discovery",
        Decimal("26000"),
    ),
    (
        "Brex",
        "brex.com",
        "NEW",
        ["fintech", "enterprise"],
        [("Casey", "Morgan", "Chief Revenue Officer"), ("Taylor", "Brooks", "RevOps Lead")],
        "Qualification",
        Decimal("35000"),
    ),
    (
        "Ramp",
        "ramp.com",
        "MEETING",
        ["fintech", "enterprise", "hot-lead"],
        [("Jamie", "Rivera", "VP Sales"), ("Quinn", "Foster", "Sales Development Manager")],
        "Negotiation",
        Decimal("62000"),
    ),
    (
        "Mercury",
        "mercury.com",
        "CONTACTED",
        ["fintech", "banking-api"],
        [("Drew", "Kim", "Head of Partnerships"), ("Skyler", "Adams", "Growth Lead")],
        "Discovery",
        Decimal("18000"),
    ),
]
DEMO_OUTBOUND = [
    {
        "channel": "email",
        "auto_send": True,
        "subject_template": "Following up every engaged prospect at {{prospect.name}}",
        "body_template": 'Hi {{contact.first_name|default:"there"}},\n\n'
        "Teams like yours lose warm leads between touches. We turn every due step into "
        "the next task, on time, in your prospects' business hours.\n\n"
        "Two-minute tour: https://example.com/tour\n\n{{sender.first_name}}",
    },
    {
        "channel": "call",
        "delay_days": 2,
        "subject_template": "Call {{contact.first_name}} about their cadence tool",
        "body_template": "Ask how they follow up after a demo, and who owns the process.",
    },
    {
        "channel": "linkedin",
        "delay_days": 1,
        "subject_template": "Connect with {{contact.full_name}}",
    },
    {
        "channel": "email",
        "auto_send": True,
        "delay_days": 3,
        "subject_template": "Re: Following up every engaged prospect at {{prospect.name}}",
        "body_template": "Hi {{contact.first_name}}, worth a 15-minute look next week?\n\n"
        "{{sender.first_name}}",
    },
]
DEMO_FOLLOW_UP = [
    {
        "channel": "email",
        "subject_template": "Recap of our demo",
        "body_template": "Thanks for the time today, {{contact.first_name}}. Here is the recap…",
    },
    {
        "channel": "call",
        "delay_days": 2,
        "subject_template": "Agree next steps with {{contact.first_name}}",
    },
]
STAGES = ["Qualification", "Discovery", "Proposal", "Negotiation", "Closed Won", "Closed Lost"]
# email, subject, body of the replies waiting in the demo's inbox
DEMO_REPLIES = [
    (
        "avery.collins@stripe.com",
        "Idea",
        "This looks interesting. Could we set up a call next Tuesday with my team?",
    ),
    (
        "morgan.patel@plaid.com",
        "Idea",
        "Thanks Alex. How does the pricing work for a team of 40 reps?",
    ),
    (
        "drew.kim@mercury.com",
        "Idea",
        "I'm out of the office until December 7 with limited access to email.",
    ),
]


class Command(BaseCommand):
    help = "Create the demo workspace with five fintech prospects (safe to run again)."

    def handle(self, *args, **options) -> None:
        User = get_user_model()
        login_file = settings.VAR_DIR / "demo_login.txt"
        admin = User.objects.filter(username="admin").first()
        password = login_file.read_text().strip() if login_file.exists() else ""
        if admin is None or not password or not admin.check_password(password):
            password = secrets.token_urlsafe(9)
            admin = admin or User(username="admin", email="admin@demo.example")
            admin.first_name = "Alex"
            admin.is_staff = admin.is_superuser = True
            admin.set_password(password)
            admin.save()
            login_file.write_text(password)
            login_file.chmod(0o600)

        if not Workspace.objects.filter(slug=DEMO_SLUG).exists():
            with transaction.atomic():
                self._create_workspace(admin)
            self.stdout.write("Created the demo workspace.")
        if demo_campaign_seed(workspace=Workspace.objects.get(slug=DEMO_SLUG), by=admin):
            self.stdout.write("Created the demo campaign (a draft: launch it under Campaigns).")

        wizard_link = self._demo_wizard_link(admin)

        self.stdout.write("")
        self.stdout.write(f"  Dashboard:  {settings.SITE_URL}/")
        self.stdout.write(f"  API docs:   {settings.SITE_URL}/api/v1/docs")
        self.stdout.write(f"  Demo login: admin / {password}")
        if wizard_link is not None:
            self.stdout.write(
                f"  Demo wizard ({wizard_link.prospect.name}'s page): {wizard_link.url}"
            )
        self.stdout.write("")

    def _demo_wizard_link(self, admin) -> WizardLink | None:
        """The demo prospect's live wizard link: the same one on every run."""
        prospect = Prospect.objects.filter(
            workspace__slug=DEMO_SLUG, name=DEMO_WIZARD_PROSPECT
        ).first()
        if prospect is None:
            return None
        link = (
            prospect.wizard_links.filter(revoked_at__isnull=True)
            .order_by("created_at", "pk")
            .first()
        )
        return link or wizard_link_create(prospect=prospect, by=admin)

    def _create_workspace(self, admin) -> None:
        User = get_user_model()
        # The company prospects hear from, named once: every video, wizard page, report and
        # invitation reads it from the workspace.
        workspace = workspace_create(
            name="Northwind Revenue", slug=DEMO_SLUG, owner=admin, time_zone="America/New_York"
        )
        workspace_update(
            workspace=workspace,
            company_description="Northwind Revenue helps sales teams follow up with every "
            "engaged prospect within the hour, with personal videos and cadences that run "
            "themselves.",
            brand_color="#4f46e5",
        )
        rep, _ = User.objects.get_or_create(
            username="rita", defaults={"email": "rita@demo.example", "first_name": "Rita"}
        )
        rep.set_unusable_password()
        rep.save()
        membership_add(workspace=workspace, user=rep, role=Role.REP)
        for name, color in TAGS.items():
            tag_create(workspace=workspace, name=name, color=color)
        pipeline = pipeline_create(workspace=workspace, name="Sales", stages=STAGES)
        stages = {stage.name: stage for stage in pipeline.stages.all()}
        now = timezone.now()

        for i, (name, domain, status, tags, people, stage, value) in enumerate(PROSPECTS):
            owner = admin if i % 2 == 0 else rep
            prospect = prospect_create(
                workspace=workspace,
                name=name,
                domain=domain,
                website=f"https://{domain}",
                status=Prospect.Status.NEW,
                owner=owner,
                tags=tags,
                custom_fields={"industry": "Fintech", "source": "Demo data"},
            )
            contacts = [
                contact_create(
                    workspace=workspace,
                    prospect=prospect,
                    first_name=first,
                    last_name=last,
                    title=title,
                    email=f"{first.lower()}.{last.lower()}@{domain}",
                    phone=f"+1 415 555 01{i}{j}",
                    time_zone="America/Los_Angeles" if j == 0 else "America/New_York",
                )
                for j, (first, last, title) in enumerate(people)
            ]
            deal_create(
                workspace=workspace,
                pipeline=pipeline,
                stage=stages[stage],
                prospect=prospect,
                contact=contacts[0],
                name=f"{name} — Sales engagement platform",
                value=value,
                owner=owner,
            )
            outreach_log_record(
                workspace=workspace,
                prospect=prospect,
                contact=contacts[0],
                log_type=OutreachLog.Type.EMAIL,
                channel=OutreachLog.Channel.EMAIL,
                status=OutreachLog.Status.SENT,
                subject=f"Idea for {name}'s sales team",
                body=f"Hi {contacts[0].first_name}, a quick idea on how {name} could follow up "
                "every engaged prospect within the hour…",
                by=owner,
            )
            touch_task_create(
                workspace=workspace,
                prospect=prospect,
                contact=contacts[0],
                channel=OutreachLog.Channel.CALL,
                subject=f"Call {contacts[0].first_name} about the {stage.lower()} stage",
                priority="high" if "hot-lead" in tags else "normal",
                due_at=now + timedelta(hours=2 * i - 3),
                notes="Ask about their current cadence tool and team size.",
                by=owner,
            )
            touch_task_create(
                workspace=workspace,
                prospect=prospect,
                contact=contacts[1],
                channel=OutreachLog.Channel.LINKEDIN,
                subject=f"Connect with {contacts[1].first_name} on LinkedIn",
                priority="low",
                due_at=now + timedelta(days=1 + i),
                by=owner,
            )
            prospect_set_status(prospect=prospect, status=status)
        self._create_sequences(workspace, admin, rep)
        self._create_automation(workspace, admin, pipeline, stages)
        self._receive_replies(workspace)
        engagement_compute_workspace(workspace=workspace)

    def _create_automation(self, workspace, admin, pipeline, stages) -> None:
        """The rule from the product's pitch: a big deal reaching Proposal gets a call today
        and, two days later, the admins hear about it if it is still there."""
        automation_create(
            workspace=workspace,
            by=admin,
            enabled=True,
            name="Big deals at Proposal: call, then check in",
            description="Deals over $10,000 that reach Proposal in the Sales pipeline.",
            trigger_type="deal.stage_changed",
            trigger_config={"pipeline_id": pipeline.pk, "stage_id": stages["Proposal"].pk},
            conditions={
                "op": "and",
                "conditions": [{"field": "deal.value", "operator": "gt", "value": 10000}],
            },
            actions=[
                {
                    "type": "create_task",
                    "params": {
                        "subject": "Call {{contact.first_name}} about the {{deal.name}} proposal",
                        "channel": "call",
                        "priority": "high",
                    },
                },
                {
                    "type": "notify_admins",
                    "params": {"title": "{{deal.name}} has been at Proposal for two days"},
                    "delay_seconds": 2 * 24 * 60 * 60,
                },
            ],
        )

    def _receive_replies(self, workspace) -> None:
        """A few answers to the demo's first emails, received as a mail server delivers them
        and triaged at once, so the demo opens with their effects in place."""
        for email, subject, body in DEMO_REPLIES:
            contact = Contact.objects.get(workspace=workspace, email=email)
            sent = OutreachLog.objects.filter(contact=contact, status="sent").first()
            raw = (
                f"From: {contact.full_name} <{email}>\r\n"
                f"To: {inbound_mailbox_ensure(workspace=workspace).address}\r\n"
                f"Subject: Re: {sent.subject if sent else subject}\r\n"
                f"Message-ID: <demo-{contact.pk}@{email.split('@')[1]}>\r\n"
                "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                f"{body}\r\n"
            ).encode()
            receipt = reply_receive(
                workspace=workspace, message=parse_raw(raw), source=Reply.Source.RAW
            )
            reply_process(reply_id=receipt.reply.pk)

    def _create_sequences(self, workspace, admin, rep) -> None:
        outbound = sequence_template_create(
            workspace=workspace,
            name="Fintech outbound",
            description="Four touches over a week for new fintech accounts.",
            by=admin,
            steps=DEMO_OUTBOUND,
        )
        sequence_template_create(
            workspace=workspace,
            name="Post-demo follow-up",
            description="Recap, then a call to agree next steps.",
            by=admin,
            steps=DEMO_FOLLOW_UP,
        )
        for domain in ("brex.com", "mercury.com"):
            contacts = Contact.objects.filter(workspace=workspace, prospect__domain=domain)
            sequence_enroll(template=outbound, contacts=contacts, by=admin)
