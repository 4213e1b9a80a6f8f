"""The demo campaign's videos are ones a prospect would watch: 720p at 25 fps with sound,
subtitles of the narration, captions that fit without being cut off, and a camera that moves
in every scene."""

import os
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image, ImageChops, ImageStat

from campaigns.models import Campaign
from campaigns.services import campaign_launch
from media_pipeline import pipeline, tasks
from media_pipeline.providers.assembly import FADE_IN_SECONDS, PAUSE_SECONDS
from tests.media import frame_at, media_settings, streams  # noqa: F401  (autouse: fresh media)

# Set SCREENSHOTS=/some/dir to keep the frames compared, to look at.
SCREENSHOTS = os.environ.get("SCREENSHOTS", "")


@pytest.fixture
def demo_videos(
    db, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
) -> Campaign:
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", stdout=StringIO())
    handed_out: list[int] = []
    monkeypatch.setattr(tasks.pipeline_run, "delay", handed_out.append)
    campaign = Campaign.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        campaign_launch(campaign=campaign)
    for campaign_prospect_id in handed_out:  # runs hand out the next ones as they finish
        with django_capture_on_commit_callbacks(execute=True):
            pipeline.run_pipeline(campaign_prospect_id=campaign_prospect_id)
    campaign.refresh_from_db()
    assert (campaign.status, campaign.completed_prospects) == ("completed", 5)
    return campaign


def test_the_demo_videos_are_720p_at_25_fps_with_sound_subtitles_and_motion(demo_videos, tmp_path):
    for entry in demo_videos.campaign_prospects.select_related("prospect"):
        name = entry.prospect.name
        found = streams(entry.video.path)
        video = found["video"]
        assert (video["width"], video["height"]) == (1280, 720), name
        assert video["fps"] >= 25, name
        assert found["audio"]["codec_name"] == "aac", name

        subtitles = Path(entry.subtitles.path).read_text()
        assert subtitles.startswith("WEBVTT"), name
        assert " --> " in subtitles and "Northwind Revenue" in subtitles, name
        assert "…" not in subtitles, name

        for scene in entry.script["scenes"]:
            for text in (scene["headline"], scene["caption"]):
                assert not text.endswith(("…", "...")), f"{name}: {text!r}"
            assert "Demo Sales Team" not in scene["narration"]

        start = 0.0
        for index, asset in enumerate(entry.scene_assets):
            # A second apart, inside the scene and clear of the transitions around it.
            first = start + FADE_IN_SECONDS + 0.2
            assert first + 1.0 < start + asset["duration_seconds"] - PAUSE_SECONDS, name
            frames = [
                frame_at(entry.video.path, at, tmp_path / f"{entry.pk}-{index}-{n}.png")
                for n, at in enumerate((first, first + 1.0))
            ]
            with Image.open(frames[0]) as a, Image.open(frames[1]) as b:
                change = ImageStat.Stat(ImageChops.difference(a.convert("L"), b.convert("L")))
            assert change.mean[0] > 1.0, f"{name}, scene {index + 1} does not move"
            if SCREENSHOTS:
                Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
                for n, frame in enumerate(frames):
                    shutil.copy(frame, Path(SCREENSHOTS) / f"{name}-scene{index + 1}-{n}.png")
            start += asset["duration_seconds"]
