"""The side-by-side run: cartkit (1 and 2 workers), the bare ceiling and Prism, per vendor.

For one vendor: start the mock, locate the three workloads on it and keep its answers; load it;
serve the same answers from the ceiling and load that; start two workers, check every worker
answers the same bytes, and load them; then Prism in static and dynamic mode on the same spec.
One server runs at a time, each stopped (by PID) before the next starts.
"""

from __future__ import annotations

import functools
import json
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from cartkit import specs

from .ceiling import Canned, write_bodies
from .load import LoadResult, run_load
from .servers import Fleet, Server, cartkit_command, free_port, http_ok, worker_pids, written_bytes
from .workloads import Answer, VendorProfile, Workload, fetch, workloads

__all__ = [
    "CORS_SERVERS",
    "SERVERS",
    "CompareOptions",
    "Measurement",
    "WorkerCheck",
    "compare_vendor",
    "start_mock",
]

SERVERS = ("cartkit", "cartkit-afresh", "cartkit-2w", "ceiling", "prism-static", "prism-dynamic")
"""``cartkit-afresh`` is the mock with ``--cache-mb 0``: every request runs the whole pipeline."""

CORS_SERVERS = ("cartkit-cors", "cartkit-no-cors")
"""The filtered page as a browser on another origin asks for it (an ``Origin`` header): from the
mock (CORS on, its default) and from one started with ``--no-cors``, to show what CORS costs."""

ORIGIN = ("Origin", "http://localhost:3000")
CORS_ROUNDS = 3
REPEATED = ("cartkit", *CORS_SERVERS, "ceiling")
"""Loaded :data:`CORS_ROUNDS` times, alternately, on the filtered page (best run kept): the
servers whose ratios the targets judge, so a ratio compares best with best."""


@dataclass(frozen=True, slots=True)
class CompareOptions:
    """How hard and how long to load each server."""

    seconds: int = 5
    concurrency: tuple[int, ...] = (1, 16, 64)
    carts: int = 1000
    seed: int = 0
    loadgen: str = "wrk"
    log_level: str = "warning"
    prism: str | None = None  # path of the prism binary; None: Prism is skipped
    workers: bool = True
    start_timeout: float = 120.0


@dataclass(frozen=True, slots=True)
class Measurement:
    """One server, one workload, one concurrency."""

    vendor: str
    kind: str
    server: str
    connections: int
    result: LoadResult
    body_bytes: int
    status: int


@dataclass(slots=True)
class WorkerCheck:
    """Did every worker of ``--workers 2`` answer, and with the same bytes as one worker?"""

    vendor: str
    workers: int = 0
    served_by: int = 0
    requests: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        """Every worker served, and every body equals the single worker's."""
        return self.workers >= 2 and self.served_by == self.workers and not self.mismatches


Progress = Callable[[str], None]


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _measure(
    servers: dict[str, Server],
    loads: Sequence[Workload],
    answers: dict[str, dict[str, Answer]],
    options: CompareOptions,
    say: Progress,
) -> list[Measurement]:
    """Each workload and concurrency on every server back to back, so that a ratio compares
    runs made seconds apart (background load on a shared machine drifts over minutes).

    On the filtered page, which the targets judge, the mock, the two CORS servers and the
    ceiling are loaded :data:`CORS_ROUNDS` times, alternately, and each keeps its best run
    (interference only ever slows a run down): their ratios are then finer than the drift
    between two single runs.
    """
    out = []
    for load in loads:
        for connections in options.concurrency:
            rounds = [list(servers)]
            if load.kind == "filtered":
                rounds += [[s for s in REPEATED if s in servers]] * (CORS_ROUNDS - 1)
            best: dict[str, LoadResult] = {}
            for labels in rounds:
                for label in labels:
                    headers = load.headers
                    if label in CORS_SERVERS:
                        if load.kind != "filtered":
                            continue
                        headers = (*headers, ORIGIN)
                    result = run_load(
                        servers[label].port,
                        load.target,
                        headers,
                        connections=connections,
                        seconds=options.seconds,
                        loadgen=options.loadgen,
                    )
                    say(
                        f"  {load.vendor:<12} {load.kind:<8} {label:<15} c={connections:<3} "
                        f"{result.rps:9.0f} req/s  p50 {result.p50_ms:7.2f} ms  "
                        f"p99 {result.p99_ms:7.2f} ms"
                        + (f"  {result.errors} errors" if result.errors else "")
                    )
                    if label not in best or result.rps > best[label].rps:
                        best[label] = result
            for label, result in best.items():
                answer = answers[label][load.kind]
                out.append(
                    Measurement(
                        load.vendor,
                        load.kind,
                        label,
                        connections,
                        result,
                        len(answer.body),
                        answer.status,
                    )
                )
    return out


def start_mock(
    fleet: Fleet,
    vendor: str,
    options: CompareOptions,
    *,
    workers: int = 1,
    carts: int | None = None,
    remember: bool = True,
    cors: bool = True,
) -> Server:
    """``cartkit serve --vendor VENDOR`` on a free port, once ready (``remember=False``: with
    ``--cache-mb 0``; ``cors=False``: with ``--no-cors``)."""
    port = free_port()
    argv = cartkit_command(
        "serve",
        "--vendor",
        vendor,
        "--port",
        str(port),
        "--carts",
        str(options.carts if carts is None else carts),
        "--seed",
        str(options.seed),
        "--workers",
        str(workers),
        "--log-level",
        options.log_level,
        *(() if remember else ("--cache-mb", "0")),
        *(() if cors else ("--no-cors",)),
    )
    name = "cartkit" if workers == 1 else f"cartkit-{workers}w"
    if not remember:
        name += "-afresh"
    if not cors:
        name += "-no-cors"
    return fleet.start(
        name,
        argv,
        port,
        lambda: http_ok(port, "/__cartkit/health"),
        timeout=options.start_timeout,
    )


def check_workers(
    server: Server, loads: Sequence[Workload], reference: dict[str, Answer], reference_port: int
) -> WorkerCheck:
    """Send bursts on fresh connections until every worker has answered; compare the bytes."""
    check = WorkerCheck(vendor=loads[0].vendor)
    deadline = time.monotonic() + 30
    pids: list[int] = []
    while time.monotonic() < deadline and len(pids) < 2:
        pids = worker_pids(server.pid)
        time.sleep(0.1)
    check.workers = len(pids)
    before = {pid: written_bytes(pid) or 0 for pid in pids}
    mine, theirs = f"127.0.0.1:{server.port}".encode(), f"127.0.0.1:{reference_port}".encode()
    with ThreadPoolExecutor(max_workers=16) as pool:
        while time.monotonic() < deadline:
            batch = [load for load in loads for _ in range(16)]
            answers = pool.map(lambda w: (w.kind, fetch(server.base, w.target, w.headers)), batch)
            for kind, answer in answers:
                check.requests += 1
                # 29 Next's links are absolute: they name the port of the server that answered.
                body = answer.body.replace(mine, theirs)
                expected = (reference[kind].status, reference[kind].body)
                if (answer.status, body) != expected and kind not in check.mismatches:
                    check.mismatches.append(kind)
            after = {pid: written_bytes(pid) or 0 for pid in pids}
            check.served_by = sum(after[pid] > before[pid] for pid in pids)
            if check.served_by == len(pids):
                break
    return check


def _allowed_origin(server: Server, load: Workload) -> str | None:
    """The ``Access-Control-Allow-Origin`` *server* answers *load* asked from :data:`ORIGIN`."""
    headers = dict((*load.headers, ORIGIN))
    with urllib.request.urlopen(
        urllib.request.Request(server.base + load.target, headers=headers), timeout=60
    ) as response:
        return response.headers.get("access-control-allow-origin")


def _without_port(answers: dict[str, Answer], server: Server) -> dict[str, tuple[int, bytes]]:
    """The answers with the server's own port masked (absolute links name it)."""
    port = f"127.0.0.1:{server.port}".encode()
    return {kind: (a.status, a.body.replace(port, b"PORT")) for kind, a in answers.items()}


def _prism_spec(vendor: str, port: int, directory: Path) -> Path:
    """The vendor's spec with one server, this Prism (Prism strips a server's path prefix)."""
    document = specs.load(vendor)
    document["servers"] = [{"url": f"http://127.0.0.1:{port}"}]
    path = directory / f"prism-{vendor}.json"
    path.write_text(json.dumps(document, default=str))
    return path


def compare_vendor(
    fleet: Fleet, profile: VendorProfile, options: CompareOptions, say: Progress = _say
) -> tuple[list[Measurement], WorkerCheck | None]:
    """Every server of :data:`SERVERS` under the three workloads of *profile*.

    All of the vendor's servers run at once (an idle server costs no CPU) and are stopped by
    PID before the next vendor.
    """
    vendor = profile.name
    mock = start_mock(fleet, vendor, options)
    say(f"{vendor}: cartkit ready in {mock.ready_seconds:.1f} s")
    loads = workloads(profile, mock.base)
    reference = {load.kind: fetch(mock.base, load.target, load.headers) for load in loads}
    for kind, answer in reference.items():
        if answer.status != 200:
            raise RuntimeError(f"{vendor} {kind} answered {answer.status}: {answer.body[:300]!r}")
    servers = {"cartkit": mock}
    answers = {"cartkit": reference}
    afresh = servers["cartkit-afresh"] = start_mock(fleet, vendor, options, remember=False)
    answers["cartkit-afresh"] = {
        load.kind: fetch(afresh.base, load.target, load.headers) for load in loads
    }
    if _without_port(answers["cartkit-afresh"], afresh) != _without_port(reference, mock):
        raise RuntimeError(f"{vendor}: the mock answers differently with --cache-mb 0")

    # The mock itself, asked as a browser would, and the same without CORS: what CORS costs.
    servers["cartkit-cors"] = mock
    servers["cartkit-no-cors"] = start_mock(fleet, vendor, options, cors=False)
    answers["cartkit-cors"] = answers["cartkit-no-cors"] = reference
    filtered = next(load for load in loads if load.kind == "filtered")
    allowed = {label: _allowed_origin(servers[label], filtered) for label in CORS_SERVERS}
    if allowed != {"cartkit-cors": ORIGIN[1], "cartkit-no-cors": None}:
        raise RuntimeError(f"{vendor}: CORS is not what the runs assume: {allowed}")

    canned: dict[str, Canned] = {}
    for load in loads:
        answer = reference[load.kind]
        canned[load.target.partition("?")[2]] = (answer.status, answer.content_type, answer.body)
    bodies = fleet.logs / f"ceiling-{vendor}.json"
    write_bodies(bodies, profile.path, canned)
    port = free_port()
    probe = loads[0]
    servers["ceiling"] = fleet.start(
        "ceiling",
        [
            sys.executable,
            "-m",
            "bench.ceiling",
            "--port",
            str(port),
            "--bodies",
            str(bodies),
            "--log-level",
            options.log_level,
        ],
        port,
        functools.partial(http_ok, port, probe.target),
        timeout=options.start_timeout,
    )
    answers["ceiling"] = {
        load.kind: fetch(servers["ceiling"].base, load.target, load.headers) for load in loads
    }
    if answers["ceiling"] != reference:
        raise RuntimeError(f"{vendor}: the ceiling does not answer the mock's bytes")

    workers: WorkerCheck | None = None
    if options.workers:
        pair = servers["cartkit-2w"] = start_mock(fleet, vendor, options, workers=2)
        workers = check_workers(pair, loads, reference, mock.port)
        answers["cartkit-2w"] = reference
        say(
            f"{vendor}: --workers 2: {workers.served_by}/{workers.workers} workers answered "
            f"{workers.requests} requests, identical: {workers.identical}"
        )

    if options.prism:
        for mode, extra in (("prism-static", []), ("prism-dynamic", ["-d"])):
            port = free_port()
            spec = _prism_spec(vendor, port, fleet.logs)
            argv = [options.prism, "mock", str(spec), "-h", "127.0.0.1", "-p", str(port)]
            prism = servers[mode] = fleet.start(
                mode,
                [*argv, "-v", "warn", *extra],
                port,
                functools.partial(http_ok, port, probe.target, probe.headers, any_status=True),
                timeout=options.start_timeout,
            )
            answers[mode] = {
                load.kind: fetch(prism.base, load.target, load.headers) for load in loads
            }
    try:
        return _measure(servers, loads, answers, options, say), workers
    finally:
        for server in {id(s): s for s in servers.values()}.values():
            fleet.stop(server)
