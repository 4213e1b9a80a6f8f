"""Actions that reach people: touch tasks for reps, emails and messages to contacts, and
notifications to the workspace's admins."""

import smtplib
from datetime import timedelta
from typing import Annotated, Any, Literal

from django import forms
from django.urls import reverse
from django.utils import timezone
from pydantic import Field

from automations.actions.base import (
    Action,
    ActionCall,
    ActionError,
    ActionSkipped,
    Delivery,
    Strict,
    TransientActionError,
)
from automations.actions.fields import area, pick, text
from automations.options import WorkspaceOptions
from config.errors import ValidationFailed
from config.schemas import MAX_ID
from outreach.crm.services import tasks as task_services
from outreach.mail import merge_fields
from outreach.mail.messages import from_address, new_message_id, outgoing_email
from outreach.models import Contact, EmailTemplate, Membership, OutreachLog
from outreach.workspaces.services import notifications as notification_services

Channel = Literal["call", "email", "linkedin", "message"]
Priority = Literal["high", "normal", "low"]
PRIORITIES = [("normal", "Normal"), ("high", "High"), ("low", "Low")]


class TaskParams(Strict):
    subject: Annotated[str, Field(min_length=1, max_length=300)]
    channel: Channel = "call"
    priority: Priority = "normal"
    due_in_hours: Annotated[int, Field(ge=0, le=24 * 365)] = 0
    notes: Annotated[str, Field(max_length=5000)] = ""
    # Nobody chosen: the prospect's owner.
    assignee_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None


class EmailParams(Strict):
    # A template from the library writes what the step leaves empty, as in the composer.
    template_id: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None
    subject: Annotated[str, Field(max_length=300)] = ""
    body: Annotated[str, Field(max_length=20_000)] = ""


class MessageParams(Strict):
    channel: Literal["linkedin", "message"] = "linkedin"
    body: Annotated[str, Field(min_length=1, max_length=5000)]


class NotifyParams(Strict):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    body: Annotated[str, Field(max_length=2000)] = ""


class CreateTask(Action):
    type = "create_task"
    label = "Create a task"
    Params = TaskParams
    templated = ("subject", "notes")
    # It adds a task beside the contact and prospect, and leaves them as they were.
    changes_records = False

    def form_fields(self, options: WorkspaceOptions) -> dict[str, forms.Field]:
        return {
            "subject": text("Subject", wide=True, placeholder="Call {{contact.first_name}}"),
            "channel": forms.ChoiceField(
                choices=OutreachLog.Channel.choices, initial="call", label="Channel"
            ),
            "priority": forms.ChoiceField(choices=PRIORITIES, initial="normal", label="Priority"),
            "due_in_hours": forms.IntegerField(
                min_value=0, max_value=8760, initial=0, label="Due in (hours)"
            ),
            "assignee_id": pick(
                options.members, "Assign to", required=False, empty="The prospect's owner"
            ),
            "notes": area("Notes", required=False, rows=2, max_length=5000),
        }

    def describe(self, params: dict[str, Any], options: WorkspaceOptions) -> str:
        sentence = f"Create a {params.get('channel', 'call')} task: {params.get('subject')}"
        if params.get("assignee_id"):
            sentence += f" for {options.member_name(params['assignee_id'])}"
        return sentence

    def check(self, params, *, workspace):
        assignee = params.get("assignee_id")
        if (
            assignee
            and not Membership.objects.filter(workspace=workspace, user_id=assignee).exists()
        ):
            raise ValidationFailed.for_field("assignee_id", "That person is not in this workspace.")

    def perform(self, call: ActionCall) -> dict[str, Any]:
        prospect = call.record("prospect")
        contact = call.context.contact()
        assignee = None
        if call.params.get("assignee_id"):
            membership = (
                Membership.objects.select_related("user")
                .filter(workspace=call.workspace, user_id=call.params["assignee_id"])
                .first()
            )
            if membership is None:
                raise ActionError("The chosen assignee left the workspace.")
            assignee = membership.user
        task = task_services.touch_task_create(
            workspace=call.workspace,
            prospect=prospect,
            contact=contact if contact and contact.prospect_id == prospect.pk else None,
            channel=call.params["channel"],
            subject=self.render(call, "subject")[:300] or "Follow up",
            notes=self.render(call, "notes"),
            priority=call.params["priority"],
            due_at=timezone.now() + timedelta(hours=call.params["due_in_hours"]),
            assignee=assignee,
            created_by_label=f"automation:{call.automation.name}"[:200],
            extra_metadata=call.marker,
        )
        return {"task": task.pk, "subject": task.subject, "assignee": task.assignee_id}


class SendMessage(Action):
    """LinkedIn and messaging apps have no sending API here: the message is written for the
    rep, who sends it by hand from their task queue, where the reply will be logged."""

    type = "send_message"
    label = "Queue a message for the rep to send"
    Params = MessageParams
    templated = ("body",)

    def form_fields(self, options: WorkspaceOptions) -> dict[str, forms.Field]:
        return {
            "channel": forms.ChoiceField(
                choices=[("linkedin", "LinkedIn"), ("message", "Message")], label="Channel"
            ),
            "body": area("Message", rows=3, max_length=5000),
        }

    def describe(self, params: dict[str, Any], options: WorkspaceOptions) -> str:
        return f"Queue a {params.get('channel')} message: {params.get('body', '')[:80]}"

    def perform(self, call: ActionCall) -> dict[str, Any]:
        contact = _reachable_contact(call)
        channel = call.params["channel"]
        body = self.render(call, "body")
        task = task_services.touch_task_create(
            workspace=call.workspace,
            prospect=contact.prospect,
            contact=contact,
            channel=channel,
            log_type=OutreachLog.Type.LINKEDIN
            if channel == "linkedin"
            else OutreachLog.Type.MESSAGE,
            subject=f"Send {contact}: {body}"[:300],
            notes=body,
            created_by_label=f"automation:{call.automation.name}"[:200],
            extra_metadata={**call.marker, "message": body},
        )
        return {"task": task.pk, "channel": channel}


class SendEmail(Action):
    """An email to the event's contact from the workspace's email service, written in the step
    or taken from the library (what the step leaves empty comes from the template).

    The step's own words take the rule's variables (`{{deal.value}}`); a template's take the
    library's, with their fallbacks, and a variable with no value for the contact fails the
    step rather than leave a blank. It carries a Message-ID kept in the outreach log, so a reply
    is matched to it and counts in the template's reply rate, and the unsubscribe header."""

    type = "send_email"
    label = "Send an email"
    Params = EmailParams
    templated = ("subject", "body")
    delivery = Delivery.AT_MOST_ONCE

    def form_fields(self, options: WorkspaceOptions) -> dict[str, forms.Field]:
        template = pick(
            options.email_templates, "Template", required=False, empty="None: write it below"
        )
        template.help_text = "Its subject and body fill what you leave empty."
        return {
            "template_id": template,
            "subject": text(
                "Subject",
                required=False,
                wide=True,
                placeholder="Quick question, {{contact.first_name}}",
            ),
            "body": area("Body", required=False, rows=5),
        }

    def describe(self, params: dict[str, Any], options: WorkspaceOptions) -> str:
        if not params.get("template_id"):
            return f"Email the contact: {params.get('subject')}"
        sentence = (
            f"Email the contact the template “{options.email_template_name(params['template_id'])}”"
        )
        return f"{sentence}: {params['subject']}" if params.get("subject") else sentence

    def check(self, params, *, workspace):
        template_id = params.get("template_id")
        if template_id is not None:
            template = EmailTemplate.objects.filter(workspace=workspace, pk=template_id).first()
            if template is None:
                raise ValidationFailed.for_field(
                    "template_id", "There is no such template in this workspace."
                )
            if not template.shared:
                raise ValidationFailed.for_field(
                    "template_id", f"“{template.name}” is a personal template; share it first."
                )
            return
        for name in ("subject", "body"):
            if not params.get(name, "").strip():
                raise ValidationFailed.for_field(name, f"Write the {name}, or choose a template.")

    def perform(self, call: ActionCall) -> dict[str, Any]:
        contact = _reachable_contact(call)
        if not contact.email:
            raise ActionSkipped(f"{contact} has no email address.")
        template = self._template(call)
        subject = " ".join(self._words(call, "subject", template, contact).split())[:300]
        body = self._words(call, "body", template, contact)
        message_id = new_message_id(from_address(None, None))
        message = outgoing_email(
            workspace=call.workspace,
            mailbox=None,
            sender=None,
            contact=contact,
            subject=subject,
            body=body,
            tracked=None,
            message_id=message_id,
        )
        message.extra_headers["X-Crm-Automation-Run"] = call.idempotency_key
        try:
            message.send()
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code >= 500:
                raise ActionError(f"The mail server refused the email: {exc.smtp_error!r}") from exc
            raise TransientActionError(
                f"The mail server said {exc.smtp_code}; will retry."
            ) from exc
        except OSError as exc:
            raise TransientActionError(f"Could not reach the mail server: {exc}") from exc
        return {
            "to": contact.email,
            "subject": subject,
            "body": body,
            "contact": contact.pk,
            "message_id": message_id,
            "template": template.pk if template else None,
        }

    def _template(self, call: ActionCall) -> EmailTemplate | None:
        template_id = call.params.get("template_id")
        if template_id is None:
            return None
        template = EmailTemplate.objects.filter(workspace=call.workspace, pk=template_id).first()
        if template is None:
            raise ActionError("The email's template was deleted; choose another in the rule.")
        return template

    def _words(
        self, call: ActionCall, name: str, template: EmailTemplate | None, contact: Contact
    ) -> str:
        """The subject or body for this contact: the step's own, or else the template's."""
        if call.params.get(name) or template is None:
            return self.render(call, name)
        text = getattr(template, name)
        context = merge_fields.MergeContext(contact=contact, prospect=contact.prospect)
        empty = merge_fields.missing(text, context)
        if empty:
            raise ActionError(
                f"The template “{template.name}” uses {', '.join(empty)}, which has no value for "
                f"{contact} (automation emails go from the workspace, not a rep); give it a "
                "fallback in the library."
            )
        return merge_fields.render(text, context)

    def record(self, call: ActionCall, result: dict[str, Any]) -> None:
        contact = Contact.objects.select_related("prospect").get(pk=result["contact"])
        template_id = result.get("template")
        entry = task_services.outreach_log_record(
            workspace=call.workspace,
            prospect=contact.prospect,
            contact=contact,
            log_type=OutreachLog.Type.EMAIL,
            channel=OutreachLog.Channel.EMAIL,
            status=OutreachLog.Status.SENT,
            subject=result["subject"],
            body=result.pop("body"),
            metadata={**call.marker, "messageId": result["message_id"]},
            # A use of the template: its usage count and reply rate in the library include it.
            email_template=EmailTemplate.objects.filter(
                workspace=call.workspace, pk=template_id
            ).first()
            if template_id
            else None,
        )
        result["outreach_log"] = entry.pk


class NotifyAdmins(Action):
    type = "notify_admins"
    label = "Notify the admins"
    Params = NotifyParams
    templated = ("title", "body")
    # It writes notifications; the event's records stay as they were.
    changes_records = False

    def form_fields(self, options: WorkspaceOptions) -> dict[str, forms.Field]:
        return {
            "title": text(
                "Title", max_length=200, wide=True, placeholder="{{deal.name}} reached Proposal"
            ),
            "body": area("Details", required=False, rows=2, max_length=2000),
        }

    def describe(self, params: dict[str, Any], options: WorkspaceOptions) -> str:
        return f"Notify the admins: {params.get('title')}"

    def perform(self, call: ActionCall) -> dict[str, Any]:
        notifications = notification_services.notify_admins(
            workspace=call.workspace,
            title=self.render(call, "title")[:200],
            body=self.render(call, "body"),
            link=reverse("automations:automation_run_detail", args=[call.execution_id]),
        )
        return {"notified": len(notifications)}


def _reachable_contact(call: ActionCall) -> Contact:
    contact = call.record("contact")
    if contact.outreach_status != Contact.OutreachStatus.ACTIVE:
        raise ActionSkipped(f"{contact} is {contact.get_outreach_status_display().lower()}.")
    return contact
