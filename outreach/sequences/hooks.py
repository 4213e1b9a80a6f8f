"""What sequences add to the layers below them, connected at start-up by OutreachConfig.ready()."""

from typing import Any

from django.http import HttpRequest

from outreach.crm.panels import ProspectPanel, register_prospect_panel
from outreach.models import Prospect
from outreach.sequences import selectors


def _prospect_panel(request: HttpRequest, prospect: Prospect) -> dict[str, Any]:
    return {
        "sequence_panel": selectors.prospect_sequence_panel(
            workspace=request.workspace, prospect=prospect
        )
    }


def connect() -> None:
    register_prospect_panel(
        ProspectPanel(
            name="sequences",
            template="outreach/sequences/partials/prospect_panel.html",
            context=_prospect_panel,
            order=20,
        )
    )
