"""``python bench/run.py``: the whole benchmark, printed as Markdown tables on stdout.

Progress goes to stderr. Every server runs on 127.0.0.1 and is stopped by PID when its part is
done, and on any exit (an error, Ctrl-C or SIGTERM). Exit status 0 on a complete run (targets
missed included: they are results), 2 on a usage or set-up error.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from cartkit import specs

from . import report
from .compare import CORS_SERVERS, CompareOptions, Measurement, WorkerCheck, compare_vendor
from .contract import CheckTiming, time_checks
from .dataset_size import ScaleResult, measure_scale
from .inprocess import Cost, measure_costs
from .load import ensure_wrk
from .servers import REPO, Fleet
from .soak import cli as soak
from .worker_gain import Scaling, measure_scaling
from .workloads import PROFILES

__all__ = ["main"]

PRISM_DIR = REPO / "bench" / ".prism"
PRISM_PACKAGE = "@stoplight/prism-cli@5"


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(part.replace("_", "")) for part in text.split(",") if part.strip())


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python bench/run.py",
        description="cartkit's mock side by side with a bare Starlette ceiling and Prism, "
        "its scale at 1k/100k/1M carts, and the speed of `cartkit check`. Loopback only.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="1 s load runs and sizes 1000,100000 (unless given)"
    )
    parser.add_argument(
        "--vendors", type=_names, default=specs.VENDORS, help="comma list [all five]"
    )
    parser.add_argument("--duration", type=int, help="seconds per load run [5; --quick 1]")
    parser.add_argument(
        "--concurrency",
        type=_ints,
        default=(1, 16, 64),
        help="connections per load run [1,16,64]",
    )
    parser.add_argument(
        "--carts",
        type=int,
        default=1000,
        help="carts per vendor in the load runs [1000, cartkit serve's default]",
    )
    parser.add_argument(
        "--sizes", type=_ints, help="carts per vendor for the scale runs [1000,100000,1000000]"
    )
    parser.add_argument(
        "--ready-timeout",
        type=float,
        default=300.0,
        help="seconds a scale run may wait for the mock to be ready [300]",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--log-level",
        default="warning",
        help="log level of every server under load (no access log) [warning]",
    )
    parser.add_argument(
        "--loadgen",
        choices=("wrk", "python"),
        default="wrk",
        help="wrk (installed with apt-get if missing), or a small Python "
        "generator for smoke tests only [wrk]",
    )
    parser.add_argument("--no-load", action="store_true", help="skip the side-by-side runs")
    parser.add_argument("--no-prism", action="store_true", help="skip Prism (no npm needed)")
    parser.add_argument("--no-workers", action="store_true", help="skip --workers 2")
    parser.add_argument("--no-scale", action="store_true", help="skip the scale runs")
    parser.add_argument("--no-check", action="store_true", help="skip `cartkit check` timing")
    parser.add_argument(
        "--check-max-examples", type=int, help="pass --max-examples to cartkit check [its default]"
    )
    parser.add_argument(
        "--check-timeout", type=float, default=300.0, help="seconds one cartkit check may run [300]"
    )
    parser.add_argument("--json", type=Path, help="also write every number here")
    parser.add_argument(
        "--soak",
        action="store_true",
        help="run the soak instead: the mock under load for minutes, judged on errors, p99 and "
        "memory (its own options: --soak --help)",
    )
    return parser


def ensure_prism() -> str:
    """The Prism binary under bench/.prism, installed there with npm when missing."""
    binary = PRISM_DIR / "node_modules" / ".bin" / "prism"
    if binary.exists():
        return str(binary)
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("error: Prism needs npm (Node.js); install it or pass --no-prism")
    PRISM_DIR.mkdir(parents=True, exist_ok=True)
    print(f"installing {PRISM_PACKAGE} into {PRISM_DIR} ...", file=sys.stderr, flush=True)
    subprocess.run(
        [npm, "install", "--prefix", str(PRISM_DIR), "--no-audit", "--no-fund", PRISM_PACKAGE],
        check=True,
        timeout=600,
    )
    return str(binary)


def _loads(before: tuple[float, ...], after: tuple[float, ...]) -> str:
    """1-minute load averages: above ~0.5 before the run, something else was using the CPU."""
    return f"{before[0]:.2f} / {after[0]:.2f} (1 min)"


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark (or, with ``--soak``, the soak) and print its tables; returns the exit
    status."""
    given = list(sys.argv[1:] if argv is None else argv)
    if "--soak" in given:
        given.remove("--soak")
        return soak.main(given)
    args = _parser().parse_args(given)
    unknown = [v for v in args.vendors if v not in PROFILES]
    if unknown:
        print(
            f"error: unknown vendor {unknown[0]!r}; choose from {', '.join(PROFILES)}",
            file=sys.stderr,
        )
        return 2
    seconds = args.duration or (1 if args.quick else 5)
    sizes = args.sizes or ((1000, 100_000) if args.quick else (1000, 100_000, 1_000_000))
    signal.signal(signal.SIGTERM, _terminate)
    wrk = ensure_wrk() if args.loadgen == "wrk" and not args.no_load else None
    prism = None if args.no_prism or args.no_load else ensure_prism()
    command = "python bench/run.py " + shlex.join(list(argv if argv is not None else sys.argv[1:]))
    started = datetime.now(UTC)
    measurements: list[Measurement] = []
    checks: list[WorkerCheck] = []
    scalings: list[Scaling] = []
    scale: list[ScaleResult] = []
    timings: list[CheckTiming] = []
    costs: list[Cost] = []
    options = CompareOptions(
        seconds=seconds,
        concurrency=args.concurrency,
        carts=args.carts,
        seed=args.seed,
        loadgen=args.loadgen,
        log_level=args.log_level,
        prism=prism,
        workers=not args.no_workers,
    )
    clock = time.monotonic()
    load_before = os.getloadavg()
    host = report.machine(wrk, prism)  # before the runs: the source under test as it was then
    with tempfile.TemporaryDirectory(prefix="cartkit-bench-") as logs, Fleet(Path(logs)) as fleet:
        if not args.no_load:
            for vendor in args.vendors:
                found, check = compare_vendor(fleet, PROFILES[vendor], options)
                measurements += found
                checks += [check] if check else []
                if check:
                    scalings.append(measure_scaling(fleet, PROFILES[vendor], options))
        if not args.no_load:
            print("in-process cost per request ...", file=sys.stderr, flush=True)
            costs = measure_costs(
                args.vendors,
                carts=args.carts,
                seed=args.seed,
                requests=2_000 if args.quick else 10_000,
            )
        if not args.no_scale:
            for vendor in args.vendors:
                for carts in sizes:
                    print(f"{vendor}: scale {carts:,} carts ...", file=sys.stderr, flush=True)
                    result = measure_scale(
                        fleet,
                        PROFILES[vendor],
                        carts,
                        seed=args.seed,
                        timeout=args.ready_timeout,
                        log_level=args.log_level,
                    )
                    print(f"  {result}", file=sys.stderr, flush=True)
                    scale.append(result)
        if not args.no_check:
            print("timing cartkit check ...", file=sys.stderr, flush=True)
            timings = time_checks(
                fleet,
                args.vendors,
                timeout=args.check_timeout,
                max_examples=args.check_max_examples,
            )
    elapsed = time.monotonic() - clock
    found_targets = report.targets(
        args.vendors, measurements, checks, scalings, scale, timings, costs
    )
    sections = [
        f"# cartkit benchmark, {started:%Y-%m-%d %H:%M} UTC ({elapsed / 60:.1f} min)",
        f"Command: `{command}`  \n"
        f"Load runs: {seconds} s each, concurrency {', '.join(map(str, args.concurrency))}, "
        f"{args.carts:,} carts per vendor, seed {args.seed}, load generator {args.loadgen}.",
        "## Machine\n\n"
        + report.markdown(
            ["", ""],
            [
                *host,
                ("load average before / after", _loads(load_before, os.getloadavg())),
            ],
        ),
    ]
    if measurements:
        sections.append("## Side by side\n\n" + report.load_table(measurements))
    if any(m.server in CORS_SERVERS for m in measurements):
        sections.append("## CORS\n\n" + report.cors_table(measurements))
    if costs:
        sections.append("## In process\n\n" + report.cost_table(costs))
    if checks:
        sections.append("## --workers 2\n\n" + report.workers_table(checks, scalings, measurements))
    if scale:
        sections.append("## Scale\n\n" + report.scale_table(scale))
    if timings:
        sections.append("## cartkit check\n\n" + report.check_table(timings))
    sections.append("## Targets\n\n" + report.targets_table(found_targets))
    print("\n\n".join(sections))
    if args.json:
        everything = {
            "command": command,
            "started": started.isoformat(),
            "measurements": [dataclasses.asdict(m) for m in measurements],
            "workers": [dataclasses.asdict(c) for c in checks],
            "scaling": [{**dataclasses.asdict(s), "gain": s.gain} for s in scalings],
            "scale": [dataclasses.asdict(s) for s in scale],
            "check": [dataclasses.asdict(t) for t in timings],
            "in_process": [dataclasses.asdict(c) for c in costs],
            "targets": [dataclasses.asdict(t) for t in found_targets],
        }
        args.json.write_text(json.dumps(everything, indent=1))
    return 0
