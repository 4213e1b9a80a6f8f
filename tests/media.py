"""Helpers for tests that make media: a fresh media folder, and a look inside the videos made."""

import re
import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest

# The ffmpeg of the imageio-ffmpeg wheel, which the product assembles videos with: the tests need
# no system package (ffprobe is not in the wheel, so ffmpeg describes the files itself).
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
# "  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 1280x720 [SAR ...
#  ..., 25 fps, 25 tbr, ...""
STREAM = re.compile(
    r"^\s*Stream #0:(?P<index>\d+)\S*: (?P<kind>Video|Audio): (?P<codec>\w+)(?P<details>.*)$",
    re.MULTILINE,
)
FRAME_SIZE = re.compile(r", (?P<width>\d+)x(?P<height>\d+)\b")
FRAME_RATE = re.compile(r", (?P<fps>\d+(?:\.\d+)?) fps\b")
# ffmpeg's progress line; the last one gives where the stream ends.
PROGRESS_TIME = re.compile(r"time=(?P<hours>\d+):(?P<minutes>\d\d):(?P<seconds>\d\d(?:\.\d+)?)")


@pytest.fixture(autouse=True)
def media_settings(settings, tmp_path):
    """Files go to a fresh folder, and failed attempts are retried without waiting."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_PIPELINE_RETRY_DELAY_SECONDS = 0
    return settings


def streams(path: Path | str) -> dict[str, dict]:
    """The file's first video and first audio stream by type, with the fields ffprobe names:
    codec_name, width and height (video) and duration in seconds."""
    # Given no output, ffmpeg describes its input and exits with an error: that is expected.
    description = _ffmpeg("-i", str(path))
    if "Input #0" not in description:
        raise AssertionError(f"ffmpeg cannot read {path}:\n{description[-2000:]}")
    found: dict[str, dict] = {}
    for stream in STREAM.finditer(description):
        kind = stream["kind"].lower()
        if kind in found:
            continue
        found[kind] = {
            "codec_type": kind,
            "codec_name": stream["codec"],
            "duration": _stream_seconds(path, int(stream["index"])),
        }
        if kind == "video" and (size := FRAME_SIZE.search(stream["details"])):
            found[kind].update(width=int(size["width"]), height=int(size["height"]))
        if kind == "video" and (rate := FRAME_RATE.search(stream["details"])):
            found[kind]["fps"] = float(rate["fps"])
    return found


def frame_at(path: Path | str, seconds: float, out: Path) -> Path:
    """The video's frame at `seconds`, as a PNG."""
    _ffmpeg("-y", "-ss", f"{seconds:.3f}", "-i", str(path), "-frames:v", "1", str(out))
    if not out.exists():
        raise AssertionError(f"ffmpeg gave no frame at {seconds} s of {path}")
    return out


def _stream_seconds(path: Path | str, index: int) -> float:
    """Where one stream ends, as ffmpeg reports after copying it to nowhere (no decoding)."""
    report = _ffmpeg("-i", str(path), "-map", f"0:{index}", "-c", "copy", "-f", "null", "-")
    times = list(PROGRESS_TIME.finditer(report))
    if not times:
        raise AssertionError(f"ffmpeg gave no time for stream {index} of {path}:\n{report}")
    last = times[-1]
    return int(last["hours"]) * 3600 + int(last["minutes"]) * 60 + float(last["seconds"])


def _ffmpeg(*args: str) -> str:
    completed = subprocess.run(
        [FFMPEG, "-hide_banner", "-nostdin", *args], capture_output=True, text=True, timeout=60
    )
    return completed.stderr
