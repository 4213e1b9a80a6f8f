"""The prospect's finished campaign video on their wizard page, and its plays as activity."""

from django.core.files.base import ContentFile

from campaigns.models import CampaignProspect
from outreach.models import Activity
from tests.factories import CampaignProspectFactory, ContactFactory, WizardLinkFactory


def finished_video(prospect) -> CampaignProspect:
    entry = CampaignProspectFactory(
        campaign__workspace=prospect.workspace,
        prospect=prospect,
        contact=ContactFactory(prospect=prospect),
        status=CampaignProspect.Status.COMPLETE,
    )
    entry.video.save("video.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42"), save=False)
    entry.thumbnail.save("thumbnail.jpg", ContentFile(b"\xff\xd8\xff"), save=False)
    entry.subtitles.save("subtitles.vtt", ContentFile(b"WEBVTT\n\n"), save=False)
    entry.completed_at = entry.created_at
    entry.save()
    return entry


def test_the_video_step_waits_until_the_video_is_ready_then_plays_it(prospect_client, workspace):
    link = WizardLinkFactory(prospect__workspace=workspace)
    page = prospect_client.get(f"/w/{link.token}/3/").content.decode()
    assert "being prepared" in page
    entry = finished_video(link.prospect)
    page = prospect_client.get(f"/w/{link.token}/3/").content.decode()
    assert entry.video.url in page and entry.thumbnail.url in page
    assert f"/w/{link.token}/video-play/" in page
    # The narration's subtitles, on by default, and no inline script (a strict CSP allows it).
    assert f'<track kind="subtitles" srclang="en" label="English" src="{entry.subtitles.url}"' in (
        page
    )
    assert "<script>" not in page and "/static/js/wizard-video.js" in page


def test_a_play_is_recorded_once_per_half_hour(prospect_client, workspace):
    link = WizardLinkFactory(prospect__workspace=workspace)
    entry = finished_video(link.prospect)
    for _ in range(3):
        assert prospect_client.post(f"/w/{link.token}/video-play/").status_code == 204
    plays = Activity.objects.filter(kind=Activity.Kind.VIDEO_PLAY, prospect=link.prospect)
    assert plays.count() == 1
    assert plays.get().metadata["campaignProspectId"] == entry.pk


def test_a_play_without_a_video_or_with_a_bad_token_records_nothing(prospect_client, workspace):
    link = WizardLinkFactory(prospect__workspace=workspace)
    assert prospect_client.post(f"/w/{link.token}/video-play/").status_code == 204
    assert prospect_client.post("/w/not-a-real-token/video-play/").status_code == 404
    assert prospect_client.get(f"/w/{link.token}/video-play/").status_code == 405
    assert not Activity.objects.filter(kind=Activity.Kind.VIDEO_PLAY).exists()
