"""``cartkit serve`` as a user runs it: a real process on loopback, stopped by PID."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import pytest

from cartkit.mockserver import MockConfig
from cartkit.mockserver.pytest_plugin import free_port

STATESET = {"Authorization": "Bearer sk_test_cli"}


@contextmanager
def serve(*args: str) -> Iterator[tuple[str, list[str]]]:
    """Run ``cartkit serve ARGS`` on a free port; the list receives its stderr once it stopped."""
    port = free_port()
    command = [
        sys.executable,
        "-c",
        "from specs.cli import main; main()",
        "serve",
        "--port",
        str(port),
        *args,
    ]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            try:
                if httpx.get(f"{base}/__cartkit/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("cartkit serve did not become ready")
        output: list[str] = []
        yield base, output
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        if process.stderr is not None:
            stderr = process.stderr.read()
            process.stderr.close()
            if "output" in locals():
                output.append(stderr)


def test_serve_defaults_to_all_five_vendors_and_says_where() -> None:
    with serve("--carts", "50") as (base, output):
        health = httpx.get(f"{base}/__cartkit/health").json()
        assert set(health["vendors"]) == {
            "shopimind",
            "nextcommerce",
            "elasticpath",
            "epages",
            "stateset",
        }
        response = httpx.get(f"{base}/stateset/v1/carts", headers=STATESET)
        assert response.status_code == 200
    banner = output[0]
    assert "5 vendor(s), seed 0, 50 carts each" in banner
    assert f"GET {base}/epages/rs/shops/{{shopId}}/carts" in banner
    assert "GET /stateset/v1/carts 200" in banner  # the access log line
    assert "sk_test_cli" not in banner


def test_serve_one_vendor_at_root_with_a_token() -> None:
    with serve(
        "--vendor", "stateset", "--carts", "30", "--token", "sk_test_cli", "--seed", "4"
    ) as (base, _):
        assert httpx.get(f"{base}/v1/carts", headers=STATESET).json()["total_count"] == 30
        assert (
            httpx.get(f"{base}/v1/carts", headers={"Authorization": "Bearer other"}).status_code
            == 401
        )


def test_two_workers_serve_byte_identical_responses() -> None:
    with serve("--vendor", "stateset", "--carts", "200", "--workers", "2") as (base, _):
        bodies = {
            httpx.get(f"{base}/v1/carts?limit=50&sort_by=total", headers=STATESET).content
            for _ in range(12)  # new connections: spread over both workers
        }
        assert len(bodies) == 1


def test_two_workers_accept_each_others_tokens() -> None:
    # No state is shared between workers: a token one worker issued must still mean the same to
    # the other (an implicit token needs a shopper; a customer token narrows to its customer).
    with serve("--vendor", "elasticpath", "--carts", "120", "--workers", "2") as (base, _):
        grant = {"grant_type": "implicit", "client_id": "storefront"}
        tokens = {httpx.post(f"{base}/oauth/access_token", data=grant).json()["access_token"]
                  for _ in range(8)}  # fmt: skip
        (implicit,) = tokens
        shopper = httpx.get(f"{base}/__cartkit/health").json()["vendors"]["elasticpath"]["shopper"]
        login = {"data": {"type": "token", "email": shopper, "password": "x"}}
        auth = {"Authorization": f"Bearer {implicit}"}
        customer = httpx.post(f"{base}/v2/customers/tokens", json=login, headers=auth).json()
        shopper_headers = {**auth, "X-Moltin-Customer-Token": customer["data"]["token"]}
        answers = {
            (
                httpx.get(f"{base}/v2/carts", headers=auth).status_code,
                httpx.get(f"{base}/v2/carts", headers=shopper_headers).content,
            )
            for _ in range(12)  # new connections: spread over both workers
        }
        ((refused, listed),) = answers
        assert refused == 403 and b'"results":{"total":' in listed


def test_a_scenario_switch_reaches_every_worker_and_the_journal_every_request() -> None:
    with serve("--vendor", "stateset", "--carts", "40", "--workers", "2") as (base, _):
        switched = httpx.put(f"{base}/__cartkit/scenario", json={"scenario": "empty"})
        assert switched.json()["current"] == {"stateset": "empty"}
        # New connections, until both workers have answered some (the kernel hands a
        # connection to whichever worker accepts first: on a busy machine, one may take many).
        totals: set[int] = set()
        sent, entries = 0, []
        while sent < 400 and len({e["worker"] for e in entries}) < 2:
            for _ in range(16):
                totals.add(httpx.get(f"{base}/v1/carts", headers=STATESET).json()["total_count"])
            sent += 16
            journal = httpx.get(f"{base}/__cartkit/requests", params={"limit": 1000}).json()
            entries = journal["requests"]
        assert totals == {0}
        assert len(entries) == sent and {e["scenario"] for e in entries} == {"empty"}
        assert len({e["worker"] for e in entries}) == 2  # both workers' requests
        assert all(e["headers"]["authorization"] == "Bearer ***" for e in entries)


def test_faults_changed_at_run_time_reach_every_worker() -> None:
    with serve("--vendor", "stateset", "--carts", "40", "--workers", "2") as (base, output):
        changed = httpx.put(f"{base}/__cartkit/faults", json={"error_rate": 1, "latency_ms": 5})
        assert changed.json()["faults"] == {
            "stateset": {"latency_ms": 5.0, "jitter_ms": 0.0, "error_rate": 1.0}
        }
        statuses = {
            httpx.get(f"{base}/v1/carts", headers=STATESET).status_code
            for _ in range(16)  # new connections: spread over both workers
        }
        assert statuses and statuses <= {429, 500, 503}
        journal = httpx.get(f"{base}/__cartkit/requests", params={"limit": 100}).json()
        assert len({e["worker"] for e in journal["requests"]}) == 2  # both workers failed them
        reset = httpx.delete(f"{base}/__cartkit/faults", params={"vendor": "stateset"})
        assert reset.json()["faults"]["stateset"]["error_rate"] == 0.0
        totals = {
            httpx.get(f"{base}/v1/carts", headers=STATESET).json()["total_count"] for _ in range(16)
        }
        assert totals == {40}
        overview = httpx.get(f"{base}/__cartkit/overview").json()
        assert overview["workers"] == 2
        assert httpx.get(f"{base}/", follow_redirects=False).status_code == 404  # at root
    assert f"console       {base}/__cartkit/ in a browser" in output[0]


def test_no_console() -> None:
    with serve("--carts", "5", "--no-console") as (base, output):
        assert httpx.get(f"{base}/", follow_redirects=False).status_code == 404
        assert httpx.get(f"{base}/__cartkit/").status_code == 404
        assert httpx.get(f"{base}/__cartkit/overview").status_code == 200
    assert "console       off (--no-console)" in output[0]


def test_a_networked_mock_says_its_admin_api_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    # Nothing is bound (tests listen on loopback only): uvicorn.run is replaced.
    from click.testing import CliRunner

    from cartkit.mockserver import cli

    started: list[Any] = []
    monkeypatch.setattr(cli.uvicorn, "run", lambda app, **options: started.append(app))
    result = CliRunner().invoke(
        cli.serve, ["--host", "0.0.0.0", "--vendor", "stateset", "--carts", "5"]
    )
    assert result.exit_code == 0, result.output
    assert "admin         off: 0.0.0.0 is not a loopback address" in result.output
    assert "(it says the admin API is off)" in result.output
    (app,) = started
    assert app.state.config.host == "0.0.0.0" and not app.state.admin.open


def test_cors_options() -> None:
    origin = {"Origin": "http://localhost:5173"}
    with serve(
        "--vendor", "stateset", "--carts", "5", "--cors-origin", "http://localhost:3000"
    ) as (
        base,
        output,
    ):
        response = httpx.get(f"{base}/v1/carts", headers={**STATESET, **origin})
        assert response.status_code == 200
        assert "access-control-allow-origin" not in response.headers
    assert "CORS          http://localhost:3000" in output[0]
    with serve("--vendor", "stateset", "--carts", "5", "--no-cors") as (base, output):
        preflight = {**origin, "Access-Control-Request-Method": "GET"}
        assert httpx.options(f"{base}/v1/carts", headers=preflight).status_code == 405
    assert "off (--no-cors)" in output[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cors-origin", "localhost:3000"], "did you mean 'http://localhost:3000'"),
        (["--scenario", "emtpy"], "unknown scenario 'emtpy'"),
        (["--scenario", "statset=down"], "did you mean 'stateset'"),
        (["--vendor", "epages", "--scenario", "stateset=down"], "other than --vendor epages"),
        (["--journal-size", "-1"], "--journal-size"),
        (["--vendor", "statset"], "did you mean 'stateset'"),
        (["--latency", "fast"], "MS or MS:JITTER"),
        (["--error-rate", "2"], "2"),
        (["--now", "2026-01-01T00:00:00"], "no UTC offset"),
        (["--cache-mb", "-1"], "--cache-mb"),
    ],
)
def test_bad_options_exit_2_with_a_message(args: list[str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from specs.cli import main; main()", "serve", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert message in result.stderr


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("carts: [{status: lost}]", "carts.yaml: carts[0].status: 'lost' is not one of"),
        ("carts:\n  - {}\n  - {created_at: '2031-01-01T00:00:00Z'}", "carts[1].created_at"),
        ("carts: [", "is not valid YAML"),
    ],
)
def test_a_bad_data_file_exits_2_before_serving(
    tmp_path: Path, text: str, message: str, workers: str
) -> None:
    (tmp_path / "carts.yaml").write_text(text)
    port = str(free_port())
    result = subprocess.run(
        [sys.executable, "-c", "from specs.cli import main; main()", "serve", "--port", port,
         "--carts", "10", "--workers", workers, "--data", str(tmp_path / "carts.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert message in result.stderr and "Invalid value for '--data'" in result.stderr
    assert "Uvicorn running" not in result.stderr  # nothing was served, not even for a moment


def test_a_data_file_and_added_carts_reach_every_worker() -> None:
    example = str(resources.files("cartkit.mockserver").joinpath("carts.example.yaml"))
    with serve("--carts", "0", "--data", example, "--workers", "2") as (base, _):

        def totals() -> set[int]:
            return {
                httpx.get(f"{base}/stateset/v1/carts", headers=STATESET).json()["total_count"]
                for _ in range(12)  # new connections: spread over both workers
            }

        assert totals() == {4}  # the file's carts, nothing generated
        added = httpx.post(f"{base}/__cartkit/carts", json={"carts": [{"status": "active"}]})
        assert added.status_code == 201 and added.json()["carts"]["stateset"] == 5
        assert totals() == {5}
        httpx.delete(f"{base}/__cartkit/carts").raise_for_status()
        assert totals() == {4}


def test_workers_rebuild_the_same_config() -> None:
    config = MockConfig(
        seed=7,
        carts=12,
        cache_mb=0.5,
        shops=("Other",),
        error_rate=0.25,
        cors=False,
        cors_origins=("http://localhost:3000",),
        client_id="app",
        client_secret="s3cret",
        scenarios=(("*", "empty"), ("stateset", "down")),
        host="0.0.0.0",
        admin_token="t",
        journal_size=10,
        state_dir="/tmp/somewhere",
        workers=3,
        console=False,
    )
    assert MockConfig.from_json(config.to_json()) == config


def test_a_served_app_is_frozen_out_of_the_collectors_sight() -> None:
    # In a fresh interpreter, as a worker starts: what start-up built is frozen, so no full
    # collection walks the carts again while the worker serves.
    code = (
        "import gc, os\n"
        "from mockserver import MockConfig\n"
        "from mockserver.cli import CONFIG_ENV, app_from_env\n"
        "os.environ[CONFIG_ENV] = MockConfig(vendors=('stateset',), carts=200).to_json()\n"
        "before = gc.get_freeze_count()\n"
        "app = app_from_env()\n"
        "print(before, gc.get_freeze_count(), len(app.state.vendors['stateset'].dataset.carts))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    before, frozen, carts = map(int, result.stdout.split())
    assert before == 0 and carts == 200
    assert frozen > 10 * carts  # every cart's objects, at least
