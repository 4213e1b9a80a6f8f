"""Run the Procfile's processes in the foreground, and stop them cleanly on Ctrl-C."""

# Why not `honcho start`: honcho stops a process by signalling its whole process group, so
# the Celery worker's prefork children get SIGTERM beside their parent. A child can die
# holding the pool's queue lock; the worker then hangs in its warm shutdown, logs the
# children's deaths as errors, and is killed five seconds later. Here each process runs in a
# session of its own (Ctrl-C in the terminal reaches only this supervisor), and a stop
# signals each main process alone: Celery's main process does its warm shutdown and stops
# its own children. Only a process group still alive after the grace period is killed.

import argparse
import errno
import os
import re
import selectors
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

ENTRY = re.compile(r"^(?P<name>[A-Za-z0-9_-]+):\s*(?P<command>\S.*)$")
# Leading `NAME=value` words of a command, which must come before `exec`, not after it.
ASSIGNMENTS = re.compile(r"""^(?:[A-Za-z_][A-Za-z0-9_]*=(?:'[^']*'|"[^"]*"|[^\s'"])*\s+)*""")
COLOURS = ["36", "33", "32", "35", "34", "31"]
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
SYSTEM = "system"


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    colour_index: int
    partial: bytes = b""
    returncode: int | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid


def read_procfile(path: Path) -> list[tuple[str, str]]:
    """The (name, command) entries of a Procfile, in order."""
    entries = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = ENTRY.match(line.strip())
        if match is None:
            raise SystemExit(f"{path}:{number}: expected 'name: command', found {line!r}")
        entries.append((match["name"], match["command"]))
    if not entries:
        raise SystemExit(f"{path} names no process.")
    return entries


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        # Some member changed its user: it is there, though we may not signal it.
        return True
    return True


def signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except OSError as error:
        if error.errno not in (errno.ESRCH, errno.EPERM):
            raise


class Supervisor:
    def __init__(self, entries: list[tuple[str, str]], *, grace_seconds: float) -> None:
        self.entries = entries
        self.grace_seconds = grace_seconds
        self.width = max(len(SYSTEM), *(len(name) for name, _ in entries))
        self.colour = sys.stdout.isatty()
        self.processes: list[Process] = []
        self.selector = selectors.DefaultSelector()
        self.stop_requests = 0
        self.stop_deadline: float | None = None
        self.killed = False
        self.first_exit: Process | None = None
        self.output_lost = False

    # --- output -------------------------------------------------------------------------
    def prefix(self, name: str, index: int) -> bytes:
        label = f"{time.strftime('%H:%M:%S')} {name.ljust(self.width)} | "
        if self.colour and name != SYSTEM:
            label = f"\033[{COLOURS[index % len(COLOURS)]}m{label}\033[0m"
        return label.encode()

    def say(self, message: str) -> None:
        self.write(SYSTEM, 0, [message.encode()])

    def write(self, name: str, colour_index: int, lines: list[bytes]) -> None:
        if self.output_lost:
            return
        prefix = self.prefix(name, colour_index)
        try:
            # Lines go out whole and at once, so lines of two processes never interleave.
            sys.stdout.buffer.write(b"".join(prefix + line + b"\n" for line in lines))
            sys.stdout.buffer.flush()
        except OSError:
            # The terminal or pipe is gone (a closed window, `| head`): nobody sees the
            # processes any more, so they are stopped rather than left running unseen.
            self.output_lost = True
            self.stop_requests = max(self.stop_requests, 1)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())

    def relay(self, process: Process) -> None:
        assert process.popen.stdout is not None
        chunk = os.read(process.popen.stdout.fileno(), 65536)
        if not chunk:
            self.selector.unregister(process.popen.stdout)
            if process.partial:
                self.write(process.name, process.colour_index, [process.partial])
                process.partial = b""
            return
        *lines, process.partial = (process.partial + chunk).split(b"\n")
        if lines:
            self.write(process.name, process.colour_index, lines)

    # --- lifecycle ----------------------------------------------------------------------
    def start(self) -> None:
        env = dict(os.environ)
        # Python children write straight through the pipe: log lines and banners appear when
        # they happen, not when a buffer fills or the process exits.
        env.setdefault("PYTHONUNBUFFERED", "1")
        for index, (name, command) in enumerate(self.entries):
            popen = subprocess.Popen(
                ["/bin/sh", "-c", exec_line(command)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
            process = Process(name, popen, colour_index=index)
            self.processes.append(process)
            assert popen.stdout is not None
            self.selector.register(popen.stdout, selectors.EVENT_READ, process)
            self.say(f"{name} started (pid {popen.pid})")

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop_requests += 1

    def request_stop(self, reason: str) -> None:
        self.say(f"{reason}: stopping (Ctrl-C again to kill at once)")
        self.stop_deadline = time.monotonic() + self.grace_seconds
        for process in self.running():
            self.say(f"sending SIGTERM to {process.name} (pid {process.pid})")
            process.popen.send_signal(signal.SIGTERM)

    def kill_everything(self, reason: str) -> None:
        self.killed = True
        for process in self.processes:
            if group_alive(process.pid):
                self.say(f"{reason}: sending SIGKILL to {process.name}'s processes")
                signal_group(process.pid, signal.SIGKILL)

    def running(self) -> list[Process]:
        return [process for process in self.processes if process.returncode is None]

    def reap(self) -> None:
        for process in self.running():
            returncode = process.popen.poll()
            if returncode is None:
                continue
            process.returncode = returncode
            self.say(f"{process.name} stopped ({describe(returncode)})")
            if self.stop_deadline is None and self.first_exit is None:
                self.first_exit = process

    def finished(self) -> bool:
        if self.running():
            return False
        # After SIGKILL nothing in the groups runs on: what is left are the dead, waiting for
        # init to reap them. Otherwise a main process that is gone may have left children in
        # its group (say, pool workers orphaned by a crash), and the run waits for them.
        return self.killed or not any(group_alive(p.pid) for p in self.processes)

    def run(self) -> int:
        for signum in STOP_SIGNALS:
            signal.signal(signum, self.on_signal)
        self.start()
        while not self.finished():
            for key, _ in self.selector.select(timeout=0.1):
                self.relay(key.data)
            self.reap()
            if self.stop_deadline is None:
                if self.stop_requests:
                    self.request_stop("stop asked for")
                elif self.first_exit is not None:
                    self.request_stop(f"{self.first_exit.name} exited")
            elif not self.killed and self.stop_requests > 1:
                self.kill_everything("asked again")
            elif not self.killed and time.monotonic() > self.stop_deadline:
                self.kill_everything(f"still running after {self.grace_seconds:g} s")
        # What the processes wrote just before they exited may still be in the pipes; a pipe
        # that something outside the groups keeps open but silent is not waited for.
        while self.selector.get_map() and (ready := self.selector.select(timeout=0.2)):
            for key, _ in ready:
                self.relay(key.data)
        return self.exit_code()

    def exit_code(self) -> int:
        if self.first_exit is not None:
            # The run ended because a process did: its exit code (128 + n after signal n).
            returncode = self.first_exit.returncode or 0
            return 128 - returncode if returncode < 0 else returncode
        # A stop that was asked for and went to plan is a success, and `make` stays quiet.
        return 1 if self.killed else 0


def exec_line(command: str) -> str:
    """The command for `sh -c` with `exec` in front of the program, so that the program itself
    is the process we signal, not a shell that would not pass the signal on."""
    assignments = ASSIGNMENTS.match(command)
    assert assignments is not None  # the pattern matches the empty string
    return f"{assignments[0]}exec {command[assignments.end() :]}"


def describe(returncode: int) -> str:
    if returncode < 0:
        return f"signal {signal.Signals(-returncode).name}"
    return f"exit code {returncode}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("procfile", nargs="?", default="Procfile", type=Path)
    # Celery's warm shutdown of an idle worker on the file queue takes 6-10 s: its loop reads
    # the stop flag between 2 s polls (and polls once more after it), then it joins its pool
    # and timer threads and exits. A running task is waited for. A second Ctrl-C does not wait.
    parser.add_argument(
        "--grace-seconds",
        type=float,
        default=20.0,
        help="how long processes may take to stop before they are killed (default 20)",
    )
    options = parser.parse_args(argv)
    return Supervisor(read_procfile(options.procfile), grace_seconds=options.grace_seconds).run()


if __name__ == "__main__":
    sys.exit(main())
