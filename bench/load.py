"""Drive one server with one request at a fixed concurrency for a fixed time.

The load generator is wrk (Debian's ``wrk``, installed on demand): a Lua script sets the request
line and the vendor's headers and prints wrk's own summary as one JSON line. A small threaded
Python generator stands in for wrk in the smoke test only (CI has no wrk); its numbers measure
Python's client as much as the server and are never reported as results.
"""

from __future__ import annotations

import http.client
import itertools
import json
import math
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .servers import HOST

__all__ = [
    "LoadResult",
    "ensure_wrk",
    "lua_string",
    "parse_wrk",
    "percentile",
    "python_load",
    "run_load",
    "run_threads",
    "wrk_script",
]

_MARK = "BENCH-JSON "


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What one bounded load run measured."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int = 0  # non-2xx answers plus socket errors and timeouts

    @property
    def rps(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0


def ensure_wrk() -> str:
    """Path of ``wrk``, installed with apt-get (after ``apt-get update``) when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    for argv in (["apt-get", "update"], ["apt-get", "install", "-y", "wrk"]):
        subprocess.run(argv, check=True, timeout=600, stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("apt-get installed wrk but it is not on PATH")
    return found


def lua_string(text: str) -> str:
    """*text* as a Lua long string literal (``[=[...]=]``), whatever brackets it holds."""
    level = "="
    while f"]{level}]" in text:
        level += "="
    return f"[{level}[{text}]{level}]"


def wrk_script(target: str | Sequence[str], headers: Sequence[tuple[str, str]]) -> str:
    """The Lua script: the request (or requests, taken in turn), and a ``done`` hook printing
    the summary as JSON."""
    targets = [target] if isinstance(target, str) else list(target)
    lines = ['wrk.method = "GET"', f"wrk.path = {lua_string(targets[0])}"]
    lines += [f"wrk.headers[ {lua_string(k)} ] = {lua_string(v)}" for k, v in headers]
    if len(targets) > 1:
        lines.append("local paths = {" + ",\n".join(map(lua_string, targets)) + "}")
        lines.append(
            "local turn = 0\n"
            "request = function()\n"
            "  turn = turn % #paths + 1\n"
            "  return wrk.format(nil, paths[turn])\n"
            "end"
        )
    lines.append(
        "done = function(summary, latency, requests)\n"
        "  local e = summary.errors\n"
        f'  io.write(string.format("{_MARK}'
        '{\\"requests\\": %d, \\"duration_us\\": %d, \\"p50_us\\": %f, \\"p99_us\\": %f, '
        '\\"non2xx\\": %d, \\"socket_errors\\": %d}\\n",\n'
        "    summary.requests, summary.duration, latency:percentile(50), "
        "latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))\n"
        "end"
    )
    return "\n".join(lines) + "\n"


def parse_wrk(output: str) -> LoadResult:
    """The :class:`LoadResult` in wrk's output (the line the script's ``done`` hook printed)."""
    for line in output.splitlines():
        if line.startswith(_MARK):
            data = json.loads(line[len(_MARK) :])
            return LoadResult(
                requests=int(data["requests"]),
                seconds=data["duration_us"] / 1e6,
                p50_ms=data["p50_us"] / 1000,
                p99_ms=data["p99_us"] / 1000,
                errors=int(data["non2xx"]) + int(data["socket_errors"]),
            )
    raise RuntimeError(f"no summary in wrk's output:\n{output[-2000:]}")


def run_load(
    port: int,
    target: str | Sequence[str],
    headers: Sequence[tuple[str, str]],
    *,
    connections: int,
    seconds: int,
    loadgen: str = "wrk",
) -> LoadResult:
    """Load ``GET target`` on 127.0.0.1:*port* with *connections* for *seconds* (bounded).

    Several targets are sent in turn, one request each, so that no two requests are alike.
    """
    if loadgen == "python":
        return python_load(port, target, headers, connections=connections, seconds=seconds)
    wrk = ensure_wrk()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(wrk_script(target, headers))
        script = Path(handle.name)
    try:
        # One wrk thread: on a small machine wrk shares the cores with the server under test.
        argv = [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s"]
        completed = subprocess.run(
            [*argv, "-s", str(script), f"http://{HOST}:{port}/"],
            capture_output=True,
            text=True,
            timeout=seconds + 30,
            check=False,
        )
    finally:
        script.unlink(missing_ok=True)
    if completed.returncode != 0 or completed.stderr.strip():  # a Lua error only goes to stderr
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr[-2000:]}")
    return parse_wrk(completed.stdout)


def python_load(
    port: int,
    target: str | Sequence[str],
    headers: Sequence[tuple[str, str]],
    *,
    connections: int,
    seconds: float,
) -> LoadResult:
    """A tiny keep-alive load generator in threads (smoke tests only, where wrk is absent)."""
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    sent = dict(headers)
    turns = itertools.cycle([target] if isinstance(target, str) else list(target))

    def worker() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=5)
        mine: list[float] = []
        failed = 0
        try:
            while time.monotonic() < deadline:
                start = time.perf_counter()
                try:
                    with lock:
                        path = next(turns)
                    connection.request("GET", path, headers=sent)
                    response = connection.getresponse()
                    response.read()
                    failed += response.status >= 400
                except OSError:
                    failed += 1
                    connection.close()
                    connection = http.client.HTTPConnection(HOST, port, timeout=5)
                mine.append(time.perf_counter() - start)
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)
                errors[0] += failed

    elapsed = run_threads(worker, connections, seconds)
    latencies.sort()
    return LoadResult(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        errors=errors[0],
    )


def run_threads(worker: Callable[[], None], connections: int, seconds: float) -> float:
    """Run *worker* on *connections* threads, each until its deadline (*seconds*, plus 10 s
    at most to finish); the seconds they took."""
    started = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 10)
    return time.monotonic() - started


def percentile(ordered: Sequence[float], pct: float) -> float:
    """The *pct*-th percentile of already sorted values (nearest rank; 0 for none)."""
    if not ordered:
        return 0.0
    rank = max(0, min(len(ordered) - 1, math.ceil(pct / 100 * len(ordered)) - 1))
    return ordered[rank]
