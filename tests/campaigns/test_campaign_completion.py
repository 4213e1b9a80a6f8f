"""A campaign is completed when every prospect is complete or failed, and its admins hear of it."""

from django.utils import timezone

from campaigns.models import Campaign
from media_pipeline import services
from outreach.models import Notification
from tests.factories import CampaignFactory, CampaignProspectFactory


def test_the_campaign_completes_with_its_last_prospect_and_tells_the_admins(workspace, alice, bob):
    campaign = CampaignFactory(
        workspace=workspace, status="running", total_prospects=3, launched_at=timezone.now()
    )
    first, second, third = (CampaignProspectFactory(campaign=campaign) for _ in range(3))

    services.prospect_complete(campaign_prospect=first)
    services.prospect_fail(campaign_prospect=second, step="research", error="answered 404")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.RUNNING
    assert Notification.objects.count() == 0

    services.prospect_complete(campaign_prospect=third)

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.COMPLETED and campaign.completed_at
    assert (campaign.completed_prospects, campaign.failed_prospects) == (2, 1)
    notification = Notification.objects.get()
    assert notification.recipient == alice  # the admin, not bob the rep
    assert notification.title == f"Campaign “{campaign.name}” finished"
    assert notification.body == "2 of 3 videos are ready, 1 failed."
    assert notification.link == f"/campaigns/{campaign.pk}/"


def test_a_prospect_is_counted_once_when_two_runs_finish_it(workspace):
    campaign = CampaignFactory(workspace=workspace, status="running", total_prospects=2)
    entry = CampaignProspectFactory(campaign=campaign)

    assert services.prospect_complete(campaign_prospect=entry) is True
    assert services.prospect_complete(campaign_prospect=entry) is False
    assert services.prospect_fail(campaign_prospect=entry, step="voice", error="late") is False

    campaign.refresh_from_db()
    assert (campaign.completed_prospects, campaign.failed_prospects) == (1, 0)
    entry.refresh_from_db()
    assert entry.status == "complete"
