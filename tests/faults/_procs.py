"""What the fault tests' process helpers share: a spare loopback port, a bounded wait, and a long-running process
in a session of its own (so that a master and its workers stop, or die, together), logging to a file."""

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_until(check, timeout: float, what: str = "условие", interval: float = 0.3):
    """Call `check` until it returns a true value (which is returned); fail the test after `timeout` seconds.
    A connection error (OSError) counts as «not yet»."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            result = check()
            if result:
                return result
        except OSError as error:
            last_error = error
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: не дождались за {timeout:g} с" + (f" ({last_error})" if last_error else ""))
        time.sleep(interval)


def stop_group(proc: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 20) -> None:
    """Send `sig` to the process's whole session; SIGKILL if it has not ended in `timeout` seconds."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


@dataclass
class Service:
    """A long-running process (gunicorn, a Celery worker or beat) in a session of its own, logging to a file."""

    name: str
    cmd: list[str]
    env: dict
    log_path: Path
    proc: subprocess.Popen | None = field(default=None, init=False)

    def start(self) -> "Service":
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        return self

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def children(self) -> list[int]:
        """The direct children (a worker's pool processes), from /proc."""
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM to its whole session (the master and its workers), SIGKILL if it does not end in time."""
        if self.proc is not None:
            stop_group(self.proc, timeout=timeout)

    def kill9(self) -> None:
        """SIGKILL to the whole session at once, as in a crash."""
        if self.proc is not None:
            stop_group(self.proc, signal.SIGKILL, timeout=5)
