"""Only a draft campaign can be launched, once; launching starts every prospect's video."""

import pytest

from campaigns.models import Campaign
from media_pipeline import tasks
from tests.factories import CampaignFactory, CampaignProspectFactory


@pytest.fixture
def enqueued(monkeypatch) -> list[int]:
    sent: list[int] = []
    monkeypatch.setattr(tasks.pipeline_run, "delay", sent.append)
    return sent


def test_launching_a_draft_starts_its_videos(
    rep_api, workspace, enqueued, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(workspace=workspace)
    entries = [CampaignProspectFactory(campaign=campaign) for _ in range(2)]

    with django_capture_on_commit_callbacks(execute=True):
        response = rep_api.post(f"campaigns/{campaign.pk}/launch")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "running" and body["launched_at"]
    assert sorted(enqueued) == sorted(e.pk for e in entries)


def test_a_campaign_is_launched_only_once(api, workspace, enqueued):
    campaign = CampaignFactory(workspace=workspace)
    CampaignProspectFactory(campaign=campaign)
    assert api.post(f"campaigns/{campaign.pk}/launch").status_code == 200

    again = api.post(f"campaigns/{campaign.pk}/launch")

    assert again.status_code == 409
    assert again.json() == {"detail": "Campaign already launched"}
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.RUNNING


def test_another_workspace_cannot_launch_it(stranger_api, workspace, enqueued):
    campaign = CampaignFactory(workspace=workspace)
    assert stranger_api.post(f"campaigns/{campaign.pk}/launch").status_code == 404
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
