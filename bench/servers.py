"""Start the servers under test on loopback, wait until they answer, and stop each one by PID.

Every server runs in a session of its own (``start_new_session``), so its process group id is
its PID: stopping it sends SIGTERM to that group (uvicorn's workers included), then SIGKILL if it
lingers. A :class:`Fleet` stops whatever is still running when it closes, which a ``with`` block
guarantees on an exception or Ctrl-C as well.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

__all__ = [
    "HOST",
    "Fleet",
    "Server",
    "ServerError",
    "cartkit_command",
    "free_port",
    "http_ok",
    "peak_rss_kib",
    "rss_kib",
    "worker_pids",
    "written_bytes",
]

HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parent.parent


class ServerError(RuntimeError):
    """A server exited or did not become ready in time."""

    def __init__(self, message: str, *, seconds: float, peak_rss_kib: int | None = None) -> None:
        super().__init__(message)
        self.seconds = seconds  # how long the benchmark waited
        self.peak_rss_kib = peak_rss_kib  # the server's peak RSS when it was given up on


@dataclass(slots=True)
class Server:
    """One process the benchmark started."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    started: float = field(default_factory=time.monotonic)
    ready_seconds: float | None = None

    @property
    def pid(self) -> int:
        """The server's PID (also its process group id)."""
        return self.process.pid

    @property
    def base(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{HOST}:{self.port}"

    def log_tail(self, lines: int = 15) -> str:
        """The last lines of the server's output, for error messages."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def cartkit_command(*args: str) -> list[str]:
    """``cartkit ARGS`` with the interpreter running the benchmark."""
    script = Path(sys.executable).parent / "cartkit"
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "from specs.cli import main; main()", *args]


def http_ok(
    port: int, target: str, headers: Sequence[tuple[str, str]] = (), *, any_status: bool = False
) -> bool:
    """True when ``GET target`` on the port answers (200, or anything with *any_status*)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        connection.request("GET", target, headers=dict(headers))
        response = connection.getresponse()
        response.read()
        return any_status or response.status == 200
    except OSError:
        return False
    finally:
        connection.close()


def _proc_field(pid: int, name: str, field_name: str) -> int | None:
    try:
        text = Path(f"/proc/{pid}/{name}").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key == field_name:
            return int(value.split()[0])
    return None


def peak_rss_kib(pid: int) -> int | None:
    """The process's peak resident set size (``VmHWM`` in /proc/PID/status), in KiB."""
    return _proc_field(pid, "status", "VmHWM")


def rss_kib(pid: int) -> int | None:
    """The process's resident set size now (``VmRSS`` in /proc/PID/status), in KiB."""
    return _proc_field(pid, "status", "VmRSS")


def written_bytes(pid: int) -> int | None:
    """Bytes the process has written through syscalls so far (``wchar`` in /proc/PID/io)."""
    return _proc_field(pid, "io", "wchar")


def worker_pids(pid: int) -> list[int]:
    """PIDs of the uvicorn worker processes of the server *pid* (its spawned children).

    The master also has multiprocessing's resource tracker as a child; it is left out.
    """
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        # The command name may hold spaces or parentheses: the fields start after the last ')'.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and b"resource_tracker" not in cmdline:
            found.append(int(entry.name))
    return sorted(found)


class Fleet:
    """The servers of one benchmark run; closing the fleet stops every one still running."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.servers: list[Server] = []

    def __enter__(self) -> Fleet:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def start(
        self,
        name: str,
        argv: Sequence[str],
        port: int,
        ready: Callable[[], bool],
        *,
        timeout: float,
        env: dict[str, str] | None = None,
    ) -> Server:
        """Start *argv* and wait until ``ready()`` holds; the server is stopped if it never does.

        Raises:
            ServerError: the process exited, or was not ready within *timeout* seconds.
        """
        log = self.logs / f"{name}-{port}.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                cwd=REPO,
                env={**os.environ, **(env or {})},
                start_new_session=True,  # its own process group, whose id is its PID
            )
        server = Server(name, port, process, log)
        self.servers.append(server)
        deadline = server.started + timeout
        while True:
            if process.poll() is not None:
                self.stop(server)
                raise ServerError(
                    f"{name} exited with {process.returncode} before it was ready:\n"
                    f"{server.log_tail()}",
                    seconds=time.monotonic() - server.started,
                )
            if ready():
                server.ready_seconds = time.monotonic() - server.started
                return server
            if time.monotonic() > deadline:
                rss = peak_rss_kib(server.pid)
                self.stop(server)
                raise ServerError(
                    f"{name} was not ready within {timeout:.0f} s "
                    f"(peak RSS then {rss or 0} KiB)\n{server.log_tail()}",
                    seconds=timeout,
                    peak_rss_kib=rss,
                )
            time.sleep(0.05)

    def stop(self, server: Server, grace: float = 10.0) -> None:
        """Stop *server*'s process group by its PID: SIGTERM, then SIGKILL after *grace* s."""
        process = server.process
        with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
            os.killpg(server.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=grace)
        # Whatever is left of the group (a worker slow to exit).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(server.pid, signal.SIGKILL)
        if server in self.servers:
            self.servers.remove(server)

    def close(self) -> None:
        """Stop every server still running, newest first."""
        for server in reversed(list(self.servers)):
            self.stop(server)
