"""A small naive Bayes model over words and word pieces, trained at first use on the labelled
development corpus shipped beside it (`corpus/development.jsonl`). It reads only what the phrase
rules do not: its answer is a suggestion below the confidence that acts by itself, so a person
confirms it in the inbox."""

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from outreach.replies.inbound.quotes import strip_reply

CORPUS = Path(__file__).parent / "corpus" / "development.jsonl"
_WORD = re.compile(r"\w+", re.UNICODE)


def features(text: str) -> list[str]:
    """Words, and the 4-letter pieces of longer words, so that "interessiert" and "interessant"
    or "odhlaste" and "odhlásit" share evidence."""
    found = []
    for word in _WORD.findall(text.lower()):
        if word.isdigit():
            continue
        found.append(f"w:{word}")
        if len(word) > 4:
            found.extend(f"p:{word[i : i + 4]}" for i in range(len(word) - 3))
        elif not word.isascii():
            found.extend(f"c:{char}" for char in word)  # Japanese has no spaces
    return found


@dataclass(frozen=True)
class IntentModel:
    priors: dict[str, float]
    likelihoods: dict[str, dict[str, float]]
    unseen: dict[str, float]

    def probabilities(self, text: str) -> dict[str, float]:
        tokens = [
            t for t in features(text) if any(t in table for table in self.likelihoods.values())
        ]
        if not tokens:
            return {}
        logs = {
            intent: self.priors[intent]
            + sum(self.likelihoods[intent].get(t, self.unseen[intent]) for t in tokens)
            for intent in self.priors
        }
        top = max(logs.values())
        weights = {intent: math.exp(value - top) for intent, value in logs.items()}
        total = sum(weights.values())
        return {intent: weight / total for intent, weight in weights.items()}


def train(examples: list[tuple[str, str]]) -> IntentModel:
    counts: dict[str, Counter] = {}
    documents = Counter()
    for text, intent in examples:
        counts.setdefault(intent, Counter()).update(features(text))
        documents[intent] += 1
    vocabulary = {token for table in counts.values() for token in table}
    priors = {i: math.log(n / sum(documents.values())) for i, n in documents.items()}
    likelihoods, unseen = {}, {}
    for intent, table in counts.items():
        total = sum(table.values()) + len(vocabulary)
        likelihoods[intent] = {t: math.log((n + 1) / total) for t, n in table.items()}
        unseen[intent] = math.log(1 / total)
    return IntentModel(priors=priors, likelihoods=likelihoods, unseen=unseen)


@lru_cache(maxsize=1)
def shipped_model() -> IntentModel:
    examples = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        # Both forms of each reply, so that greetings, sign-offs and quoted history, which
        # every intent shares, carry no weight for any of them.
        if item["intent"] != "out_of_office":
            examples.append((strip_reply(item["text"]), item["intent"]))
    return train(examples)
