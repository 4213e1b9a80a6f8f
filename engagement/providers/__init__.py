"""Who scores a contact: the hosted model when an Anthropic key is set, the workspace's rules
otherwise (and whenever the model's answer cannot be used)."""

from dataclasses import dataclass, replace
from datetime import date
from typing import Protocol

from django.conf import settings

from engagement.signals import ScoringInput, Thresholds


@dataclass(frozen=True)
class Classification:
    level: str
    admin_explanation: str
    member_explanation: str
    model_version: str
    # Set when the hosted model's answer was not used and this is the rules' result instead.
    fallback_reason: str = ""

    def as_fallback(self, reason: str) -> "Classification":
        return replace(self, fallback_reason=reason[:300])


class EngagementProvider(Protocol):
    model_version: str
    # How many contacts to hand over at once: the rules take thousands, a hosted model a few
    # per worker thread so a run can stop between chunks when its time is up.
    batch_size: int

    def classify(
        self, items: list[ScoringInput], *, thresholds: Thresholds, as_of: date
    ) -> list[Classification]: ...


def get_provider() -> EngagementProvider:
    from engagement.providers.rules import RulesEngagementProvider

    if not settings.ANTHROPIC_API_KEY:
        return RulesEngagementProvider()
    from engagement.providers.claude import ClaudeEngagementProvider

    return ClaudeEngagementProvider(
        api_key=settings.ANTHROPIC_API_KEY,
        model=settings.ANTHROPIC_MODEL,
        concurrency=settings.ENGAGEMENT_LLM_CONCURRENCY,
        max_retry_after=settings.ENGAGEMENT_LLM_MAX_RETRY_AFTER_SECONDS,
        timeout=settings.ENGAGEMENT_LLM_TIMEOUT_SECONDS,
    )
