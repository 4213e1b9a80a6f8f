"""REST endpoints of a prospect's wizard links."""

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from config.schemas import PathId
from outreach.models import Prospect, WizardLink
from outreach.wizard import selectors
from outreach.wizard import services as wizard_services
from outreach.wizard.schemas import (
    WizardLinkOut,
)
from outreach.workspaces.auth import principal_of
from outreach.workspaces.selectors import get_in_workspace

router = Router(tags=["wizard"])


@router.get("/prospects/{prospect_id}/wizard-links", response=list[WizardLinkOut])
@paginate
def wizard_link_list(request: HttpRequest, prospect_id: PathId):
    """The prospect's wizard links with how far the prospect got: live ones first."""
    return selectors.wizard_links_for_prospect(prospect=_prospect(request, prospect_id))


@router.post("/prospects/{prospect_id}/wizard-links", response={201: WizardLinkOut})
def wizard_link_create(request: HttpRequest, prospect_id: PathId):
    """A new wizard link for the prospect: send its `url` to them."""
    link = wizard_services.wizard_link_create(
        prospect=_prospect(request, prospect_id), by=principal_of(request).user
    )
    return Status(201, _wizard_link(request, link.pk))


@router.get("/wizard-links/{link_id}", response=WizardLinkOut)
def wizard_link_get(request: HttpRequest, link_id: PathId):
    return _wizard_link(request, link_id)


@router.delete("/wizard-links/{link_id}", response=WizardLinkOut)
def wizard_link_revoke(request: HttpRequest, link_id: PathId):
    """Revoke the link: it stops opening the prospect's pages. Its progress is kept."""
    wizard_services.wizard_link_revoke(link=_wizard_link(request, link_id))
    return _wizard_link(request, link_id)


def _wizard_link(request: HttpRequest, link_id: int) -> WizardLink:
    return get_in_workspace(
        WizardLink.objects.select_related("session", "created_by"),
        workspace=principal_of(request).workspace,
        pk=link_id,
        label="wizard link",
    )


def _prospect(request: HttpRequest, prospect_id: int) -> Prospect:
    return get_in_workspace(
        Prospect.objects,
        workspace=principal_of(request).workspace,
        pk=prospect_id,
        label="prospect",
    )
