"""``sourcing serve`` as a child process: start it, learn its port, always stop it.

The server prints ``sourcing server listening on port N`` once it takes
calls; with ``--port 0`` that line is how a test learns the port. Its log
(stderr) is merged into stdout and read by a thread, so the pipe never
fills up and blocks the server, and a failing test can show what it said.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 15.0
KILL_TIMEOUT_S = 5.0
LISTENING = re.compile(r"sourcing server listening on port (\d+)")
STOPPED = "sourcing server stopped"


def sourcing_command() -> list[str]:
    """The ``sourcing`` console script of this interpreter's environment."""
    script = Path(sys.executable).with_name("sourcing")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "sourcing.cli"]


class ServerProcess:
    """A running ``sourcing serve`` child and everything it has printed so far."""

    def __init__(self, popen: subprocess.Popen[str]) -> None:
        self.popen = popen
        self.port = 0
        self._lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, name="server-output", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            with self._changed:
                self._lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def output(self) -> str:
        """Everything the server printed (stdout and log), one line per line."""
        with self._changed:
            return self._text()

    def _text(self) -> str:
        return "\n".join(self._lines)

    def wait_for(self, pattern: re.Pattern[str], timeout: float) -> re.Match[str]:
        """The first printed line matching ``pattern``; fails on timeout or early exit."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self._lines:
                    if match := pattern.search(line):
                        return match
                if not self._reader.is_alive():
                    raise AssertionError(
                        f"server exited ({self.popen.poll()}) before printing "
                        f"{pattern.pattern!r}:\n{self._text()}"
                    )
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"server printed no {pattern.pattern!r} within {timeout} s:\n{self._text()}"
                    )
                self._changed.wait(min(left, 0.5))

    def terminate(self) -> None:
        """Send SIGTERM: the server should report NOT_SERVING, drain and exit 0."""
        self.popen.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> int:
        """The exit status once the process has ended and its output is read."""
        status = self.popen.wait(timeout)
        self._reader.join(KILL_TIMEOUT_S)
        return status

    def close(self) -> None:
        """Make sure the process is gone: SIGTERM, then SIGKILL after a timeout."""
        if self.popen.poll() is None:
            self.terminate()
            try:
                self.popen.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(KILL_TIMEOUT_S)
        self._reader.join(KILL_TIMEOUT_S)
        if self.popen.stdout is not None:
            self.popen.stdout.close()


@contextmanager
def serve(
    db_url: str | None,
    *,
    cwd: Path,
    grace_s: float = 5.0,
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> Iterator[ServerProcess]:
    """Run ``sourcing serve --port 0`` in ``cwd`` until the block ends; yields it once listening.

    Without ``db_url`` the server uses its default database; ``env`` adds
    environment variables. The process is stopped (and killed if it will not
    stop) however the block ends.
    """
    args = [
        *sourcing_command(),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--grace",
        str(grace_s),
        *extra_args,
    ]
    if db_url is not None:
        args += ["--db", db_url]
    popen = subprocess.Popen(
        args,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
        env={**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"},
        start_new_session=True,  # a Ctrl-C in the terminal reaches pytest only
    )
    process = ServerProcess(popen)
    try:
        process.port = int(process.wait_for(LISTENING, START_TIMEOUT_S).group(1))
        yield process
    finally:
        process.close()


def health_status(channel: grpc.Channel, service: str = "", timeout: float = 5.0) -> int:
    """The server's health status for ``service`` (a HealthCheckResponse.ServingStatus)."""
    reply = health_pb2_grpc.HealthStub(channel).Check(
        health_pb2.HealthCheckRequest(service=service), timeout=timeout
    )
    status: int = reply.status
    return status
