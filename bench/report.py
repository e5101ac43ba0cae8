"""The tables the benchmark prints (Markdown), the targets, and the machine."""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .compare import CORS_SERVERS, SERVERS, Measurement, WorkerCheck
from .contract import CheckTiming
from .dataset_size import ScaleResult
from .inprocess import Cost
from .worker_gain import Scaling

__all__ = [
    "Target",
    "check_table",
    "cors_table",
    "cost_table",
    "load_table",
    "machine",
    "markdown",
    "scale_table",
    "targets",
    "targets_table",
    "workers_table",
]

MILLION = 1_000_000
WORKER_SCALING = 1.25  # "scales throughput": 2 workers give at least 1.25x one worker's req/s
BROWSER_FLOOR = 0.8  # the filtered page asked by a browser (CORS) keeps 0.8x the ceiling at c=16
# "No measurable cost": CORS adds at most this much to a request, in process. Back-to-back load
# runs of one server scatter by ±10 % (several microseconds per request) on a shared machine.
CORS_COST_US = 0.5


def markdown(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table, columns padded to line up in a terminal."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def _num(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "—" if not a or not b else f"{a / b:.2f}"


def _index(measurements: Sequence[Measurement]) -> dict[tuple[str, str, int, str], Measurement]:
    return {(m.vendor, m.kind, m.connections, m.server): m for m in measurements}


def load_table(measurements: Sequence[Measurement]) -> str:
    """ONE table: per vendor, workload and concurrency, every server side by side."""
    index = _index(measurements)
    servers = SERVERS
    short = {
        "cartkit-afresh": "afresh",
        "cartkit-2w": "2 workers",
        "prism-static": "Prism static",
        "prism-dynamic": "Prism -d",
    }
    headers = ["vendor", "workload", "c", "bytes"]
    for server in servers:
        headers += [f"{short.get(server, server)} req/s", "p50/p99 ms"]
    headers += ["cartkit/ceiling", "afresh/ceiling", "cartkit/Prism", "cartkit/Prism -d"]
    headers += ["Prism bytes s/d"]
    rows = []
    keys = sorted({(m.vendor, m.kind, m.connections) for m in measurements}, key=_row_order)
    for vendor, kind, connections in keys:
        mine = index.get((vendor, kind, connections, "cartkit"))
        row: list[object] = [vendor, kind, connections, mine.body_bytes if mine else "—"]
        rps: dict[str, float | None] = {}
        for server in servers:
            m = index.get((vendor, kind, connections, server))
            rps[server] = m.result.rps if m else None
            flag = f" ({m.result.errors} err)" if m and m.result.errors else ""
            status = f" [{m.status}]" if m and m.status != 200 else ""
            row.append(_num(rps[server]) + flag + status)
            row.append(f"{m.result.p50_ms:.2f}/{m.result.p99_ms:.2f}" if m else "—")
        sizes = [
            index.get((vendor, kind, connections, s)) for s in ("prism-static", "prism-dynamic")
        ]
        row += [
            _ratio(rps["cartkit"], rps["ceiling"]),
            _ratio(rps["cartkit-afresh"], rps["ceiling"]),
            _ratio(rps["cartkit"], rps["prism-static"]),
            _ratio(rps["cartkit"], rps["prism-dynamic"]),
            " / ".join(str(m.body_bytes) if m else "—" for m in sizes),
        ]
        rows.append(row)
    return markdown(headers, rows)


def _row_order(key: tuple[str, str, int]) -> tuple[str, int, int]:
    vendor, kind, connections = key
    return vendor, ("page", "filtered", "deep").index(kind), connections


def workers_table(
    checks: Sequence[WorkerCheck], scalings: Sequence[Scaling], measurements: Sequence[Measurement]
) -> str:
    """``--workers 2``: did both workers answer identical bytes, and the throughput gains: on
    distinct full-scan filters (server-bound) and on the three cheap workloads (wrk-bound)."""
    index = _index(measurements)
    rows = []
    for check in checks:
        scaling = next((s for s in scalings if s.vendor == check.vendor), None)
        gains = []
        for kind in ("page", "filtered", "deep"):
            top = max((m.connections for m in measurements if m.vendor == check.vendor), default=0)
            one = index.get((check.vendor, kind, top, "cartkit"))
            two = index.get((check.vendor, kind, top, "cartkit-2w"))
            gains.append(_ratio(two.result.rps if two else None, one.result.rps if one else None))
        rows.append(
            [
                check.vendor,
                f"{check.served_by}/{check.workers}",
                check.requests,
                "yes" if check.identical else f"NO ({', '.join(check.mismatches) or 'one worker'})",
                f"{scaling.one.rps:,.0f} → {scaling.two.rps:,.0f}" if scaling else "—",
                f"{scaling.gain:.2f}" if scaling else "—",
                " / ".join(gains),
            ]
        )
    headers = ["vendor", "workers answering", "requests", "identical bytes"]
    headers += ["scan req/s 1w → 2w", "2w/1w scan", "2w/1w page/filt/deep"]
    return markdown(headers, rows)


def cors_table(measurements: Sequence[Measurement]) -> str:
    """The filtered page asked with an ``Origin`` header (as a page on another origin asks):
    the mock with CORS on, the mock with ``--no-cors``, and the ceiling, side by side."""
    index = _index(measurements)
    rows = []
    keys = sorted({(m.vendor, m.connections) for m in measurements if m.server in CORS_SERVERS})
    for vendor, connections in keys:
        rps = {
            server: (
                m.result.rps
                if (m := index.get((vendor, "filtered", connections, server)))
                else None
            )
            for server in ("cartkit", *CORS_SERVERS, "ceiling")
        }
        rows.append(
            [
                vendor,
                connections,
                *(_num(rps[server]) for server in ("cartkit", *CORS_SERVERS, "ceiling")),
                _ratio(rps["cartkit-cors"], rps["cartkit-no-cors"]),
                _ratio(rps["cartkit-cors"], rps["ceiling"]),
            ]
        )
    headers = ["vendor", "c", "no Origin req/s", "CORS req/s", "--no-cors req/s", "ceiling req/s"]
    headers += ["CORS/--no-cors", "CORS/ceiling"]
    return markdown(headers, rows)


def cost_table(costs: Sequence[Cost]) -> str:
    """Microseconds per remembered filtered page, in process: what CORS costs exactly."""
    rows = [
        [
            c.vendor,
            f"{c.plain_us:.2f}",
            f"{c.cors_us:.2f}",
            f"{c.no_cors_us:.2f}",
            f"{c.cors_cost_us:+.2f}",
            f"{c.cors_us / c.no_cors_us:.3f}",
            f"{c.no_journal_us:.2f}",
            f"{c.journal_cost_us:+.2f}",
        ]
        for c in costs
    ]
    headers = ["vendor", "no Origin µs", "CORS µs", "--no-cors µs", "CORS cost µs"]
    headers += ["CORS/--no-cors", "--journal-size 0 µs", "journal cost µs"]
    return markdown(headers, rows)


def scale_table(results: Sequence[ScaleResult]) -> str:
    """Start-up time, peak RSS and latencies per vendor and size."""
    rows = [
        [
            r.vendor,
            f"{r.carts:,}",
            _num(r.ready_s, 1),
            _num(r.peak_rss_mib),
            _num(r.page_p50_ms, 2),
            _num(r.scan_p50_ms, 1),
            _num(r.scan_first_ms, 1),
            f"{r.samples[0]}/{r.samples[1]}",
            r.note,
        ]
        for r in results
    ]
    headers = [
        "vendor",
        "carts",
        "ready s",
        "peak RSS MiB",
        "page p50 ms",
        "filter p50 ms",
        "1st filter ms",
        "n page/filter",
        "note",
    ]
    return markdown(headers, rows)


def check_table(timings: Sequence[CheckTiming]) -> str:
    """Wall time of ``cartkit check`` per vendor."""
    rows = [
        [t.vendor, f"{t.seconds:.1f}", "timeout" if t.exit_code is None else t.exit_code, t.summary]
        for t in timings
    ]
    return markdown(["vendor", "wall s", "exit", "summary"], rows)


@dataclass(frozen=True, slots=True)
class Target:
    """One benchmark target, for one vendor, with what was measured."""

    name: str
    vendor: str
    measured: str
    met: bool | None  # None: not measured in this run


def _ratios(
    index: dict[tuple[str, str, int, str], Measurement],
    vendor: str,
    other: str,
    levels: Sequence[int],
    mine: str = "cartkit",
) -> list[float]:
    out = []
    for c in levels:
        ours, theirs = (
            index.get((vendor, "filtered", c, mine)),
            index.get((vendor, "filtered", c, other)),
        )
        if ours and theirs and theirs.result.rps:
            out.append(ours.result.rps / theirs.result.rps)
    return out


def targets(
    vendors: Sequence[str],
    measurements: Sequence[Measurement],
    checks: Sequence[WorkerCheck],
    scalings: Sequence[Scaling],
    scale: Sequence[ScaleResult],
    timings: Sequence[CheckTiming],
    costs: Sequence[Cost] = (),
) -> list[Target]:
    """Every target, per vendor: met, missed, or not measured in this run."""
    index = _index(measurements)
    levels = sorted({m.connections for m in measurements})
    out: list[Target] = []
    for vendor in vendors:
        for other, floor, label in (
            ("ceiling", 0.5, "filtered page >= 0.5x ceiling"),
            ("prism-static", 3.0, "filtered page >= 3x Prism static"),
            ("prism-dynamic", 40.0, "filtered page >= 40x Prism -d"),
        ):
            ratios = _ratios(index, vendor, other, levels)
            text = " / ".join(f"{r:.2f}" for r in ratios) + f" (c={'/'.join(map(str, levels))})"
            afresh = _ratios(index, vendor, other, levels, mine="cartkit-afresh")
            if afresh:
                text += "; with --cache-mb 0: " + " / ".join(f"{r:.2f}" for r in afresh)
            bound = _ratios(index, vendor, other, levels, mine="ceiling")
            if other != "ceiling" and bound:
                # What no Starlette app could beat: below the floor, the target is out of reach.
                text += "; the ceiling itself: " + " / ".join(f"{r:.2f}" for r in bound)
            out.append(
                Target(
                    label, vendor, text if ratios else "—", min(ratios) >= floor if ratios else None
                )
            )
        out += _cors_targets(index, vendor, next((c for c in costs if c.vendor == vendor), None))
        check = next((c for c in checks if c.vendor == vendor), None)
        if check is None:
            out.append(Target("--workers 2 identical and scaling", vendor, "—", None))
        else:
            scaling = next((s for s in scalings if s.vendor == vendor), None)
            gain = scaling.gain if scaling else 0.0
            text = f"identical {check.identical}, {gain:.2f}x on distinct full-scan filters"
            out.append(
                Target(
                    "--workers 2 identical and scaling",
                    vendor,
                    text,
                    check.identical and gain >= WORKER_SCALING,
                )
            )
        big = next((r for r in scale if r.vendor == vendor and r.carts == MILLION), None)
        limits = (
            ("1M ready <= 15 s", "ready_s", 15.0, "s"),
            ("1M peak RSS <= 2 GiB", "peak_rss_mib", 2048.0, "MiB"),
            ("1M page p50 <= 5 ms", "page_p50_ms", 5.0, "ms"),
            ("1M filter p50 <= 100 ms", "scan_p50_ms", 100.0, "ms"),
        )
        for label, attr, limit, unit in limits:
            value = getattr(big, attr) if big else None
            if big is not None and value is None:
                out.append(Target(label, vendor, big.note or "not reached", False))
            else:
                out.append(
                    Target(
                        label,
                        vendor,
                        "—" if value is None else f"{value:,.1f} {unit}",
                        None if value is None else value <= limit,
                    )
                )
        timing = next((t for t in timings if t.vendor == vendor), None)
        out.append(
            Target(
                "cartkit check <= 60 s",
                vendor,
                f"{timing.seconds:.1f} s" if timing else "—",
                None if timing is None else timing.exit_code == 0 and timing.seconds <= 60,
            )
        )
    return out


def _cors_targets(
    index: dict[tuple[str, str, int, str], Measurement], vendor: str, cost: Cost | None
) -> list[Target]:
    """A browser's filtered page (CORS, remembered answer) against the ceiling at 16
    connections; and what CORS costs, measured in process (a load run's noise on a shared
    machine is larger than the cost)."""
    browser = _ratios(index, vendor, "ceiling", [16], mine="cartkit-cors")
    ratio = cost.cors_us / cost.no_cors_us if cost else None
    return [
        Target(
            f"browser's filtered page >= {BROWSER_FLOOR}x ceiling (c=16)",
            vendor,
            f"{browser[0]:.2f}" if browser else "—",
            browser[0] >= BROWSER_FLOOR if browser else None,
        ),
        Target(
            f"CORS costs nothing measurable (<= {CORS_COST_US} µs/request in process)",
            vendor,
            f"{cost.cors_cost_us:+.2f} µs ({ratio:.3f}x --no-cors)" if cost and ratio else "—",
            cost.cors_cost_us <= CORS_COST_US if cost else None,
        ),
    ]


def targets_table(found: Sequence[Target]) -> str:
    """Targets with met / MISSED / not measured."""
    marks = {True: "met", False: "MISSED", None: "not measured"}
    return markdown(
        ["target", "vendor", "measured", ""],
        [[t.name, t.vendor, t.measured, marks[t.met]] for t in found],
    )


def _version(argv: Sequence[str]) -> str:
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "absent"
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else "absent"


def _source() -> str:
    """The commit under test, and whether the mock's files had uncommitted changes (read-only git)."""
    root = Path(__file__).resolve().parent.parent
    commit = _version(["git", "-C", str(root), "rev-parse", "--short", "HEAD"])
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", "mockserver", "specs"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return commit
    changed = len(done.stdout.splitlines())
    return (
        f"{commit} + {changed} uncommitted file(s) in mockserver/ and specs/" if changed else commit
    )


def machine(wrk: str | None, prism: str | None) -> list[tuple[str, str]]:
    """Cores, CPU model, memory and the versions of everything under test."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in cpuinfo.splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    meminfo = Path("/proc/meminfo").read_text().split() if Path("/proc/meminfo").exists() else []
    memory = f"{int(meminfo[1]) / 1024**2:.1f} GiB" if len(meminfo) > 1 else "?"
    rows = [
        ("cores", str(os.cpu_count())),
        ("CPU", model),
        ("memory", memory),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
    ]
    for package in ("cartkit", "uvicorn", "starlette", "uvloop", "httptools", "orjson"):
        try:
            rows.append((package, metadata.version(package)))
        except metadata.PackageNotFoundError:
            rows.append((package, "absent"))
    rows.append(("cartkit source", _source()))
    rows.append(("Prism", _version([prism, "--version"]) if prism else "not run"))
    rows.append(("Node.js", _version(["node", "--version"]) if prism else "not run"))
    rows.append(("wrk", _version([wrk, "-v"]) if wrk else "not run (Python load generator)"))
    return rows
