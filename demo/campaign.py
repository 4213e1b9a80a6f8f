"""The demo campaign `make run` seeds: a draft over the five demo prospects. The demo machine
may be offline, so each prospect's research is read (by the real extractor) from a snapshot of
its website shipped in sites/, and launching starts at the script."""

from pathlib import Path

from django.contrib.auth.models import User

from campaigns.models import Campaign
from campaigns.services import ExistingTarget, campaign_create
from media_pipeline.providers.research import extract_research
from media_pipeline.services import research_record
from outreach.models import Prospect, Workspace

SNAPSHOTS = Path(__file__).resolve().parent / "sites"
DEMO_CAMPAIGN = {
    "name": "Fintech leaders: personal video intros",
    "brief": "We would love to set up a two-week pilot for your sales team, so you can see "
    "how many more replies a personal video gets.",
}


def demo_campaign_seed(*, workspace: Workspace, by: User) -> Campaign | None:
    """Create the draft demo campaign once; None when the workspace already has campaigns."""
    if Campaign.objects.filter(workspace=workspace).exists():
        return None
    snapshots = {path.name.removesuffix(".html"): path for path in SNAPSHOTS.glob("*.html")}
    prospects = list(
        Prospect.objects.filter(workspace=workspace, domain__in=snapshots).order_by("name")
    )
    if not prospects:
        return None
    campaign = campaign_create(
        workspace=workspace,
        sender_name=by.get_full_name() or by.get_short_name() or by.get_username(),
        targets=[ExistingTarget(prospect=prospect) for prospect in prospects],
        by=by,
        **DEMO_CAMPAIGN,
    )
    for entry in campaign.campaign_prospects.select_related("prospect"):
        html = snapshots[entry.prospect.domain].read_text(encoding="utf-8")
        research = extract_research(html, f"https://{entry.prospect.domain}/")
        research["source"] = "snapshot"
        research_record(campaign_prospect=entry, research=research, provider="snapshot")
    return campaign
