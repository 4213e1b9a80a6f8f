"""Video assembly: ffmpeg (the imageio-ffmpeg binary) films each scene's picture for its
narration with a slow drift across it (every scene moves), joins the scenes with transitions,
and encodes one 1280x720, 25 fps H.264/AAC MP4 in a single pass; then a JPEG thumbnail, an
animated GIF of the opening seconds, and the WebVTT subtitles of the narration."""

import io
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg
from PIL import Image, ImageDraw

from media_pipeline.providers.base import FRAME_SIZE, PICTURE_SIZE, ProviderError

FPS = 25
CROSSFADE_SECONDS = 0.5
# Silence after each scene's narration, so scenes do not run into each other (and the
# transition happens in the pause).
PAUSE_SECONDS = 0.5
FADE_IN_SECONDS = 0.6
GIF_START_SECONDS = FADE_IN_SECONDS
GIF_SECONDS = 3.0
GIF_WIDTH = 480
THUMBNAIL_SIZE = (640, 360)
ENCODE_TIMEOUT_SECONDS = 180
# Where the camera drifts in each scene, in turn, as (x, y) from start to end of the scene in
# units of the picture's spare margin: across, back, down and up, so no two scenes in a row
# move alike. A crop that moves a pixel or so a frame costs nothing next to scaling.
DRIFTS = (((0, 0.5), (1, 0.5)), ((1, 0), (0, 1)), ((0.5, 1), (0.5, 0)), ((0, 1), (1, 0)))
# The transition into each scene after the first, in turn.
TRANSITIONS = ("smoothleft", "fade", "smoothup", "fadeblack")
# A subtitle cue holds at most two lines of this many characters.
CUE_LINE_CHARS = 42


@dataclass(frozen=True)
class SceneClip:
    """A scene: its picture, its narration (the recording and its words) and how long it runs
    (the narration and a pause)."""

    image: Path
    audio: Path
    seconds: float
    narration: str = ""


@dataclass(frozen=True)
class AssembledVideo:
    video: bytes
    thumbnail: bytes
    preview_gif: bytes
    seconds: float
    subtitles: str = ""


def scene_seconds(narration_seconds: float) -> float:
    return round(narration_seconds + PAUSE_SECONDS, 3)


def assemble_video(scenes: list[SceneClip], workdir: Path) -> AssembledVideo:
    if not scenes:
        raise ProviderError("There are no scenes to put in the video.")
    video_path = workdir / "video.mp4"
    total = round(sum(scene.seconds for scene in scenes), 3)
    _ffmpeg([*_encode_args(scenes), "-t", f"{total:.3f}", str(video_path)])
    gif_path = workdir / "preview.gif"
    play_path = workdir / "play.png"
    _play_button().save(play_path)
    _ffmpeg(
        [
            "-ss", f"{GIF_START_SECONDS}", "-t", f"{GIF_SECONDS}", "-i", str(video_path),
            "-i", str(play_path),
            "-filter_complex",
            f"[0:v]fps=10,scale={GIF_WIDTH}:-2:flags=lanczos[v];"
            "[v][1:v]overlay=(W-w)/2:H-h-14,split[a][b];"
            "[a]palettegen=max_colors=128:stats_mode=diff[p];"
            "[b][p]paletteuse=dither=bayer:bayer_scale=4",
            "-loop", "0", str(gif_path),
        ]
    )  # fmt: skip
    starts = [sum(scene.seconds for scene in scenes[:i]) for i in range(len(scenes))]
    cues = [
        (scene.narration, start, max(0.5, scene.seconds - PAUSE_SECONDS))
        for scene, start in zip(scenes, starts, strict=True)
        if scene.narration
    ]
    return AssembledVideo(
        video=video_path.read_bytes(),
        thumbnail=_thumbnail(scenes[0].image),
        preview_gif=gif_path.read_bytes(),
        seconds=total,
        subtitles=subtitles_vtt(cues),
    )


def _encode_args(scenes: list[SceneClip]) -> list[str]:
    width, height = FRAME_SIZE
    spare_x, spare_y = PICTURE_SIZE[0] - width, PICTURE_SIZE[1] - height
    count = len(scenes)
    args: list[str] = []
    # Each picture is read once and repeated inside the graph (the loop filter) after its one
    # colour conversion: decoding a PNG for every frame costs more than encoding the video.
    for scene in scenes:
        args += ["-framerate", str(FPS), "-i", str(scene.image)]
    for scene in scenes:
        args += ["-i", str(scene.audio)]

    graph = []
    for i, scene in enumerate(scenes):
        # The clip runs on through the transition into the next scene.
        frames = max(2, round((scene.seconds + CROSSFADE_SECONDS) * FPS))
        (x0, y0), (x1, y1) = DRIFTS[i % len(DRIFTS)]
        progress = f"(n/{frames - 1})"
        graph.append(
            f"[{i}:v]scale={PICTURE_SIZE[0]}:{PICTURE_SIZE[1]},setsar=1,format=yuv420p,"
            f"loop=loop={frames - 1}:size=1:start=0,setpts=N/{FPS}/TB,"
            f"crop={width}:{height}"
            f":x='{spare_x}*({x0}+({x1}-{x0})*{progress})'"
            f":y='{spare_y}*({y0}+({y1}-{y0})*{progress})'[s{i}]"
        )
    previous, start = "[s0]", 0.0
    for i in range(1, count):
        start += scenes[i - 1].seconds
        # Each transition ends as the next scene's narration starts.
        graph.append(
            f"{previous}[s{i}]xfade=transition={TRANSITIONS[(i - 1) % len(TRANSITIONS)]}"
            f":duration={CROSSFADE_SECONDS}:offset={start - CROSSFADE_SECONDS:.3f}[x{i}]"
        )
        previous = f"[x{i}]"
    graph.append(f"{previous}fade=t=in:st=0:d={FADE_IN_SECONDS}[video]")
    for i, scene in enumerate(scenes):
        graph.append(
            f"[{count + i}:a]aresample=44100,aformat=channel_layouts=mono,"
            f"apad=whole_dur={scene.seconds:.3f},atrim=0:{scene.seconds:.3f}[a{i}]"
        )
    graph.append("".join(f"[a{i}]" for i in range(count)) + f"concat=n={count}:v=0:a=1[audio]")
    return [
        *args,
        "-filter_complex", ";".join(graph),
        "-map", "[video]", "-map", "[audio]",
        "-c:v", "libx264", "-preset", "ultrafast", "-crf", "26",
        "-pix_fmt", "yuv420p", "-r", str(FPS),
        "-c:a", "aac", "-b:a", "96k", "-ac", "1",
        "-movflags", "+faststart",
    ]  # fmt: skip


def subtitles_vtt(scenes: list[tuple[str, float, float]]) -> str:
    """WebVTT cues of the narration: each scene's (text, start, spoken seconds) cut into cues
    of at most two short lines, timed by their share of the scene's words."""
    lines = ["WEBVTT", ""]
    number = 0
    for text, start, spoken in scenes:
        chunks = _cue_chunks(text)
        words = sum(len(chunk.split()) for chunk in chunks) or 1
        at = start
        for chunk in chunks:
            length = spoken * len(chunk.split()) / words
            number += 1
            lines += [
                str(number),
                f"{_vtt_time(at)} --> {_vtt_time(at + length)}",
                *_two_lines(chunk),
                "",
            ]
            at += length
    return "\n".join(lines)


def _cue_chunks(text: str) -> list[str]:
    """Sentences, and clauses of sentences too long for two lines: whole words always."""
    chunks: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
        pieces = [sentence]
        if len(sentence) > 2 * CUE_LINE_CHARS:
            pieces = [p for p in re.split(r"(?<=[,;:])\s+", sentence) if p]
        for piece in pieces:
            words = piece.split()
            current: list[str] = []
            for word in words:
                if current and len(" ".join([*current, word])) > 2 * CUE_LINE_CHARS:
                    chunks.append(" ".join(current))
                    current = []
                current.append(word)
            if current:
                chunks.append(" ".join(current))
    return [chunk for chunk in chunks if chunk]


def _two_lines(chunk: str) -> list[str]:
    if len(chunk) <= CUE_LINE_CHARS:
        return [chunk]
    words = chunk.split()
    best = min(
        range(1, len(words)),
        key=lambda cut: abs(len(" ".join(words[:cut])) - len(" ".join(words[cut:]))),
    )
    return [" ".join(words[:best]), " ".join(words[best:])]


def _vtt_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _ffmpeg(args: list[str]) -> None:
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args]
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=ENCODE_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise ProviderError(
            f"ffmpeg did not finish within {ENCODE_TIMEOUT_SECONDS} seconds.", transient=True
        ) from exc
    if completed.returncode != 0:
        detail = completed.stderr.strip().splitlines()[-1:] or ["no output"]
        raise ProviderError(f"ffmpeg could not make the video: {detail[0][:300]}")


def _thumbnail(image_path: Path) -> bytes:
    """The opening scene as the video's first frame shows it (the middle of the picture)."""
    with Image.open(image_path) as image:
        picture = image.convert("RGB").resize(PICTURE_SIZE, Image.Resampling.LANCZOS)
    left, top = (PICTURE_SIZE[0] - FRAME_SIZE[0]) // 2, (PICTURE_SIZE[1] - FRAME_SIZE[1]) // 2
    frame = picture.crop((left, top, left + FRAME_SIZE[0], top + FRAME_SIZE[1]))
    thumbnail = frame.resize(THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    thumbnail.save(buffer, format="JPEG", quality=84)
    return buffer.getvalue()


def _play_button() -> Image.Image:
    """A play button for the GIF: people in an inbox should see it is a video."""
    size = 56
    button = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(button)
    draw.ellipse(
        (0, 0, size - 1, size - 1), fill=(15, 23, 42, 170), outline=(255, 255, 255, 230), width=3
    )
    draw.polygon(
        [(size * 0.40, size * 0.30), (size * 0.40, size * 0.70), (size * 0.72, size * 0.50)],
        fill=(255, 255, 255, 255),
    )
    return button


class FfmpegAssembler:
    name = "ffmpeg"
    max_parallel = 1

    def assemble(self, scenes: list[SceneClip], workdir: Path) -> AssembledVideo:
        return assemble_video(scenes, workdir)
