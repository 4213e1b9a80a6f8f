"""What sequences add to the layers below them, connected at start-up by OutreachConfig.ready()."""

from typing import Any

from outreach import events
from outreach.crm.panels import ProspectPanel, register_prospect_panel
from outreach.models import Contact, Prospect
from outreach.sequences import selectors
from outreach.sequences.services import enrollment
from outreach.workspaces.access import MemberRequest


def _prospect_panel(request: MemberRequest, prospect: Prospect) -> dict[str, Any]:
    return {
        "sequence_panel": selectors.prospect_sequence_panel(
            workspace=request.workspace, prospect=prospect
        )
    }


def _on_crm_change(change: events.Announcement) -> None:
    match change:
        case events.Many(changes=changes):
            for one in changes:
                _on_crm_change(one)
        case events.FieldsChanged(record=Contact() as contact, changes=changes) if (
            "outreach_status" in changes
        ):
            enrollment.sequences_on_contact_status(contact=contact)
        case events.TaskClosed(task=task, status=status):
            enrollment.sequences_on_task_closed(task=task, status=status)
        case events.MeetingBooked(meeting=meeting) if meeting.contact is not None:
            # The cadence did its job: a person takes it from here.
            enrollment.sequences_stop_for_contact(
                contact=meeting.contact, reason="Booked a meeting"
            )


def connect() -> None:
    events.listen(_on_crm_change)
    register_prospect_panel(
        ProspectPanel(
            name="sequences",
            template="outreach/sequences/partials/prospect_panel.html",
            context=_prospect_panel,
            order=20,
        )
    )
