"""The soak's command line: ``python bench/run.py --soak`` (also ``python -m bench.soak``).

For each worker count (one, then two), :func:`~bench.soak.runner.run_soak` loads a fresh mock for
``--duration`` seconds; the criteria of :mod:`bench.soak.verdict` are judged on each run. It
prints Markdown tables on stdout (a row per window, each worker's memory bound, the verdict) and
progress on stderr. Exit status 0 when every criterion passes, 1 when one fails, 2 on a usage or
set-up error.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shlex
import signal
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from .. import report
from ..load import ensure_wrk
from ..servers import Fleet
from .mix import VENDORS
from .runner import JOURNAL_ENTRY_KIB, SoakOptions, run_soak
from .verdict import Criterion, Soak, Window, judge

__all__ = ["bound_table", "main", "verdict_table", "windows_table"]


def _row(w: Window) -> list[object]:
    t = w.tally
    return [
        f"{w.end_s:.0f}",
        f"{t.rps:,.0f}",
        f"{t.p50_ms:.1f}",
        f"{t.p99_ms:.1f}",
        f"{t.ok:,}",
        f"{t.client_errors:,}",
        f"{w.bad_sent:,}",
        f"{t.redirects:,}",
        f"{t.server_errors:,}",
        f"{t.socket_errors:,}",
        f"{t.body_bytes / 2**20:,.0f}",
        " / ".join(f"{kib / 1024:,.1f}" for kib in w.rss_kib),
    ]


def windows_table(soak: Soak) -> str:
    """One row per window."""
    headers = [
        "t s",
        "req/s",
        "p50 ms",
        "p99 ms",
        "2xx",
        "4xx",
        "bad sent",
        "3xx",
        "5xx",
        "socket errors",
        "MiB answered",
        "RSS MiB" + (" per worker" if soak.workers > 1 else ""),
    ]
    return report.markdown(headers, [_row(w) for w in soak.windows])


def bound_table(soak: Soak) -> str:
    """What each worker's memory bound is made of."""
    rows = [
        [
            i + 1,
            *(
                f"{kib / 1024:,.1f}"
                for kib in (
                    b.startup_kib,
                    b.answers_kib,
                    b.journal_kib,
                    b.served_kib,
                    b.slack_kib,
                    b.total_kib,
                )
            ),
        ]
        for i, b in enumerate(soak.bounds)
    ]
    headers = [
        "worker",
        "start-up MiB",
        "+ answers",
        "+ journal",
        "+ carts as served",
        "+ slack",
        "= bound MiB",
    ]
    return report.markdown(headers, rows)


def verdict_table(criteria: Sequence[Criterion]) -> str:
    """Each criterion: measured, and pass or FAIL."""
    rows = [[c.name, c.measured, "pass" if c.passed else "FAIL"] for c in criteria]
    return report.markdown(["criterion", "measured", ""], rows)


def _counts(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python bench/run.py --soak",
        description="cartkit serve (all five vendors) under load for a long time: distinct "
        "requests, bad input among them; throughput, latency, errors and every worker's RSS "
        "per window, then a verdict. Also `python -m bench.soak`. Loopback only.",
    )
    add = parser.add_argument
    add("--duration", type=int, default=300, help="seconds of load per run [300]")
    add("--interval", type=int, default=10, help="seconds per window [10]")
    add("--warmup", type=int, default=60, help="seconds judged as the first minute [60]")
    add("--connections", type=int, default=64, help="connections [64]")
    add("--workers", type=_counts, default=(1, 2), help="worker counts, one run each [1,2]")
    add("--carts", type=int, default=1000, help="carts per vendor [1000]")
    add("--seed", type=int, default=0, help="dataset and mix seed [0]")
    add("--cache-mb", type=float, default=32.0, help="the mock's --cache-mb [32]")
    add("--journal-size", type=int, default=1000, help="the mock's --journal-size [1000]")
    add("--slack-mb", type=float, default=32.0, help="slack in each worker's RSS bound [32]")
    add("--calls", type=int, default=100_000, help="calls in the mix, sent in turn [100000]")
    add("--bad-share", type=float, default=0.08, help="share of bad input [0.08]")
    add(
        "--loadgen",
        choices=("wrk", "python"),
        default="wrk",
        help="wrk, or a small Python generator for smoke tests only [wrk]",
    )
    add("--log-level", default="warning", help="the mock's log level [warning]")
    add(
        "--start-timeout",
        type=float,
        default=120.0,
        help="seconds the mock may take to start [120]",
    )
    add("--json", type=Path, help="also write every number here")
    return parser


def _usage(args: argparse.Namespace) -> str | None:
    if args.interval < 1 or args.connections < 1 or args.calls < 1:
        return "--interval, --connections and --calls must be at least 1"
    if not args.interval <= args.warmup < args.duration:
        return (
            f"need --interval <= --warmup < --duration (got {args.interval}, {args.warmup}, "
            f"{args.duration}): a window after the warm-up is what the criteria judge"
        )
    if not args.workers or min(args.workers) < 1:
        return f"--workers {','.join(map(str, args.workers))!r}: give counts of at least 1"
    if not 0 <= args.bad_share < 1:
        return f"--bad-share {args.bad_share!r} is not in [0, 1)"
    return None


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the soak and print its tables; returns the exit status."""
    args = _parser().parse_args(argv)
    if problem := _usage(args):
        print(f"error: {problem}", file=sys.stderr)
        return 2
    given = {f.name: getattr(args, f.name) for f in dataclasses.fields(SoakOptions)}
    options = SoakOptions(**given)
    signal.signal(signal.SIGTERM, _terminate)
    wrk = ensure_wrk() if options.loadgen == "wrk" else None
    command = "python bench/run.py --soak " + shlex.join(
        list(sys.argv[1:] if argv is None else argv)
    )
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    host = report.machine(wrk, None)
    runs: list[tuple[Soak, list[Criterion]]] = []
    with tempfile.TemporaryDirectory(prefix="cartkit-soak-") as logs, Fleet(Path(logs)) as fleet:
        for workers in args.workers:
            try:
                soak = run_soak(fleet, options, workers)
            except RuntimeError as exc:  # the mock or the load generator failed to start or run
                print(f"error: {workers} worker(s): {exc}", file=sys.stderr)
                return 2
            runs.append((soak, judge(soak)))
    passed = all(c.passed for _, criteria in runs for c in criteria)
    loads = f"{load_before[0]:.2f} / {os.getloadavg()[0]:.2f} (1 min)"
    sections = [
        f"# cartkit soak, {started:%Y-%m-%d %H:%M} UTC: {'PASS' if passed else 'FAIL'}",
        f"Command: `{command}`  \n"
        f"{options.duration} s of load per run in {options.interval} s windows at "
        f"{options.connections} connections, first {options.warmup} s as the warm-up; "
        f"`cartkit serve` with all five vendors, {options.carts:,} carts each, seed "
        f"{options.seed}, --cache-mb {options.cache_mb:g}, --journal-size "
        f"{options.journal_size}; {options.calls:,} calls in the mix "
        f"({options.bad_share:.0%} bad input); load generator {options.loadgen}.",
        "## Machine\n\n"
        + report.markdown(["", ""], [*host, ("load average before / after", loads)]),
    ]
    for soak, criteria in runs:
        title = "1 worker" if soak.workers == 1 else f"--workers {soak.workers}"
        sections += [
            f"## {title}: {'PASS' if all(c.passed for c in criteria) else 'FAIL'}",
            windows_table(soak),
            "Memory bound per worker: the RSS right after start-up, plus --cache-mb for each "
            f"of the {len(VENDORS)} vendors' answer memory, plus {JOURNAL_ENTRY_KIB} KiB per "
            "journal entry, plus the carts as answered (a full page's bytes per cart, times the "
            "carts, times the renderings kept), plus the slack (--slack-mb).\n\n"
            + bound_table(soak),
            verdict_table(criteria),
        ]
    print("\n\n".join(sections))
    if args.json:
        everything = {
            "command": command,
            "started": started.isoformat(),
            "options": dataclasses.asdict(options),
            "passed": passed,
            "runs": [
                {**dataclasses.asdict(soak), "criteria": [dataclasses.asdict(c) for c in crit]}
                for soak, crit in runs
            ],
        }
        args.json.write_text(json.dumps(everything, indent=1))
    return 0 if passed else 1
