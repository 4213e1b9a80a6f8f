"""IMAP sync on PostgreSQL against a real Dovecot: a mailbox of 10,000 messages read the first
time (messages per second), then a second pass with nothing new (seconds).

The mailbox is a rep's inbox: one message in ten answers one of our emails (stored as a reply,
matched by thread, its triage queued for a worker); the rest (newsletters, colleagues) are read
and left alone. Targets: first sync >= 200 messages/s, second pass < 1 s.
Run: .venv/bin/python bench/imap_sync.py   (needs PostgreSQL and Debian's dovecot-imapd)
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_DB_NAME", "crm_bench_imap")
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "10000"))
REPLY_EVERY = 10


def main() -> None:
    recreate_database()
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "LOG_LEVEL": "ERROR",
        "OUTBOUND_ALLOW_PRIVATE_ADDRESSES": "true",
        "VAR_DIR": tempfile.mkdtemp(prefix="crm-bench-imap-"),
    }
    env.pop("REDIS_URL", None)
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        result = subprocess.run(
            [sys.executable, __file__, "--measure"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
        )
        if result.returncode != 0:
            sys.exit(f"the measuring run failed:\n{result.stderr[-3000:]}")
        figures = json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        drop_database()
    print(
        f"first sync: {figures['messages']} messages in {figures['first_seconds']:.2f} s = "
        f"{figures['first_per_second']:.0f} messages/s (target >= 200); "
        f"{figures['replies']} stored as replies"
    )
    print(f"second pass, nothing new: {figures['second_seconds']:.3f} s (target < 1 s)")
    print(
        f"filling the mailbox: {figures['fill_seconds']:.1f} s writing the Maildir, "
        f"{figures['index_seconds']:.2f} s for Dovecot to index it"
    )


def measure() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import User

    from outreach.mail.services.mailboxes import mailbox_create
    from outreach.mail.services.sync import mailbox_sync
    from outreach.models import Contact, Membership, OutreachLog, Prospect, Reply, Workspace
    from tests.mail.servers import Dovecot

    workspace = Workspace.objects.create(name="Bench", slug="bench")
    rep = User.objects.create(username="rep", email="rep@acme.example")
    Membership.objects.create(workspace=workspace, user=rep, role="rep")
    prospect = Prospect.objects.create(workspace=workspace, name="Globex", domain="globex.example")
    replies = MESSAGES // REPLY_EVERY
    contacts = Contact.objects.bulk_create(
        Contact(
            workspace=workspace,
            prospect=prospect,
            first_name=f"C{i}",
            email=f"c{i}@globex.example",
        )
        for i in range(replies)
    )
    OutreachLog.objects.bulk_create(
        OutreachLog(
            workspace=workspace,
            prospect=prospect,
            contact=contact,
            log_type="EMAIL",
            channel="email",
            status="sent",
            subject="Quick idea",
            metadata={"messageId": f"<sent-{i}@acme.example>"},
        )
        for i, contact in enumerate(contacts)
    )

    dovecot = Dovecot().start()
    try:
        user, password = dovecot.account()
        # Delivered as a local delivery agent would, into the Maildir (APPEND of 10,000 took
        # minutes); Dovecot then indexes the folder once, as it would have on delivery.
        started = time.perf_counter()
        dovecot.deliver_to_maildir(user, (message(i) for i in range(MESSAGES)))
        fill_seconds = time.perf_counter() - started
        started = time.perf_counter()
        indexed = dovecot.index(user, password)
        index_seconds = time.perf_counter() - started
        assert indexed == MESSAGES, indexed
        mailbox = mailbox_create(
            workspace=workspace,
            owner=rep,
            fields={
                "display_name": "Rep",
                "email": "rep@acme.example",
                "imap_host": "127.0.0.1",
                "imap_port": dovecot.port,
                "imap_tls": "none",
                "imap_username": user,
            },
            imap_password=password,
        )
        started = time.perf_counter()
        first = mailbox_sync(mailbox_id=mailbox.pk)
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        second = mailbox_sync(mailbox_id=mailbox.pk)
        second_seconds = time.perf_counter() - started
    finally:
        dovecot.stop()
    assert first.outcome == "synced" and first.read == MESSAGES, first
    assert second.outcome == "synced" and second.read == 0, second
    print(
        json.dumps(
            {
                "messages": MESSAGES,
                "replies": Reply.objects.count(),
                "fill_seconds": fill_seconds,
                "index_seconds": index_seconds,
                "first_seconds": first_seconds,
                "first_per_second": MESSAGES / first_seconds,
                "second_seconds": second_seconds,
            }
        )
    )


def message(i: int) -> bytes:
    if i % REPLY_EVERY == 0:
        n = i // REPLY_EVERY
        sender, extra = f"c{n}@globex.example", f"In-Reply-To: <sent-{n}@acme.example>\r\n"
        subject, text = "Re: Quick idea", "Sounds good, let's talk next week."
    else:
        sender, extra = f"news{i}@vendor.example", ""
        subject, text = f"Newsletter {i}", "This week in fintech: " + "lorem ipsum " * 80
    return (
        f"From: {sender}\r\nTo: rep@acme.example\r\nSubject: {subject}\r\n"
        f"Message-ID: <m{i}@bench.example>\r\n{extra}"
        "Date: Tue, 4 Mar 2025 10:00:00 +0000\r\nContent-Type: text/plain\r\n\r\n"
        f"{text}\r\n"
    ).encode()


def recreate_database() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def drop_database() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    measure() if "--measure" in sys.argv else main()
