"""How the classifier reads wording it has not learnt from, measured two ways on the development
corpus:

- forward: each round that was once a fresh round is read by the phrase rules as they stood when
  it was written (taken from the history of the repository) and by a model trained on the rounds
  before it only. Nothing that reads it has seen it: this is what a new round would score.
- held out: each round is held out in turn and the model is trained on all the others, while the
  phrase rules stay as they are now (they were written on every round, so this flatters them).

Run: DJANGO_SETTINGS_MODULE=config.settings .venv/bin/python -m tests.replies.cross_validation [-v]
"""

import subprocess
import sys
import types
from collections import Counter
from pathlib import Path
from unittest import mock

import django

ROOT = Path(__file__).resolve().parents[2]
RULES = ("UNSUBSCRIBE", "NOT_INTERESTED", "INTERESTED", "REFERRAL", "OUT_OF_OFFICE", "QUESTION")
# Rules added later: a round written before they existed is read without them.
LATER_RULES = ("NEEDS_PERSON", "HEDGES")


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True).stdout.decode()


def rules_when_written() -> list[tuple[str, dict]]:
    """The commit of each fresh round, oldest first, with the phrase rules as they stood then."""
    commits = _git(
        "log", "--reverse", "--format=%H", "--grep=fresh round", "--",
        "tests/replies/corpus/fresh.jsonl",
    ).split()  # fmt: skip
    found = []
    for commit in commits:
        if "fresh.jsonl" not in _git(
            "show", "--name-only", "--diff-filter=AM", "--format=", commit
        ):
            continue
        lexicon = types.ModuleType("lexicon_then")
        exec(_git("show", f"{commit}:outreach/replies/inbound/lexicon.py"), lexicon.__dict__)
        source = _git("show", f"{commit}:outreach/replies/inbound/classifier.py").replace(
            "from outreach.replies.inbound import lexicon\n", ""
        )
        classifier = {"lexicon": lexicon, "__name__": "classifier_then"}
        exec(source, classifier)
        rules = {name: classifier[name] for name in RULES}
        rules.update({name: classifier.get(name, []) for name in LATER_RULES})
        found.append((commit, rules))
    return found


def main() -> None:
    django.setup()
    from outreach.replies.inbound import classifier, model
    from tests.replies.corpus_eval import answer, load, report

    verbose = "-v" in sys.argv
    items = load(model.CORPUS)

    def round_of(item: dict) -> str:
        return item["id"].split("-")[0]

    # "dev" first, then round1, round2, … round10 in the order they were written.
    rounds = sorted(
        {round_of(item) for item in items},
        key=lambda r: (r != "dev", int(r.removeprefix("round") or 0) if r != "dev" else 0),
    )

    def read(tested: list[dict], learnt: object, rules: dict | None = None) -> list:
        patches = [mock.patch.object(classifier, "shipped_model", lambda: learnt)]
        patches += [mock.patch.object(classifier, k, v) for k, v in (rules or {}).items()]
        for patch in patches:
            patch.start()
        try:
            return [answer(item) for item in tested]
        finally:
            for patch in patches:
                patch.stop()

    def show(answers: list, title: str) -> None:
        table, _ = report(answers, title)
        print(table, end="\n\n")
        if verbose:
            for wrong in (a for a in answers if not a.right):
                text = " ".join(wrong.item["text"].split())[:110]
                print(
                    f"  {wrong.item['intent']} -> {wrong.intent} ({wrong.confidence:.2f}): {text}"
                )

    forward, per_round = [], []
    for number, (_, rules) in enumerate(rules_when_written(), start=1):
        name = f"round{number}"
        if name not in rounds:
            continue
        before = rounds[: rounds.index(name)]
        learnt = model.train(model.examples([i for i in items if round_of(i) in before]))
        answers = read([i for i in items if round_of(i) == name], learnt, rules)
        right = sum(a.right for a in answers)
        per_round.append(f"{name} {right}/{len(answers)} ({right / len(answers):.1%})")
        forward.extend(answers)
    show(
        forward,
        "Forward: each round read by the rules of its time and a model of the rounds before",
    )
    print("by round " + ", ".join(per_round), end="\n\n")

    held_out, alone = [], Counter()
    for name in rounds:
        learnt = model.train(model.examples([i for i in items if round_of(i) != name]))
        tested = [i for i in items if round_of(i) == name]
        held_out.extend(read(tested, learnt))
        for text, intent in model.examples(tested):
            probabilities = learnt.probabilities(text)
            guess = max(probabilities, key=probabilities.__getitem__) if probabilities else "-"
            alone[intent == guess] += 1
    show(held_out, f"Held out one round at a time ({', '.join(rounds)}), today's rules")
    print(f"the model alone on held-out rounds: {alone[True]}/{sum(alone.values())} right")


if __name__ == "__main__":
    main()
