"""Helpers for tests that make media: a fresh media folder, and ffprobe to check the videos
(Debian's ffmpeg package provides it; the product itself only needs the imageio-ffmpeg binary)."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def media_settings(settings, tmp_path):
    """Files go to a fresh folder, and failed attempts are retried without waiting."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_PIPELINE_RETRY_DELAY_SECONDS = 0
    return settings


def require_ffprobe() -> str:
    path = shutil.which("ffprobe")
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail("ffprobe is missing: apt-get install -y ffmpeg")
    pytest.skip("ffprobe is not installed (apt-get install -y ffmpeg)")


def probe(path: Path | str) -> dict:
    """ffprobe's view of a media file: its streams and format."""
    completed = subprocess.run(
        [
            require_ffprobe(),
            "-v", "error",
            "-show_entries", "stream=codec_type,codec_name,width,height,duration:format=duration",
            "-of", "json",
            str(path),
        ],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    return json.loads(completed.stdout)


def streams(path: Path | str) -> dict[str, dict]:
    return {stream["codec_type"]: stream for stream in probe(path)["streams"]}
