"""The classifier measured on labelled replies in fourteen languages.

`development.jsonl` (shipped with the classifier, which learns from it) is the set the rules were
written against. `fresh.jsonl` was written after the classifier was frozen, in wording it had
never seen, and was not tuned on afterwards: its figures are the ones to expect of new mail. The
test prints the confusion table of each.
"""

from collections import Counter
from pathlib import Path

import pytest

from outreach.replies.inbound.classifier import INTENTS
from outreach.replies.inbound.model import CORPUS as DEVELOPMENT
from tests.replies.corpus_eval import answer, load, report

FRESH = Path(__file__).parent / "corpus" / "fresh.jsonl"
LANGUAGES = {"en", "de", "fr", "es", "pt", "it", "nl", "pl", "cs", "sv", "da", "no", "fi", "ja"}


def test_the_development_corpus_has_600_replies_in_every_language_and_style():
    items = load(DEVELOPMENT)
    assert len(items) >= 600
    assert {item["lang"] for item in items} == LANGUAGES
    by_intent = Counter(item["intent"] for item in items)
    assert set(by_intent) == set(INTENTS), by_intent
    texts = [item["text"] for item in items]
    assert sum("\n> " in t or "Original Message" in t for t in texts) >= 200  # quoted history
    assert sum(len(t) < 40 for t in texts) >= 150  # short, blunt answers
    assert sum(bool(item["headers"]) for item in items) >= 30  # RFC 3834 automatic replies


def test_the_classifier_reads_the_development_corpus(capsys):
    answers = [answer(item) for item in load(DEVELOPMENT)]
    table, figures = report(answers, "\n\nDevelopment corpus (the rules were written on it)")
    with capsys.disabled():
        print(table)
    assert figures["accuracy"] >= 0.95


def _fresh_round() -> tuple[str, dict, list]:
    items = load(FRESH)
    assert len(items) >= 150 and {item["lang"] for item in items} == LANGUAGES
    answers = [answer(item) for item in items]
    table, figures = report(answers, "\n\nFresh round (written after the classifier was frozen)")
    return table, figures, answers


def test_on_the_fresh_round_what_it_does_by_itself_is_right_97_percent_of_the_time(capsys):
    table, figures, answers = _fresh_round()
    with capsys.disabled():
        print(table)
        for wrong in (a for a in answers if not a.right):
            print(f"  {wrong.item['id']}: {wrong.intent} ({wrong.confidence:.2f})")
    assert figures["automatic_precision"] >= 0.97, table


@pytest.mark.xfail(
    strict=True,
    reason="Not reached yet: 90.5% right overall on the latest fresh round (304 of 336) and "
    "every intent's recall is 89% or more except 'unclear' at 39% (11 of 28): replies that are "
    "about something else (a note meant for a colleague, an invoice, small talk, a lone emoji) "
    "are suggested as an intent rather than left to a person.",
)
def test_on_the_fresh_round_it_is_right_90_percent_with_85_percent_recall_of_every_intent():
    table, figures, _ = _fresh_round()
    assert figures["accuracy"] >= 0.90, table
    assert min(figures["recall"].values()) >= 0.85, table
