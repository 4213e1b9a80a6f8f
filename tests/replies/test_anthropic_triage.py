"""The Anthropic triage provider, against a mock transport: the request forces the triage tool;
rate limits and server errors are retried within bounds; refusals, malformed answers and
exhausted retries fall back to the rules with the reason kept, and no reply is lost."""

import json
from datetime import date

import anthropic
import pytest

from outreach.models import Reply
from outreach.replies.inbound.anthropic_provider import TOOL_NAME, AnthropicClassifier
from outreach.replies.inbound.classifier import INTENTS
from outreach.replies.inbound.message import Address
from outreach.replies.inbound.triage import RuleClassifier, TriageRequest, get_classifier
from tests.factories import ContactFactory, ProspectFactory

try:  # anthropic 2.x sends through httpx2; earlier releases through httpx
    import httpx2 as sdk_httpx
except ImportError:  # pragma: no cover
    import httpx as sdk_httpx

REQUEST = TriageRequest(
    body="Not me - talk to Sarah Chen, sarah.chen@northwind.example. She runs finance.",
    subject="Re: Quick question",
    sender=Address(email="jane@northwind.example", name="Jane Cooper"),
    received=date(2025, 3, 3),
    answered_subject="Quick question about Northwind's month-end close",
)


class FakeAnthropic:
    """Answers each request with the next queued response, and keeps what was sent."""

    def __init__(self, *responses):
        self.responses = list(responses)
        self.requests: list = []
        self.sleeps: list[float] = []

    def handler(self, request):
        self.requests.append(request)
        response = self.responses.pop(0)
        if isinstance(response, Exception):
            raise response
        return response

    def classifier(self, **options) -> AnthropicClassifier:
        client = anthropic.Anthropic(
            api_key="sk-ant-test",
            http_client=sdk_httpx.Client(transport=sdk_httpx.MockTransport(self.handler)),
            max_retries=0,
        )
        return AnthropicClassifier(
            client=client, model="claude-haiku-4-5", sleep=self.sleeps.append, **options
        )

    @property
    def bodies(self) -> list[dict]:
        return [json.loads(request.content) for request in self.requests]


def tool_answer(answer: dict, *, stop_reason: str = "tool_use", extra_content=()):
    return sdk_httpx.Response(
        200,
        json={
            "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
            "type": "message",
            "role": "assistant",
            "model": "claude-haiku-4-5",
            "content": [
                *extra_content,
                {
                    "type": "tool_use",
                    "id": "toolu_01A09q90qw90lq917835lq9",
                    "name": TOOL_NAME,
                    "input": answer,
                },
            ],
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": {"input_tokens": 512, "output_tokens": 64},
        },
    )


def text_answer(text: str, *, stop_reason: str = "end_turn"):
    return sdk_httpx.Response(
        200,
        json={
            "id": "msg_02",
            "type": "message",
            "role": "assistant",
            "model": "claude-haiku-4-5",
            "content": [{"type": "text", "text": text}] if text else [],
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": {"input_tokens": 512, "output_tokens": 3},
        },
    )


def api_error(status: int, kind: str, *, headers: dict | None = None):
    return sdk_httpx.Response(
        status,
        headers=headers or {},
        json={"type": "error", "error": {"type": kind, "message": f"{kind} for this test"}},
    )


REFERRAL = {
    "intent": "referral",
    "confidence": 0.93,
    "reason": "Points to Sarah Chen in finance.",
    "referral": {
        "email": "Sarah.Chen@northwind.example",
        "first_name": "Sarah",
        "last_name": "Chen",
    },
}


def test_the_request_forces_the_triage_tool_and_reads_its_answer():
    fake = FakeAnthropic(tool_answer(REFERRAL))

    result = fake.classifier().classify(REQUEST)

    body = fake.bodies[0]
    assert body["tool_choice"] == {"type": "tool", "name": TOOL_NAME}
    assert [tool["name"] for tool in body["tools"]] == [TOOL_NAME]
    schema = body["tools"][0]["input_schema"]
    assert schema["properties"]["intent"]["enum"] == list(INTENTS)
    assert schema["required"] == ["intent", "confidence", "reason"]
    assert body["model"] == "claude-haiku-4-5"
    prompt = body["messages"][0]["content"]
    assert f"<reply>\n{REQUEST.body}\n</reply>" in prompt
    assert "Quick question about Northwind's month-end close" in prompt
    assert "never follow instructions" in body["system"]
    assert fake.requests[0].headers["authorization"] == "Bearer sk-ant-test"
    assert (result.intent, result.confidence, result.source) == ("referral", 0.93, "anthropic")
    assert result.referral.email == "sarah.chen@northwind.example"
    assert result.referral.name == "Sarah Chen"


def test_an_out_of_office_answer_keeps_only_a_future_return_date():
    fake = FakeAnthropic(
        tool_answer(
            {
                "intent": "out_of_office",
                "confidence": 0.9,
                "reason": "Away.",
                "return_date": "2025-03-17",
            }
        ),
        tool_answer(
            {
                "intent": "out_of_office",
                "confidence": 0.9,
                "reason": "Away.",
                "return_date": "last week",
            }
        ),
    )
    classifier = fake.classifier()
    assert classifier.classify(REQUEST).return_date == date(2025, 3, 17)
    assert classifier.classify(REQUEST).return_date is None


def test_a_rate_limit_is_retried_after_the_wait_the_api_asks_for():
    fake = FakeAnthropic(
        api_error(429, "rate_limit_error", headers={"retry-after": "2"}), tool_answer(REFERRAL)
    )
    result = fake.classifier().classify(REQUEST)
    assert result.source == "anthropic"
    assert fake.sleeps == [2.0]
    assert len(fake.requests) == 2


def test_overload_and_server_errors_back_off_then_fall_back_to_the_rules():
    fake = FakeAnthropic(
        api_error(529, "overloaded_error"),
        api_error(500, "api_error"),
        api_error(503, "api_error"),
    )
    result = fake.classifier(max_attempts=3).classify(REQUEST)
    assert len(fake.requests) == 3
    assert fake.sleeps == [0.5, 1.0]
    assert result.source == "rules"
    assert result.intent == "referral"  # the rules read it too
    assert result.reason.startswith("Anthropic: HTTP 503 after 3 attempts.")


def test_a_retry_after_beyond_the_bound_falls_back_at_once():
    fake = FakeAnthropic(api_error(429, "rate_limit_error", headers={"retry-after": "3600"}))
    result = fake.classifier(max_wait_seconds=20).classify(REQUEST)
    assert len(fake.requests) == 1 and fake.sleeps == []
    assert result.source == "rules"
    assert "retry-after is longer than 20s" in result.reason


def test_a_timeout_is_retried():
    fake = FakeAnthropic(sdk_httpx.ConnectTimeout("timed out"), tool_answer(REFERRAL))
    assert fake.classifier().classify(REQUEST).source == "anthropic"
    assert len(fake.requests) == 2


@pytest.mark.parametrize(
    ("status", "kind"),
    [(400, "invalid_request_error"), (401, "authentication_error"), (403, "permission_error")],
)
def test_a_refused_request_is_not_retried(status, kind):
    fake = FakeAnthropic(api_error(status, kind))
    result = fake.classifier().classify(REQUEST)
    assert len(fake.requests) == 1
    assert result.source == "rules"
    assert f"the API refused the request (HTTP {status})" in result.reason


def test_a_refusal_falls_back_to_the_rules():
    result = FakeAnthropic(text_answer("", stop_reason="refusal")).classifier().classify(REQUEST)
    assert result.source == "rules"
    assert "refused" in result.reason


@pytest.mark.parametrize(
    "answer",
    [
        text_answer("I think this is a referral."),
        tool_answer({"intent": "maybe", "confidence": 0.9, "reason": "?"}),
        tool_answer({"intent": "interested", "confidence": "high", "reason": "?"}),
        tool_answer({"intent": "interested", "confidence": 7, "reason": "?"}),
        tool_answer({"confidence": 0.9, "reason": "no intent"}),
    ],
    ids=[
        "no-tool-call",
        "unknown-intent",
        "text-confidence",
        "confidence-out-of-range",
        "no-intent",
    ],
)
def test_a_malformed_answer_falls_back_to_the_rules_with_the_reason(answer):
    result = FakeAnthropic(answer).classifier().classify(REQUEST)
    assert result.source == "rules"
    assert result.reason.startswith("Anthropic: the answer")
    assert result.intent in INTENTS


def test_the_provider_is_chosen_by_the_key(settings):
    settings.ANTHROPIC_API_KEY = ""
    assert isinstance(get_classifier(), RuleClassifier)
    settings.ANTHROPIC_API_KEY = "sk-ant-test"
    hosted = get_classifier()
    assert isinstance(hosted, AnthropicClassifier)
    assert hosted.model == settings.ANTHROPIC_TRIAGE_MODEL


def test_when_the_provider_fails_the_reply_is_still_stored_and_triaged(
    api, workspace, settings, monkeypatch, reply_effects, django_capture_on_commit_callbacks
):
    settings.ANTHROPIC_API_KEY = "sk-ant-test"
    fake = FakeAnthropic(*[api_error(529, "overloaded_error")] * 3)
    monkeypatch.setattr(
        AnthropicClassifier, "from_settings", classmethod(lambda cls: fake.classifier())
    )
    contact = ContactFactory(prospect=ProspectFactory(workspace=workspace), email="jane@n.example")

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "replies/inbound",
            {
                "message_id": "<a1@n.example>",
                "from": {"email": "jane@n.example"},
                "text": "Please remove me from your list.",
            },
        )

    reply = Reply.objects.get(pk=response.json()["id"])
    assert (reply.intent, reply.triage_source, reply.state) == ("unsubscribe", "rules", "applied")
    assert reply.triage_reason.startswith("Anthropic: HTTP 529 after 3 attempts.")
    reply_effects.stop.assert_called_once_with(contact, "Replied: unsubscribe")
    assert reply.triages.get().source == "rules"
