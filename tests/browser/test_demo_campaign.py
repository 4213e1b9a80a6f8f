"""The demo's draft campaign, launched from the dashboard, makes five playable videos offline
while the page follows their progress live."""

import pytest
from django.core.management import call_command

from campaigns.models import Campaign
from media_pipeline import pipeline, tasks
from tests.browser.conftest import sign_in
from tests.media import media_settings, streams  # noqa: F401  (autouse: a fresh media folder)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_launching_the_demo_campaign_makes_five_playable_videos(
    desktop, settings, tmp_path, monkeypatch
):
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    password = (tmp_path / "demo_login.txt").read_text().strip()
    handed_out: list[int] = []
    monkeypatch.setattr(tasks.pipeline_run, "delay", handed_out.append)
    # Progress requests wait in the browser while this thread makes videos, so the test server
    # and the pipeline never use the test database at the same moment.
    desktop.route("**/campaigns/*/progress/", lambda route: route.continue_())

    sign_in(desktop, "admin", password)
    desktop.click("nav >> text=Campaigns")
    desktop.click("text=Fintech leaders: personal video intros")
    desktop.click("button:has-text('Launch campaign')")
    desktop.wait_for_selector("text=Launched: 5 videos on the way.")
    assert desktop.locator(".video-card").count() == 5

    made = 0
    while made < len(handed_out):
        pipeline.run_pipeline(campaign_prospect_id=handed_out[made])
        made += 1
        if made == 2:
            desktop.wait_for_selector(".status-count.status-complete >> text=2")
            assert desktop.locator(".video-card video").count() == 2
            desktop.screenshot(path=str(tmp_path / "campaign-mid-run.png"), full_page=True)
    assert made == 5

    desktop.wait_for_selector("#campaign-progress[data-status='completed']")
    assert desktop.locator("#campaign-status").inner_text().lower() == "completed"
    assert desktop.locator(".video-card video").count() == 5
    assert desktop.locator(".status-count.status-complete .status-count-value").inner_text() == "5"
    desktop.screenshot(path=str(tmp_path / "campaign-finished.png"), full_page=True)
    # The test server, like production, serves the files (in byte ranges, so players seek).
    seconds = desktop.eval_on_selector(
        ".video-card video",
        "video => new Promise(done => { video.onloadedmetadata = () => done(video.duration);"
        " video.preload = 'metadata'; video.load(); })",
    )
    assert seconds > 20
    seeked_to = desktop.eval_on_selector(
        ".video-card video",
        "video => new Promise(done => { video.onseeked = () => done(video.currentTime);"
        " video.currentTime = video.duration - 2; })",
    )
    assert seeked_to > seconds - 3

    campaign = Campaign.objects.get()
    assert (campaign.status, campaign.completed_prospects) == ("completed", 5)
    for entry in campaign.campaign_prospects.select_related("prospect"):
        found = streams(entry.video.path)
        assert found["video"]["codec_name"] == "h264", entry.prospect.name
        assert found["audio"]["codec_name"] == "aac", entry.prospect.name
        assert entry.prospect.name in entry.script["full_narration"]
        # Research came from the shipped snapshot; the pipeline did not fetch the website.
        research = entry.generation_jobs.get(job_type="research")
        assert (research.provider, research.attempts) == ("snapshot", 1)
