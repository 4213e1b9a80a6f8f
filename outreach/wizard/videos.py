"""The video on a prospect's wizard page.

The wizard does not make videos: campaigns do, and they register a video source at start-up
(CampaignsConfig.ready), so the wizard never imports the apps built on it. With no source
registered, the video step says the video is on its way.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from outreach.models import Prospect


@dataclass(frozen=True)
class WizardVideo:
    """The prospect's personalized video: the file to play, the still shown before it and its
    WebVTT subtitles. `key` tells the source which video a play was of."""

    url: str
    poster_url: str = ""
    key: int | None = None
    subtitles_url: str = ""


class VideoSource(Protocol):
    def finished_video(self, *, prospect: Prospect) -> WizardVideo | None:
        """The prospect's latest finished video, or None while it is still being made."""

    def record_play(self, *, prospect: Prospect, key: int, occurred_at: datetime) -> bool:
        """Record a play of the video `key` as engagement; False when it does not count (a
        replay moments after the last one). Runs in the caller's transaction, which holds the
        prospect's row lock."""

    def record_watched(
        self, *, prospect: Prospect, key: int, share: float, occurred_at: datetime
    ) -> bool:
        """Record how much of the video `key` the prospect has watched (0 to 1, the furthest
        point they reached) on their latest play of it; False when there is no recent play to
        record it on. Runs in the caller's transaction, which holds the prospect's row lock."""


_source: VideoSource | None = None


def register_video_source(source: VideoSource) -> None:
    global _source
    _source = source


def wizard_video(*, prospect: Prospect) -> WizardVideo | None:
    return _source.finished_video(prospect=prospect) if _source is not None else None


def video_play_record(*, prospect: Prospect, key: int, occurred_at: datetime) -> bool:
    if _source is None:
        return False
    return _source.record_play(prospect=prospect, key=key, occurred_at=occurred_at)


def video_watched_record(
    *, prospect: Prospect, key: int, share: float, occurred_at: datetime
) -> bool:
    if _source is None:
        return False
    return _source.record_watched(prospect=prospect, key=key, share=share, occurred_at=occurred_at)
