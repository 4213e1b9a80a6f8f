"""Following a campaign through the API: progress, each prospect's video, files and jobs, and
retrying a failed one."""

from django.utils import timezone

from campaigns.models import Campaign
from media_pipeline import services as pipeline_services
from media_pipeline.models import GenerationJob
from tests.factories import CampaignFactory, CampaignProspectFactory, GenerationJobFactory


def running_campaign(workspace) -> Campaign:
    return CampaignFactory(
        workspace=workspace, status="running", total_prospects=4, launched_at=timezone.now()
    )


def finish(entry, tmp_name="video.mp4"):
    entry.video.name = entry.media_path(tmp_name)
    entry.thumbnail.name = entry.media_path("thumbnail.jpg")
    entry.preview_gif.name = entry.media_path("preview.gif")
    entry.save()
    pipeline_services.prospect_complete(campaign_prospect=entry)


def test_progress_shows_counts_per_status_and_each_prospects_step(api, workspace):
    campaign = running_campaign(workspace)
    queued = CampaignProspectFactory(campaign=campaign)
    voicing = CampaignProspectFactory(campaign=campaign, status="generating_voice")
    for scene, status in enumerate(["succeeded", "succeeded", "running", "pending"]):
        GenerationJobFactory(
            campaign_prospect=voicing, job_type="voice", scene_index=scene, status=status
        )
    failed = CampaignProspectFactory(campaign=campaign)
    pipeline_services.prospect_fail(
        campaign_prospect=failed, step="research", error="Research failed: answered 404."
    )
    done = CampaignProspectFactory(campaign=campaign)
    finish(done)

    response = api.get(f"campaigns/{campaign.pk}/progress")

    assert response.status_code == 200
    body = response.json()
    assert body["counts"]["queued"] == 1
    assert body["counts"]["generating_voice"] == 1
    assert body["counts"]["failed"] == body["counts"]["complete"] == 1
    assert (body["completed_prospects"], body["failed_prospects"]) == (1, 1)
    rows = {row["id"]: row for row in body["prospects"]}
    assert (rows[queued.pk]["step_number"], rows[queued.pk]["progress_percent"]) == (0, 0)
    # Voice is step 3 of 5, half its scenes done: (2 + 0.5) / 5.
    assert rows[voicing.pk]["step"] == "Recording the voice"
    assert (rows[voicing.pk]["step_number"], rows[voicing.pk]["progress_percent"]) == (3, 50)
    assert rows[failed.pk]["error"] == "Research failed: answered 404."
    assert rows[failed.pk]["step"] == "Failed at research"
    assert rows[done.pk]["progress_percent"] == 100
    assert rows[done.pk]["video_url"] == f"http://testserver/media/{done.video.name}"


def test_a_prospects_video_files_and_jobs_are_listed(api, workspace):
    campaign = running_campaign(workspace)
    entry = CampaignProspectFactory(
        campaign=campaign,
        scene_assets=[
            {"index": 0, "audio": "campaign-media/k/scene-1-voice-a1.wav", "duration_seconds": 4.5},
        ],
        script={"scenes": [{"narration": "Hi"}], "full_narration": "Hi"},
    )
    finish(entry)
    GenerationJobFactory(campaign_prospect=entry, job_type="research", status="succeeded")
    GenerationJobFactory(
        campaign_prospect=entry,
        job_type="visual",
        scene_index=0,
        status="pending",
        attempts=1,
        error="The image service answered 503",
        external_id="pred-1",
    )

    detail = api.get(f"campaigns/{campaign.pk}/prospects/{entry.pk}").json()
    files = api.get(f"campaigns/{campaign.pk}/prospects/{entry.pk}/files").json()
    jobs = api.get(f"campaigns/{campaign.pk}/prospects/{entry.pk}/jobs").json()
    listing = api.get(f"campaigns/{campaign.pk}/prospects").json()

    assert detail["script"]["full_narration"] == "Hi"
    assert detail["files"] == files
    assert files["video_url"].endswith(f"/media/campaign-media/{entry.media_key}/video.mp4")
    assert files["preview_gif_url"].endswith("/preview.gif")
    assert files["scenes"] == [
        {
            "index": 0,
            "audio_url": "http://testserver/media/campaign-media/k/scene-1-voice-a1.wav",
            "image_url": "",
            "duration_seconds": 4.5,
        }
    ]
    assert [(j["job_type"], j["status"]) for j in jobs["items"]] == [
        ("research", "succeeded"),
        ("visual", "pending"),
    ]
    assert jobs["items"][1]["external_id"] == "pred-1"
    assert jobs["items"][1]["error"] == "The image service answered 503"
    assert listing["count"] == 1 and listing["items"][0]["status"] == "complete"


def test_a_failed_prospect_is_retried_through_the_api(api, workspace, monkeypatch):
    monkeypatch.setattr("media_pipeline.tasks.pipeline_run.delay", lambda pk: None)
    campaign = running_campaign(workspace)
    entry = CampaignProspectFactory(campaign=campaign)
    job = GenerationJobFactory(
        campaign_prospect=entry, job_type="voice", scene_index=0, status="failed", attempts=3
    )
    pipeline_services.prospect_fail(campaign_prospect=entry, step="voice", error="Voice failed")

    response = api.post(f"campaigns/{campaign.pk}/prospects/{entry.pk}/retry")

    assert response.status_code == 200
    assert response.json()["status"] == "queued" and response.json()["error"] == ""
    job.refresh_from_db()
    assert (job.status, job.attempts) == (GenerationJob.Status.PENDING, 0)
    again = api.post(f"campaigns/{campaign.pk}/prospects/{entry.pk}/retry")
    assert again.status_code == 409
    assert again.json() == {"detail": "Only a failed video can be retried."}


def test_the_campaign_list_shows_counts(api, workspace):
    campaign = running_campaign(workspace)
    finish(CampaignProspectFactory(campaign=campaign))

    body = api.get("campaigns").json()

    assert body["count"] == 1
    assert body["items"][0]["completed_prospects"] == 1
    assert body["items"][0]["status"] == "running"
