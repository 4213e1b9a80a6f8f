"""Scoring with Claude: the request we send (forced tool, system prompt, the contact's
context), bounded concurrency, rate limits honoured, and every unusable answer replaced by
the rules' result with the reason kept. All against a mock HTTP transport."""

import json
import threading
import time

import httpx2
import pytest

from engagement.models import EngagementLevel
from engagement.prompts import CLASSIFY_ENGAGEMENT_TOOL, ENGAGEMENT_SYSTEM_PROMPT
from engagement.providers import get_provider
from engagement.providers.claude import ClaudeEngagementProvider
from engagement.providers.rules import RulesEngagementProvider
from outreach.models import Activity
from tests.engagement.conftest import activity, contact_added, engagement_of, score

Kind = Activity.Kind
MODEL = "claude-sonnet-4-6"


def tool_answer(**tool_input) -> httpx2.Response:
    return httpx2.Response(
        200,
        json={
            "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
            "type": "message",
            "role": "assistant",
            "model": MODEL,
            "content": [
                {
                    "type": "tool_use",
                    "id": "toolu_01A09q90qw90lq917835lq9",
                    "name": "classify_engagement",
                    "input": tool_input,
                }
            ],
            "stop_reason": "tool_use",
            "stop_sequence": None,
            "usage": {"input_tokens": 812, "output_tokens": 164},
        },
    )


def api_error(status: int, kind: str, headers: dict | None = None) -> httpx2.Response:
    return httpx2.Response(
        status,
        headers=headers or {},
        json={"type": "error", "error": {"type": kind, "message": f"{kind} for this test"}},
    )


GOOD = {
    "level": "highly_engaged",
    "admin_explanation": "Three meetings held in the last week; the strongest signal there is.",
    "member_explanation": "Thanks for all the time you have given us lately, Avery!",
}


class Transport:
    """Answers with the given responses in turn (the last one repeats) and keeps what was
    asked."""

    def __init__(self, *responses: httpx2.Response, delay: float = 0.0):
        self.responses = list(responses)
        self.requests: list[httpx2.Request] = []
        self.delay = delay
        self.in_flight = self.most_in_flight = 0
        self.lock = threading.Lock()

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        with self.lock:
            self.requests.append(request)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            response = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        time.sleep(self.delay)
        with self.lock:
            self.in_flight -= 1
        return response

    def bodies(self) -> list[dict]:
        return [json.loads(request.content) for request in self.requests]


def claude(transport: Transport, sleeps: list | None = None, **options) -> ClaudeEngagementProvider:
    return ClaudeEngagementProvider(
        api_key="sk-ant-test",
        model=MODEL,
        http_client=httpx2.Client(transport=httpx2.MockTransport(transport)),
        sleep=(sleeps.append if sleeps is not None else lambda seconds: None),
        **options,
    )


@pytest.fixture
def keen(added_long_ago):
    for _ in range(3):
        activity(added_long_ago, Kind.MEETING_DONE, days=2)
    return added_long_ago


def test_it_forces_the_classify_tool_and_sends_the_prompt_and_the_contacts_signals(workspace, keen):
    transport = Transport(tool_answer(**GOOD))
    score(workspace, provider=claude(transport))

    (request,) = transport.requests
    assert request.url == "https://api.anthropic.com/v1/messages"
    # The SDK sends the key as x-api-key or as a bearer token, depending on its version.
    assert any("sk-ant-test" in value for value in request.headers.values())
    body = json.loads(request.content)
    assert body["model"] == MODEL
    assert body["system"] == ENGAGEMENT_SYSTEM_PROMPT
    assert body["tools"] == [CLASSIFY_ENGAGEMENT_TOOL]
    assert body["tool_choice"] == {"type": "tool", "name": "classify_engagement"}
    assert CLASSIFY_ENGAGEMENT_TOOL["input_schema"]["required"] == [
        "level",
        "admin_explanation",
        "member_explanation",
    ]
    context = body["messages"][0]["content"]
    assert "Contact: Avery Collins" in context
    assert f"Company: {keen.prospect.name}" in context
    assert "Level by the rules: highly_engaged" in context
    assert '"meeting_done": 3' in context

    scored = engagement_of(keen)
    assert scored.level == EngagementLevel.HIGHLY_ENGAGED
    assert scored.admin_explanation == GOOD["admin_explanation"]
    assert scored.member_explanation == GOOD["member_explanation"]
    assert scored.model_version == f"{MODEL}/engagement-prompt-3"
    assert scored.fallback_reason == ""


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({**GOOD, "level": "super_engaged"}, "the level 'super_engaged' is not one of"),
        ({**GOOD, "level": None}, "the level 'None' is not one of"),
        (
            {k: v for k, v in GOOD.items() if k != "admin_explanation"},
            "the admin explanation is missing",
        ),
        ({**GOOD, "member_explanation": "  "}, "the member explanation is missing"),
        ({**GOOD, "member_explanation": 42}, "the member explanation is missing"),
        (
            {**GOOD, "member_explanation": "We worry you are At-Risk of drifting away."},
            'the member explanation says "at risk"',
        ),
        (
            {**GOOD, "member_explanation": "You're at risk of missing out!"},
            'the member explanation says "at risk"',
        ),
    ],
)
def test_an_unusable_answer_falls_back_to_the_rules_with_the_reason_kept(
    workspace, keen, answer, reason
):
    score(workspace, provider=claude(Transport(tool_answer(**answer))))
    scored = engagement_of(keen)
    assert scored.level == EngagementLevel.HIGHLY_ENGAGED
    assert scored.admin_explanation.startswith("Highly engaged: 3 engagement events")
    assert scored.member_explanation.startswith("Thanks for staying so involved, Avery!")
    assert scored.model_version == "rules-3"
    assert reason in scored.fallback_reason
    assert scored.signals["fallback_reason"] == scored.fallback_reason


def test_an_answer_without_the_tool_call_falls_back(workspace, keen):
    text_only = httpx2.Response(
        200,
        json={
            "id": "msg_013Zva2CMHLNnXjNJJKqJ2EF",
            "type": "message",
            "role": "assistant",
            "model": MODEL,
            "content": [{"type": "text", "text": "This contact seems highly engaged."}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": 812, "output_tokens": 9},
        },
    )
    score(workspace, provider=claude(Transport(text_only)))
    scored = engagement_of(keen)
    assert scored.model_version == "rules-3"
    assert "did not call the classify_engagement tool" in scored.fallback_reason


def test_a_429_is_retried_after_the_wait_it_asks_for(workspace, keen):
    transport = Transport(
        api_error(429, "rate_limit_error", {"retry-after": "7"}), tool_answer(**GOOD)
    )
    sleeps: list[float] = []
    score(workspace, provider=claude(transport, sleeps))
    assert len(transport.requests) == 2
    assert sleeps == [pytest.approx(7, abs=0.5)]
    assert engagement_of(keen).model_version == f"{MODEL}/engagement-prompt-3"


def test_a_429_asking_for_a_longer_wait_than_the_cap_falls_back_at_once(workspace, keen):
    transport = Transport(api_error(429, "rate_limit_error", {"retry-after": "3600"}))
    sleeps: list[float] = []
    score(workspace, provider=claude(transport, sleeps, max_retry_after=30))
    assert len(transport.requests) == 1
    assert sleeps == []
    scored = engagement_of(keen)
    assert scored.model_version == "rules-3"
    assert "asked to wait 3600s" in scored.fallback_reason


def test_server_errors_are_retried_a_few_times_then_the_rules_score(workspace, keen):
    transport = Transport(api_error(529, "overloaded_error"))
    score(workspace, provider=claude(transport, max_attempts=3))
    assert len(transport.requests) == 3
    reason = engagement_of(keen).fallback_reason
    assert reason == "No answer after 3 attempts: server error (529)."


def test_a_refused_request_is_not_retried(workspace, keen):
    transport = Transport(api_error(401, "authentication_error"))
    score(workspace, provider=claude(transport))
    assert len(transport.requests) == 1
    assert engagement_of(keen).fallback_reason.startswith("The API refused the request (401)")


def test_calls_run_side_by_side_but_never_more_than_the_concurrency(workspace):
    contacts = [contact_added(workspace, days=365) for _ in range(12)]
    transport = Transport(tool_answer(**{**GOOD, "level": "inactive"}), delay=0.05)
    report = score(workspace, provider=claude(transport, concurrency=3))
    assert report.scored == 12
    assert len(transport.requests) == 12
    assert 1 < transport.most_in_flight <= 3
    assert {engagement_of(c).level for c in contacts} == {"inactive"}


def test_fallback_scores_are_retried_next_run_and_good_ones_are_kept(workspace, keen):
    steady = contact_added(workspace, days=365)
    failing = Transport(api_error(500, "api_error"))
    score(workspace, provider=claude(failing, max_attempts=1))
    assert engagement_of(keen).fallback_reason

    working = Transport(tool_answer(**GOOD))
    assert score(workspace, provider=claude(working)).scored == 2
    again = Transport(tool_answer(**GOOD))
    assert score(workspace, provider=claude(again)).scored == 0
    assert again.requests == []
    assert engagement_of(steady).model_version == f"{MODEL}/engagement-prompt-3"


def test_the_hosted_model_is_used_only_when_a_key_is_set(settings):
    settings.ANTHROPIC_API_KEY = ""
    assert isinstance(get_provider(), RulesEngagementProvider)
    settings.ANTHROPIC_API_KEY = "sk-ant-configured"
    settings.ANTHROPIC_MODEL = MODEL
    provider = get_provider()
    assert isinstance(provider, ClaudeEngagementProvider)
    assert provider.model_version == f"{MODEL}/engagement-prompt-3"
