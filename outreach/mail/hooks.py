"""What mail adds to the layers below it, connected at start-up by OutreachConfig.ready(): the
Email panel on the prospect page (a composer and the prospect's recent emails)."""

from typing import Any

from outreach.crm.panels import ProspectPanel, register_prospect_panel
from outreach.mail import selectors
from outreach.mail.views import composer_context
from outreach.models import Prospect
from outreach.workspaces.access import MemberRequest

RECENT_EMAILS = 5


def _prospect_panel(request: MemberRequest, prospect: Prospect) -> dict[str, Any]:
    # The contacts were read with the prospect: choosing the first one costs no query.
    contacts = [contact for contact in prospect.contacts.all() if contact.email]
    recent = selectors.email_list(workspace=request.workspace, prospect_id=prospect.pk)
    return {
        "composer": composer_context(request, contacts[0]) if contacts else None,
        "recent_emails": recent[:RECENT_EMAILS],
    }


def connect() -> None:
    register_prospect_panel(
        ProspectPanel(
            name="email",
            template="outreach/mail/partials/prospect_panel.html",
            context=_prospect_panel,
            order=10,
        )
    )
