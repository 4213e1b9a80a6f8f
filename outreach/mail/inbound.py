"""The port through which mail read from a rep's mailbox reaches the inbox.

Replies (a layer above) registers its intake at start-up; the IMAP sync hands each raw message
to it and never imports it.
"""

from collections.abc import Callable

from outreach.models import Mailbox

# Messages come in the batches the sync reads, so a receiver can look them up together.
Receiver = Callable[[Mailbox, list[bytes]], None]

_receivers: list[Receiver] = []


def receive_with(receiver: Receiver) -> None:
    """Hand every message read from now on to `receiver` (once, however often it registers)."""
    if receiver not in _receivers:
        _receivers.append(receiver)


def deliver(*, mailbox: Mailbox, raw_messages: list[bytes]) -> None:
    for receiver in _receivers:
        receiver(mailbox, raw_messages)
