"""What the wizard adds to the layers below it, connected at start-up by OutreachConfig.ready()."""

from typing import Any

from outreach.crm.panels import ProspectPanel, register_prospect_panel
from outreach.models import Prospect
from outreach.wizard import selectors
from outreach.workspaces.access import MemberRequest


def _prospect_panel(request: MemberRequest, prospect: Prospect) -> dict[str, Any]:
    return {"wizard_links": selectors.wizard_links_for_prospect(prospect=prospect)}


def connect() -> None:
    register_prospect_panel(
        ProspectPanel(
            name="wizard-links",
            template="outreach/wizard/partials/links_panel.html",
            context=_prospect_panel,
            order=10,
        )
    )
