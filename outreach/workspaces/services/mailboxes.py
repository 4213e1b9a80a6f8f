"""A workspace's inbound mailbox: the reply address outreach emails carry, and the secret URL
its mail is delivered to."""

from django.db import transaction
from django.utils import timezone

from outreach.models import InboundMailbox, Workspace
from outreach.models.replies import new_address_token, new_delivery_secret


def inbound_mailbox_ensure(*, workspace: Workspace) -> InboundMailbox:
    """The workspace's inbound mailbox, created on first use."""
    with transaction.atomic():
        mailbox, _ = InboundMailbox.objects.get_or_create(workspace=workspace)
    return mailbox


def inbound_mailbox_rotate(*, workspace: Workspace) -> InboundMailbox:
    """New reply address and delivery URL; the old ones stop working at once."""
    with transaction.atomic():
        mailbox, _ = InboundMailbox.objects.select_for_update().get_or_create(workspace=workspace)
        mailbox.address_token = new_address_token()
        mailbox.delivery_secret = new_delivery_secret()
        mailbox.rotated_at = timezone.now()
        mailbox.save(update_fields=["address_token", "delivery_secret", "rotated_at"])
    return mailbox
