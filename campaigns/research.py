"""The research campaigns did on a prospect's website: the wizard's research source."""

from campaigns.models import CampaignProspect
from outreach.models import Prospect
from outreach.wizard.research import ProspectResearch


class CampaignResearch:
    """Registered with the wizard at start-up (CampaignsConfig.ready)."""

    def research_for(self, *, prospect: Prospect) -> ProspectResearch | None:
        latest = (
            CampaignProspect.objects.filter(prospect=prospect)
            .exclude(research_data={})
            .order_by("-updated_at", "-pk")
            .values_list("research_data", flat=True)
            .first()
        )
        return ProspectResearch.from_research(latest) if latest else None
