"""Replies in the API-wide tenancy walk and query-count test (see tests/api_world.py)."""

from outreach.models import InboundMailbox, Reply, ReplyEffect, ReplyTriage
from tests.factories import ContactFactory, ProspectFactory, ReplyFactory


def build(workspace, owner, mark, world) -> dict[str, int]:
    # From an unknown sender: the triage route then answers 409 (link a contact first) rather
    # than reaching the effects owned by other parts of the product.
    reply = ReplyFactory(
        workspace=workspace,
        contact=None,
        subject=f"Re: {mark}",
        body=f"Hello from {mark}",
        from_email=f"{mark}@unknown.example",
    )
    return {"reply_id": reply.pk}


def rows(workspace) -> list:
    return [
        Reply.objects.filter(workspace=workspace),
        ReplyTriage.objects.filter(reply__workspace=workspace),
        ReplyEffect.objects.filter(reply__workspace=workspace),
        InboundMailbox.objects.filter(workspace=workspace),
    ]


def populate(workspace, owner, n, ids) -> dict[str, int]:
    prospect = ProspectFactory(workspace=workspace, owner=owner)
    first = None
    for i in range(n):
        contact = ContactFactory(prospect=prospect, first_name=f"Replier{i}")
        reply = ReplyFactory(contact=contact)
        first = first or reply
    ReplyFactory(workspace=workspace, contact=None)
    return {"reply_id": first.pk}
