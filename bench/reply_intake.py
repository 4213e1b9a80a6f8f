"""Reply intake on PostgreSQL: how long storing (parse, match by thread and address, store) and
triaging (rules, then the effects) take per message, in a workspace with 20,000 sent emails and
5,000 contacts, and how fast the rule classifier reads the reply corpus without a database.

Triage does its real work: the call task of an interested reply and the stop or pause of the
contact's sequences.
Run: .venv/bin/python bench/reply_intake.py   (needs PostgreSQL)
"""

import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_DB_NAME", "crm_bench_replies")
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
CONTACTS = 5_000
SENT_PER_CONTACT = 4
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "600"))


def main() -> None:
    recreate_database()
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "LOG_LEVEL": "ERROR",
    }
    env.pop("REDIS_URL", None)
    env.pop("ANTHROPIC_API_KEY", None)
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        # Settings are read at import: the measuring runs in a child with the bench database.
        result = subprocess.run(
            [sys.executable, __file__, "--measure"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if result.returncode != 0:
            sys.exit(f"the measuring run failed:\n{result.stderr[-3000:]}")
    finally:
        drop_database()
    report(json.loads(result.stdout.strip().splitlines()[-1]))


def measure() -> dict:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count

    from outreach.models import Contact, OutreachLog, Prospect, Reply
    from outreach.replies import tasks
    from outreach.replies.inbound.message import parse_raw
    from outreach.replies.inbound.triage import RuleClassifier, TriageRequest, read_message
    from outreach.replies.services.intake import reply_receive
    from outreach.replies.services.triage import reply_process
    from outreach.workspaces.services.workspaces import workspace_create

    enqueued: list[int] = []
    tasks.process_reply.delay = enqueued.append

    corpus = [p.read_bytes() for p in sorted(ROOT.glob("tests/replies/samples/replies/*/*.eml"))]
    classify_ms = []
    for _ in range(5):
        for raw in corpus:
            start = time.perf_counter()
            message = parse_raw(raw)
            reading = read_message(message)
            request = TriageRequest(
                body=reading.body,
                subject=message.subject,
                sender=message.from_address,
                received=date(2025, 3, 3),
            )
            RuleClassifier().classify(request)
            classify_ms.append((time.perf_counter() - start) * 1000)

    owner = get_user_model().objects.create(username="bench")
    workspace = workspace_create(name="Bench", owner=owner)
    prospects = Prospect.objects.bulk_create(
        Prospect(workspace=workspace, name=f"Company {i}", domain=f"c{i}.example")
        for i in range(CONTACTS // 5)
    )
    contacts = Contact.objects.bulk_create(
        Contact(
            workspace=workspace,
            prospect=prospects[i // 5],
            first_name=f"P{i}",
            email=f"p{i}@c{i // 5}.example",
        )
        for i in range(CONTACTS)
    )
    OutreachLog.objects.bulk_create(
        OutreachLog(
            workspace=workspace,
            prospect_id=contact.prospect_id,
            contact=contact,
            log_type="EMAIL",
            channel="email",
            status="sent",
            subject="Quick question",
            metadata={"messageId": f"<out-{contact.pk}-{k}@acme.example>"},
        )
        for contact in contacts
        for k in range(SENT_PER_CONTACT)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    receive_ms, process_ms = [], []
    for n in range(MESSAGES):
        contact = contacts[(n * 7919) % CONTACTS]
        sender = contact.email if n % 3 else f"other{n}@elsewhere.example"
        headers = (
            f"From: Someone <{sender}>\r\nSubject: Re: Quick question\r\n"
            f"Message-ID: <bench-{n}@mail.example>\r\n"
            f"In-Reply-To: <out-{contact.pk}-{n % SENT_PER_CONTACT}@acme.example>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        )
        raw = headers.encode() + corpus[n % len(corpus)].split(b"\n\n", 1)[1]
        start = time.perf_counter()
        reply_receive(workspace=workspace, message=parse_raw(raw), source="raw")
        receive_ms.append((time.perf_counter() - start) * 1000)
    for reply_id in enqueued:
        start = time.perf_counter()
        reply_process(reply_id=reply_id)
        process_ms.append((time.perf_counter() - start) * 1000)

    ids = ['"<out-5-1@acme.example>"', '"out-5-1@acme.example"']
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN SELECT id FROM outreach_outreachlog WHERE workspace_id = %s "
            "AND channel = 'email' AND (metadata -> 'messageId') IN (%s::jsonb, %s::jsonb)",
            [workspace.pk, *ids],
        )
        plan = [row[0] for row in cursor.fetchall()]
    states = Reply.objects.values_list("state").annotate(n=Count("pk")).order_by()
    return {
        "classify": summary(classify_ms),
        "receive": summary(receive_ms),
        "process": summary(process_ms),
        "matched": Reply.objects.exclude(contact=None).count(),
        "states": dict(states),
        "plan": plan,
    }


def summary(values: list[float]) -> list[float]:
    ordered = sorted(values)
    return [
        len(ordered),
        statistics.mean(ordered),
        ordered[len(ordered) // 2],
        ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
    ]


def report(figures: dict) -> None:
    print(
        f"PostgreSQL, {CONTACTS} contacts, {CONTACTS * SENT_PER_CONTACT} sent emails, "
        f"{MESSAGES} inbound messages (two thirds from known senders), one process"
    )
    print(f"{'step':34} {'n':>6} {'mean ms':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for name, key in (
        ("classify (parse + read + rules)", "classify"),
        ("receive (parse + match + store)", "receive"),
        ("triage (rules + effects)", "process"),
    ):
        n, mean, p50, p99 = figures[key]
        print(f"{name:34} {n:6.0f} {mean:8.2f} {p50:8.2f} {p99:8.2f}")
    total = figures["receive"][1] + figures["process"][1]
    print(f"intake end to end: {1000 / total:.0f} replies/s per process")
    print(f"matched to a contact: {figures['matched']} of {MESSAGES}; states: {figures['states']}")
    print("thread lookup plan:", " | ".join(line.strip() for line in figures["plan"][:3]))


def recreate_database() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def drop_database() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    if "--measure" in sys.argv:
        print(json.dumps(measure()))
    else:
        main()
