"""Profile the mock under load: ``python -m bench.profile VENDOR [KIND]`` (py-spy, loopback).

Starts ``cartkit serve --vendor VENDOR`` (or, with ``--ceiling``, the bare endpoint serving the
same bytes), drives one workload with wrk at 16 connections for a few seconds while
``py-spy record --pid`` samples the server (``pip install py-spy``), stops the server by PID and
prints where its CPU went: the functions with the most samples on the stack (inclusive) and at
the top of it (self), as shares of the samples taken while serving.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from .ceiling import write_bodies
from .load import run_load
from .servers import Fleet, cartkit_command, free_port, http_ok
from .workloads import KINDS, PROFILES, fetch, workloads

__all__ = ["main", "summarize"]

_LOCATION = re.compile(r" \((?:.*/)?([^/()]+/[^/()]+:\d+)\)$")
# Stacks of the start-up (imports, dataset generation) are left out: only serving counts.
_STARTUP = ("create_app (", "_find_and_load (")
# Frames shown in the inclusive list: the mock's own code and the stack serving it.
_SERVING = ("mockserver/", "vendors/", "starlette/", "uvicorn/", "httptools_impl", "orjson")


def _frame(raw: str) -> str:
    """``func (/path/to/pkg/module.py:12)`` -> ``func (pkg/module.py:12)``."""
    match = _LOCATION.search(raw)
    return raw if match is None else f"{raw[: match.start()]} ({match.group(1)})"


def summarize(collapsed: str, top: int = 25) -> str:
    """Inclusive and self shares of py-spy's raw (collapsed stack) output."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        if any(marker in stack for marker in _STARTUP):
            continue
        frames = [_frame(f) for f in stack.split(";")]
        total += samples
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples
    if not total:
        return "no samples"
    lines = [f"{total} samples while serving", "", "inclusive (serving stack only):"]
    serving = [(f, n) for f, n in inclusive.most_common() if any(m in f for m in _SERVING)]
    lines += [f"  {100 * n / total:5.1f}%  {f}" for f, n in serving[:top]]
    lines += ["", "self:"]
    lines += [f"  {100 * n / total:5.1f}%  {f}" for f, n in own.most_common(top)]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Profile one workload of one vendor and print the summary."""
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("vendor", choices=sorted(PROFILES))
    parser.add_argument("kind", nargs="?", default="filtered", choices=KINDS)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--carts", type=int, default=1000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--rate", type=int, default=500, help="py-spy samples per second")
    parser.add_argument("--ceiling", action="store_true", help="profile the ceiling instead")
    args = parser.parse_args(argv)
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        print("error: py-spy is not installed (pip install py-spy)", file=sys.stderr)
        return 2
    profile = PROFILES[args.vendor]
    with tempfile.TemporaryDirectory(prefix="cartkit-profile-") as tmp, Fleet(Path(tmp)) as fleet:
        port = free_port()
        serve = cartkit_command(
            "serve", "--vendor", args.vendor, "--port", str(port), "--carts", str(args.carts),
            "--log-level", "warning",
        )  # fmt: skip
        server = fleet.start(
            "cartkit", serve, port, lambda: http_ok(port, "/__cartkit/health"), timeout=300
        )
        (load,) = [w for w in workloads(profile, server.base) if w.kind == args.kind]
        if args.ceiling:  # the same bytes from the bare endpoint, to calibrate
            answer = fetch(server.base, load.target, load.headers)
            fleet.stop(server)
            bodies = Path(tmp) / "bodies.json"
            canned = {load.target.partition("?")[2]: (200, answer.content_type, answer.body)}
            write_bodies(bodies, profile.path, canned)
            port = free_port()
            server = fleet.start(
                "ceiling",
                [sys.executable, "-m", "bench.ceiling", "--port", str(port), "--bodies",
                 str(bodies), "--log-level", "warning"],
                port,
                lambda: http_ok(port, load.target),
                timeout=60,
            )  # fmt: skip
        out = Path(tmp) / "samples.txt"
        record = [spy, "record", "--pid", str(server.pid), "--duration", str(args.seconds),
                  "--nonblocking", "--rate", str(args.rate), "--format", "raw", "--output", str(out)]  # fmt: skip
        with subprocess.Popen(
            record, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        ) as spying:
            result = run_load(port, load.target, load.headers, connections=16, seconds=args.seconds)
            spying.wait(timeout=args.seconds + 60)
        print(f"{args.vendor} {args.kind} ({server.name}): GET {load.target}")
        print(f"{result.rps:.0f} req/s while sampled (p50 {result.p50_ms:.2f} ms)\n")
        print(summarize(out.read_text() if out.exists() else "", args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
