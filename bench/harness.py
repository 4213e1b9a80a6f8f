"""What the benchmarks that start real servers share: a database of their own on the
PostgreSQL server, processes started in their own session and stopped with it, and
percentiles."""

import functools
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 90
BIN = Path(sys.executable).parent


def http_client(**options):
    """An httpx client for the bench's visitors, sharing one TLS context.

    httpx builds a context and reads the whole CA bundle for each client it makes, about 30 ms
    of CPU, even for plain http: a bench that starts a client per visitor would spend more of
    the machine's CPU on that than the server spends on the visit.
    """
    import httpx

    return httpx.Client(verify=_tls_context(), **options)


@functools.cache
def _tls_context():
    import ssl

    return ssl.create_default_context()


def percentile(values: list[float], percent: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def database_url(server_url: str, name: str) -> str:
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


def recreate_database(server_url: str, name: str, *, drop_only: bool) -> None:
    import psycopg

    # The server's maintenance database: the one DATABASE_URL names may not exist.
    admin_url = urlunsplit(urlsplit(server_url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def start(command: list, log: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [str(part) for part in command],
        cwd=PROJECT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for(log: Path, pattern: re.Pattern, what: str) -> str:
    deadline = time.time() + START_TIMEOUT
    while time.time() < deadline:
        match = pattern.search(log.read_text())
        if match:
            return match.group(1) if pattern.groups else match.group(0)
        time.sleep(0.2)
    raise SystemExit(f"{what} did not start within {START_TIMEOUT} s:\n{log.read_text()[-2000:]}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def machine() -> str:
    return f"machine: {os.cpu_count()} cores, load average {load_average()}"


def server_version() -> str:
    """The PostgreSQL version of Django's connection, printed beside the figures."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def start_worker_and_web(
    var_dir: Path, env: dict, name: str, processes: list[subprocess.Popen]
) -> str:
    """A Celery worker (2 processes) and gunicorn (2 workers x 4 threads) on a free port,
    added to `processes` as they start (so the caller stops them); the web address."""
    celery, gunicorn = BIN / "celery", BIN / "gunicorn"
    worker_log = var_dir / "worker.log"
    processes.append(
        start(
            [
                celery, "-A", "config", "worker", "--loglevel=INFO", "--concurrency=2",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                f"--hostname=bench-{name}@%h",
            ],
            worker_log,
            env,
        )
    )  # fmt: skip
    web_log = var_dir / "web.log"
    processes.append(
        start(
            [
                gunicorn,
                "config.wsgi:application",
                "--bind=127.0.0.1:0",
                "--workers=2",
                "--threads=4",
            ],
            web_log,
            env,
        )
    )  # fmt: skip
    wait_for(worker_log, re.compile(r"ready\."), "the Celery worker")
    port = wait_for(web_log, re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)"), "gunicorn")
    return f"http://127.0.0.1:{port}"


def server_env(server_url: str, redis_url: str, database: str, var_dir: Path, **extra: str) -> dict:
    """The environment of a bench's web and worker processes: its own database and folder, the
    real broker, production settings."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(server_url, database),
        "REDIS_URL": redis_url,
        "VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "bench-only-secret-key",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **extra,
    }


def clean_up(processes: list[subprocess.Popen], server_url: str, database: str, var_dir: Path):
    """Stop what the bench started, then drop its database and folder."""
    for process in processes:
        stop(process)
    from django.db import connections

    connections.close_all()
    recreate_database(server_url, database, drop_only=True)
    shutil.rmtree(var_dir, ignore_errors=True)
