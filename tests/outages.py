"""Real services that tests stop and start on purpose: a private redis-server, a TCP proxy
in front of PostgreSQL that can cut every connection, and the app's own web and worker
processes pointed at them."""

import contextlib
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

PROJECT = Path(__file__).resolve().parent.parent
REDIS_SERVER = shutil.which("redis-server")
# Under CI a missing redis-server is a failure (the test runs and cannot start it), not a skip.
needs_redis_server = pytest.mark.skipif(
    REDIS_SERVER is None and not os.environ.get("CI"),
    reason="needs redis-server (apt-get install redis-server)",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, *, seconds: float, what: str, log: str = "") -> float:
    """Poll `condition` until it holds; returns how long that took."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(0.25)
    raise AssertionError(f"Timed out after {seconds} s waiting until {what}.\n{log}")


class PrivateRedis:
    """A redis-server of this test alone, on a free port, without persistence: stopping it
    and starting it again is a Redis that crashed and came back empty."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [str(REDIS_SERVER), "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        with (self.directory / "redis.log").open("a") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        wait_until(self.answers, seconds=10, what="redis-server answers")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


class TcpProxy:
    """Forwards a free local port to a server; `cut()` closes every connection and refuses new
    ones (the server is unreachable), `restore()` listens again on the same port."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would not.
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            for conn in self._connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self._connections.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._connections += [client, server]
            threading.Thread(target=self._pipe, args=(client, server), daemon=True).start()

    def _pipe(self, client: socket.socket, server: socket.socket) -> None:
        pair = {client: server, server: client}
        try:
            while True:
                readable, _, _ = select.select(list(pair), [], [], 1.0)
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    pair[source].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for conn in pair:
                with contextlib.suppress(OSError):
                    conn.close()


def database_url(*, port: int | None = None) -> str:
    """The test database's URL, optionally through another port (a proxy)."""
    db = connection.settings_dict
    host = db["HOST"] or "127.0.0.1"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{host}:{port or db['PORT'] or 5432}/{db['NAME']}"


class AppProcesses:
    """The app's own processes (gunicorn, a Celery worker with beat) on this test's database,
    each in its own session, with their output in one log."""

    def __init__(self, var_dir: Path, env: dict[str, str]):
        self.var_dir = var_dir
        self.log = var_dir / "processes.log"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "VAR_DIR": str(var_dir),
            "DEBUG": "false",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            **env,
        }
        self.running: list[subprocess.Popen] = []
        self.web_port = 0

    def _start(self, command: list[str]) -> subprocess.Popen:
        with self.log.open("a") as log:
            process = subprocess.Popen(
                command,
                cwd=PROJECT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running.append(process)
        return process

    def collect_static(self) -> None:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=PROJECT,
            env=self.env,
            check=True,
        )

    def start_web(self) -> str:
        self.web_port = free_port()
        command = [sys.executable, "-m", "gunicorn", "-c", "python:config.gunicorn"]
        command += ["config.wsgi:application", "--bind", f"127.0.0.1:{self.web_port}"]
        command += ["--workers", "1", "--threads", "4", "--timeout", "60"]
        self._start(command)
        url = f"http://127.0.0.1:{self.web_port}"
        wait_until(lambda: self.get(f"{url}/livez")[0] == 200, seconds=60, what="gunicorn")
        return url

    def start_worker(self, *, beat: bool = True, concurrency: int = 2) -> subprocess.Popen:
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork"]
        command += [f"--concurrency={concurrency}", "--without-gossip", "--without-mingle"]
        command += ["--without-heartbeat", "--loglevel=INFO"]
        if beat:
            command += ["--beat", f"--schedule={self.var_dir / 'celerybeat-schedule'}"]
        return self._start(command)

    def kill(self, process: subprocess.Popen) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        self.running.remove(process)

    def stop_all(self) -> None:
        for process in list(self.running):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
            self.running.remove(process)

    def tail(self) -> str:
        text = self.log.read_text() if self.log.exists() else ""
        return f"--- processes log ---\n{text[-4000:]}"

    @staticmethod
    def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(url, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()
        except OSError:
            return 0, {}, b""


# Fixtures, registered for every test by tests/conftest.py (pytest_plugins).


@pytest.fixture
def database_proxy():
    """A proxy to the test database's server that the test can cut."""
    db = connection.settings_dict
    proxy = TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    proxy.restore()
    yield proxy
    proxy.cut()


@pytest.fixture
def web_behind_a_database_proxy(tmp_path, database_proxy):
    """gunicorn (with a private Redis) reaching PostgreSQL only through `database_proxy`."""
    redis_server = PrivateRedis(tmp_path)
    redis_server.start()
    (tmp_path / "var").mkdir()
    processes = AppProcesses(
        tmp_path / "var",
        {
            "DATABASE_URL": database_url(port=database_proxy.port),
            "DATABASE_CONNECT_TIMEOUT_SECONDS": "2",
            "REDIS_URL": redis_server.url,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        },
    )
    processes.collect_static()
    yield processes
    processes.stop_all()
    redis_server.stop()
