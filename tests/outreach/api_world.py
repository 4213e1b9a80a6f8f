"""The outreach objects that the API-wide tests need beyond the core ones: wizard links."""

from django.db.models import QuerySet

from outreach.models import Prospect, WizardLink, WizardSession, Workspace
from tests.factories import WizardLinkFactory


def build(workspace: Workspace, owner, mark: str, world: dict[str, int]) -> dict[str, int]:
    prospect = Prospect.objects.get(pk=world["prospect_id"])
    link = WizardLinkFactory(prospect=prospect, created_by=owner)
    return {"link_id": link.pk}


def rows(workspace: Workspace) -> list[QuerySet]:
    return [
        WizardLink.objects.filter(workspace=workspace),
        WizardSession.objects.filter(link__workspace=workspace),
    ]


def populate(workspace: Workspace, owner, n: int, ids: dict[str, int]) -> dict[str, int]:
    prospect = Prospect.objects.get(pk=ids["prospect_id"])
    for _ in range(n):
        WizardLinkFactory(prospect=prospect, created_by=owner)
    return {}
