"""REST endpoints of the reply inbox: receiving replies as JSON, listing and reading them, and
correcting their triage."""

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from config.errors import PermissionDenied
from config.fast_rows import rows_of
from config.schemas import PathId
from outreach.mail.schemas import EmailOut
from outreach.mail.selectors import mailbox_to_send_from
from outreach.models import Contact, InboundMailbox, Reply
from outreach.replies import selectors
from outreach.replies.inbound.message import from_fields
from outreach.replies.schemas import (
    AnswerIn,
    InboundMessageIn,
    LinkContactIn,
    MailboxOut,
    ReceiptOut,
    ReplyDetailOut,
    ReplyFilter,
    ReplyOut,
    TriageIn,
    TriageResultOut,
)
from outreach.replies.services import answers, intake, triage
from outreach.workspaces.auth import Principal, principal_of
from outreach.workspaces.selectors import ref_in_workspace
from outreach.workspaces.services import mailboxes as mailbox_services

router = Router(tags=["replies"])


@router.post("/replies/inbound", response={200: ReceiptOut, 201: ReceiptOut})
def reply_inbound(request: HttpRequest, payload: InboundMessageIn):
    """Receive one email into the workspace of the key. Posting the same `message_id` again
    answers 200 with the stored reply and does nothing else."""
    message = from_fields(
        message_id=payload.message_id,
        from_email=payload.from_.email,
        from_name=payload.from_.name,
        to=payload.to,
        cc=payload.cc,
        subject=payload.subject,
        text=payload.text,
        html=payload.html,
        in_reply_to=payload.in_reply_to,
        references=payload.references,
        headers=payload.headers,
        date=payload.date,
    )
    receipt = intake.reply_receive(
        workspace=principal_of(request).workspace, message=message, source=Reply.Source.API
    )
    reply = receipt.reply
    return Status(
        201 if receipt.created else 200,
        {
            "id": reply.pk,
            "created": receipt.created,
            "kind": reply.kind,
            "state": reply.state,
            "contact_id": reply.contact_id,
            "prospect_id": reply.prospect_id,
        },
    )


@router.get("/replies", response=list[ReplyOut])
@rows_of(ReplyOut)
@paginate
def reply_list(request: HttpRequest, filters: Query[ReplyFilter]):
    """The inbox, newest first."""
    return selectors.reply_list(workspace=principal_of(request).workspace, **filters.dict())


@router.get("/replies/mailbox", response=MailboxOut)
def mailbox_get(request: HttpRequest):
    """Where this workspace's replies arrive."""
    principal = principal_of(request)
    mailbox = mailbox_services.inbound_mailbox_ensure(workspace=principal.workspace)
    return _mailbox_out(request, mailbox, principal)


@router.post("/replies/mailbox/rotate", response=MailboxOut)
def mailbox_rotate(request: HttpRequest):
    """New reply address and delivery URL; the old ones stop working at once."""
    principal = principal_of(request)
    if not principal.is_admin:
        raise PermissionDenied("Only workspace admins can do this.")
    mailbox = mailbox_services.inbound_mailbox_rotate(workspace=principal.workspace)
    return _mailbox_out(request, mailbox, principal)


@router.get("/replies/{reply_id}", response=ReplyDetailOut)
def reply_get(request: HttpRequest, reply_id: PathId):
    """A reply with its thread, its triage history and what it has made happen."""
    return _detail(request, reply_id)


@router.post("/replies/{reply_id}/triage", response=TriageResultOut)
def reply_triage(request: HttpRequest, reply_id: PathId, payload: TriageIn):
    """Set the reply's intent and act on it. Applying the same intent again changes nothing."""
    principal = principal_of(request)
    reply = selectors.reply_get(workspace=principal.workspace, reply_id=reply_id)
    outcome = triage.apply_reply_triage(
        reply=reply, intent=payload.intent, by=principal.user, source="rep"
    )
    return {
        "reply": selectors.reply_get(workspace=principal.workspace, reply_id=reply_id),
        "applied_effects": outcome.applied_effects,
        "call_task": outcome.call_task,
    }


@router.post("/replies/{reply_id}/answer", response={201: EmailOut})
def reply_answer(request: HttpRequest, reply_id: PathId, payload: AnswerIn):
    """Answer the reply in its thread: from the mailbox that received it (or `mailbox_id`),
    quoting it, with In-Reply-To and References; the reply is marked answered."""
    principal = principal_of(request)
    reply = selectors.reply_get(workspace=principal.workspace, reply_id=reply_id)
    mailbox = None
    if payload.mailbox_id is not None:
        mailbox = mailbox_to_send_from(
            workspace=principal.workspace, user=principal.user, mailbox_id=payload.mailbox_id
        )
    email = answers.reply_answer(reply=reply, body=payload.body, by=principal.user, mailbox=mailbox)
    return Status(201, email)


@router.post("/replies/{reply_id}/ignore", response=ReplyOut)
def reply_ignore(request: HttpRequest, reply_id: PathId):
    principal = principal_of(request)
    reply = selectors.reply_get(workspace=principal.workspace, reply_id=reply_id)
    triage.reply_ignore(reply=reply, by=principal.user)
    return selectors.reply_get(workspace=principal.workspace, reply_id=reply_id)


@router.post("/replies/{reply_id}/contact", response=ReplyDetailOut)
def reply_link_contact(request: HttpRequest, reply_id: PathId, payload: LinkContactIn):
    """Attach a reply from an unknown sender to a contact, so its triage can act."""
    workspace = principal_of(request).workspace
    reply = selectors.reply_get(workspace=workspace, reply_id=reply_id)
    contact = ref_in_workspace(
        Contact.objects.select_related("prospect"),
        workspace=workspace,
        pk=payload.contact_id,
        field="contact_id",
    )
    intake.reply_link_contact(reply=reply, contact=contact)
    return _detail(request, reply_id)


def _detail(request: HttpRequest, reply_id: int) -> Reply:
    # ReplyDetailOut adds the thread, the triage history and the effects.
    return selectors.reply_get(workspace=principal_of(request).workspace, reply_id=reply_id)


def _mailbox_out(request: HttpRequest, mailbox: InboundMailbox, principal: Principal) -> dict:
    urls = selectors.mailbox_urls(request, mailbox)
    return {
        "address": mailbox.address,
        "raw_delivery_url": urls["raw_delivery_url"] if principal.is_admin else None,
        "mailgun_webhook_url": urls["mailgun_url"],
        "rotated_at": mailbox.rotated_at,
    }
