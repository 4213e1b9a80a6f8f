"""The friendly words the team has for a contact, shown on their wizard page.

Engagement scoring writes them (the member explanation, safe to show the contact) and registers
itself as the source at start-up (EngagementConfig.ready): the wizard sits below engagement and
never imports it.
"""

from collections.abc import Callable

from outreach.models import Contact

MessageSource = Callable[[Contact], str]

_source: MessageSource | None = None


def register_message_source(source: MessageSource) -> None:
    global _source
    _source = source


def friendly_message(*, contact: Contact | None) -> str:
    """The contact's friendly engagement message, or "" when there is none to show."""
    if contact is None or _source is None:
        return ""
    return _source(contact)
