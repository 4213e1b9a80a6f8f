"""What meetings add to the layers below them, connected at start-up by OutreachConfig.ready()."""

from typing import Any

from outreach.crm.panels import (
    OverviewPanel,
    ProspectPanel,
    register_overview_panel,
    register_prospect_panel,
)
from outreach.meetings import selectors
from outreach.models import Prospect
from outreach.workspaces.access import MemberRequest

OVERVIEW_MEETINGS = 5


def _overview_panel(request: MemberRequest) -> dict[str, Any]:
    return {
        "upcoming_meetings": list(
            selectors.upcoming_meetings(workspace=request.workspace, host=request.user)[
                :OVERVIEW_MEETINGS
            ]
        ),
        "meetings_to_settle": selectors.meetings_to_settle(
            workspace=request.workspace, host=request.user
        ).count(),
    }


def _prospect_panel(request: MemberRequest, prospect: Prospect) -> dict[str, Any]:
    return {"meetings": list(selectors.meetings_for_prospect(prospect=prospect)[:10])}


def connect() -> None:
    register_overview_panel(
        OverviewPanel(
            name="meetings",
            template="outreach/meetings/partials/overview_panel.html",
            context=_overview_panel,
            order=10,
        )
    )
    register_prospect_panel(
        ProspectPanel(
            name="meetings",
            template="outreach/meetings/partials/prospect_panel.html",
            context=_prospect_panel,
            order=5,
        )
    )
