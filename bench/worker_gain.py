"""Worker gain: does ``--workers 2`` scale throughput? Measured where the server, not wrk, does
the work. (That both workers answer byte-identical bytes is checked by :mod:`bench.compare`.)

On a 2-core machine wrk needs most of a core to drive a mock answering in tens of microseconds, so
a second worker has no core of its own and a 2-worker/1-worker ratio on cheap requests measures
wrk. Here each request is a different full-scan filter (``VendorProfile.scan(i)``) over 100,000
carts, on mocks run with ``--cache-mb 0`` so that no answer is remembered: every request costs the
server far more CPU than it costs wrk, and both cores can go to the workers. One worker and two are
loaded back to back with the same requests, each after a short warm-up (every worker's first filter
is slower).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from .compare import CompareOptions, start_mock
from .load import LoadResult, run_load
from .servers import Fleet
from .workloads import VendorProfile

__all__ = ["SCALING_CARTS", "Scaling", "measure_scaling"]

SCALING_CARTS = 100_000
SCALING_CONNECTIONS = 16
_DISTINCT = 20_000  # distinct filters, sent in turn (more than the 16 filters a worker keeps)
_WARM_UP_SECONDS = 1


@dataclass(frozen=True, slots=True)
class Scaling:
    """One and two workers under the same stream of distinct full-scan filters."""

    vendor: str
    carts: int
    connections: int
    one: LoadResult
    two: LoadResult

    @property
    def gain(self) -> float:
        """Two workers' req/s over one worker's."""
        return self.two.rps / self.one.rps if self.one.rps else 0.0


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def measure_scaling(
    fleet: Fleet,
    profile: VendorProfile,
    options: CompareOptions,
    say: Callable[[str], None] = _say,
) -> Scaling:
    """Load 1 and 2 workers of *profile*'s mock at :data:`SCALING_CARTS` carts, one at a time."""
    targets = [profile.target(profile.scan(i)) for i in range(_DISTINCT)]
    results: list[LoadResult] = []
    for workers in (1, 2):
        server = start_mock(
            fleet, profile.name, options, workers=workers, carts=SCALING_CARTS, remember=False
        )
        try:
            for seconds in (_WARM_UP_SECONDS, options.seconds):
                result = run_load(
                    server.port,
                    targets,
                    profile.headers,
                    connections=SCALING_CONNECTIONS,
                    seconds=seconds,
                    loadgen=options.loadgen,
                )
        finally:
            fleet.stop(server)
        say(
            f"  {profile.name:<12} scan     {workers} worker(s)  c={SCALING_CONNECTIONS:<3} "
            f"{result.rps:9.0f} req/s  p50 {result.p50_ms:7.2f} ms"
            + (f"  {result.errors} errors" if result.errors else "")
        )
        results.append(result)
    return Scaling(profile.name, SCALING_CARTS, SCALING_CONNECTIONS, *results)
