"""Requests/s and latency of every list of the API (50 rows a page over 5,000 rows each:
prospects, contacts, deals, tasks, replies, sequences, automations, automation runs, campaigns)
beside trivial views, all served by gunicorn with the production configuration
(config/gunicorn.py) on PostgreSQL, loaded by wrk, one after the other in the same run.

Two trivial views are measured. The target compares each list with GET /api/v1/workspace: an
API view that does nothing but answer a small JSON object, through the same API-key check and
the same framework, so the ratio is the cost of the list itself. GET /healthz (no API, no
key, no database) is printed beside it, as the floor of what Django can serve at all.

Targets (idle machine): every list at >= 40% of the trivial API view's rate with p99 < 100 ms at
32 connections, and no connection error (connect, read, write, timeout) at 32 or 128.
Run: .venv/bin/python bench/api_throughput.py   (needs PostgreSQL and wrk; honours DATABASE_URL,
and creates and drops the database BENCH_DB_NAME, crm_bench_api by default, on that server)
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import harness

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER_URL = os.environ.get("DATABASE_URL", "")
if not SERVER_URL.startswith(("postgres://", "postgresql://")):
    SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DB_NAME = os.environ.get("BENCH_DB_NAME", "crm_bench_api")
DATABASE_URL = harness.database_url(SERVER_URL, DB_NAME)
PROSPECTS = 5_000
ROWS = 5_000
CONNECTIONS = 32
MANY_CONNECTIONS = 128
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
GUNICORN_WORKERS = os.environ.get("GUNICORN_WORKERS", "3")
LISTS = (
    "prospects",
    "contacts",
    "deals",
    "tasks",
    "replies",
    "sequences",
    "automations",
    "automations/executions",
    "campaigns",
)


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is needed for this benchmark: apt-get install -y wrk")
    recreate_database()
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_WORKERS": GUNICORN_WORKERS,
    }
    env.pop("REDIS_URL", None)
    api_key = seed(env)
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--config=python:config.gunicorn",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/healthz")
        auth = f"Authorization: Bearer {api_key}"
        run_wrk(f"{base}/healthz", [], seconds=2)  # warm the workers up
        for path in LISTS:
            run_wrk(f"{base}/api/v1/{path}?page_size=50", [auth], seconds=1)
        floor = run_wrk(f"{base}/healthz", [], seconds=SECONDS)
        trivial = run_wrk(f"{base}/api/v1/workspace", [auth], seconds=SECONDS)
        lists = {
            path: run_wrk(f"{base}/api/v1/{path}?page_size=50", [auth], seconds=SECONDS)
            for path in LISTS
        }
        crowded = {
            path: run_wrk(
                f"{base}/api/v1/{path}?page_size=50",
                [auth],
                seconds=SECONDS,
                connections=MANY_CONNECTIONS,
            )
            for path in ("workspace", "contacts")
        }
    finally:
        server.terminate()
        server.wait(timeout=20)
        drop_database()

    print(
        f"gunicorn {GUNICORN_WORKERS} workers (config/gunicorn.py), PostgreSQL, {ROWS} rows a "
        f"list, wrk {CONNECTIONS} connections, {SECONDS} s each"
    )
    print(harness.machine())
    print(
        f"{'endpoint':46} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'ratio':>6} "
        f"{'conn err':>8} {'non-2xx':>7}"
    )
    rows = [
        ("GET /healthz (no API, no key, no database)", floor),
        ("GET /api/v1/workspace (trivial API view)", trivial),
        *((f"GET /api/v1/{path}?page_size=50", result) for path, result in lists.items()),
    ]
    for name, result in rows:
        print(
            f"{name:46} {result['rps']:7.0f} {result['p50']:7.1f} {result['p99']:7.1f} "
            f"{result['rps'] / trivial['rps']:6.0%} {result['socket_errors']:8d} "
            f"{result['errors']:7d}"
        )
    for path, result in crowded.items():
        print(
            f"{MANY_CONNECTIONS} connections, GET /api/v1/{path}: {result['rps']:.0f} req/s, "
            f"p99 {result['p99']:.1f} ms, connection errors {result['socket_errors']}, "
            f"non-2xx {result['errors']}"
        )
    missed = [
        path
        for path, result in lists.items()
        if result["rps"] / trivial["rps"] < 0.40 or result["p99"] >= 100
    ]
    print(
        "every list >= 40% of the trivial API view and p99 < 100 ms: "
        + ("met" if not missed else f"MISSED by {', '.join(missed)}")
    )
    results = [floor, trivial, *lists.values(), *crowded.values()]
    print(f"connection errors: {sum(result['socket_errors'] for result in results)} (target 0)")
    print(f"non-2xx responses: {sum(result['errors'] for result in results)}")


def recreate_database() -> None:
    harness.recreate_database(SERVER_URL, DB_NAME, drop_only=False)


def drop_database() -> None:
    harness.recreate_database(SERVER_URL, DB_NAME, drop_only=True)


def seed(env: dict[str, str]) -> str:
    """Migrate and load the prospects in a child process (settings are read at import)."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    script = f"""
import django
django.setup()
from django.contrib.auth import get_user_model
from outreach.models import Prospect, Tag
from outreach.workspaces.services.workspaces import api_key_create, workspace_create
owner = get_user_model().objects.create(username="bench")
workspace = workspace_create(name="Bench", owner=owner)
tags = Tag.objects.bulk_create(Tag(workspace=workspace, name=f"tag-{{i}}") for i in range(10))
prospects = Prospect.objects.bulk_create(
    Prospect(workspace=workspace, name=f"Company {{i:05d}}", domain=f"company{{i}}.example",
             website=f"https://company{{i}}.example", custom_fields={{"employees": i}})
    for i in range({PROSPECTS})
)
Through = Prospect.tags.through
Through.objects.bulk_create(
    Through(prospect_id=p.pk, tag_id=tags[(i + k) % 10].pk)
    for i, p in enumerate(prospects) for k in range(2)
)
from datetime import timedelta
from django.utils import timezone
from automations.models import Automation, AutomationEvent, AutomationExecution
from campaigns.models import Campaign
from outreach.models import (
    Contact, Deal, OutreachLog, Reply, SequenceTemplate, SequenceTemplateStep,
)
contacts = Contact.objects.bulk_create(
    Contact(workspace=workspace, prospect=p, first_name=f"Pat{{i}}", last_name=f"Lee{{i:05d}}",
            email=f"pat{{i}}@company{{i}}.example", title="CFO")
    for i, p in enumerate(prospects[:{ROWS}])
)
Contact.tags.through.objects.bulk_create(
    Contact.tags.through(contact_id=c.pk, tag_id=tags[i % 10].pk) for i, c in enumerate(contacts)
)
from outreach.crm.services.deals import pipeline_create
pipeline = pipeline_create(workspace=workspace, name="Sales", stages=["Lead", "Demo", "Won"])
stages = list(pipeline.stages.all())
deals = Deal.objects.bulk_create(
    Deal(workspace=workspace, pipeline=pipeline, stage=stages[i % len(stages)], prospect=p,
         contact=contacts[i], name=f"Deal {{i}}", value=1000 + i, owner=owner)
    for i, p in enumerate(prospects[:{ROWS}])
)
Deal.tags.through.objects.bulk_create(
    Deal.tags.through(deal_id=d.pk, tag_id=tags[i % 10].pk) for i, d in enumerate(deals)
)
now = timezone.now()
OutreachLog.objects.bulk_create(
    OutreachLog(workspace=workspace, prospect=p, contact=contacts[i], log_type="CALL",
                channel="call", status=OutreachLog.Status.TOUCH_OPEN, subject=f"Call {{i}}",
                priority=2, due_at=now + timedelta(minutes=i), assignee=owner, created_by=owner,
                metadata={{"kind": OutreachLog.TOUCH_TASK}})
    for i, p in enumerate(prospects[:{ROWS}])
)
Reply.objects.bulk_create(
    Reply(workspace=workspace, message_id=f"<m{{i}}@mail.example>", source="api",
          from_email=contacts[i].email, subject=f"Re: hello {{i}}", body="Tell me more.",
          contact=contacts[i], prospect=prospects[i], received_at=now - timedelta(minutes=i))
    for i in range({ROWS})
)
sequences = SequenceTemplate.objects.bulk_create(
    SequenceTemplate(workspace=workspace, name=f"Cadence {{i}}", created_by=owner)
    for i in range({ROWS})
)
SequenceTemplateStep.objects.bulk_create(
    SequenceTemplateStep(template=t, position=k, channel="call", delay_days=k,
                         subject_template=f"Call {{{{contact.first_name}}}} {{k}}")
    for t in sequences for k in range(1, 4)
)
automations = Automation.objects.bulk_create(
    Automation(workspace=workspace, name=f"Rule {{i}}", trigger_type="contact.created",
               actions=[{{"type": "assign_tag", "params": {{"tag": "new"}}}}], created_by=owner)
    for i in range({ROWS})
)
events = AutomationEvent.objects.bulk_create(
    AutomationEvent(workspace=workspace, event_type="contact.created",
                    payload={{"contact_id": contacts[i].pk}}, status="dispatched")
    for i in range({ROWS})
)
AutomationExecution.objects.bulk_create(
    AutomationExecution(workspace=workspace, automation=automations[i % 50], event=events[i],
                        status="completed", actions=automations[0].actions,
                        next_action_index=1, finished_at=now)
    for i in range({ROWS})
)
Campaign.objects.bulk_create(
    Campaign(workspace=workspace, name=f"Campaign {{i}}", sender_name="Alice", brief="Intro")
    for i in range({ROWS})
)
_, key = api_key_create(workspace=workspace, name="bench", by=owner)
from django.db import connection
with connection.cursor() as cursor:
    # Statistics and the visibility map, as autovacuum keeps them in a live database.
    cursor.execute("VACUUM ANALYZE")
print(key)
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.exit(f"seeding failed:\n{result.stderr[-3000:]}")
    return result.stdout.strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"the server did not answer at {url}")


def run_wrk(
    url: str, headers: list[str], *, seconds: int, connections: int = CONNECTIONS
) -> dict[str, float]:
    # wrk counts answers other than 2xx and 3xx, so a fast stream of errors cannot pass for
    # speed, and apart from them the connections closed, refused or timed out under it.
    # A slow answer is not a dropped connection: wrk's timeout is raised well past the p99s.
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout=30s", "--latency"]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors:(.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": (
            sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1))) if socket_errors else 0
        ),
    }


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


if __name__ == "__main__":
    main()
