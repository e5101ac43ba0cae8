"""Dataset size: how the mock starts and answers at 1k, 100k and 1M carts per vendor (the
report's **scale** table): time until ready, peak RSS, and the latency of a page and of a
full-scan filter.

For each size, ``cartkit serve --vendor V --carts N`` is started and timed until
``/__cartkit/health`` answers; then one keep-alive client asks for the first unfiltered page and
for full-scan filters, one request at a time, bounded in count and time. Each filter request
uses a different value (``VendorProfile.scan(i)``), so no answer can come from a cache, and the
first (cold) one is reported apart. Peak RSS is the server's ``VmHWM`` after the requests.
"""

from __future__ import annotations

import http.client
import time
from collections.abc import Callable
from dataclasses import dataclass

from .load import percentile
from .servers import (
    HOST,
    Fleet,
    ServerError,
    cartkit_command,
    free_port,
    http_ok,
    peak_rss_kib,
)
from .workloads import VendorProfile

__all__ = ["ScaleResult", "measure_scale"]

_REQUEST_TIMEOUT = 120.0  # one request; a slower answer is a failure


@dataclass(frozen=True, slots=True)
class ScaleResult:
    """One vendor at one size."""

    vendor: str
    carts: int
    ready_s: float | None
    peak_rss_mib: float | None
    page_p50_ms: float | None = None
    scan_p50_ms: float | None = None
    scan_first_ms: float | None = None
    samples: tuple[int, int] = (0, 0)  # page requests, filter requests
    note: str = ""


def _timed(
    port: int, targets: Callable[[int], str], profile: VendorProfile, count: int, budget: float
) -> tuple[list[float], int]:
    """Latencies (ms) of up to *count* sequential requests within *budget* seconds; failures."""
    connection = http.client.HTTPConnection(HOST, port, timeout=_REQUEST_TIMEOUT)
    latencies: list[float] = []
    failures = 0
    deadline = time.monotonic() + budget
    try:
        for i in range(count):
            if latencies and time.monotonic() > deadline:
                break
            start = time.perf_counter()
            try:
                connection.request("GET", targets(i), headers=dict(profile.headers))
                response = connection.getresponse()
                response.read()
            except OSError:  # a timeout: count it and stop asking
                failures += 1
                break
            latencies.append((time.perf_counter() - start) * 1000)
            failures += response.status != 200
    finally:
        connection.close()
    return latencies, failures


def measure_scale(
    fleet: Fleet,
    profile: VendorProfile,
    carts: int,
    *,
    seed: int = 0,
    timeout: float = 300.0,
    requests: int = 30,
    budget: float = 20.0,
    log_level: str = "warning",
) -> ScaleResult:
    """Start the mock with *carts* carts, time it until ready, and time a page and a scan."""
    port = free_port()
    argv = cartkit_command(
        "serve",
        "--vendor",
        profile.name,
        "--port",
        str(port),
        "--carts",
        str(carts),
        "--seed",
        str(seed),
        "--log-level",
        log_level,
    )
    try:
        server = fleet.start(
            "cartkit-scale", argv, port, lambda: http_ok(port, "/__cartkit/health"), timeout=timeout
        )
    except ServerError as error:
        rss = error.peak_rss_kib / 1024 if error.peak_rss_kib else None
        first = str(error).splitlines()[0]
        return ScaleResult(profile.name, carts, None, rss, note=first)
    try:
        page, page_failures = _timed(
            port, lambda i: profile.target(profile.page), profile, requests, budget
        )
        scan, scan_failures = _timed(
            port, lambda i: profile.target(profile.scan(i)), profile, requests, budget
        )
        rss_kib = peak_rss_kib(server.pid)
    finally:
        fleet.stop(server)
    failures = page_failures + scan_failures
    return ScaleResult(
        vendor=profile.name,
        carts=carts,
        ready_s=server.ready_seconds,
        peak_rss_mib=rss_kib / 1024 if rss_kib else None,
        page_p50_ms=percentile(sorted(page), 50),
        scan_p50_ms=percentile(sorted(scan[1:] or scan), 50),
        scan_first_ms=scan[0] if scan else None,
        samples=(len(page), len(scan)),
        note=f"{failures} non-200 answers" if failures else "",
    )
