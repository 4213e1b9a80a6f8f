"""REST endpoints of mail: mailboxes and their connection test, the template library, and
emails to contacts (now or later), with a preview."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from config.errors import PermissionDenied, ValidationFailed
from config.schemas import PathId
from outreach.mail import selectors
from outreach.mail.messages import from_address
from outreach.mail.schemas import (
    CheckOut,
    EmailFilter,
    EmailIn,
    EmailOut,
    MailboxFields,
    MailboxIn,
    MailboxOut,
    PreviewOut,
    TemplateIn,
    TemplateOut,
    TemplatePatch,
)
from outreach.mail.services import emails as email_services
from outreach.mail.services import mailboxes as mailbox_services
from outreach.mail.services import templates as template_services
from outreach.models import Contact, Mailbox
from outreach.workspaces.auth import Principal, principal_of
from outreach.workspaces.selectors import member_user, ref_in_workspace

router = Router(tags=["mail"])


# --- Mailboxes ---------------------------------------------------------------------------------


@router.get("/mailboxes", response=list[MailboxOut])
@paginate
def mailbox_list(request: HttpRequest):
    """The workspace's mailboxes (a rep sees their own). Passwords are never returned."""
    principal = principal_of(request)
    owner = principal.user if principal.user is not None and not principal.is_admin else None
    return selectors.mailbox_list(workspace=principal.workspace, owner=owner)


@router.post("/mailboxes", response={201: MailboxOut})
def mailbox_create(request: HttpRequest, payload: MailboxIn):
    """Connect a mailbox: SMTP to send (or the workspace's email service) and optionally IMAP
    to read replies. Passwords are stored encrypted."""
    principal = principal_of(request)
    owner = principal.user
    if payload.owner_id is not None and (owner is None or payload.owner_id != owner.pk):
        if owner is not None and not principal.is_admin:
            raise PermissionDenied("You can connect only your own mailboxes.")
        owner = member_user(
            workspace=principal.workspace, user_id=payload.owner_id, field="owner_id"
        )
    if owner is None:
        raise _owner_needed()
    fields, secrets = _split(payload.dict(exclude_unset=True, exclude={"owner_id"}))
    mailbox = mailbox_services.mailbox_create(
        workspace=principal.workspace,
        owner=owner,
        fields=fields,
        smtp_password=secrets.get("smtp_password") or "",
        imap_password=secrets.get("imap_password") or "",
    )
    return Status(201, mailbox)


@router.get("/mailboxes/{mailbox_id}", response=MailboxOut)
def mailbox_get(request: HttpRequest, mailbox_id: PathId):
    return _mailbox(request, mailbox_id)


@router.patch("/mailboxes/{mailbox_id}", response=MailboxOut)
def mailbox_patch(request: HttpRequest, mailbox_id: PathId, payload: MailboxFields):
    """Change settings; a password given replaces the saved one, a password left out keeps it."""
    changes, secrets = _split(payload.dict(exclude_unset=True))
    return mailbox_services.mailbox_update(
        mailbox=_mailbox(request, mailbox_id, changing=True),
        changes=changes,
        smtp_password=secrets.get("smtp_password"),
        imap_password=secrets.get("imap_password"),
    )


@router.delete("/mailboxes/{mailbox_id}", response={204: None})
def mailbox_delete(request: HttpRequest, mailbox_id: PathId):
    mailbox_services.mailbox_delete(mailbox=_mailbox(request, mailbox_id, changing=True))
    return Status(204, None)


@router.post("/mailboxes/{mailbox_id}/test", response=list[CheckOut])
def mailbox_test(request: HttpRequest, mailbox_id: PathId):
    """Connect and sign in to the mailbox's SMTP and IMAP servers (nothing is sent) and say
    what failed: DNS, the connection, TLS, the password, the folder."""
    return mailbox_services.mailbox_test(mailbox=_mailbox(request, mailbox_id, changing=True))


def _mailbox(request: HttpRequest, mailbox_id: int, *, changing: bool = False) -> Mailbox:
    principal = principal_of(request)
    mailbox = selectors.mailbox_get(workspace=principal.workspace, mailbox_id=mailbox_id)
    _may_use(principal, mailbox, changing=changing)
    return mailbox


def _may_use(principal: Principal, mailbox: Mailbox, *, changing: bool) -> None:
    user = principal.user
    if user is not None and mailbox.owner_id != user.pk and (changing or not principal.is_admin):
        raise PermissionDenied("This is another member's mailbox.")


def _split(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    names: tuple[str, ...] = ("smtp_password", "imap_password")
    secrets: dict[str, Any] = {name: values.pop(name) for name in names if name in values}
    return values, secrets


def _owner_needed() -> PermissionDenied:
    return PermissionDenied("An API key connects a mailbox for a member: give owner_id.")


# --- Templates ---------------------------------------------------------------------------------


@router.get("/email-templates", response=list[TemplateOut])
@paginate
def template_list(request: HttpRequest):
    """The library: shared templates and your own, with how often each was sent and answered."""
    principal = principal_of(request)
    return selectors.template_list(workspace=principal.workspace, user=principal.user)


@router.post("/email-templates", response={201: TemplateOut})
def template_create(request: HttpRequest, payload: TemplateIn):
    principal = principal_of(request)
    template = template_services.email_template_create(
        workspace=principal.workspace, by=principal.user, **payload.dict()
    )
    return Status(201, _template(request, template.pk))


@router.get("/email-templates/{template_id}", response=TemplateOut)
def template_get(request: HttpRequest, template_id: PathId):
    return _template(request, template_id)


@router.patch("/email-templates/{template_id}", response=TemplateOut)
def template_patch(request: HttpRequest, template_id: PathId, payload: TemplatePatch):
    principal = principal_of(request)
    template_services.email_template_update(
        template=_template(request, template_id),
        changes=payload.dict(exclude_unset=True),
        by=principal.user,
        is_admin=principal.is_admin,
    )
    return _template(request, template_id)


@router.delete("/email-templates/{template_id}", response={204: None})
def template_delete(request: HttpRequest, template_id: PathId):
    principal = principal_of(request)
    template_services.email_template_delete(
        template=_template(request, template_id), by=principal.user, is_admin=principal.is_admin
    )
    return Status(204, None)


def _template(request: HttpRequest, template_id: int):
    principal = principal_of(request)
    return selectors.template_get(
        workspace=principal.workspace, user=principal.user, template_id=template_id
    )


# --- Emails ------------------------------------------------------------------------------------


@router.post("/emails", response={201: EmailOut})
def email_send(request: HttpRequest, payload: EmailIn):
    """Send an email to a contact now, or at `send_at`. Refused with the reason (422) for an
    opted-out or bounced contact, a variable without a value, a `send_at` in the past, or a
    mailbox past its daily limit."""
    principal = principal_of(request)
    draft = _draft(principal, payload)
    email = email_services.email_create(
        workspace=principal.workspace,
        mailbox=draft["mailbox"],
        contact=draft["contact"],
        template=draft["template"],
        subject=payload.subject,
        body=payload.body,
        send_at=payload.send_at,
        by=principal.user,
    )
    return Status(201, email)


@router.post("/emails/preview", response=PreviewOut)
def email_preview(request: HttpRequest, payload: EmailIn):
    """The email as the contact would get it, and what would stop it from going."""
    principal = principal_of(request)
    draft = _draft(principal, payload)
    written = email_services.email_write(
        mailbox=draft["mailbox"],
        contact=draft["contact"],
        template=draft["template"],
        subject=payload.subject,
        body=payload.body,
    )
    refusal = email_services.contact_refusal(draft["contact"])
    return {
        "subject": written.subject,
        "body": written.body,
        "problems": ([refusal] if refusal else []) + written.problems,
        "from_email": from_address(draft["mailbox"], None),
    }


@router.get("/emails", response=list[EmailOut])
@paginate
def email_list(request: HttpRequest, filters: Query[EmailFilter]):
    """One-off emails and answers, newest first."""
    return selectors.email_list(workspace=principal_of(request).workspace, **filters.dict())


@router.get("/emails/{email_id}", response=EmailOut)
def email_get(request: HttpRequest, email_id: PathId):
    return selectors.email_get(workspace=principal_of(request).workspace, email_id=email_id)


@router.post("/emails/{email_id}/cancel", response=EmailOut)
def email_cancel(request: HttpRequest, email_id: PathId):
    """Call off a scheduled email."""
    email = selectors.email_get(workspace=principal_of(request).workspace, email_id=email_id)
    return email_services.email_cancel(email=email)


@router.post("/emails/{email_id}/retry", response=EmailOut)
def email_retry(request: HttpRequest, email_id: PathId):
    """Send again an email that was not sent, or that may not have been (a send cut short)."""
    email = selectors.email_get(workspace=principal_of(request).workspace, email_id=email_id)
    return email_services.email_retry(email=email)


def _draft(principal: Principal, payload: EmailIn) -> dict[str, Any]:
    workspace = principal.workspace
    contact = ref_in_workspace(
        Contact.objects.select_related("prospect"),
        workspace=workspace,
        pk=payload.contact_id,
        field="contact_id",
    )
    template = None
    if payload.template_id is not None:
        template = (
            selectors.template_list(workspace=workspace, user=principal.user)
            .filter(pk=payload.template_id)
            .first()
        )
        if template is None:
            raise ValidationFailed.for_field(
                "template_id", f"No template with id {payload.template_id} in this workspace."
            )
    mailbox = selectors.mailbox_to_send_from(
        workspace=workspace, user=principal.user, mailbox_id=payload.mailbox_id
    )
    return {"contact": contact, "template": template, "mailbox": mailbox}
