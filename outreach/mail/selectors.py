"""Reads of mail, scoped to one workspace: mailboxes (and which one a member sends from), the
template library with each template's usage and reply rate, and one-off emails."""

from collections.abc import Collection

from django.contrib.auth.models import User
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from config.errors import NotFound, ValidationFailed
from config.filters import given
from outreach.models import EmailTemplate, Mailbox, OutboundEmail, OutreachLog, Reply, Workspace


def mailbox_list(*, workspace: Workspace, owner: User | None = None) -> QuerySet[Mailbox]:
    mailboxes = Mailbox.objects.filter(workspace=workspace, **given(owner=owner))
    return mailboxes.select_related("owner").order_by("owner__username", "-is_default", "email")


def mailbox_get(*, workspace: Workspace, mailbox_id: int) -> Mailbox:
    mailbox = mailbox_list(workspace=workspace).filter(pk=mailbox_id).first()
    if mailbox is None:
        raise NotFound(f"No mailbox with id {mailbox_id}.")
    return mailbox


def default_mailbox(*, workspace: Workspace, user: User | None) -> Mailbox | None:
    """The mailbox a member's new emails and sequence emails go from."""
    if user is None:
        return None
    return (
        Mailbox.objects.select_related("owner")
        .filter(workspace=workspace, owner=user)
        .order_by("-is_default", "pk")
        .first()
    )


def mailbox_to_send_from(
    *, workspace: Workspace, user: User | None, mailbox_id: int | None
) -> Mailbox:
    """The mailbox an email goes from: the one asked for (a member's own; an integration's key
    may use any of the workspace), or the member's default one."""
    if mailbox_id is not None:
        mailboxes = Mailbox.objects.select_related("owner").filter(workspace=workspace)
        if user is not None:
            mailboxes = mailboxes.filter(owner=user)
        mailbox = mailboxes.filter(pk=mailbox_id).first()
        if mailbox is None:
            raise ValidationFailed.for_field(
                "mailbox_id", f"No mailbox with id {mailbox_id} that you can send from."
            )
        return mailbox
    mailbox = default_mailbox(workspace=workspace, user=user)
    if mailbox is None:
        raise ValidationFailed.for_field(
            "mailbox_id",
            "Connect a mailbox first (Mailboxes in the menu)"
            if user is not None
            else "Name the mailbox to send from (mailbox_id).",
        )
    return mailbox


def template_list(*, workspace: Workspace, user: User | None) -> QuerySet[EmailTemplate]:
    """The templates someone may use (the shared ones and their own), each with how many emails
    went out with it (`sent_count`) and how many of those a person answered (`reply_count`),
    counted through the outreach log's template index in the same query."""
    visible = Q(shared=True) | Q(owner=user) if user is not None else Q(shared=True)
    sent = OutreachLog.objects.filter(email_template=OuterRef("pk"), status=OutreachLog.Status.SENT)
    answered = Reply.objects.filter(answers=OuterRef("pk"), kind=Reply.Kind.HUMAN)
    return (
        EmailTemplate.objects.filter(workspace=workspace)
        .filter(visible)
        .select_related("owner")
        .annotate(
            sent_count=_count(sent),
            reply_count=_count(sent.filter(Exists(answered))),
        )
        .order_by("name", "pk")
    )


def shared_template_choices(
    *, workspace: Workspace, also: Collection[int] = ()
) -> list[tuple[int, str]]:
    """(id, name) of the templates a sequence step or a rule may take its words from: the
    workspace's shared ones, and `also` those it already uses (one made personal since)."""
    return list(
        EmailTemplate.objects.filter(workspace=workspace)
        .filter(Q(shared=True) | Q(pk__in=list(also)))
        .order_by("name", "pk")
        .values_list("pk", "name")
    )


def _count(rows: QuerySet) -> Coalesce:
    counted = rows.order_by().values("email_template").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def reply_rate(template: EmailTemplate) -> float | None:
    """Replies from people over emails sent (None before the first send)."""
    sent = getattr(template, "sent_count", 0)
    return getattr(template, "reply_count", 0) / sent if sent else None


def template_get(*, workspace: Workspace, user: User | None, template_id: int) -> EmailTemplate:
    template = template_list(workspace=workspace, user=user).filter(pk=template_id).first()
    if template is None:
        raise NotFound(f"No template with id {template_id}.")
    return template


def email_list(
    *,
    workspace: Workspace,
    contact_id: int | None = None,
    prospect_id: int | None = None,
    status: str | None = None,
) -> QuerySet[OutboundEmail]:
    emails = OutboundEmail.objects.filter(
        workspace=workspace, **given(contact_id=contact_id, prospect_id=prospect_id, status=status)
    )
    return emails.select_related("mailbox", "contact", "template").order_by("-created_at", "-pk")


def email_get(*, workspace: Workspace, email_id: int) -> OutboundEmail:
    email = email_list(workspace=workspace).select_related("prospect").filter(pk=email_id).first()
    if email is None:
        raise NotFound(f"No email with id {email_id}.")
    return email
