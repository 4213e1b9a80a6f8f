"""Assembly: one H.264/AAC MP4 holding each scene's picture for its narration, a thumbnail and
an animated GIF of the opening seconds."""

import io
import math
import struct

import pytest
from PIL import Image

from media_pipeline.providers.assembly import SceneClip, assemble_video, scene_seconds
from media_pipeline.providers.base import FRAME_SIZE, ProviderError
from media_pipeline.providers.voice import pcm_to_wav
from tests.media import streams


def write_scene(tmp_path, index: int, seconds: float, color) -> SceneClip:
    image = tmp_path / f"scene-{index}.png"
    Image.new("RGB", FRAME_SIZE, color).save(image)
    rate = 22_050
    count = int(seconds * rate)
    pcm = struct.pack(
        f"<{count}h", *(int(6000 * math.sin(2 * math.pi * 330 * i / rate)) for i in range(count))
    )
    audio = tmp_path / f"scene-{index}.wav"
    audio.write_bytes(pcm_to_wav(pcm, sample_rate=rate))
    return SceneClip(image=image, audio=audio, seconds=scene_seconds(seconds))


def test_it_makes_one_mp4_with_a_video_and_an_audio_stream(tmp_path):
    colors = [(200, 30, 30), (30, 200, 30), (30, 30, 200)]
    scenes = [write_scene(tmp_path, i, 1.0, color) for i, color in enumerate(colors)]

    video = assemble_video(scenes, tmp_path)

    path = tmp_path / "out.mp4"
    path.write_bytes(video.video)
    found = streams(path)
    assert found["video"]["codec_name"] == "h264"
    assert (found["video"]["width"], found["video"]["height"]) == FRAME_SIZE
    assert found["audio"]["codec_name"] == "aac"
    # Each picture is held for its narration plus the pause: 3 x 1.5 s.
    assert video.seconds == pytest.approx(4.5)
    assert float(found["video"]["duration"]) == pytest.approx(4.5, abs=0.15)
    assert float(found["audio"]["duration"]) == pytest.approx(4.5, abs=0.15)

    thumbnail = Image.open(io.BytesIO(video.thumbnail))
    assert thumbnail.format == "JPEG" and thumbnail.size == (640, 360)
    gif = Image.open(io.BytesIO(video.preview_gif))
    assert gif.format == "GIF" and gif.is_animated and gif.n_frames > 10


def test_no_scenes_is_an_error(tmp_path):
    with pytest.raises(ProviderError, match="no scenes"):
        assemble_video([], tmp_path)


def test_the_subtitles_follow_the_narration_in_cues_of_two_short_lines():
    from media_pipeline.providers.assembly import CUE_LINE_CHARS, subtitles_vtt

    vtt = subtitles_vtt(
        [
            ("Hi Dana. I made this short video just for you and the team at Acme, "
             "because your work on invoicing caught my eye.", 0.0, 6.0),
            ("Thanks for watching!", 6.5, 1.5),
        ]
    )  # fmt: skip

    assert vtt.startswith("WEBVTT\n\n1\n00:00:00.000 --> ")
    cues = [block.split("\n") for block in vtt.strip().split("\n\n")[1:]]
    texts = [" ".join(cue[2:]) for cue in cues]
    narration = (
        "Hi Dana. I made this short video just for you and the team at Acme, "
        "because your work on invoicing caught my eye."
    )
    assert " ".join(texts[:-1]) == narration
    assert all(len(line) <= CUE_LINE_CHARS for cue in cues for line in cue[2:])
    assert all(len(cue) <= 4 for cue in cues)  # number, timing, at most two lines
    assert cues[-1][1] == "00:00:06.500 --> 00:00:08.000"
    first_starts = [cue[1].split(" --> ")[0] for cue in cues]
    assert first_starts == sorted(first_starts)
