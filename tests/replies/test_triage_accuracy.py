"""The embedded rule classifier reads the intent of real replies well enough to act on.

The corpus under samples/replies/<intent>/ holds replies as mail clients send them: quoted
history (Gmail, Outlook, Apple Mail, localized attributions), signatures, mobile footers,
disclaimers, HTML-only bodies, automatic replies, and replies in German, French, Spanish,
Italian, Portuguese and Dutch. Files named h*.eml were written in four rounds as phrasings the
rules had not seen, and measured before the rules learnt from them: 75%, 70%, 63% and 73% right
at first sight, with at most 2 of 30 wrong at a confidence that acts by itself. That is what to
expect of new wording: the misses mostly wait in the inbox at low confidence.
"""

from collections import Counter
from datetime import date
from pathlib import Path

from outreach.replies.inbound.classifier import INTENTS
from outreach.replies.inbound.message import parse_raw
from outreach.replies.inbound.triage import (
    AUTO_REPLY,
    RuleClassifier,
    TriageRequest,
    auto_reply_triage,
    read_message,
)
from tests.replies.conftest import SAMPLES

CORPUS = sorted((SAMPLES / "replies").glob("*/*.eml"))
SHORT = {
    "interested": "int",
    "not_interested": "not",
    "out_of_office": "ooo",
    "unsubscribe": "unsub",
    "referral": "ref",
    "question": "q",
    "unclear": "?",
}


def triage(path: Path) -> str:
    message = parse_raw(path.read_bytes())
    reading = read_message(message)
    request = TriageRequest(
        body=reading.body,
        subject=message.subject,
        sender=message.from_address,
        cc=message.cc,
        received=date(2025, 3, 3),
        ignored_addresses={"bob@acme-sales.example"},
    )
    if reading.kind == AUTO_REPLY:
        return auto_reply_triage(request, evidence=reading.evidence).intent
    return RuleClassifier().classify(request).intent


def confusion_table(pairs: list[tuple[str, str]]) -> str:
    counts = Counter(pairs)
    header = "expected \\ got".ljust(16) + "".join(SHORT[i].rjust(7) for i in INTENTS)
    lines = [header]
    for expected in INTENTS:
        cells = "".join(str(counts[(expected, got)] or ".").rjust(7) for got in INTENTS)
        lines.append(expected.ljust(16) + cells)
    return "\n".join(lines)


def test_the_embedded_classifier_gets_at_least_85_percent_of_real_replies_right(capsys):
    pairs = [(path.parent.name, triage(path)) for path in CORPUS]
    right = sum(expected == got for expected, got in pairs)
    accuracy = right / len(pairs)
    table = confusion_table(pairs)
    wrong = [
        f"  {path.parent.name}/{path.name} -> {got}"
        for path, (want, got) in zip(CORPUS, pairs, strict=True)
        if want != got
    ]
    with capsys.disabled():
        print(f"\n\nReply triage, embedded rules: {right}/{len(pairs)} right ({accuracy:.1%})")
        print(table)
        print("\n".join(wrong))
    assert accuracy >= 0.85, f"{accuracy:.1%}\n{table}"


def test_the_corpus_has_every_intent_in_several_languages_with_quotes_and_signatures():
    by_intent = Counter(path.parent.name for path in CORPUS)
    texts = [path.read_text(encoding="utf-8") for path in CORPUS]
    quoted = sum(
        any(marker in text for marker in ("wrote:", "schrieb", "a écrit", "escribió", "From:\n"))
        or "\n> " in text
        or "________________" in text
        for text in texts
    )
    foreign = sum(
        any(f"-{lang}-" in path.name for lang in ("de", "fr", "es", "it", "pt", "nl"))
        for path in CORPUS
    )
    assert len(CORPUS) >= 60
    assert set(by_intent) == set(INTENTS) - {"unclear"} and min(by_intent.values()) >= 10, by_intent
    assert quoted >= 60
    assert foreign >= 30
