"""The benchmark keeps working: a seconds-long run of the real command, and its parts.

CI has neither wrk nor npm: the smoke run skips Prism by flag (``--no-prism``) and drives the
servers with the built-in Python load generator (``--loadgen python``); the wrk script and the
parsing of wrk's output are tested on their own.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bench import ceiling, report
from bench.compare import Measurement, WorkerCheck
from bench.contract import CheckTiming
from bench.dataset_size import ScaleResult
from bench.load import LoadResult, parse_wrk, percentile, wrk_script
from bench.servers import Fleet, free_port, http_ok, worker_pids
from bench.worker_gain import Scaling
from bench.workloads import KINDS, PROFILES, fetch

ROOT = Path(__file__).resolve().parents[2]
SMOKE = [
    "--quick", "--vendors", "stateset", "--no-prism", "--sizes", "1000", "--duration", "1",
    "--concurrency", "1", "--loadgen", "python", "--check-max-examples", "2",
]  # fmt: skip


def test_the_quick_run_prints_every_table(tmp_path: Path) -> None:
    numbers = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "bench/run.py", *SMOKE, "--json", str(numbers)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for heading in ("## Machine", "## Side by side", "## CORS", "## In process",
                    "## --workers 2", "## Scale", "## cartkit check", "## Targets"):  # fmt: skip
        assert heading in done.stdout
    data = json.loads(numbers.read_text())
    runs = {(m["kind"], m["server"]) for m in data["measurements"]}
    assert runs == {
        (k, s) for k in KINDS for s in ("cartkit", "cartkit-afresh", "cartkit-2w", "ceiling")
    } | {("filtered", "cartkit-cors"), ("filtered", "cartkit-no-cors")}
    assert all(
        m["result"]["requests"] > 0 and m["result"]["errors"] == 0 for m in data["measurements"]
    )
    assert data["workers"][0]["served_by"] == 2 and not data["workers"][0]["mismatches"]
    (scaling,) = data["scaling"]
    assert scaling["one"]["requests"] > 0 and scaling["two"]["requests"] > 0
    assert scaling["one"]["errors"] == scaling["two"]["errors"] == 0
    (scale,) = data["scale"]
    assert scale["ready_s"] > 0 and scale["peak_rss_mib"] > 0 and scale["note"] == ""
    (cost,) = data["in_process"]
    assert cost["no_cors_us"] > 0 and cost["cors_us"] > 0 and cost["plain_us"] > 0
    (check,) = data["check"]
    # Timed, not judged: whether the mock passes its contract is tests/contracts' business.
    assert check["exit_code"] in (0, 1) and "passed" in check["summary"]


def test_sigterm_stops_the_servers_it_started() -> None:
    bench = subprocess.Popen(
        [sys.executable, "bench/run.py", "--vendors", "stateset", "--no-prism", "--no-workers",
         "--no-scale", "--no-check", "--loadgen", "python", "--concurrency", "1",
         "--duration", "30"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        started: list[int] = []
        while len(started) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
            started = worker_pids(bench.pid)  # the mock, the mock --cache-mb 0, the ceiling
        assert len(started) == 3, "the benchmark did not start the mock (twice) and the ceiling"
        bench.send_signal(signal.SIGTERM)
        assert bench.wait(timeout=60) == 130
    finally:
        if bench.poll() is None:
            bench.kill()
            bench.wait()
    for pid in started:
        assert not Path(f"/proc/{pid}").exists() or "Z" in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def test_a_fleet_stops_its_servers_by_pid(tmp_path: Path) -> None:
    port = free_port()
    serve = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    with Fleet(tmp_path) as fleet:
        server = fleet.start("http.server", serve, port, lambda: http_ok(port, "/"), timeout=30)
        assert server.ready_seconds is not None
    assert server.process.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(server.pid, 0)


def test_the_ceiling_answers_its_canned_bytes(tmp_path: Path) -> None:
    answers = {"limit=20": (200, "application/json", b'{"data": []}')}
    bodies = tmp_path / "bodies.json"
    ceiling.write_bodies(bodies, "/v1/carts", answers)
    route, loaded = ceiling._load(bodies)
    client = TestClient(ceiling.create_app(route, loaded))
    assert client.get("/v1/carts?limit=20").content == b'{"data": []}'
    assert client.get("/v1/carts?limit=21").status_code == 404


def test_fetch_talks_to_loopback_only() -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"):
        fetch("http://10.0.0.1:8000", "/v1/carts", ())


@pytest.mark.parametrize("vendor", sorted(PROFILES))
def test_every_vendor_has_its_three_workloads(vendor: str) -> None:
    profile = PROFILES[vendor]
    targets = {profile.target(profile.page), profile.target(profile.filtered)}
    assert len(targets) == 2 and all(t.startswith(profile.path) for t in targets)
    assert profile.target(profile.scan(1)) != profile.target(profile.scan(2))


def test_the_wrk_script_sets_the_request_and_reports_json() -> None:
    script = wrk_script('/v1/carts?filter=ilike(name,"*]=]*")', [("Authorization", "Bearer x")])
    assert 'wrk.path = [==[/v1/carts?filter=ilike(name,"*]=]*")]==]' in script
    # `[[` would open a Lua long string: the key needs a space inside the brackets.
    assert "wrk.headers[ [=[Authorization]=] ] = [=[Bearer x]=]" in script
    output = (
        "Running 1s test @ http://127.0.0.1:1/\n"
        'BENCH-JSON {"requests": 500, "duration_us": 1000000, "p50_us": 1500.0, '
        '"p99_us": 9000.0, "non2xx": 2, "socket_errors": 1}\n'
    )
    result = parse_wrk(output)
    assert (result.rps, result.p50_ms, result.p99_ms, result.errors) == (500, 1.5, 9.0, 3)


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 99), percentile([], 50)) == (50, 99, 0)


def _run(server: str, kind: str, rps: float, connections: int = 16) -> Measurement:
    result = LoadResult(requests=int(rps), seconds=1.0, p50_ms=1.0, p99_ms=2.0)
    return Measurement("stateset", kind, server, connections, result, 9000, 200)


def test_targets_are_met_missed_or_not_measured() -> None:
    runs = [
        _run("cartkit", "filtered", 600),
        _run("ceiling", "filtered", 1000),
        _run("prism-static", "filtered", 300),
        _run("cartkit-2w", "filtered", 500),  # cheap requests: not what scaling is judged on
    ]
    workers = [WorkerCheck("stateset", workers=2, served_by=2, requests=10)]
    scan = LoadResult(requests=100, seconds=1.0, p50_ms=5.0, p99_ms=9.0)
    scalings = [Scaling("stateset", 100_000, 16, scan, dataclasses.replace(scan, requests=180))]
    scale = [ScaleResult("stateset", 1_000_000, None, 900.0, note="not ready within 300 s")]
    timings = [CheckTiming("stateset", 12.0, 0, "37 passed")]
    found = {
        t.name: t.met for t in report.targets(["stateset"], runs, workers, scalings, scale, timings)
    }
    assert found["filtered page >= 0.5x ceiling"] is True
    assert found["filtered page >= 3x Prism static"] is False
    measured = {t.name: t.measured for t in report.targets(["stateset"], runs, [], [], [], [])}
    # 1000 req/s for the ceiling, 300 for Prism: 3.33x is the most any app could show here.
    assert "the ceiling itself: 3.33" in measured["filtered page >= 3x Prism static"]
    assert found["filtered page >= 40x Prism -d"] is None
    assert found["--workers 2 identical and scaling"] is True
    assert found["1M ready <= 15 s"] is False
    assert found["1M peak RSS <= 2 GiB"] is True
    assert found["cartkit check <= 60 s"] is True
    flat = [Scaling("stateset", 100_000, 16, scan, dataclasses.replace(scan, requests=110))]
    found = {t.name: t.met for t in report.targets(["stateset"], runs, workers, flat, [], [])}
    assert found["--workers 2 identical and scaling"] is False
    table = report.load_table(runs)
    assert table.splitlines()[2].split()[:8] == [
        "|",
        "stateset",
        "|",
        "filtered",
        "|",
        "16",
        "|",
        "9000",
    ]
