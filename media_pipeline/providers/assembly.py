"""Video assembly: ffmpeg (the imageio-ffmpeg binary) holds each scene's picture for its
narration, with crossfades and a slow push-in on the opening scene, and encodes one H.264/AAC
MP4 in a single pass; then a JPEG thumbnail and an animated GIF of the opening seconds."""

import io
import subprocess
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg
from PIL import Image, ImageDraw

from media_pipeline.providers.base import FRAME_SIZE, ProviderError

FPS = 15
CROSSFADE_SECONDS = 0.4
# Silence after each scene's narration, so scenes do not run into each other (and the
# crossfade happens in the pause).
PAUSE_SECONDS = 0.5
FADE_IN_SECONDS = 0.6
GIF_START_SECONDS = FADE_IN_SECONDS
GIF_SECONDS = 3.0
GIF_WIDTH = 480
THUMBNAIL_SIZE = (640, 360)
ENCODE_TIMEOUT_SECONDS = 180


@dataclass(frozen=True)
class SceneClip:
    image: Path
    audio: Path
    seconds: float


@dataclass(frozen=True)
class AssembledVideo:
    video: bytes
    thumbnail: bytes
    preview_gif: bytes
    seconds: float


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
    return AssembledVideo(
        video=video_path.read_bytes(),
        thumbnail=_thumbnail(scenes[0].image),
        preview_gif=gif_path.read_bytes(),
        seconds=total,
    )


def _encode_args(scenes: list[SceneClip]) -> list[str]:
    width, height = FRAME_SIZE
    count = len(scenes)
    args: list[str] = []
    # Each picture is read once and repeated inside the graph (the loop filter) after its one
    # colour conversion: decoding a PNG for every frame costs more than encoding the video.
    for scene in scenes:
        args += ["-framerate", str(FPS), "-i", str(scene.image)]
    for scene in scenes:
        args += ["-i", str(scene.audio)]

    opening_frames = max(1, round(scenes[0].seconds * FPS))
    graph = [
        # Upscaled first so the push-in moves smoothly instead of jumping a pixel at a time.
        f"[0:v]scale={width * 2}:-2,zoompan=z='min(zoom+0.0007,1.06)'"
        f":x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d={opening_frames}"
        f":s={width}x{height}:fps={FPS},setsar=1,format=yuv420p[s0]"
    ]
    for i in range(1, count):
        frames = max(1, round((scenes[i].seconds + CROSSFADE_SECONDS) * FPS))
        graph.append(
            f"[{i}:v]scale={width}:{height},setsar=1,format=yuv420p,"
            f"loop=loop={frames - 1}:size=1:start=0,setpts=N/{FPS}/TB[s{i}]"
        )
    previous, start = "[s0]", 0.0
    for i in range(1, count):
        start += scenes[i - 1].seconds
        # Each crossfade ends as the next scene's narration starts.
        graph.append(
            f"{previous}[s{i}]xfade=transition=fade:duration={CROSSFADE_SECONDS}"
            f":offset={start - CROSSFADE_SECONDS:.3f}[x{i}]"
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
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "stillimage", "-crf", "26",
        "-pix_fmt", "yuv420p", "-r", str(FPS),
        "-c:a", "aac", "-b:a", "96k", "-ac", "1",
        "-movflags", "+faststart",
    ]  # fmt: skip


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
    with Image.open(image_path) as image:
        thumbnail = image.convert("RGB").resize(THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
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
