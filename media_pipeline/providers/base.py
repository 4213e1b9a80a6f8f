"""What the pipeline's providers take and give back, and the one error they raise."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

# The video's frame: 720p, sharp on a laptop and light enough to encode in seconds.
FRAME_SIZE = (1280, 720)
# Scene pictures are this much larger on each side, so the camera can drift across them (a
# slow pan) without ever showing an edge; what matters stays inside FRAME_SIZE's safe area.
MOTION_MARGIN = (40, 22)
PICTURE_SIZE = (FRAME_SIZE[0] + 2 * MOTION_MARGIN[0], FRAME_SIZE[1] + 2 * MOTION_MARGIN[1])


class ProviderError(Exception):
    """A provider could not do the job. Transient errors (timeouts, 429, 5xx) are retried."""

    def __init__(self, message: str, *, transient: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.transient = transient
        self.retry_after = retry_after


# A running job tells the pipeline the id a hosted service gave it, so a resumed attempt can
# poll that job instead of starting it again.
ReportExternalId = Callable[[str], None]


@dataclass(frozen=True)
class ScriptRequest:
    company: str
    research: dict[str, Any]
    brief: str
    sender_name: str
    sender_company: str
    sender_company_description: str
    contact_title: str = ""
    variables: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SceneVisualRequest:
    """One scene's picture: the prompt for a hosted model, the words for a drawn card."""

    index: int
    scene_count: int
    prompt: str
    headline: str
    caption: str
    company: str
    sender_company: str
    colors: tuple[str, ...] = ()
    external_id: str = ""


class ScriptWriter(Protocol):
    name: str

    def write(self, request: ScriptRequest) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Voice:
    """The campaign's narrator: the hosted voice's id, and the offline voice and speed that
    stand in for it when no hosted service is set."""

    hosted_id: str = ""
    offline: str = "en-us+m3"
    words_per_minute: int = 165


class Narrator(Protocol):
    name: str
    max_parallel: int

    def narrate(self, text: str, *, voice: Voice) -> bytes:
        """The narration as a WAV file."""
        ...


class Illustrator(Protocol):
    name: str
    max_parallel: int

    def illustrate(self, request: SceneVisualRequest, report: ReportExternalId) -> bytes:
        """The scene's picture as a PNG at the video's size."""
        ...


def is_transient_status(status_code: int) -> bool:
    return status_code in {408, 409, 425, 429} or status_code >= 500


def retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def read_capped(response: httpx.Response, max_bytes: int, too_big: str) -> bytes:
    """The body of a streamed response, refused as soon as it passes `max_bytes`: a page or
    file that streams forever must not fill the worker's memory."""
    body = bytearray()
    for chunk in response.iter_bytes():
        body.extend(chunk)
        if len(body) > max_bytes:
            raise ProviderError(too_big)
    return bytes(body)
