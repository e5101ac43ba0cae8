"""What one request costs inside the mock, without a server or a load generator in the way.

The ASGI app is called directly, on one event loop, for the filtered page of each vendor: the
answer remembered (as a browser's repeated request is), asked without and with an ``Origin``
header, and asked with an ``Origin`` of a mock started with ``--no-cors`` and of one started
with ``--journal-size 0``. Differences of a
fraction of a microsecond show here that drown in the noise of a load run on a shared machine.
Each variant keeps the best of a few rounds (interference only ever slows a round down).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cartkit.mockserver import MockConfig, create_app

from .workloads import PROFILES

__all__ = ["Cost", "asgi_scope", "discard", "measure_costs", "receive"]

_ORIGIN = (b"origin", b"http://localhost:3000")


@dataclass(frozen=True, slots=True)
class Cost:
    """Microseconds per request of one vendor's filtered page, in process."""

    vendor: str
    plain_us: float  # CORS on, no Origin (a client that is no browser)
    cors_us: float  # CORS on, asked by a page on another origin
    no_cors_us: float  # --no-cors, the same request
    no_journal_us: float  # --journal-size 0, asked by a page on another origin

    @property
    def journal_cost_us(self) -> float:
        """What keeping the request in the journal costs."""
        return self.cors_us - self.no_journal_us

    @property
    def cors_cost_us(self) -> float:
        """What answering a cross-origin request costs over not doing CORS at all."""
        return self.cors_us - self.no_cors_us


def asgi_scope(
    path: str, query: str, headers: Sequence[tuple[str, str]], origin: bool = False
) -> Any:
    """An HTTP scope for a GET of *path*?*query* as uvicorn hands it to the app."""
    raw = [(b"host", b"127.0.0.1:8000")]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers]
    if origin:
        raw.append(_ORIGIN)
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": raw,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def receive() -> dict[str, Any]:
    """An empty request body."""
    return {"type": "http.request", "body": b"", "more_body": False}


async def discard(message: Any) -> None:
    """Drop what the app sends."""
    return None


async def _per_request(app: Any, scope: Any, requests: int, rounds: int) -> float:
    for _ in range(100):  # the first answer is computed; every later one is remembered
        await app(dict(scope), receive, discard)
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(requests):
            await app(dict(scope), receive, discard)
            # A server's loop runs what a request scheduled (the journal's write) between
            # requests: so does this one, for every variant alike.
            await asyncio.sleep(0)
        best = min(best, (time.perf_counter() - started) / requests)
    return best * 1e6


def measure_costs(
    vendors: Sequence[str], *, carts: int = 1000, seed: int = 0, requests: int = 20_000
) -> list[Cost]:
    """The in-process cost of each vendor's filtered page (see the module docstring)."""
    return [asyncio.run(_cost(vendor, carts, seed, requests)) for vendor in vendors]


async def _cost(vendor: str, carts: int, seed: int, requests: int) -> Cost:
    profile = PROFILES[vendor]
    path, _, query = profile.target(profile.filtered).partition("?")
    config = MockConfig(vendors=(vendor,), at_root=True, carts=carts, seed=seed)
    on = create_app(config)
    off = create_app(dataclasses.replace(config, cors=False))
    quiet = create_app(dataclasses.replace(config, journal_size=0))
    variants = ((on, False), (on, True), (off, True), (quiet, True))
    found: list[list[float]] = [[] for _ in variants]
    for _ in range(3):  # interleaved: the variants share whatever the machine is doing
        for (app, origin), times in zip(variants, found, strict=True):
            scope = asgi_scope(path, query, profile.headers, origin)
            times.append(await _per_request(app, scope, requests, rounds=1))
    plain, cors, no_cors, no_journal = (min(times) for times in found)
    return Cost(vendor, plain, cors, no_cors, no_journal)
