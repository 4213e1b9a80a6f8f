"""Requests/s and latency of GET /api/v1/prospects (50 per page over 5,000 prospects) beside a
trivial JSON view, all served by gunicorn with 2 workers on PostgreSQL, loaded by wrk at 32
connections, one after the other in the same run.

Two trivial views are measured. The target compares the list with GET /api/v1/workspace: an
API view that does nothing but answer a small JSON object, through the same API-key check and
the same framework, so the ratio is the cost of the list itself. GET /healthz (no API, no
key, no database) is printed beside it, as the floor of what Django can serve at all.

Targets: the list at >= 30% of the trivial API view's rate, list p99 < 100 ms.
Run: .venv/bin/python bench/api_throughput.py   (needs PostgreSQL and wrk)
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = "crm_bench_api"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
PROSPECTS = 5_000
CONNECTIONS = 32
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))


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
    }
    env.pop("REDIS_URL", None)
    api_key = seed(env)
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--workers=2",
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
        run_wrk(f"{base}/healthz", [], seconds=2)  # warm both workers up
        run_wrk(f"{base}/api/v1/prospects?page_size=50", [auth], seconds=2)
        floor = run_wrk(f"{base}/healthz", [], seconds=SECONDS)
        trivial = run_wrk(f"{base}/api/v1/workspace", [auth], seconds=SECONDS)
        listing = run_wrk(f"{base}/api/v1/prospects?page_size=50", [auth], seconds=SECONDS)
    finally:
        server.terminate()
        server.wait(timeout=20)
        drop_database()

    print(f"gunicorn 2 workers, PostgreSQL, {PROSPECTS} prospects, wrk {CONNECTIONS} connections")
    print(f"{'endpoint':44} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    rows = (
        ("GET /healthz (no API, no key, no database)", floor),
        ("GET /api/v1/workspace (trivial API view)", trivial),
        ("GET /api/v1/prospects?page_size=50", listing),
    )
    for name, result in rows:
        print(f"{name:44} {result['rps']:9.0f} {result['p50']:8.1f} {result['p99']:8.1f}")
    print(f"list / trivial API view rate: {listing['rps'] / trivial['rps']:.0%} (target >= 30%)")
    print(f"list / healthz rate: {listing['rps'] / floor['rps']:.0%}")
    print(f"list p99: {listing['p99']:.1f} ms (target < 100 ms)")
    errors = sum(result["errors"] for result in (floor, trivial, listing))
    print(f"non-2xx responses: {errors}")


def recreate_database() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def drop_database() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


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
        check=True,
        capture_output=True,
        text=True,
    )
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


def run_wrk(url: str, headers: list[str], *, seconds: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        # Count non-2xx answers, so a fast stream of errors cannot pass for speed.
        script.write(
            "errors = 0\n"
            "response = function(status) if status >= 300 then errors = errors + 1 end end\n"
            "done = function() io.write(string.format('non2xx %d\\n', errors)) end\n"
        )
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "-s", script.name]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),
        "errors": int(re.search(r"non2xx (\d+)", output).group(1)),
    }


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


if __name__ == "__main__":
    main()
