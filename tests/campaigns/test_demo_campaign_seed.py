"""The demo seeds one draft campaign over its five prospects, researched from the shipped
website snapshots, so that launching it starts at the script."""

from io import StringIO

from django.core.management import call_command

from campaigns.models import Campaign
from media_pipeline.pipeline import next_step


def test_the_demo_has_a_draft_campaign_ready_to_script(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())

    campaign = Campaign.objects.get()
    assert campaign.status == "draft"
    entries = list(campaign.campaign_prospects.select_related("prospect", "contact"))
    assert {e.prospect.name for e in entries} == {"Stripe", "Plaid", "Brex", "Ramp", "Mercury"}
    for entry in entries:
        assert entry.contact is not None
        assert entry.research_data["url"] == f"https://{entry.prospect.domain}/"
        assert entry.research_data["source"] == "snapshot"
        assert next_step(entry).name == "script"
