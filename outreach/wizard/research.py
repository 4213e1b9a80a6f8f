"""What we learned about a prospect, as its wizard page and PDF report tell it.

The wizard does not research websites: the campaigns' pipeline does, and campaigns register a
research source at start-up (CampaignsConfig.ready), so the wizard never imports the apps built
on it. With no source, or no research yet, the pages show the CRM's own facts only.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from outreach.models import Prospect

MAX_HEADLINES = 4
MAX_OWN_WORDS = 3


@dataclass(frozen=True)
class ProspectResearch:
    """What the prospect's own website says, and where and when it was read."""

    what_they_do: str = ""
    who_they_serve: str = ""
    headlines: list[str] = field(default_factory=list)
    own_words: list[str] = field(default_factory=list)
    source_url: str = ""
    read_at: datetime | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.what_they_do or self.who_they_serve or self.headlines or self.own_words)

    @classmethod
    def from_research(cls, data: dict[str, Any]) -> "ProspectResearch":
        """Read the research JSON the pipeline stored (older records lack the newer keys)."""
        read_at = None
        if isinstance(data.get("fetched_at"), str):
            try:
                read_at = datetime.fromisoformat(data["fetched_at"])
            except ValueError:
                read_at = None
        headlines = _texts(data.get("headlines")) or _texts(data.get("headings"))[1:]
        return cls(
            what_they_do=_text(data.get("what_they_do")) or _text(data.get("description")),
            who_they_serve=_text(data.get("who_they_serve")),
            headlines=headlines[:MAX_HEADLINES],
            own_words=(_texts(data.get("own_words")) or _texts(data.get("key_text")))[
                :MAX_OWN_WORDS
            ],
            source_url=_text(data.get("url")),
            read_at=read_at,
        )


class ResearchSource(Protocol):
    def research_for(self, *, prospect: Prospect) -> ProspectResearch | None:
        """The latest research of the prospect's website, or None if there is none."""


_source: ResearchSource | None = None


def register_research_source(source: ResearchSource) -> None:
    global _source
    _source = source


def prospect_research(*, prospect: Prospect) -> ProspectResearch | None:
    if _source is None:
        return None
    research = _source.research_for(prospect=prospect)
    return None if research is None or research.is_empty else research


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _texts(value: Any) -> list[str]:
    return [text for text in map(_text, value) if text] if isinstance(value, list) else []
