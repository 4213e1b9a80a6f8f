"""What the prospect's wizard page uses: their latest finished video, and a play recorded as
engagement."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.selectors import finished_video_for_prospect
from campaigns.services import video_play_record
from config.errors import ValidationFailed
from outreach.models import Activity
from tests.factories import CampaignProspectFactory, ProspectFactory


def finished(prospect, *, days_ago: int, **fields):
    entry = CampaignProspectFactory(
        campaign__workspace=prospect.workspace,
        prospect=prospect,
        status="complete",
        completed_at=timezone.now() - timedelta(days=days_ago),
        **fields,
    )
    entry.video.name = entry.media_path("video-a1.mp4")
    entry.thumbnail.name = entry.media_path("thumbnail-a1.jpg")
    entry.preview_gif.name = entry.media_path("preview_gif-a1.gif")
    entry.save()
    return entry


def test_the_prospects_latest_finished_video_is_shown(workspace):
    stripe = ProspectFactory(workspace=workspace)
    finished(stripe, days_ago=10)
    latest = finished(stripe, days_ago=1)
    CampaignProspectFactory(campaign__workspace=workspace, prospect=stripe, status="assembling")

    video = finished_video_for_prospect(prospect=stripe)

    assert video == latest
    assert video.video_url == f"/media/campaign-media/{latest.media_key}/video-a1.mp4"
    assert video.thumbnail_url.endswith("/thumbnail-a1.jpg")
    assert video.preview_gif_url.endswith("/preview_gif-a1.gif")
    # The media folder is random: a prospect cannot guess another prospect's video.
    assert len(latest.media_key) == 32


def test_a_prospect_without_a_finished_video_has_none(workspace):
    stripe = ProspectFactory(workspace=workspace)
    CampaignProspectFactory(campaign__workspace=workspace, prospect=stripe, status="failed")
    assert finished_video_for_prospect(prospect=stripe) is None


def test_playing_the_video_is_recorded_as_engagement(workspace):
    entry = finished(ProspectFactory(workspace=workspace), days_ago=0)

    activity = video_play_record(campaign_prospect=entry)

    assert Activity.objects.get() == activity
    assert activity.kind == Activity.Kind.VIDEO_PLAY
    assert (activity.prospect, activity.contact) == (entry.prospect, entry.contact)
    assert activity.metadata == {
        "campaignId": entry.campaign_id,
        "campaignProspectId": entry.pk,
    }


def test_a_video_that_is_not_ready_cannot_be_played(workspace):
    entry = CampaignProspectFactory(campaign__workspace=workspace)
    with pytest.raises(ValidationFailed, match="not ready"):
        video_play_record(campaign_prospect=entry)
    assert not Activity.objects.exists()
