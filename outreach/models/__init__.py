"""The outreach app's models: tenants, the CRM records, the outreach log and sequences."""

from outreach.models.crm import Contact, Deal, DealStageChange, Pipeline, Prospect, Stage, Tag
from outreach.models.lists import BulkAction, ImportJob, SavedView
from outreach.models.mail import EmailTemplate, Mailbox, OutboundEmail, TlsMode
from outreach.models.meetings import BookingPage, Meeting, MeetingType
from outreach.models.notifications import Notification
from outreach.models.outbox import OutboxMessage
from outreach.models.outreach_log import Activity, CallOutcome, OutreachLog, TaskPriority
from outreach.models.replies import InboundMailbox, Reply, ReplyEffect, ReplyTriage
from outreach.models.sequences import (
    OutreachSequence,
    OutreachStep,
    SenderDailySend,
    SequenceTemplate,
    SequenceTemplateStep,
)
from outreach.models.wizard import WizardLink, WizardSession
from outreach.models.workspaces import ApiKey, Membership, Role, Workspace

__all__ = [
    "Activity",
    "ApiKey",
    "BookingPage",
    "BulkAction",
    "CallOutcome",
    "Contact",
    "Deal",
    "DealStageChange",
    "EmailTemplate",
    "ImportJob",
    "InboundMailbox",
    "Mailbox",
    "Meeting",
    "MeetingType",
    "Membership",
    "Notification",
    "OutboundEmail",
    "OutboxMessage",
    "OutreachLog",
    "OutreachSequence",
    "OutreachStep",
    "Pipeline",
    "Prospect",
    "Reply",
    "ReplyEffect",
    "ReplyTriage",
    "Role",
    "SavedView",
    "SenderDailySend",
    "SequenceTemplate",
    "SequenceTemplateStep",
    "Stage",
    "Tag",
    "TaskPriority",
    "TlsMode",
    "WizardLink",
    "WizardSession",
    "Workspace",
]
