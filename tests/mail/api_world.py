"""Mail in the API-wide tenancy walk and query-count test (see tests/api_world.py)."""

import uuid

from outreach.models import Contact, EmailTemplate, Mailbox, OutboundEmail
from tests.factories import ContactFactory, OutboundEmailFactory, ProspectFactory


def build(workspace, owner, mark, world) -> dict[str, int]:
    # Sending through the workspace's service: the connection test touches no network.
    mailbox = Mailbox.objects.create(
        workspace=workspace,
        owner=owner,
        display_name=f"{mark} sender",
        email=f"{mark}@sender.example",
        is_default=True,
    )
    template = EmailTemplate.objects.create(
        workspace=workspace,
        owner=owner,
        name=f"{mark} template",
        subject="Hello {{contact.first_name}}",
        body=f"A note about {mark}",
    )
    contact = Contact.objects.get(pk=world["contact_id"])
    email = OutboundEmailFactory(mailbox=mailbox, contact=contact, subject=f"About {mark}")
    return {"mailbox_id": mailbox.pk, "template_id": template.pk, "email_id": email.pk}


def rows(workspace) -> list:
    return [
        Mailbox.objects.filter(workspace=workspace),
        EmailTemplate.objects.filter(workspace=workspace),
        OutboundEmail.objects.filter(workspace=workspace),
    ]


def populate(workspace, owner, n, ids) -> dict[str, int]:
    prospect = ProspectFactory(workspace=workspace, owner=owner)
    run = uuid.uuid4().hex[:8]  # populate may run twice in a workspace
    mailbox = Mailbox.objects.create(
        workspace=workspace, owner=owner, display_name="Sender", email=f"{run}@sender.example"
    )
    for i in range(n):
        EmailTemplate.objects.create(
            workspace=workspace, owner=owner, name=f"Template {run} {i}", subject="Hi", body="Hi"
        )
        Mailbox.objects.create(
            workspace=workspace, owner=owner, display_name=f"S{i}", email=f"{run}-{i}@sender.ex"
        )
        OutboundEmailFactory(mailbox=mailbox, contact=ContactFactory(prospect=prospect))
    return {}
