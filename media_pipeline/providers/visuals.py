"""Scene visuals: a picture per scene, from a hosted image API (an async job polled by its id)
or drawn offline with Pillow as a scene card in the prospect's brand colours."""

import colorsys
import io
import time
from collections.abc import Callable
from urllib.parse import quote

import httpx
from django.conf import settings
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from config.outbound import OutboundAddressRefused, outbound_client
from media_pipeline.providers.base import (
    FRAME_SIZE,
    MOTION_MARGIN,
    PICTURE_SIZE,
    ProviderError,
    ReportExternalId,
    SceneVisualRequest,
    is_transient_status,
    read_capped,
    retry_after_seconds,
)

DEFAULT_BRAND = "#4f46e5"
# Words stay this far inside the frame: the camera's drift moves them by up to MOTION_MARGIN.
SAFE_MARGIN = 96
MAX_IMAGE_BYTES = 20_000_000


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=3)
    return buffer.getvalue()


# --- Scene cards, offline -------------------------------------------------------------------------


class SceneCardIllustrator:
    """A card per scene: the scene's words on a gradient of the prospect's brand colour, with
    who it is for, who it is from, and where the scene sits in the video."""

    name = "scene-card"
    max_parallel = 2

    def illustrate(self, request: SceneVisualRequest, report: ReportExternalId) -> bytes:
        return png_bytes(draw_scene_card(request))


def draw_scene_card(request: SceneVisualRequest) -> Image.Image:
    """The card at PICTURE_SIZE: its background fills the margin the camera drifts over, and
    every word and mark sits inside the frame's safe area, so nothing is ever cut off."""
    width, height = PICTURE_SIZE
    frame_width, frame_height = FRAME_SIZE
    left, top_edge = MOTION_MARGIN
    brand = _rgb(request.colors[0]) if request.colors else _rgb(DEFAULT_BRAND)
    if _luma(brand) > 0.65:
        # A light brand colour (lime, yellow) turns muddy when darkened: it becomes the accent
        # on a near-black card instead.
        top, bottom, accent = (32, 32, 36), (10, 10, 12), brand
    else:
        top, bottom = _shade(brand, 0.34), _shade(brand, 0.16)
        accent = _rgb(request.colors[1]) if len(request.colors) > 1 else _shade(brand, 0.62)
    card = _gradient(width, height, top, bottom)
    glow = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    glow_draw = ImageDraw.Draw(glow)
    glow_draw.ellipse((width - 460, -300, width + 260, 360), fill=(*accent, 70))
    glow_draw.ellipse((-240, height - 200, 320, height + 300), fill=(*_shade(brand, 0.55), 60))
    card = Image.alpha_composite(card.convert("RGBA"), glow).convert("RGB")
    # An RGBA drawing on an RGB card blends the translucent fills instead of punching holes.
    draw = ImageDraw.Draw(card, "RGBA")
    white, soft = (255, 255, 255, 255), (255, 255, 255, 205)
    margin = SAFE_MARGIN
    x0, x1 = left + margin, left + frame_width - margin
    text_width = frame_width - 2 * margin

    label = f"For {request.company}"
    label_font = _font(26)
    label_width = draw.textlength(label, font=label_font)
    draw.rounded_rectangle(
        (x0, top_edge + 56, x0 + label_width + 36, top_edge + 102),
        radius=23,
        fill=(255, 255, 255, 38),
    )
    draw.text((x0 + 18, top_edge + 79), label, font=label_font, fill=white, anchor="lm")
    draw.text((x1, top_edge + 79), request.sender_company, font=_font(26), fill=soft, anchor="rm")

    headline_font, headline_lines = _fit(request.headline, text_width, [72, 62, 54, 46], 3)
    caption_font, caption_lines = _fit(request.caption, text_width, [34, 30, 27], 3)
    line_gap = headline_font.size * 1.18
    caption_gap = caption_font.size * 1.35
    block = len(headline_lines) * line_gap + (
        len(caption_lines) * caption_gap + 28 if caption_lines else 0
    )
    y = top_edge + max(150, (frame_height - block) / 2)
    for line in headline_lines:
        draw.text((x0, y), line, font=headline_font, fill=white)
        y += line_gap
    if caption_lines:
        y += 28
        for line in caption_lines:
            draw.text((x0, y), line, font=caption_font, fill=soft)
            y += caption_gap

    bottom = top_edge + frame_height - 72
    for i in range(request.scene_count):
        x = x0 + i * 28
        filled = i == request.index
        draw.ellipse(
            (x, bottom - 7, x + 13, bottom + 6),
            fill=white if filled else (255, 255, 255, 90),
        )
    initials = "".join(word[0] for word in request.company.split()[:2]).upper() or "•"
    cx, cy, r = x1 - 34, bottom, 34
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*accent, 255))
    on_accent = (17, 17, 17, 255) if _luma(accent) > 0.65 else white
    draw.text((cx, cy), initials, font=_font(28), fill=on_accent, anchor="mm")
    return card


def _font(size: int) -> ImageFont.FreeTypeFont:
    # Pillow's bundled TrueType font: no system font package is needed.
    return ImageFont.load_default(size=size)


def _fit(
    text: str, width: int, sizes: list[int], max_lines: int
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest size at which the text wraps into max_lines; at the smallest size, every
    line it takes. Words are never cut: the script writer keeps texts short enough."""
    for size in sizes:
        font = _font(size)
        lines = _wrap(text, font, width)
        if len(lines) <= max_lines:
            return font, lines
    return font, lines


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.extend(_split_long(word, font, width))
    return lines


def _split_long(word: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """A word wider than the line (a long URL) broken over lines, whole characters each."""
    pieces = [""]
    for char in word:
        if pieces[-1] and font.getlength(pieces[-1] + char) > width:
            pieces.append("")
        pieces[-1] += char
    return pieces


def _gradient(width: int, height: int, top, bottom) -> Image.Image:
    mask = Image.linear_gradient("L").resize((width, height))
    return Image.composite(
        Image.new("RGB", (width, height), bottom), Image.new("RGB", (width, height), top), mask
    )


def _rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def _luma(rgb: tuple[int, int, int]) -> float:
    """How bright a colour looks (yellow looks far brighter than blue of the same lightness)."""
    r, g, b = (c / 255 for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _shade(rgb: tuple[int, int, int], lightness: float) -> tuple[int, int, int]:
    """The colour at a given lightness, keeping its hue: brand colours of any brightness give
    a background dark enough for white text."""
    h, _, s = colorsys.rgb_to_hls(*(c / 255 for c in rgb))
    r, g, b = colorsys.hls_to_rgb(h, lightness, min(1.0, s * 0.9 + 0.1))
    return round(r * 255), round(g * 255), round(b * 255)


# --- A hosted image API, async jobs --------------------------------------------------------------


class HostedImageIllustrator:
    """An image model behind an async predictions API (Replicate's shape): POST a prediction,
    poll it by id until it succeeds, download the output. A resumed attempt that already has
    an id polls it instead of paying for a new image."""

    name = "image-api"

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        model: str,
        max_parallel: int = 4,
        poll_seconds: float = 2.0,
        poll_timeout: float = 150.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.model = model
        self.max_parallel = max(1, max_parallel)
        self.poll_seconds = poll_seconds
        self.poll_timeout = poll_timeout
        self.transport = transport
        self.sleep = sleep

    def illustrate(self, request: SceneVisualRequest, report: ReportExternalId) -> bytes:
        headers = {"Authorization": f"Bearer {self.api_key}"}
        with httpx.Client(
            base_url=self.base_url, headers=headers, timeout=30.0, transport=self.transport
        ) as client:
            prediction_id = request.external_id or self._submit(client, request)
            if not request.external_id:
                report(prediction_id)
            output_url = self._wait(client, prediction_id)
        return self._download(output_url)

    def _submit(self, client: httpx.Client, request: SceneVisualRequest) -> str:
        payload = {
            "input": {
                "prompt": request.prompt,
                "aspect_ratio": "16:9",
                "output_format": "png",
            }
        }
        data = self._json(lambda: client.post(f"/models/{self.model}/predictions", json=payload))
        prediction_id = str(data.get("id") or "")
        if not prediction_id:
            raise ProviderError(
                "The image service accepted the job but gave no id.", transient=True
            )
        return prediction_id

    def _wait(self, client: httpx.Client, prediction_id: str) -> str:
        deadline = time.monotonic() + self.poll_timeout
        while True:
            data = self._json(lambda: client.get(f"/predictions/{quote(prediction_id, safe='')}"))
            status = data.get("status")
            if status == "succeeded":
                output = data.get("output")
                url = output[0] if isinstance(output, list) and output else output
                if not isinstance(url, str) or not url:
                    raise ProviderError(
                        "The image service finished without an image.", transient=True
                    )
                return url
            if status in {"failed", "canceled"}:
                reason = data.get("error") or status
                raise ProviderError(f"The image service {status} the job: {reason}", transient=True)
            if time.monotonic() >= deadline:
                raise ProviderError(
                    f"The image service did not finish within {self.poll_timeout:g} seconds.",
                    transient=True,
                )
            self.sleep(self.poll_seconds)

    def _json(self, send: Callable[[], httpx.Response]) -> dict:
        try:
            response = send()
        except httpx.TimeoutException as exc:
            raise ProviderError(
                "The image service did not answer in time.", transient=True
            ) from exc
        except httpx.TransportError as exc:
            raise ProviderError(
                f"The image service could not be reached ({exc}).", transient=True
            ) from exc
        if response.status_code >= 400:
            raise ProviderError(
                f"The image service answered {response.status_code}: {response.text[:200]}",
                transient=is_transient_status(response.status_code),
                retry_after=retry_after_seconds(response.headers.get("retry-after")),
            )
        try:
            data = response.json()
        except ValueError as exc:
            raise ProviderError("The image service sent something that is not JSON.") from exc
        if not isinstance(data, dict):
            raise ProviderError("The image service sent an unexpected answer.")
        return data

    def _download(self, url: str) -> bytes:
        # The output address comes from a third party: fetch it like any outside address.
        try:
            with (
                outbound_client(transport=self.transport) as client,
                client.stream("GET", url) as response,
            ):
                if response.status_code >= 400:
                    raise ProviderError(
                        f"The image could not be downloaded ({response.status_code}).",
                        transient=is_transient_status(response.status_code),
                    )
                body = read_capped(response, MAX_IMAGE_BYTES, "The generated image is too large.")
        except OutboundAddressRefused as exc:
            raise ProviderError(f"The image address was refused: {exc.message}") from exc
        except httpx.TransportError as exc:
            raise ProviderError(
                f"The image could not be downloaded ({exc}).", transient=True
            ) from exc
        try:
            image = Image.open(io.BytesIO(body))
            image = ImageOps.fit(
                image.convert("RGB"), PICTURE_SIZE, method=Image.Resampling.LANCZOS
            )
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
            raise ProviderError("The image service sent a file that is not an image.") from exc
        return png_bytes(image)


def illustrator() -> SceneCardIllustrator | HostedImageIllustrator:
    if settings.MEDIA_IMAGE_API_KEY:
        return HostedImageIllustrator(
            base_url=settings.MEDIA_IMAGE_API_URL,
            api_key=settings.MEDIA_IMAGE_API_KEY,
            model=settings.MEDIA_IMAGE_MODEL,
            max_parallel=settings.MEDIA_IMAGE_CONCURRENCY,
            poll_seconds=settings.MEDIA_IMAGE_POLL_SECONDS,
            poll_timeout=settings.MEDIA_IMAGE_POLL_TIMEOUT_SECONDS,
        )
    return SceneCardIllustrator()
