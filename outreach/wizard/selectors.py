"""Reads of wizard links."""

from django.db.models import F, QuerySet

from outreach.models import (
    Prospect,
    WizardLink,
)


def wizard_links_for_prospect(*, prospect: Prospect) -> QuerySet[WizardLink]:
    """The prospect's wizard links with their progress: live ones first, newest first."""
    return (
        WizardLink.objects.filter(prospect=prospect)
        .select_related("session", "created_by")
        .order_by(F("revoked_at").asc(nulls_first=True), "-created_at", "-pk")
    )
