"""What the answer memory holds after the soak's mix, against what it counts.

``python -m bench.soak.footprint [--calls 60000]``: in process (no server, no load generator),
build the mock as the soak runs it, answer the first calls of the soak's mix (same seed; 29 Next
asked without cursors, which only a server's answers give), then,
per vendor, compare what its answer memory counts against ``--cache-mb`` (the bytes of the
remembered bodies) with what it holds: the memory that dropping it frees, measured with
tracemalloc (bodies as allocated, keys, response objects). The soak's RSS bound counts
``--cache-mb`` per vendor; this shows by how much that undercounts.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cartkit.mockserver import MockConfig, create_app
from cartkit.mockserver.response_cache import ResponseCache

from .. import report
from ..inprocess import asgi_scope, discard, receive
from ..workloads import PROFILES
from .mix import build

__all__ = ["Footprint", "main", "measure"]


@dataclass(frozen=True, slots=True)
class Footprint:
    """One vendor's answer memory after the calls."""

    vendor: str
    answers: int  # remembered answers
    counted: int  # bytes counted against --cache-mb
    held: int  # bytes freed by dropping the answer memory


def _scope(vendor: str, target: str) -> dict[str, Any]:
    path, _, query = target.partition("?")
    scope: dict[str, Any] = asgi_scope(
        path, query, [("user-agent", "wrk"), *PROFILES[vendor].headers]
    )
    return scope


def measure(
    calls: int, *, carts: int = 1000, seed: int = 0, cache_mb: float = 32.0
) -> list[Footprint]:
    """Answer the first *calls* of the mix in process; each vendor's answer memory, counted
    and held."""
    app = create_app(MockConfig(carts=carts, seed=seed, cache_mb=cache_mb))
    mix = build(calls, carts=carts, seed=seed)

    async def answer_all() -> None:
        for call in mix:
            await app(_scope(call.vendor, call.target), receive, discard)

    tracemalloc.start()
    try:
        asyncio.run(answer_all())
        out = []
        for name, vendor in app.state.vendors.items():
            kept: ResponseCache = vendor.answers
            gc.collect()
            before = tracemalloc.get_traced_memory()[0]
            vendor.answers = ResponseCache(kept.budget)
            answers, counted = len(kept), kept.size
            del kept
            gc.collect()
            out.append(
                Footprint(name, answers, counted, before - tracemalloc.get_traced_memory()[0])
            )
    finally:
        tracemalloc.stop()
    return out


def table(found: Sequence[Footprint]) -> str:
    """Per vendor: answers, MiB counted, MiB held, their ratio, and what each answer holds
    beyond its counted bytes."""
    total = Footprint(
        "all",
        sum(f.answers for f in found),
        sum(f.counted for f in found),
        sum(f.held for f in found),
    )
    rows = [
        [
            f.vendor,
            f"{f.answers:,}",
            f"{f.counted / 2**20:,.1f}",
            f"{f.held / 2**20:,.1f}",
            f"{f.held / f.counted:.2f}" if f.counted else "—",
            f"{(f.held - f.counted) / f.answers / 1024:,.1f}" if f.answers else "—",
        ]
        for f in (*found, total)
    ]
    headers = [
        "vendor",
        "answers",
        "counted MiB",
        "held MiB",
        "held/counted",
        "KiB held per answer beyond its body",
    ]
    return report.markdown(headers, rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table for the first ``--calls`` calls of the mix."""
    parser = argparse.ArgumentParser(prog="python -m bench.soak.footprint", description=__doc__)
    parser.add_argument("--calls", type=int, default=60_000, help="calls of the mix [60000]")
    parser.add_argument("--carts", type=int, default=1000, help="carts per vendor [1000]")
    parser.add_argument("--seed", type=int, default=0, help="dataset and mix seed [0]")
    parser.add_argument("--cache-mb", type=float, default=32.0, help="the mock's --cache-mb [32]")
    args = parser.parse_args(argv)
    found = measure(args.calls, carts=args.carts, seed=args.seed, cache_mb=args.cache_mb)
    print(table(found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
