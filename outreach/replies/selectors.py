"""Reads of the reply inbox, scoped to one workspace and shaped for constant query counts."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest
from django.urls import reverse

from config.errors import NotFound
from config.filters import given, text_search
from outreach.models import InboundMailbox, OutreachLog, Reply, ReplyEffect, ReplyTriage, Workspace

THREAD_LIMIT = 50


def reply_list(
    *,
    workspace: Workspace,
    intent: str | None = None,
    state: str | None = None,
    kind: str | None = None,
    q: str = "",
    contact_id: int | None = None,
    prospect_id: int | None = None,
) -> QuerySet[Reply]:
    """The inbox, newest first; `state` "open" means new or waiting for a rep."""
    replies = Reply.objects.filter(workspace=workspace, **given(intent=intent))
    if state == "open":
        replies = replies.filter(state__in=[Reply.State.NEW, Reply.State.NEEDS_REVIEW])
    elif state:
        replies = replies.filter(state=state)
    replies = replies.filter(
        text_search(q, "subject", "from_email", "from_name"),
        **given(kind=kind, contact_id=contact_id, prospect_id=prospect_id),
    )
    return (
        replies.select_related("contact", "prospect")
        .defer("text", "html", "headers", "references", "to", "cc")
        .order_by("-received_at", "-pk")
    )


def reply_state_counts(*, workspace: Workspace) -> dict[str, int]:
    rows = (
        Reply.objects.filter(workspace=workspace).values("state").annotate(n=Count("pk")).order_by()
    )
    counts = {state: 0 for state in Reply.State.values}
    counts.update({row["state"]: row["n"] for row in rows})
    counts["open"] = counts[Reply.State.NEW] + counts[Reply.State.NEEDS_REVIEW]
    return counts


def reply_get(*, workspace: Workspace, reply_id: int) -> Reply:
    reply = (
        Reply.objects.filter(workspace=workspace, pk=reply_id)
        .select_related("contact", "prospect", "answers", "applied_by", "answered_by", "workspace")
        .prefetch_related(
            Prefetch(
                "triages",
                queryset=ReplyTriage.objects.select_related("by").order_by("created_at", "pk"),
            ),
            Prefetch("effects", queryset=ReplyEffect.objects.order_by("created_at", "pk")),
        )
        .first()
    )
    if reply is None:
        raise NotFound(f"No reply with id {reply_id}.")
    return reply


@dataclass
class ThreadMessage:
    """One message of a conversation: an email we sent, or one we received."""

    direction: str  # "sent" or "received"
    at: datetime
    subject: str
    body: str
    sender: str
    reply_id: int | None = None
    outreach_log_id: int | None = None
    kind: str = ""
    intent: str = ""

    @property
    def intent_label(self) -> str:
        return Reply.Intent(self.intent).label if self.intent else ""


def reply_thread(*, reply: Reply) -> list[ThreadMessage]:
    """The conversation around a reply, oldest first: our emails to the contact and every
    message received from them (or, unmatched, from the same address)."""
    if reply.contact_id:
        received = Reply.objects.filter(
            workspace_id=reply.workspace_id, contact_id=reply.contact_id
        )
        sent = (
            OutreachLog.objects.filter(
                workspace_id=reply.workspace_id,
                contact_id=reply.contact_id,
                channel=OutreachLog.Channel.EMAIL,
                status=OutreachLog.Status.SENT,
            )
            .select_related("created_by")
            .order_by("-created_at", "-pk")[:THREAD_LIMIT]
        )
    else:
        received = Reply.objects.filter(
            workspace_id=reply.workspace_id, from_email=reply.from_email
        )
        sent = OutreachLog.objects.none()
    received = (
        received.select_related("contact")
        .only(
            "pk",
            "received_at",
            "subject",
            "body",
            "from_email",
            "from_name",
            "kind",
            "intent",
            "contact__first_name",
            "contact__last_name",
            "contact__email",
        )
        .order_by("-received_at", "-pk")[:THREAD_LIMIT]
    )
    messages = [
        ThreadMessage(
            direction="sent",
            at=entry.created_at,
            subject=entry.subject,
            body=entry.body,
            sender=entry.created_by.get_username() if entry.created_by else "Outreach",
            outreach_log_id=entry.pk,
        )
        for entry in sent
    ] + [
        ThreadMessage(
            direction="received",
            at=other.received_at,
            subject=other.subject,
            body=other.body,
            sender=other.sender_label,
            reply_id=other.pk,
            kind=other.kind,
            intent=other.intent,
        )
        for other in received
    ]
    return sorted(messages, key=lambda message: message.at)


def mailbox_urls(request: HttpRequest, mailbox: InboundMailbox) -> dict[str, str]:
    """Where Mailgun and an MTA deliver to, on the host this request reached."""
    return {
        "mailgun_url": request.build_absolute_uri(reverse("replies:reply_mailgun_inbound")),
        "raw_delivery_url": request.build_absolute_uri(
            reverse("replies:reply_raw_delivery", args=[mailbox.delivery_secret])
        ),
    }


def mailbox_for_secret(secret: str) -> InboundMailbox | None:
    if not secret or len(secret) > 64:
        return None
    return InboundMailbox.objects.select_related("workspace").filter(delivery_secret=secret).first()


def mailbox_for_addresses(addresses: list[str]) -> InboundMailbox | None:
    """The mailbox the first of these addresses belongs to: `<anything>+<token>@<our domain>` or
    `<token>@<our domain>`. Addresses at other domains are never ours."""
    domain = settings.REPLIES_INBOUND_DOMAIN.lower()
    for address in addresses:
        local, _, at = address.strip().strip("<>").lower().rpartition("@")
        if at != domain or not local:
            continue
        token = local.rsplit("+", 1)[-1]
        mailbox = (
            InboundMailbox.objects.select_related("workspace").filter(address_token=token).first()
        )
        if mailbox is not None:
            return mailbox
    return None
