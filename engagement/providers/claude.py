"""The hosted scorer: Claude through the Anthropic Messages API, with the classify_engagement
tool forced so the answer is structured. Calls run a few at a time, wait as long as a 429
asks (up to a cap), and any answer that cannot be used falls back to the rules' result with
the reason recorded."""

import logging
import random
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import anthropic
import httpx2

from engagement.models import EngagementLevel
from engagement.prompts import (
    CLASSIFY_ENGAGEMENT_TOOL,
    CLASSIFY_TOOL_NAME,
    ENGAGEMENT_SYSTEM_PROMPT,
    PROMPT_VERSION,
    build_engagement_context,
)
from engagement.providers import Classification
from engagement.providers.rules import RulesEngagementProvider
from engagement.signals import ScoringInput, Thresholds

logger = logging.getLogger(__name__)

MAX_EXPLANATION_CHARS = 4000
# "at risk", "at-risk", "At_Risk", "at  risk": the friendly text must not label the contact.
AT_RISK = re.compile(r"\bat[\s_-]*risk\b", re.IGNORECASE)
TRANSIENT_STATUSES = {408, 409}


class ModelUnavailable(Exception):
    """The model gave no answer this run (rate limits, outages, a refused request)."""


class ClaudeEngagementProvider:
    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        concurrency: int = 4,
        max_attempts: int = 3,
        max_retry_after: float = 30.0,
        timeout: float = 30.0,
        http_client: httpx2.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        # The SDK's own retries are off: this class retries, so it can honour retry-after
        # across all its threads and give up with a reason.
        self.client = anthropic.Anthropic(
            api_key=api_key, http_client=http_client, max_retries=0, timeout=timeout
        )
        self.model = model
        self.model_version = f"{model}/{PROMPT_VERSION}"
        self.concurrency = max(1, concurrency)
        self.batch_size = self.concurrency * 4
        self.max_attempts = max(1, max_attempts)
        self.max_retry_after = max_retry_after
        self.sleep = sleep
        self.rules = RulesEngagementProvider()
        self._lock = threading.Lock()
        self._resume_at = 0.0

    def classify(
        self, items: list[ScoringInput], *, thresholds: Thresholds, as_of: date
    ) -> list[Classification]:
        fallbacks = self.rules.classify(items, thresholds=thresholds, as_of=as_of)

        def one(pair: tuple[ScoringInput, Classification]) -> Classification:
            item, fallback = pair
            return self._classify_one(item, fallback, thresholds=thresholds, as_of=as_of)

        with ThreadPoolExecutor(
            max_workers=self.concurrency, thread_name_prefix="engagement-llm"
        ) as pool:
            return list(pool.map(one, zip(items, fallbacks, strict=True)))

    def _classify_one(
        self,
        item: ScoringInput,
        fallback: Classification,
        *,
        thresholds: Thresholds,
        as_of: date,
    ) -> Classification:
        context = build_engagement_context(
            contact_name=item.contact_name,
            prospect_name=item.prospect_name,
            team_name=item.team_name,
            team_time_zone=item.team_time_zone,
            contact_time_zone=item.contact_time_zone,
            signals=item.signals,
            thresholds=thresholds.as_dict(),
            as_of=as_of,
        )
        try:
            answer = self._ask(context)
        except ModelUnavailable as exc:
            logger.warning("Engagement of contact %s scored by rules: %s", item.contact_id, exc)
            return fallback.as_fallback(str(exc))
        problem = answer_problem(answer)
        if problem:
            logger.warning(
                "Claude's engagement answer for contact %s: %s", item.contact_id, problem
            )
            return fallback.as_fallback(f"The model's answer was not used: {problem}.")
        return Classification(
            level=answer["level"],
            admin_explanation=answer["admin_explanation"].strip(),
            member_explanation=answer["member_explanation"].strip(),
            model_version=self.model_version,
        )

    def _ask(self, context: str) -> dict[str, Any] | None:
        """The tool input of the model's answer, or None when it did not call the tool."""
        failure = ""
        for attempt in range(1, self.max_attempts + 1):
            self._wait_out_rate_limit()
            try:
                message = self.client.messages.create(
                    model=self.model,
                    max_tokens=1024,
                    system=ENGAGEMENT_SYSTEM_PROMPT,
                    tools=[CLASSIFY_ENGAGEMENT_TOOL],
                    tool_choice={"type": "tool", "name": CLASSIFY_TOOL_NAME},
                    messages=[{"role": "user", "content": context}],
                )
            except anthropic.RateLimitError as exc:
                retry_after = _retry_after(exc.response)
                if retry_after is not None and retry_after > self.max_retry_after:
                    raise ModelUnavailable(
                        f"Rate limited; the API asked to wait {retry_after:.0f}s, longer than "
                        f"the {self.max_retry_after:.0f}s this run waits."
                    ) from exc
                self._pause_all(retry_after if retry_after is not None else _backoff(attempt))
                failure = "rate limited (429)"
            except anthropic.APIStatusError as exc:
                if exc.status_code < 500 and exc.status_code not in TRANSIENT_STATUSES:
                    raise ModelUnavailable(
                        f"The API refused the request ({exc.status_code}): {_message(exc)}"
                    ) from exc
                failure = f"server error ({exc.status_code})"
                self.sleep(_backoff(attempt))
            except anthropic.APIConnectionError as exc:
                failure = (
                    "timed out"
                    if isinstance(exc, anthropic.APITimeoutError)
                    else ("could not connect")
                )
                self.sleep(_backoff(attempt))
            else:
                return _tool_input(message)
        raise ModelUnavailable(f"No answer after {self.max_attempts} attempts: {failure}.")

    def _pause_all(self, seconds: float) -> None:
        # Every thread waits, not only the one that was told: they share the same quota.
        with self._lock:
            self._resume_at = max(self._resume_at, time.monotonic() + seconds)

    def _wait_out_rate_limit(self) -> None:
        with self._lock:
            wait = self._resume_at - time.monotonic()
        if wait > 0:
            self.sleep(wait)


def answer_problem(answer: dict[str, Any] | None) -> str:
    """Why the answer cannot be stored, or "" when it can."""
    if answer is None:
        return f"it did not call the {CLASSIFY_TOOL_NAME} tool"
    level = answer.get("level")
    if level not in EngagementLevel.values:
        return f"the level {str(level)[:40]!r} is not one of {', '.join(EngagementLevel.values)}"
    for field in ("admin_explanation", "member_explanation"):
        text = answer.get(field)
        if not isinstance(text, str) or not text.strip():
            return f"the {field.replace('_', ' ')} is missing"
        if len(text) > MAX_EXPLANATION_CHARS:
            return (
                f"the {field.replace('_', ' ')} is longer than {MAX_EXPLANATION_CHARS} characters"
            )
    if AT_RISK.search(answer["member_explanation"]):
        return 'the member explanation says "at risk"'
    return ""


def _tool_input(message: Any) -> dict[str, Any] | None:
    for block in message.content:
        if block.type == "tool_use" and block.name == CLASSIFY_TOOL_NAME:
            return block.input if isinstance(block.input, dict) else None
    return None


def _retry_after(response: httpx2.Response) -> float | None:
    for header, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        raw = response.headers.get(header)
        if raw is None:
            continue
        try:
            return max(0.0, float(raw) / scale)
        except ValueError:
            continue
    return None


def _backoff(attempt: int) -> float:
    return min(8.0, 0.5 * 2 ** (attempt - 1)) * (1 + random.random() / 4)


def _message(exc: anthropic.APIStatusError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    return str(error.get("message") or exc.message)[:150]
