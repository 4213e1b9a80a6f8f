"""Runs labelled replies through the same path a delivered reply takes (read the message, tell
automatic replies apart, classify the rest) and scores the answers."""

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings

from outreach.replies.inbound.classifier import INTENTS
from outreach.replies.inbound.message import from_fields
from outreach.replies.inbound.triage import (
    AUTO_REPLY,
    RuleClassifier,
    TriageRequest,
    auto_reply_triage,
    read_message,
)

SHORT = {
    "interested": "int",
    "not_interested": "not",
    "out_of_office": "ooo",
    "unsubscribe": "unsub",
    "referral": "ref",
    "question": "q",
    "unclear": "?",
}


@dataclass
class Answer:
    item: dict
    intent: str
    confidence: float

    @property
    def right(self) -> bool:
        return self.intent == self.item["intent"]

    @property
    def automatic(self) -> bool:
        return self.confidence >= settings.REPLIES_AUTO_APPLY_MIN_CONFIDENCE


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def answer(item: dict) -> Answer:
    message = from_fields(
        message_id=f"<{item['id']}@corpus.example>",
        from_email="jordan.blake@northwind.example",
        from_name="Jordan Blake",
        subject=item["subject"],
        text=item["text"],
        headers=item.get("headers") or {},
    )
    reading = read_message(message)
    request = TriageRequest(
        body=reading.body,
        subject=message.subject,
        sender=message.from_address,
        received=date(2025, 3, 3),
        ignored_addresses={"bob@acme-sales.example"},
    )
    if reading.kind == AUTO_REPLY:
        found = auto_reply_triage(request, evidence=reading.evidence)
    else:
        found = RuleClassifier().classify(request)
    return Answer(item=item, intent=found.intent, confidence=found.confidence)


def report(answers: list[Answer], title: str) -> tuple[str, dict]:
    """The confusion table and the figures the acceptance lines read."""
    counts = Counter((a.item["intent"], a.intent) for a in answers)
    header = "expected \\ got".ljust(16) + "".join(SHORT[i].rjust(7) for i in INTENTS)
    lines = [title, header]
    for expected in INTENTS:
        if not any(a.item["intent"] == expected for a in answers):
            continue
        cells = "".join(str(counts[(expected, got)] or ".").rjust(7) for got in INTENTS)
        lines.append(expected.ljust(16) + cells)
    automatic = [a for a in answers if a.automatic]
    figures = {
        "accuracy": sum(a.right for a in answers) / len(answers),
        "automatic": len(automatic),
        "automatic_precision": (
            sum(a.right for a in automatic) / len(automatic) if automatic else 1.0
        ),
        "recall": {
            intent: sum(a.right for a in answers if a.item["intent"] == intent)
            / max(1, sum(1 for a in answers if a.item["intent"] == intent))
            for intent in INTENTS
            if any(a.item["intent"] == intent for a in answers)
        },
    }
    by_lang = Counter(a.item["lang"] for a in answers)
    right_lang = Counter(a.item["lang"] for a in answers if a.right)
    lines.append(
        f"right {sum(a.right for a in answers)}/{len(answers)} ({figures['accuracy']:.1%}); "
        f"automatic {len(automatic)}, right {figures['automatic_precision']:.1%}"
    )
    lines.append("recall " + ", ".join(f"{SHORT[i]} {r:.0%}" for i, r in figures["recall"].items()))
    lines.append(
        "by language " + ", ".join(f"{lang} {right_lang[lang]}/{n}" for lang, n in by_lang.items())
    )
    return "\n".join(lines), figures
