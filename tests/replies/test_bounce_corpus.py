"""Real bounces from many mail servers, read in place from the shared development corpus
(`../shared/corpora/bounces` beside the project, or `$SHARED_DIR/corpora/bounces`): every file is
machine mail, the failed recipient is the one the report names, and hard/soft agrees with the
corpus's `hardbounce` column on at least 95% of its rows."""

import csv
import os
import re
from collections import Counter
from pathlib import Path

import pytest

from outreach.replies.inbound.dsn import detect_bounce
from outreach.replies.inbound.message import parse_raw
from outreach.replies.inbound.triage import BOUNCE_HARD, BOUNCE_SOFT, NOTIFICATION, read_message

PROJECT = Path(__file__).resolve().parents[2]


def _corpus() -> Path | None:
    for shared in (os.environ.get("SHARED_DIR"), PROJECT.parent / "shared"):
        if shared and (Path(shared) / "corpora" / "bounces" / "expected.tsv").is_file():
            return Path(shared) / "corpora" / "bounces"
    return None


CORPUS = _corpus()
pytestmark = pytest.mark.skipif(
    CORPUS is None,
    reason="The shared bounce corpus is not at ../shared/corpora/bounces (or $SHARED_DIR).",
)
ROWS = list(csv.DictReader((CORPUS / "expected.tsv").open(), delimiter="\t")) if CORPUS else []


def _read(name: str):
    assert CORPUS is not None
    return parse_raw((CORPUS / "lhost" / name).read_bytes())


def test_every_file_is_read_as_machine_mail_and_nearly_all_as_bounces():
    assert CORPUS is not None
    kinds = Counter()
    not_bounces = []
    for path in sorted((CORPUS / "lhost").glob("*.eml")):
        kind = read_message(parse_raw(path.read_bytes())).kind
        kinds[kind] += 1
        if kind not in {BOUNCE_HARD, BOUNCE_SOFT}:
            not_bounces.append((path.name, kind))
    # Two of the files are Amazon SES notices that are not bounces (a complaint and a report
    # that the mail was delivered): machine mail all the same, never a person, and never a
    # reason to retire an address.
    assert sorted(not_bounces) == [
        ("lhost-amazonses-11.eml", NOTIFICATION),
        ("lhost-amazonses-12.eml", NOTIFICATION),
    ]
    assert sum(kinds.values()) >= 350


def test_each_row_finds_its_failed_recipient_and_never_our_own_sender(capsys):
    wrong = []
    for row in ROWS:
        message = _read(row["file"])
        bounce = detect_bounce(message)
        index = int(row["recipient_index"])
        if bounce is None or len(bounce.failures) <= index:
            wrong.append((row["file"], index, "no such recipient"))
            continue
        recipient = bounce.failures[index]["recipient"]
        notice = _notice_text(message)
        ours = {message.from_address.email, *(a.email for a in message.to)}
        reported = _reported_recipients(notice)
        returned_from = re.findall(r"^\s*from:.*?([\w.+-]+@[\w.-]+)", notice, re.M)
        if reported and recipient not in reported:
            # The report's own fields say who failed: the answer is one of them.
            wrong.append((row["file"], index, f"{recipient} is not one of {sorted(reported)}"))
        elif not recipient or recipient not in notice:
            wrong.append((row["file"], index, recipient or "no address"))
        elif recipient in ours and recipient not in _named(notice):
            wrong.append((row["file"], index, f"{recipient} is the notice's own addressee"))
        elif returned_from and recipient == returned_from[-1] and recipient not in _named(notice):
            wrong.append((row["file"], index, f"{recipient} is the sender"))
    with capsys.disabled():
        print(f"\n\nBounce corpus: failed recipient right on {len(ROWS) - len(wrong)}/{len(ROWS)}")
        for miss in wrong:
            print(f"  missed {miss}")
    assert wrong == []


def _notice_text(message) -> str:
    """The whole notice as text, lower-cased: its raw lines and every part decoded (a base64
    or quoted-printable notice names its addresses only once decoded)."""
    texts = [message.mime.as_string()] if message.mime is not None else []
    for part in message.mime.walk() if message.mime is not None else []:
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            texts.append(payload.decode(part.get_content_charset() or "utf-8", errors="replace"))
    return "\n".join(texts).lower()


def _reported_recipients(notice: str) -> set[str]:
    """The addresses the report's machine-readable fields name (RFC 3464, X-Failed-Recipients),
    quotes around a local part dropped."""
    fields = re.findall(
        r"^(?:final-recipient|original-recipient|x-failed-recipients):(.*(?:\n[ \t].*)*)",
        notice,
        re.M,
    )
    return {
        a.replace('"', "") for a in re.findall(r'[\w.+"-]+@[\w-]+(?:\.[\w-]+)+', " ".join(fields))
    }


def _named(notice: str) -> str:
    """The parts of a notice that name failed recipients: report fields, lines about a
    recipient, and the "<a@b>:" lines qmail and Postfix open each failure with."""
    lines = re.findall(
        r"^(?:final-recipient|original-recipient|x-failed-recipients|.*recipient|<[^<>\s]+@[^<>\s]+>:).*$",
        notice,
        re.M,
    )
    return "\n".join(lines)


def test_hard_and_soft_agree_with_the_corpus_on_at_least_95_percent_of_rows(capsys):
    agree, total = Counter(), Counter()
    for row in ROWS:
        bounce = detect_bounce(_read(row["file"]))
        index = int(row["recipient_index"])
        failure = bounce.failures[index] if bounce and len(bounce.failures) > index else None
        total[row["reason"]] += 1
        if failure is not None and (failure["hard"] == "1") == (row["hardbounce"] == "1"):
            agree[row["reason"]] += 1
    right = sum(agree.values())
    with capsys.disabled():
        print(f"\n\nBounce corpus: hard/soft right on {right}/{len(ROWS)} rows")
        for reason in sorted(total, key=lambda r: -total[r]):
            print(f"  {reason:18} {agree[reason]:3}/{total[reason]:<3}")
    assert right / len(ROWS) >= 0.95, f"{right}/{len(ROWS)}"
