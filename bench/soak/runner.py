"""One soak run: the mock with N workers, loaded window after window, its memory sampled.

``cartkit serve`` (all five vendors, on 127.0.0.1) is started and, once every worker has
answered, each worker's RSS is noted: that is the start-up RSS of its memory bound. Before the
load, 29 Next's cursors are found by walking its ``next`` links (the mix pages with them), and a
sample of the mix is asked one call at a time to check that each is answered as planned. Then
wrk (or, in smoke tests, a Python generator) loads it for ``--interval`` seconds at a time, each
window going on in the mix where the one before stopped; after each window every worker's RSS and
peak RSS are read from /proc. The server is stopped by its PID when the run ends, however it ends.
"""

from __future__ import annotations

import dataclasses
import http.client
import itertools
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from ..servers import (
    HOST,
    Fleet,
    Server,
    cartkit_command,
    free_port,
    http_ok,
    peak_rss_kib,
    rss_kib,
    worker_pids,
    written_bytes,
)
from ..workloads import PROFILES, fetch
from .mix import VENDORS, Call, build, path
from .verdict import Bound, Soak, Window
from .window import Tally, python_window, window_script, write_mix, wrk_window

__all__ = ["JOURNAL_ENTRY_KIB", "SoakOptions", "run_soak"]

JOURNAL_ENTRY_KIB = 4
"""What one journal entry may hold: the request's path, query and headers (an entry of the mix's
requests takes about 0.7 KiB, measured in process with tracemalloc)."""

# The renderings of a cart a vendor keeps for the mix's requests: one, except ePages, which keeps
# each language's (the mix asks in German, English and French) twice: as rendered, and with the
# host and shop filled in.
_RENDERINGS = {"epages": 6}
# The largest page each vendor serves, to measure its carts as answered (29 Next: 20, fixed).
_FULL_PAGE = {
    "stateset": ("limit=100", 100),
    "shopimind": ("limit=100", 100),
    "nextcommerce": ("", 20),
    "elasticpath": ("page[limit]=100", 100),
    "epages": ("resultsPerPage=100", 100),
}
_CHECKED_PER_KIND = 20  # calls of each vendor and kind asked one by one before the load


@dataclass(frozen=True, slots=True)
class SoakOptions:
    """How long, how hard, and what the mock is configured with."""

    duration: int = 300
    interval: int = 10
    warmup: int = 60
    connections: int = 64
    carts: int = 1000
    seed: int = 0
    cache_mb: float = 32.0
    journal_size: int = 1000
    slack_mb: float = 32.0
    calls: int = 100_000
    bad_share: float = 0.08
    loadgen: str = "wrk"
    log_level: str = "warning"
    start_timeout: float = 120.0


Say = Callable[[str], None]


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _start(fleet: Fleet, options: SoakOptions, workers: int) -> Server:
    port = free_port()
    argv = cartkit_command(
        "serve",
        "--port",
        str(port),
        "--carts",
        str(options.carts),
        "--seed",
        str(options.seed),
        "--workers",
        str(workers),
        "--cache-mb",
        f"{options.cache_mb:g}",
        "--journal-size",
        str(options.journal_size),
        "--log-level",
        options.log_level,
    )
    return fleet.start(
        f"soak-{workers}w",
        argv,
        port,
        lambda: http_ok(port, "/__cartkit/health"),
        timeout=options.start_timeout,
    )


def _workers(server: Server, workers: int, timeout: float) -> tuple[int, ...]:
    """The worker PIDs, once every worker has answered (each builds its own app at start-up)."""
    if workers == 1:
        return (server.pid,)  # one worker: uvicorn serves in the process itself
    deadline = time.monotonic() + timeout
    pids: list[int] = []
    while len(pids) < workers:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(pids)} of {workers} workers started:\n{server.log_tail()}")
        time.sleep(0.1)
        pids = worker_pids(server.pid)
    before = {pid: written_bytes(pid) or 0 for pid in pids}
    with ThreadPoolExecutor(max_workers=16) as pool:  # fresh connections reach every worker
        while any((written_bytes(pid) or 0) <= before[pid] for pid in pids):
            if time.monotonic() > deadline:
                raise RuntimeError(f"not every worker answered:\n{server.log_tail()}")
            list(pool.map(lambda _: http_ok(server.port, "/__cartkit/health"), range(32)))
    return tuple(pids)


def _served_kib(base: str, carts: int) -> int:
    """The carts as answered, per worker: a full page's bytes per cart, times the carts, times
    the renderings each vendor keeps."""
    total = 0.0
    for vendor in VENDORS:
        query, size = _FULL_PAGE[vendor]
        answer = fetch(base, f"{path(vendor)}?{query}", PROFILES[vendor].headers)
        if answer.status != 200:
            raise RuntimeError(f"{vendor}: a full page answered {answer.status}")
        shown = min(size, carts)
        if shown:
            total += len(answer.body) / shown * carts * _RENDERINGS.get(vendor, 1)
    return round(total / 1024)


def _cursors(base: str, seconds: float = 30.0) -> list[str]:
    """29 Next's cursors, found by following ``next`` links from the first page (bounded)."""
    headers = PROFILES["nextcommerce"].headers
    target, found = path("nextcommerce"), []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = fetch(base, target, headers)
        if answer.status != 200:
            raise RuntimeError(f"nextcommerce: walking answered {answer.status}")
        link = json.loads(answer.body)["next"]
        if not link:
            break
        parts = urlsplit(link)
        target = f"{parts.path}?{parts.query}"
        found.append(parse_qs(parts.query)["cursor"][0])
    return found


def _check(port: int, calls: Sequence[Call]) -> tuple[int, tuple[str, ...]]:
    """Ask the first calls of each vendor and kind one at a time: is each answered as planned
    (a 4xx for bad input, a 2xx otherwise)?"""
    chosen: list[Call] = []
    for vendor, kind in itertools.product(VENDORS, ("fresh", "repeated", "bad")):
        picked = (c for c in calls if c.vendor == vendor and c.kind == kind)
        chosen += itertools.islice(picked, _CHECKED_PER_KIND)
    wrong = []
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        for call in chosen:
            connection.request("GET", call.target, headers=dict(PROFILES[call.vendor].headers))
            response = connection.getresponse()
            response.read()
            if response.status // 100 != (4 if call.bad else 2):
                wrong.append(f"{call.kind} {call.target} -> {response.status}")
    finally:
        connection.close()
    return len(chosen), tuple(wrong)


def _memory(pids: Sequence[int]) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """Every worker's RSS and peak RSS (KiB; 0 for one gone), and the workers gone."""
    rss = tuple(rss_kib(pid) or 0 for pid in pids)
    peaks = tuple(peak_rss_kib(pid) or 0 for pid in pids)
    return rss, peaks, tuple(pid for pid, kib in zip(pids, rss, strict=True) if not kib)


def run_soak(fleet: Fleet, options: SoakOptions, workers: int, say: Say = _say) -> Soak:
    """Start the mock with *workers* workers, load it window after window, and stop it."""
    server = _start(fleet, options, workers)
    try:
        pids = _workers(server, workers, options.start_timeout)
        startup = tuple(rss_kib(pid) or 0 for pid in pids)
        say(
            f"soak, {workers} worker(s): ready in {server.ready_seconds:.1f} s, RSS at start-up "
            + " / ".join(f"{kib / 1024:.1f}" for kib in startup)
            + " MiB"
        )
        served = _served_kib(server.base, options.carts)
        calls = build(
            options.calls,
            carts=options.carts,
            seed=options.seed,
            bad_share=options.bad_share,
            cursors=_cursors(server.base),
        )
        checked, wrong = _check(server.port, calls)
        per_worker = Bound(
            startup_kib=0,
            answers_kib=round(options.cache_mb * 1024 * len(VENDORS)),
            journal_kib=options.journal_size * JOURNAL_ENTRY_KIB,
            served_kib=served,
            slack_kib=round(options.slack_mb * 1024),
        )
        bounds = tuple(dataclasses.replace(per_worker, startup_kib=kib) for kib in startup)
        windows = _load(server, calls, pids, options, say)
    finally:
        fleet.stop(server)
    lost = tuple(
        dict.fromkeys(pid for w in windows for pid, k in zip(pids, w.rss_kib, strict=True) if not k)
    )
    return Soak(
        workers=workers,
        connections=options.connections,
        interval_s=options.interval,
        warmup_s=options.warmup,
        pids=pids,
        bounds=bounds,
        windows=tuple(windows),
        checked=checked,
        misanswered=wrong,
        lost=lost,
    )


def _load(
    server: Server, calls: Sequence[Call], pids: Sequence[int], options: SoakOptions, say: Say
) -> list[Window]:
    bad_before = list(itertools.accumulate((c.bad for c in calls), initial=0))

    def bad_between(start: int, count: int) -> int:
        laps, rest = divmod(count, len(calls))
        start %= len(calls)
        end = start + rest
        wrapped = bad_before[min(end, len(calls))] - bad_before[start]
        if end > len(calls):
            wrapped += bad_before[end - len(calls)]
        return laps * bad_before[-1] + wrapped

    windows: list[Window] = []
    with tempfile.TemporaryDirectory(prefix="cartkit-soak-") as scratch:
        mix = write_mix(calls, Path(scratch) / "mix.txt")
        script = Path(scratch) / "soak.lua"
        script.write_text(window_script())
        position = 0
        began = time.monotonic()
        for _ in range(options.duration // options.interval):
            tally: Tally
            if options.loadgen == "python":
                tally = python_window(
                    server.port,
                    calls,
                    position,
                    connections=options.connections,
                    seconds=options.interval,
                )
            else:
                tally = wrk_window(
                    server.port,
                    script,
                    mix,
                    position,
                    connections=options.connections,
                    seconds=options.interval,
                )
            rss, peaks, gone = _memory(pids)
            window = Window(
                end_s=time.monotonic() - began,
                tally=tally,
                bad_sent=bad_between(position, tally.requests),
                rss_kib=rss,
                peak_kib=peaks,
            )
            position += tally.requests
            windows.append(window)
            say(_progress(window))
            if gone:
                say(f"  worker(s) {', '.join(map(str, gone))} exited: stopping this run")
                break
    return windows


def _progress(w: Window) -> str:
    t = w.tally
    rss = " / ".join(f"{kib / 1024:,.1f}" for kib in w.rss_kib)
    return (
        f"  t={w.end_s:4.0f} s {t.rps:7,.0f} req/s  p50 {t.p50_ms:6.1f}  p99 {t.p99_ms:7.1f} ms  "
        f"4xx {t.client_errors:,} (bad sent {w.bad_sent:,})  5xx {t.server_errors}  "
        f"socket errors {t.socket_errors}  RSS {rss} MiB"
    )
