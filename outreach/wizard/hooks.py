"""What the wizard adds to the layers below it, connected at start-up by OutreachConfig.ready()."""

from typing import Any

from outreach import events
from outreach.crm.panels import ProspectPanel, register_prospect_panel
from outreach.models import Prospect
from outreach.wizard import selectors
from outreach.wizard.services import wizard_reports_refresh
from outreach.workspaces.access import MemberRequest

# What the PDF report shows of a prospect and of the team (outreach.wizard.report): a change to
# any of them renders the report again. Status, score and the like never reach it.
REPORT_PROSPECT_FIELDS = frozenset({"name", "domain", "website", "custom_fields", "owner"})
REPORT_WORKSPACE_FIELDS = frozenset({"name", "company_description", "brand_color"})


def _prospect_panel(request: MemberRequest, prospect: Prospect) -> dict[str, Any]:
    return {"wizard_links": selectors.wizard_links_for_prospect(prospect=prospect)}


def _on_crm_change(change: events.Announcement) -> None:
    match change:
        case events.Many(changes=changes):
            # An import or a bulk action: one query for all its prospects.
            prospect_ids = {pk for one in changes if (pk := _report_prospect(one)) is not None}
            if prospect_ids:
                wizard_reports_refresh(prospect_ids=prospect_ids)
        case events.WorkspaceChanged(workspace=workspace, changes=changes) if (
            changes.keys() & REPORT_WORKSPACE_FIELDS
        ):
            wizard_reports_refresh(workspace_id=workspace.pk)
        case _:
            prospect_id = _report_prospect(change)
            if prospect_id is not None:
                wizard_reports_refresh(prospect_ids=[prospect_id])


def _report_prospect(change: events.Announcement) -> int | None:
    """The prospect whose report this change alters, if it alters one."""
    match change:
        case events.FieldsChanged(record=Prospect() as prospect, changes=changes) if (
            changes.keys() & REPORT_PROSPECT_FIELDS
        ):
            return prospect.pk
        case (
            events.TagAssigned(record=Prospect() as prospect)
            | events.TagRemoved(record=Prospect() as prospect)
        ):
            return prospect.pk
    return None


def connect() -> None:
    events.listen(_on_crm_change)
    register_prospect_panel(
        ProspectPanel(
            name="wizard-links",
            template="outreach/wizard/partials/links_panel.html",
            context=_prospect_panel,
            order=10,
        )
    )
