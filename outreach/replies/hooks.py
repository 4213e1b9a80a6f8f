"""What replies adds to the layers below it, connected at start-up by OutreachConfig.ready():
the intake of mail read from reps' mailboxes."""

import logging

from outreach.mail import inbound
from outreach.models import Mailbox
from outreach.replies.inbound.message import MalformedMessage, MessageTooLarge, parse_raw
from outreach.replies.services import intake

logger = logging.getLogger(__name__)


def _from_mailbox(mailbox: Mailbox, raw_messages: list[bytes]) -> None:
    messages = []
    for raw in raw_messages:
        try:
            messages.append(parse_raw(raw))
        except (MalformedMessage, MessageTooLarge) as exc:
            # One unreadable message must not stop the sync of the rest.
            logger.info("Mailbox %s: a message was skipped: %s", mailbox.pk, exc.message)
    intake.replies_receive_from_mailbox(mailbox=mailbox, messages=messages)


def connect() -> None:
    inbound.receive_with(_from_mailbox)
