"""What the CRM announces when its records change, for the features built on it to act on.

The CRM never imports the layers above it. Sequences (in outreach) and automations (an app of
their own) register a listener at start-up, and each service announces its change here, inside
the transaction that makes it: whatever a listener records (an automation event, a stopped
sequence) commits or rolls back with the change itself.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from outreach.models import Contact, Deal, Meeting, OutreachLog, Prospect, Stage, Tag, Workspace

Changes = Mapping[str, tuple[Any, Any]]


@dataclass(frozen=True)
class ContactCreated:
    contact: Contact


@dataclass(frozen=True)
class DealCreated:
    deal: Deal


@dataclass(frozen=True)
class DealStageChanged:
    deal: Deal
    from_stage: Stage | None


@dataclass(frozen=True)
class FieldsChanged:
    """Fields of a contact, prospect or deal changed, as {field: (old, new)}."""

    record: Contact | Prospect | Deal
    changes: Changes


@dataclass(frozen=True)
class TagAssigned:
    record: Contact | Prospect | Deal
    tag: Tag


@dataclass(frozen=True)
class TagRemoved:
    record: Contact | Prospect | Deal
    tag: Tag


@dataclass(frozen=True)
class TaskClosed:
    """A touch task was completed (DONE) or skipped, or deleted while open (SKIPPED)."""

    task: OutreachLog
    status: str


@dataclass(frozen=True)
class MessageReceived:
    """A contact's message arrived (a reply by email, a LinkedIn message...)."""

    contact: Contact
    channel: str
    body: str
    subject: str = ""
    outreach_log: OutreachLog | None = None


@dataclass(frozen=True)
class MeetingBooked:
    """A prospect's contact booked a meeting with a rep (from the wizard or a booking page)."""

    meeting: Meeting


@dataclass(frozen=True)
class MeetingNoShow:
    """The rep marked a meeting the contact did not come to."""

    meeting: Meeting


@dataclass(frozen=True)
class WorkspaceChanged:
    """The team's own details changed (its name, description, colour...), as {field: (old, new)}:
    what the pages and reports shown to prospects are branded with."""

    workspace: Workspace
    changes: Changes


Change = (
    ContactCreated
    | DealCreated
    | DealStageChanged
    | FieldsChanged
    | TagAssigned
    | TagRemoved
    | TaskClosed
    | MessageReceived
    | MeetingBooked
    | MeetingNoShow
    | WorkspaceChanged
)


@dataclass(frozen=True)
class Many:
    """Many changes in one workspace made together (an import of thousands of rows, a bulk
    action): a listener can ask once whether it cares about any of them, then act on each."""

    workspace_id: int
    changes: Sequence[Change]


Announcement = Change | Many
Listener = Callable[[Announcement], None]

_listeners: list[Listener] = []


def listen(listener: Listener) -> None:
    """Call `listener` with every change from now on (once, however often it registers)."""
    if listener not in _listeners:
        _listeners.append(listener)


def announce(change: Announcement) -> None:
    """Tell every listener, in the order they registered, inside the caller's transaction."""
    for listener in _listeners:
        listener(change)
