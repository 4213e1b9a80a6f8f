"""Script writing: 3-6 scenes (narration, on-screen words, visual prompt, duration) from the
website research, the campaign brief and the sender's company. The embedded writer fills
templates; the hosted one asks Claude through a forced tool call."""

import re
from typing import Any

import anthropic
import httpx2
from django.conf import settings

from media_pipeline.providers.base import ProviderError, ScriptRequest, retry_after_seconds

MIN_SCENES, MAX_SCENES = 3, 6
WORDS_PER_SECOND = 2.5
MAX_NARRATION_CHARS = 700
# What a scene card holds: a headline in at most three large lines and a caption in at most
# three smaller ones (media_pipeline/providers/visuals.py). Longer texts are shortened to a
# sentence, a clause or whole words that fit, never cut off with an ellipsis.
MAX_HEADLINE_CHARS = 80
MAX_CAPTION_CHARS = 120
# Words a shortened text should not end on.
DANGLING = {"a", "about", "across", "an", "and", "are", "as", "at", "but", "by", "every", "for",
            "from", "in", "into", "is", "its", "of", "on", "or", "our", "per", "so", "than",
            "that", "the", "their", "to", "via", "which", "who", "with", "your"}  # fmt: skip

# What each variable says when the data is missing: a video never says "Hi ," or "Hi None".
VARIABLE_FALLBACKS = {
    "first_name": "there",
    "last_name": "",
    "company": "your company",
    "title": "your team",
    "sender_name": "our team",
    "sender_company": "our company",
}
VARIABLE = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
CLAUSE_END = re.compile(r"(?<=[,;:])\s+|\s+(?=[\u2013\u2014-]\s)")
TITLE_SEPARATORS = re.compile(r"\s+[|\u2013\u2014:\u00b7-]\s+")


def script_variables(
    *,
    first_name: str,
    last_name: str,
    company: str,
    title: str,
    sender_name: str,
    sender_company: str,
) -> dict[str, str]:
    return {
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "company": company.strip(),
        "title": title.strip(),
        "sender_name": sender_name.strip(),
        "sender_company": sender_company.strip(),
    }


def render_variables(text: str, values: dict[str, str], used: dict[str, dict]) -> str:
    """Fill {{variable}} placeholders, falling back where the value is blank; note each use."""

    def fill(match: re.Match) -> str:
        name = match.group(1)
        value = values.get(name, "").strip()
        fallback = not value
        if fallback:
            value = VARIABLE_FALLBACKS.get(name, "")
        used[name] = {"value": value, "fallback": fallback}
        return value

    return " ".join(VARIABLE.sub(fill, text).split())


def research_facts(research: dict[str, Any]) -> list[dict[str, str]]:
    """The research as numbered facts a script can cite by id."""
    facts = []
    for key in ("title", "description"):
        if research.get(key):
            facts.append({"id": key, "text": research[key]})
    for i, heading in enumerate(research.get("headings", []), start=1):
        facts.append({"id": f"heading-{i}", "text": heading})
    for i, text in enumerate(research.get("key_text", []), start=1):
        facts.append({"id": f"text-{i}", "text": text})
    return facts


def finish_script(
    raw: dict[str, Any],
    *,
    request: ScriptRequest,
    facts: list[dict[str, str]],
    writer: str,
) -> dict[str, Any]:
    """Check a writer's scenes, fill the variables and record which facts the script used."""
    scenes = raw.get("scenes")
    if not isinstance(scenes, list) or not MIN_SCENES <= len(scenes) <= MAX_SCENES:
        count = len(scenes) if isinstance(scenes, list) else 0
        raise ProviderError(
            f"The script has {count} scenes; it needs {MIN_SCENES} to {MAX_SCENES}.",
            transient=True,
        )
    used: dict[str, dict] = {}
    finished = []
    for index, scene in enumerate(scenes):
        narration = render_variables(str(scene.get("narration", "")), request.variables, used)
        if not narration or len(narration) > MAX_NARRATION_CHARS:
            raise ProviderError(
                f"Scene {index + 1} of the script has no narration or too much.", transient=True
            )
        headline = render_variables(
            str(scene.get("on_screen_text") or scene.get("headline") or ""),
            request.variables,
            used,
        )
        caption = render_variables(str(scene.get("caption", "")), request.variables, used)
        finished.append(
            {
                "narration": narration,
                "headline": shorten(headline or first_sentence(narration), MAX_HEADLINE_CHARS),
                "caption": shorten(caption, MAX_CAPTION_CHARS),
                "visual_prompt": shorten(str(scene.get("visual_prompt", "")) or headline, 400),
                "duration_seconds": _duration(scene.get("duration_seconds"), narration),
            }
        )
    known = {fact["id"]: fact for fact in facts}
    facts_used = [known[i] for i in dict.fromkeys(raw.get("facts_used", [])) if i in known]
    return {
        "scenes": finished,
        "full_narration": " ".join(scene["narration"] for scene in finished),
        "facts_used": facts_used,
        "variables": used,
        "writer": writer,
    }


def tagline(title: str, company: str) -> str:
    """A page title without the company's name: "Stripe | Payments for…" -> "Payments for…"."""
    parts = [part.strip() for part in TITLE_SEPARATORS.split(title) if part.strip()]
    others = [part for part in parts if part.casefold() != company.strip().casefold()]
    return max(others, key=len) if others else ""


def first_sentence(text: str) -> str:
    return SENTENCE_END.split(text.strip(), maxsplit=1)[0] if text.strip() else ""


def _duration(value: Any, narration: str) -> float:
    estimate = len(narration.split()) / WORDS_PER_SECOND + 0.6
    try:
        given = float(value)
    except (TypeError, ValueError):
        given = estimate
    return round(min(30.0, max(2.0, given)), 1)


def shorten(text: str, limit: int) -> str:
    """The text if it fits in `limit` characters; else its first sentence, else its first
    clauses that fit, else its first words that fit (not ending on "and" or "the"). Whole
    words always, and never an ellipsis: what is shown reads as finished."""
    text = " ".join(text.replace("\u2026", " ").split()).strip()
    if len(text) <= limit:
        return text
    sentence = first_sentence(text)
    if len(sentence) <= limit:
        return sentence
    kept = ""
    for clause in CLAUSE_END.split(sentence):
        candidate = f"{kept} {clause}".strip()
        if len(candidate) > limit:
            break
        kept = candidate
    if len(kept) < limit * 0.6:
        # A first clause this short says too little: as many whole words as fit says more.
        kept = ""
        for word in sentence.split():
            if len(f"{kept} {word}".strip()) > limit:
                break
            kept = f"{kept} {word}".strip()
    words = kept.rstrip(",;:-\u2013\u2014 ").split()
    while len(words) > 1 and words[-1].lower().strip(",;:") in DANGLING:
        words.pop()
    return " ".join(words).rstrip(",;:-\u2013\u2014 ")


def _as_sentence(text: str) -> str:
    text = text.strip()
    if text and text[-1] not in ".!?":
        text += "."
    return text


# --- The embedded writer -----------------------------------------------------------------------


class TemplateScriptWriter:
    """Four or five scenes from fixed templates: a greeting, what their website says, what
    they focus on, the pitch, and the call to action."""

    name = "template"

    def write(self, request: ScriptRequest) -> dict[str, Any]:
        research = request.research
        facts = research_facts(research)
        used: list[str] = []
        colors = ", ".join(research.get("colors", [])[:2]) or "calm indigo"
        scenes = [
            {
                "narration": "Hi {{first_name}}, I'm {{sender_name}} from {{sender_company}}. "
                "I made this short video just for you and the team at {{company}}.",
                "on_screen_text": "Hi {{first_name}}, this one is for {{company}}",
                "caption": "A short video from {{sender_name}} at {{sender_company}}",
                "visual_prompt": f"A welcoming title card for {request.company}, "
                f"modern and minimal, in {colors} tones",
            }
        ]

        about, about_id = self._about(research)
        if about:
            used.append(about_id)
            scenes.append(
                {
                    "narration": "I spent a few minutes on the {{company}} website. "
                    f"{_as_sentence(about)}",
                    "on_screen_text": tagline(research.get("title", ""), request.company)
                    or "What {{company}} is building",
                    "caption": shorten(about, MAX_CAPTION_CHARS),
                    "visual_prompt": f"An abstract illustration of {request.company}'s "
                    f"product: {about}",
                }
            )

        focus = [
            (f"heading-{i}", h)
            for i, h in enumerate(research.get("headings", []), start=1)
            if 2 <= len(h.split()) <= 10
        ][:2]
        if focus:
            used.extend(fact_id for fact_id, _ in focus)
            topics = " and ".join(f"“{h.rstrip('.')}”" for _, h in focus)
            scenes.append(
                {
                    "narration": f"Your team puts {topics} front and center, "
                    "so I kept this short and about what matters to {{company}}.",
                    "on_screen_text": focus[0][1],
                    "caption": focus[1][1] if len(focus) > 1 else "",
                    "visual_prompt": f"A bold, clean visual about {focus[0][1]}",
                }
            )

        pitch = " ".join(
            _as_sentence(shorten(part, 260))
            for part in (request.sender_company_description, request.brief)
            if part.strip()
        )
        scenes.append(
            {
                "narration": "Here is where {{sender_company}} comes in. "
                + (pitch or "We help teams like yours turn interest into conversations."),
                "on_screen_text": "How {{sender_company}} helps {{company}}",
                "caption": shorten(
                    request.brief or request.sender_company_description, MAX_CAPTION_CHARS
                ),
                "visual_prompt": f"A confident product moment for {request.sender_company}",
            }
        )
        scenes.append(
            {
                "narration": "If that sounds useful for {{company}}, just reply to this email "
                "and we will find fifteen minutes that suit you. Thanks for watching!",
                "on_screen_text": "Let's talk, {{first_name}}",
                "caption": "Reply to the email, or pick a time that suits you",
                "visual_prompt": "A friendly closing card inviting a reply, clean and warm",
            }
        )
        return finish_script(
            {"scenes": scenes, "facts_used": used}, request=request, facts=facts, writer=self.name
        )

    @staticmethod
    def _about(research: dict[str, Any]) -> tuple[str, str]:
        if research.get("description"):
            return shorten(first_sentence(research["description"]), 220), "description"
        for i, text in enumerate(research.get("key_text", []), start=1):
            return shorten(first_sentence(text), 220), f"text-{i}"
        return "", ""


# --- The hosted writer -------------------------------------------------------------------------

SCRIPT_TOOL = {
    "name": "write_video_script",
    "description": "Record the scene-by-scene script of a short personalized sales video.",
    "input_schema": {
        "type": "object",
        "properties": {
            "scenes": {
                "type": "array",
                "minItems": MIN_SCENES,
                "maxItems": MAX_SCENES,
                "items": {
                    "type": "object",
                    "properties": {
                        "narration": {
                            "type": "string",
                            "description": "What the narrator says in this scene (1-3 "
                            "sentences). Use {{first_name}} only in a greeting.",
                        },
                        "on_screen_text": {
                            "type": "string",
                            "description": "At most 8 words shown large on screen.",
                        },
                        "visual_prompt": {
                            "type": "string",
                            "description": "A prompt for an image model: the scene's picture, "
                            "no text in it.",
                        },
                        "duration_seconds": {"type": "number", "minimum": 2, "maximum": 30},
                    },
                    "required": [
                        "narration",
                        "on_screen_text",
                        "visual_prompt",
                        "duration_seconds",
                    ],
                },
            },
            "facts_used": {
                "type": "array",
                "items": {"type": "string"},
                "description": "The ids of the research facts the script relies on.",
            },
        },
        "required": ["scenes", "facts_used"],
    },
}

SYSTEM_PROMPT = (
    "You write scripts for short, personalized sales videos (30-60 seconds) that one company "
    "sends to a prospect. Be specific to the prospect using only the facts given, warm and "
    "plain-spoken, never pushy, no hype words. Speak as the sender, in the first person. "
    "Name the prospect's company in the narration. End with a simple call to action. "
    "You may write the placeholders {{first_name}}, {{company}}, {{sender_name}} and "
    "{{sender_company}}; they are filled in later."
)


class AnthropicScriptWriter:
    """Claude writes the script; the forced tool call makes the answer structured."""

    name = "anthropic"

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        http_client: httpx2.Client | None = None,
        timeout: float = 60.0,
    ):
        self.model = model
        # Retries are the pipeline's (a job attempt with backoff), not the SDK's.
        self.client = anthropic.Anthropic(
            api_key=api_key, http_client=http_client, max_retries=0, timeout=timeout
        )

    def write(self, request: ScriptRequest) -> dict[str, Any]:
        facts = research_facts(request.research)
        try:
            message = self.client.messages.create(
                model=self.model,
                max_tokens=2000,
                system=SYSTEM_PROMPT,
                tools=[SCRIPT_TOOL],
                tool_choice={"type": "tool", "name": SCRIPT_TOOL["name"]},
                messages=[{"role": "user", "content": self._prompt(request, facts)}],
            )
        except anthropic.APIStatusError as exc:
            transient = exc.status_code in {408, 409, 429} or exc.status_code >= 500
            raise ProviderError(
                f"Anthropic answered {exc.status_code}: {_api_message(exc)}",
                transient=transient,
                retry_after=retry_after_seconds(exc.response.headers.get("retry-after")),
            ) from exc
        except anthropic.APIConnectionError as exc:
            raise ProviderError(f"Anthropic could not be reached ({exc}).", transient=True) from exc
        tool_use = next(
            (block for block in message.content if getattr(block, "type", "") == "tool_use"),
            None,
        )
        if tool_use is None or not isinstance(tool_use.input, dict):
            raise ProviderError("Anthropic answered without the script.", transient=True)
        return finish_script(
            tool_use.input, request=request, facts=facts, writer=f"anthropic:{self.model}"
        )

    @staticmethod
    def _prompt(request: ScriptRequest, facts: list[dict[str, str]]) -> str:
        fact_lines = "\n".join(f"- [{fact['id']}] {fact['text']}" for fact in facts)
        return "\n".join(
            [
                f"Prospect company: {request.company}",
                f"Contact's title: {request.contact_title or 'unknown'}",
                f"Sender: {request.sender_name} at {request.sender_company}",
                f"About the sender's company: {request.sender_company_description or '-'}",
                f"Campaign brief: {request.brief or '-'}",
                "",
                "Facts from the prospect's website (cite the ids you use in facts_used):",
                fact_lines or "- (the website said nothing useful)",
                "",
                f"Write {MIN_SCENES} to {MAX_SCENES} scenes.",
            ]
        )


def _api_message(exc: anthropic.APIStatusError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error", {}) if isinstance(body.get("error"), dict) else {}
    return str(error.get("message") or exc.message)[:300]


def script_writer() -> TemplateScriptWriter | AnthropicScriptWriter:
    if settings.ANTHROPIC_API_KEY:
        return AnthropicScriptWriter(
            api_key=settings.ANTHROPIC_API_KEY, model=settings.ANTHROPIC_MODEL
        )
    return TemplateScriptWriter()
