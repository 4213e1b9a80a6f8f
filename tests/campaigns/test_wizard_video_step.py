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


def test_how_far_the_prospect_watched_is_kept_on_their_play(prospect_client, workspace):
    link = WizardLinkFactory(prospect__workspace=workspace)
    finished_video(link.prospect)
    watched_url = f"/w/{link.token}/video-watched/"
    assert watched_url in prospect_client.get(f"/w/{link.token}/3/").content.decode()
    # Told before any play was recorded: there is nothing to keep it on.
    assert prospect_client.post(watched_url, {"watched": "0.2"}).status_code == 204
    assert not Activity.objects.filter(kind=Activity.Kind.VIDEO_PLAY).exists()

    prospect_client.post(f"/w/{link.token}/video-play/")
    for share in ("0.4", "0.75", "0.3"):  # paused, went on, then paused after rewinding
        assert prospect_client.post(watched_url, {"watched": share}).status_code == 204
    play = Activity.objects.get(kind=Activity.Kind.VIDEO_PLAY, prospect=link.prospect)
    assert play.metadata["watched"] == 0.75


def test_a_watched_share_that_is_no_share_is_refused(prospect_client, workspace):
    link = WizardLinkFactory(prospect__workspace=workspace)
    finished_video(link.prospect)
    prospect_client.post(f"/w/{link.token}/video-play/")
    watched_url = f"/w/{link.token}/video-watched/"
    for value in ("1.5", "-0.1", "nan", "half", ""):
        assert prospect_client.post(watched_url, {"watched": value}).status_code == 400
    assert prospect_client.post("/w/not-a-real-token/video-watched/").status_code == 404
    play = Activity.objects.get(kind=Activity.Kind.VIDEO_PLAY, prospect=link.prospect)
    assert "watched" not in play.metadata
