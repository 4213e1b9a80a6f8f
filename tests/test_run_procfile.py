"""`make run`'s supervisor: Ctrl-C stops every process and its children, cleanly and soon."""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

SUPERVISOR = Path(settings.BASE_DIR) / "scripts" / "run_procfile.py"

# A stand-in for a prefork worker: a main process with two children in its process group that
# it stops itself on SIGTERM. A child that gets SIGTERM directly says so, as Celery's pool does.
POOL = """
import os, signal, sys, time
children = []
for number in range(2):
    pid = os.fork()
    if pid == 0:
        def hit(*args, number=number):
            print(f"ERROR child {number} got SIGTERM from outside", flush=True)
            os._exit(1)
        signal.signal(signal.SIGTERM, hit)
        signal.signal(signal.SIGUSR1, lambda *args: os._exit(0))
        while True:
            time.sleep(0.05)
    children.append(pid)
def stop(*args):
    print("warm shutdown", flush=True)
    for pid in children:
        os.kill(pid, signal.SIGUSR1)
    for pid in children:
        os.waitpid(pid, 0)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
print("children", *children, flush=True)
while True:
    time.sleep(0.05)
"""
IGNORES_SIGTERM = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
    " print('ignoring SIGTERM', flush=True); time.sleep(600)"
)


class Run:
    """The supervisor in a session of its own, as `make run` in a terminal: a test signals it
    alone, as Ctrl-C does, and reads its output as it comes."""

    def __init__(
        self, procfile: Path, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> None:
        self.popen = subprocess.Popen(
            [sys.executable, str(SUPERVISOR), str(procfile), *args],
            cwd=cwd or procfile.parent,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, text: str, seconds: float) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = next((line for line in self.lines if text in line), None)
            if found is not None:
                return found
            if self.popen.poll() is not None:
                break
            time.sleep(0.05)
        pytest.fail(f"no {text!r} in the output:\n{self.output}")

    def pids(self) -> list[int]:
        """Every process the run started: the main processes and the pool's children."""
        found = []
        for line in self.lines:
            if "started (pid " in line:
                found.append(int(line.split("started (pid ")[1].split(")")[0]))
            if "| children " in line:
                found += [int(pid) for pid in line.split("| children ")[1].split()]
        return found

    def interrupt(self, seconds: float) -> tuple[int, float]:
        """Ctrl-C: the exit code, and how long the run took to end."""
        started = time.monotonic()
        self.popen.send_signal(signal.SIGINT)
        try:
            returncode = self.popen.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {seconds} s after Ctrl-C:\n{self.output}")
        self.reader.join(timeout=5)
        return returncode, time.monotonic() - started

    def kill(self) -> None:
        """Leave nothing behind when a test fails half-way: every process group it started."""
        for pid in [self.popen.pid, *self.pids()]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        self.popen.wait(timeout=10)


@pytest.fixture
def start_run():
    """Starts runs of the supervisor, and kills what a failed test left running."""
    runs: list[Run] = []

    def start(*args: object, **kwargs: object) -> Run:
        runs.append(Run(*args, **kwargs))
        return runs[-1]

    yield start
    for run in runs:
        run.kill()


def stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name: state, parent, ..."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None


def running(pid: int) -> bool:
    """Whether the process still runs; a zombie has stopped, it only waits to be reaped."""
    fields = stat(pid)
    return fields is not None and fields[0] != "Z"


def children_of(parents: list[int]) -> list[int]:
    processes = [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]
    return [pid for pid in processes if (fields := stat(pid)) and int(fields[1]) in parents]


def write_procfile(tmp_path: Path, lines: dict[str, str]) -> Path:
    (tmp_path / "pool.py").write_text(POOL)
    procfile = tmp_path / "Procfile"
    procfile.write_text("".join(f"{name}: {command}\n" for name, command in lines.items()))
    return procfile


def test_ctrl_c_stops_each_main_process_which_stops_its_own_children(start_run, tmp_path):
    procfile = write_procfile(tmp_path, {"worker": f"{sys.executable} pool.py", "web": "sleep 600"})
    run = start_run(procfile)
    run.wait_for("| children ", seconds=30)
    pids = run.pids()
    assert len(pids) == 4

    returncode, seconds = run.interrupt(seconds=15)

    assert returncode == 0, run.output
    assert seconds < 5, run.output
    assert "warm shutdown" in run.output
    assert "ERROR" not in run.output and "SIGKILL" not in run.output
    assert not [pid for pid in pids if running(pid)]


def test_a_process_that_will_not_stop_is_killed_after_the_grace_period(start_run, tmp_path):
    procfile = write_procfile(
        tmp_path,
        {"stubborn": f'{sys.executable} -c "{IGNORES_SIGTERM}"', "web": "sleep 600"},
    )
    run = start_run(procfile, "--grace-seconds", "1")
    run.wait_for("ignoring SIGTERM", seconds=30)
    pids = run.pids()

    returncode, seconds = run.interrupt(seconds=15)

    assert returncode == 1
    assert 1 <= seconds < 5, run.output
    assert "still running after 1 s: sending SIGKILL to stubborn's processes" in run.output
    assert not [pid for pid in pids if running(pid)]


def test_a_second_ctrl_c_kills_at_once(start_run, tmp_path):
    procfile = write_procfile(tmp_path, {"stubborn": f'{sys.executable} -c "{IGNORES_SIGTERM}"'})
    run = start_run(procfile, "--grace-seconds", "60")
    run.wait_for("ignoring SIGTERM", seconds=30)
    run.popen.send_signal(signal.SIGINT)
    run.wait_for("sending SIGTERM to stubborn", seconds=5)

    returncode, _ = run.interrupt(seconds=5)

    assert returncode == 1
    assert "asked again: sending SIGKILL to stubborn's processes" in run.output
    assert not [pid for pid in run.pids() if running(pid)]


def test_when_one_process_exits_the_others_stop_and_its_exit_code_is_the_runs(start_run, tmp_path):
    procfile = write_procfile(
        tmp_path,
        {"worker": f"{sys.executable} pool.py", "web": "FAILURE=3 sh -c 'sleep 1; exit $FAILURE'"},
    )
    run = start_run(procfile)
    run.wait_for("| children ", seconds=30)
    pids = run.pids()

    assert run.popen.wait(timeout=15) == 3, run.output
    assert "web stopped (exit code 3)" in run.output
    assert "web exited: stopping" in run.output
    assert "ERROR" not in run.output
    assert not [pid for pid in pids if running(pid)]


def test_when_nobody_reads_the_output_any_more_the_processes_stop(tmp_path):
    procfile = write_procfile(
        tmp_path,
        {
            "worker": f"{sys.executable} pool.py",
            "ticker": "sh -c 'while true; do echo tick; sleep 0.1; done'",
        },
    )
    supervisor = subprocess.Popen(
        [sys.executable, str(SUPERVISOR), str(procfile)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    assert supervisor.stdout is not None
    seen = b""
    while b"| children " not in seen or not seen.endswith(b"\n"):
        seen += supervisor.stdout.read1(4096)
    pool = [int(pid) for pid in seen.split(b"| children ")[1].split(b"\n")[0].split()]
    pids = [int(line.split(b"(pid ")[1].split(b")")[0]) for line in seen.splitlines()[:2]]

    supervisor.stdout.close()  # as a terminal window closing

    try:
        assert supervisor.wait(timeout=15) == 0
    finally:
        for pid in [supervisor.pid, *pids]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
    assert not [pid for pid in pids + pool if running(pid)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.processes
def test_make_runs_web_worker_and_beat_stop_cleanly_on_ctrl_c(start_run, tmp_path):
    """The real Procfile: runserver, a prefork Celery worker per queue and beat, on the embedded
    defaults in a folder of their own. Under honcho the worker's pool children logged errors and the
    worker hung until it was killed."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SITE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        VAR_DIR=str(tmp_path / "var"),
        WEB_PORT=str(port),
        DEBUG="true",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}",
    )
    # Beat's first sweeps reach the worker within seconds, and they read the database.
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        timeout=240,
    )
    run = start_run(Path(settings.BASE_DIR) / "Procfile", env=env, cwd=Path(settings.BASE_DIR))
    for queue in ("interactive", "sweeps", "bulk"):
        run.wait_for(f"{queue}@", seconds=120)
    deadline = time.monotonic() + 120
    while sum("ready." in line for line in run.lines) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    run.wait_for("beat: Starting", seconds=120)
    run.wait_for(f"Starting development server at http://127.0.0.1:{port}/", seconds=120)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
        assert answer.status == 200
    pids = run.pids()
    pool = children_of(pids)
    assert len(pool) == 2 + 1 + 2, run.output  # each worker's --concurrency

    returncode, seconds = run.interrupt(seconds=40)

    assert returncode == 0, run.output
    for worker in ("worker-interactive", "worker-sweeps", "worker-bulk"):
        assert re.search(rf"{worker} +\| worker: Warm shutdown", run.output), run.output
    for bad in ("ERROR", "Traceback", "SIGKILL", "No hostname"):
        assert bad not in run.output, run.output
    assert not [pid for pid in pids + pool if running(pid)], run.output
    # An idle worker on the file queue needs a few seconds (see scripts/run_procfile.py); this
    # bound leaves room for a busy machine and still fails a run that waited for its kill.
    assert seconds < 20, run.output
