"""Script writing: the embedded template writer, and Claude through a forced tool call.

The Anthropic SDK (2.x) speaks through httpx2, so its mock transport comes from there."""

import json

import httpx2 as httpx
import pytest

from media_pipeline.providers.base import ProviderError, ScriptRequest
from media_pipeline.providers.script import (
    SCRIPT_TOOL,
    AnthropicScriptWriter,
    TemplateScriptWriter,
    script_variables,
)

RESEARCH = {
    "url": "https://acme.example/",
    "title": "Acme | Invoices that pay themselves",
    "description": "Acme sends invoices and chases late payers for you. It works everywhere.",
    "headings": ["Get paid on time", "Works with your accounting software"],
    "key_text": ["Acme follows up on every overdue invoice with a polite reminder."],
    "colors": ["#0ea5e9"],
}


def request_for(first_name: str = "Dana", research: dict | None = None) -> ScriptRequest:
    return ScriptRequest(
        company="Acme",
        research=RESEARCH if research is None else research,
        brief="We would love to run a two-week pilot with your team.",
        sender_name="Alice",
        sender_company="Northwind Revenue",
        sender_company_description="Northwind Revenue helps sales teams follow up faster.",
        contact_title="VP Finance",
        variables=script_variables(
            first_name=first_name,
            last_name="Reyes",
            company="Acme",
            title="VP Finance",
            sender_name="Alice",
            sender_company="Northwind Revenue",
        ),
    )


def test_the_template_writer_makes_three_to_six_scenes_that_name_the_company():
    script = TemplateScriptWriter().write(request_for())

    assert 3 <= len(script["scenes"]) <= 6
    for scene in script["scenes"]:
        assert scene["narration"] and scene["visual_prompt"] and scene["headline"]
        assert 2 <= scene["duration_seconds"] <= 30
        assert "{{" not in scene["narration"]
    assert script["scenes"][0]["narration"].startswith("Hi Dana, I'm Alice from Northwind Revenue")
    assert "Acme" in script["full_narration"]
    assert script["full_narration"] == " ".join(s["narration"] for s in script["scenes"])
    # The page title's tagline, without the company's name, goes on screen.
    assert script["scenes"][1]["headline"] == "Invoices that pay themselves"
    assert script["writer"] == "template"


def test_the_script_records_the_research_facts_it_used():
    script = TemplateScriptWriter().write(request_for())

    used = {fact["id"]: fact["text"] for fact in script["facts_used"]}
    assert used["description"] == RESEARCH["description"]
    assert used["heading-1"] == "Get paid on time"
    assert "Acme sends invoices and chases late payers for you." in script["full_narration"]


def test_a_contact_without_a_first_name_is_greeted_as_there():
    script = TemplateScriptWriter().write(request_for(first_name=""))

    assert script["scenes"][0]["narration"].startswith("Hi there, I'm Alice")
    assert script["variables"]["first_name"] == {"value": "there", "fallback": True}
    assert script["variables"]["company"] == {"value": "Acme", "fallback": False}


def test_a_website_that_said_nothing_still_gives_a_short_script():
    script = TemplateScriptWriter().write(request_for(research={"url": "https://x.example"}))

    assert len(script["scenes"]) == 3
    assert script["facts_used"] == []


# --- Claude, against a mock transport ----------------------------------------------------------

TOOL_INPUT = {
    "scenes": [
        {
            "narration": "Hi {{first_name}}, this is Alice from {{sender_company}}.",
            "on_screen_text": "Hi {{first_name}}",
            "visual_prompt": "A calm, modern office at sunrise",
            "duration_seconds": 5,
        },
        {
            "narration": "Acme chases late payers so finance teams do not have to.",
            "on_screen_text": "Get paid on time",
            "visual_prompt": "Invoices flying into an inbox, flat illustration",
            "duration_seconds": 6,
        },
        {
            "narration": "Could we talk for fifteen minutes about a pilot for Acme?",
            "on_screen_text": "Let's talk",
            "visual_prompt": "Two people shaking hands, warm light",
            "duration_seconds": 5,
        },
    ],
    "facts_used": ["heading-1", "invented-fact"],
}


def message(tool_input: dict) -> dict:
    return {
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-6",
        "content": [
            {
                "type": "tool_use",
                "id": "toolu_01A09q90qw90lq917835lq9",
                "name": "write_video_script",
                "input": tool_input,
            }
        ],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": 812, "output_tokens": 240},
    }


def writer_with(handler) -> AnthropicScriptWriter:
    return AnthropicScriptWriter(
        api_key="sk-ant-test",
        model="claude-sonnet-4-6",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )


def test_claude_is_forced_to_answer_with_the_script_tool():
    sent = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=message(TOOL_INPUT))

    script = writer_with(handler).write(request_for())

    request = sent[0]
    body = json.loads(request.content)
    assert request.url.path == "/v1/messages"
    # The SDK sends the key as x-api-key or as a bearer token, depending on its version.
    assert "sk-ant-test" in (
        request.headers.get("x-api-key", "") + request.headers.get("authorization", "")
    )
    assert body["model"] == "claude-sonnet-4-6"
    assert body["tool_choice"] == {"type": "tool", "name": "write_video_script"}
    assert body["tools"][0]["name"] == SCRIPT_TOOL["name"]
    prompt = body["messages"][0]["content"]
    assert "Prospect company: Acme" in prompt
    assert "[heading-1] Get paid on time" in prompt
    assert "We would love to run a two-week pilot" in prompt

    assert script["scenes"][0]["narration"] == ("Hi Dana, this is Alice from Northwind Revenue.")
    assert script["scenes"][1]["headline"] == "Get paid on time"
    # Only facts that exist are recorded.
    assert [fact["id"] for fact in script["facts_used"]] == ["heading-1"]
    assert script["writer"] == "anthropic:claude-sonnet-4-6"


def test_a_rate_limit_is_retried_later_as_claude_asks():
    def handler(request):
        return httpx.Response(
            429,
            headers={"retry-after": "30"},
            json={
                "type": "error",
                "error": {"type": "rate_limit_error", "message": "Number of requests exceeded"},
            },
        )

    with pytest.raises(ProviderError, match="429: Number of requests exceeded") as error:
        writer_with(handler).write(request_for())
    assert error.value.transient
    assert error.value.retry_after == 30


@pytest.mark.parametrize(("status", "transient"), [(529, True), (500, True), (400, False)])
def test_server_errors_are_retried_and_bad_requests_are_not(status, transient):
    def handler(request):
        return httpx.Response(
            status, json={"type": "error", "error": {"type": "x", "message": "something"}}
        )

    with pytest.raises(ProviderError) as error:
        writer_with(handler).write(request_for())
    assert error.value.transient is transient


def test_a_script_with_too_few_scenes_is_asked_for_again():
    short = {"scenes": TOOL_INPUT["scenes"][:2], "facts_used": []}

    with pytest.raises(ProviderError, match="2 scenes; it needs 3 to 6") as error:
        writer_with(lambda request: httpx.Response(200, json=message(short))).write(request_for())
    assert error.value.transient


def test_a_connection_failure_is_retried():
    def handler(request):
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(ProviderError, match="could not be reached") as error:
        writer_with(handler).write(request_for())
    assert error.value.transient


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Short enough.", 40, "Short enough."),
        ("First sentence here. Second one is long.", 30, "First sentence here."),
        (
            "Brex combines corporate cards, expense management and bill pay so finance teams "
            "can control spend in real time across every department and country.",
            120,
            "Brex combines corporate cards, expense management and bill pay so finance teams "
            "can control spend in real time",
        ),
        (
            "Cards, expenses and bills for every team on the planet and beyond",
            40,
            "Cards, expenses and bills for every team",
        ),
        ("A cut … that was already made upstream", 80, "A cut that was already made upstream"),
    ],
)
def test_texts_are_shortened_to_whole_words_never_with_an_ellipsis(text, limit, expected):
    from media_pipeline.providers.script import shorten

    shortened = shorten(text, limit)
    assert shortened == expected
    assert len(shortened) <= limit and "…" not in shortened
