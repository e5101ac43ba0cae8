"""One window of the soak: a bounded load run through the mix, counted by status class.

wrk runs once per window with a Lua script that reads the mix from a file (one call per line:
the vendor's number and the target), starts at a given position (each window goes on where the
one before stopped, so a window never replays the previous one's requests), sends each call with
its vendor's headers, and counts the answers by status class, with their body bytes. wrk's
``done`` hook prints the window's numbers as one JSON line. A small threaded Python generator
stands in for wrk in the smoke test only (CI has no wrk).
"""

from __future__ import annotations

import http.client
import json
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..load import ensure_wrk, lua_string, percentile, run_threads
from ..servers import HOST
from ..workloads import PROFILES
from .mix import VENDORS, Call

__all__ = ["Tally", "parse_window", "python_window", "window_script", "write_mix", "wrk_window"]

_MARK = "SOAK-JSON "


@dataclass(frozen=True, slots=True)
class Tally:
    """What one window's load run counted."""

    requests: int  # answers received
    seconds: float
    p50_ms: float
    p99_ms: float
    ok: int = 0  # 2xx
    redirects: int = 0  # 3xx
    client_errors: int = 0  # 4xx
    server_errors: int = 0  # 5xx
    socket_errors: int = 0  # connect, read and write errors and timeouts: dropped connections
    body_bytes: int = 0

    @property
    def rps(self) -> float:
        """Answers per second."""
        return self.requests / self.seconds if self.seconds else 0.0


def write_mix(calls: Sequence[Call], path: Path) -> Path:
    """The mix as the Lua script reads it: ``<vendor number> <target>`` per line."""
    number = {vendor: i + 1 for i, vendor in enumerate(VENDORS)}  # Lua counts from 1
    path.write_text("".join(f"{number[c.vendor]} {c.target}\n" for c in calls))
    return path


def window_script() -> str:
    """The Lua script: calls read from ``args[1]`` from position ``args[2]``, each vendor's
    headers, answers counted by status class, and a ``done`` hook printing them as JSON."""
    tables = []
    for vendor in VENDORS:
        pairs = ", ".join(
            f"[ {lua_string(k)} ] = {lua_string(v)}" for k, v in PROFILES[vendor].headers
        )
        tables.append("{" + pairs + "}")
    return (
        "local headers = {" + ", ".join(tables) + "}\n"
        "local targets, vendors = {}, {}\n"
        "local turn = 0\n"
        "local threads = {}\n"
        "c2, c3, c4, c5, body = 0, 0, 0, 0, 0\n"
        "setup = function(thread) table.insert(threads, thread) end\n"
        "init = function(args)\n"
        "  for line in io.lines(args[1]) do\n"
        '    local vendor, target = line:match("^(%d+) (.+)$")\n'
        "    vendors[#vendors + 1] = tonumber(vendor)\n"
        "    targets[#targets + 1] = target\n"
        "  end\n"
        "  turn = tonumber(args[2]) % #targets\n"
        "end\n"
        "request = function()\n"
        "  turn = turn % #targets + 1\n"
        '  return wrk.format("GET", targets[turn], headers[vendors[turn]])\n'
        "end\n"
        "response = function(status, response_headers, response_body)\n"
        "  if status < 300 then c2 = c2 + 1\n"
        "  elseif status < 400 then c3 = c3 + 1\n"
        "  elseif status < 500 then c4 = c4 + 1\n"
        "  else c5 = c5 + 1 end\n"
        "  body = body + #response_body\n"
        "end\n"
        "done = function(summary, latency, requests)\n"
        "  local n = {c2 = 0, c3 = 0, c4 = 0, c5 = 0, body = 0}\n"
        "  for _, thread in ipairs(threads) do\n"
        "    for key, value in pairs(n) do n[key] = value + thread:get(key) end\n"
        "  end\n"
        "  local e = summary.errors\n"
        f'  io.write(string.format("{_MARK}'
        '{\\"requests\\": %d, \\"duration_us\\": %d, \\"p50_us\\": %f, \\"p99_us\\": %f, '
        '\\"ok\\": %d, \\"redirects\\": %d, \\"client_errors\\": %d, \\"server_errors\\": %d, '
        '\\"socket_errors\\": %d, \\"body_bytes\\": %d}\\n",\n'
        "    summary.requests, summary.duration, latency:percentile(50), "
        "latency:percentile(99), n.c2, n.c3, n.c4, n.c5, "
        "e.connect + e.read + e.write + e.timeout, n.body))\n"
        "end\n"
    )


def parse_window(output: str) -> Tally:
    """The :class:`Tally` in wrk's output (the line the script's ``done`` hook printed)."""
    for line in output.splitlines():
        if line.startswith(_MARK):
            data = json.loads(line[len(_MARK) :])
            return Tally(
                requests=int(data["requests"]),
                seconds=data["duration_us"] / 1e6,
                p50_ms=data["p50_us"] / 1000,
                p99_ms=data["p99_us"] / 1000,
                ok=int(data["ok"]),
                redirects=int(data["redirects"]),
                client_errors=int(data["client_errors"]),
                server_errors=int(data["server_errors"]),
                socket_errors=int(data["socket_errors"]),
                body_bytes=int(data["body_bytes"]),
            )
    raise RuntimeError(f"no summary in wrk's output:\n{output[-2000:]}")


def wrk_window(
    port: int, script: Path, mix: Path, start: int, *, connections: int, seconds: int
) -> Tally:
    """One window of wrk on 127.0.0.1:*port*, through *mix* from position *start*."""
    wrk = ensure_wrk()
    # One wrk thread: on a small machine wrk shares the cores with the server under test.
    argv = [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(script)]
    completed = subprocess.run(
        [*argv, f"http://{HOST}:{port}/", "--", str(mix), str(start)],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    if completed.returncode != 0 or completed.stderr.strip():  # a Lua error only goes to stderr
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr[-2000:]}")
    return parse_window(completed.stdout)


def python_window(
    port: int, calls: Sequence[Call], start: int, *, connections: int, seconds: float
) -> Tally:
    """The same window from threads with keep-alive connections (smoke tests only)."""
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    turn = [start]
    latencies: list[float] = []
    counts = {"ok": 0, "redirects": 0, "client_errors": 0, "server_errors": 0}
    dropped = [0]
    received = [0]
    classes = {2: "ok", 3: "redirects", 4: "client_errors", 5: "server_errors"}

    def worker() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=5)
        mine: list[float] = []
        seen = dict.fromkeys(counts, 0)
        lost = size = 0
        try:
            while time.monotonic() < deadline:
                with lock:
                    call = calls[turn[0] % len(calls)]
                    turn[0] += 1
                begin = time.perf_counter()
                try:
                    connection.request(
                        "GET", call.target, headers=dict(PROFILES[call.vendor].headers)
                    )
                    response = connection.getresponse()
                    size += len(response.read())
                except OSError:
                    lost += 1
                    connection.close()
                    connection = http.client.HTTPConnection(HOST, port, timeout=5)
                    continue
                mine.append(time.perf_counter() - begin)
                seen[classes.get(response.status // 100, "server_errors")] += 1
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)
                for key, value in seen.items():
                    counts[key] += value
                dropped[0] += lost
                received[0] += size

    elapsed = run_threads(worker, connections, seconds)
    latencies.sort()
    return Tally(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        socket_errors=dropped[0],
        body_bytes=received[0],
        **counts,
    )
