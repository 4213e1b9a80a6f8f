"""A small naive Bayes model over words, pairs of words and letter pieces, trained at first use on
the labelled development corpus shipped beside it (`corpus/development.jsonl`). It reads what the
phrase rules do not, or read from one loose cue only: its answer is a suggestion below the
confidence that acts by itself, so a person confirms it in the inbox."""

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise, repeat
from pathlib import Path

from outreach.replies.inbound.quotes import strip_reply

CORPUS = Path(__file__).parent / "corpus" / "development.jsonl"
_WORD = re.compile(r"\w+", re.UNICODE)


def features(text: str) -> list[str]:
    """Words, pairs of words, and the 3- to 5-letter pieces of each word with its edges marked,
    so that inflected forms ("interessiert", "interessant"; "odhlaste", "odhlásit") and words
    never seen whole still share evidence. Japanese, written without spaces, is read in pieces
    of its characters the same way."""
    words = [w for w in _WORD.findall(text.lower()) if not w.isdigit()]
    found = [f"w:{word}" for word in words]
    # Whether something is asked tells a question, or a proposed time, from a statement.
    if "?" in text or "\uff1f" in text:
        found.append("p:?")
    found.extend(f"b:{a} {b}" for a, b in pairwise(words))
    for word in words:
        marked = f"<{word}>"
        for size in (3, 4, 5):
            found.extend(marked[i : i + size] for i in range(len(marked) - size + 1))
    return found


@dataclass(frozen=True)
class IntentModel:
    priors: dict[str, float]
    likelihoods: dict[str, dict[str, float]]
    unseen: dict[str, float]
    # Every token some intent has seen: the others say nothing and are left out.
    vocabulary: frozenset[str]

    def probabilities(self, text: str) -> dict[str, float]:
        tokens = [t for t in features(text) if t in self.vocabulary]
        if not tokens:
            return {}
        logs = {
            intent: self.priors[intent]
            + sum(map(self.likelihoods[intent].get, tokens, repeat(self.unseen[intent])))
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
    return IntentModel(
        priors=priors, likelihoods=likelihoods, unseen=unseen, vocabulary=frozenset(vocabulary)
    )


def examples(items: list[dict]) -> list[tuple[str, str]]:
    """The labelled replies a model learns from: what each person wrote, without the quoted
    history and signature that every intent shares. Automatic replies with their headers are
    told apart before the model is asked, so it does not learn them; an out-of-office note a
    person typed, or one without headers, reaches the model like any reply, so it learns those."""
    return [
        (strip_reply(item["text"]), item["intent"])
        for item in items
        if item["intent"] != "out_of_office" or not item.get("headers")
    ]


@lru_cache(maxsize=1)
def shipped_model() -> IntentModel:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return train(examples([json.loads(line) for line in lines if line.strip()]))
