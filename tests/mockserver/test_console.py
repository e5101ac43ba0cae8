"""The web console's routes and files, and the admin endpoints it is built on (faults, overview).

What the page does in a browser is tested in tests/browser/test_console.py; here, in-process:
what is served where, who may use it, what ships in the package, and the admin API additions.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from cartkit.mockserver import create_app

from .conftest import AUTH
from .test_admin import conforms

ROOT = Path(__file__).parents[2]
CONSOLE = resources.files("cartkit.mockserver").joinpath("console")
SWAGGER = CONSOLE.joinpath("vendor").joinpath("swagger-ui")
STATESET = "/stateset/v1/carts"
STARTUP = {"latency_ms": 0.0, "jitter_ms": 0.0, "error_rate": 0.0}


@pytest.fixture
def mock() -> TestClient:
    return TestClient(create_app(vendors=("stateset", "shopimind"), carts=20))


# -- what is served where ------------------------------------------------------------------


def test_slash_redirects_to_the_console_which_may_reach_only_the_mock(mock: TestClient) -> None:
    moved = mock.get("/", follow_redirects=False)
    assert (moved.status_code, moved.headers["location"]) == (302, "/__cartkit/")
    page = mock.get("/__cartkit/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    for directive in ("default-src 'self'", "connect-src 'self'", "script-src 'self'"):
        assert directive in policy
    assert "http" not in policy  # no other origin is allowed anything
    assert (
        mock.get("/__cartkit", follow_redirects=False).headers["location"].endswith("/__cartkit/")
    )


def test_every_file_the_page_loads_is_served(mock: TestClient) -> None:
    """The page's links and every module's imports (and the viewer it loads) answer 200."""
    page = mock.get("/__cartkit/").text
    wanted = set(re.findall(r'(?:src|href)="(/__cartkit/console/[^"]+)"', page))
    modules = [path for path in wanted if path.endswith(".js")]
    while modules:
        path = modules.pop()
        source = mock.get(path).text
        for name in re.findall(r'from "\./([\w-]+\.js)"', source):
            imported = f"/__cartkit/console/{name}"
            if imported not in wanted:
                wanted.add(imported)
                modules.append(imported)
        assets = re.findall(r'const ASSETS = "([^"]+)"', source)
        for folder in assets:
            wanted |= {f"{folder}/swagger-ui-bundle.js", f"{folder}/swagger-ui.css"}
    assert {"/__cartkit/console/app.js", "/__cartkit/console/journal.js"} <= wanted
    types = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
    for path in sorted(wanted):
        answer = mock.get(path)
        assert answer.status_code == 200, path
        media = answer.headers["content-type"].split(";")[0]
        expected = types[Path(path).suffix]
        assert media in {expected, expected.replace("text/", "application/")}, (path, media)


def test_with_one_vendor_at_root_slash_is_not_redirected() -> None:
    client = TestClient(create_app(vendors=("stateset",), at_root=True, carts=5))
    assert client.get("/", follow_redirects=False).status_code == 404
    assert client.get("/__cartkit/").status_code == 200


def test_no_console_serves_none_of_it() -> None:
    client = TestClient(create_app(vendors=("stateset",), carts=5, console=False))
    for path in ("/", "/__cartkit/", "/__cartkit/console/app.js"):
        assert client.get(path, follow_redirects=False).status_code == 404, path
    assert client.get("/__cartkit/overview").status_code == 200  # the admin API stays
    assert client.get(STATESET, headers=AUTH["stateset"]).status_code == 200


def test_on_a_network_the_page_is_served_but_its_admin_calls_are_refused() -> None:
    client = TestClient(create_app(vendors=("stateset",), carts=5, host="0.0.0.0"))
    assert client.get("/__cartkit/").status_code == 200
    for path in ("/__cartkit/overview", "/__cartkit/faults"):
        refused = client.get(path)
        assert refused.status_code == 403 and "--admin-token" in refused.json()["error"]["message"]
    assert client.delete("/__cartkit/faults").status_code == 403


def test_with_an_admin_token_the_new_endpoints_need_it() -> None:
    client = TestClient(create_app(vendors=("stateset",), carts=5, admin_token="s3"))
    assert client.get("/__cartkit/").status_code == 200  # the page, which then asks for it
    for method, path in (("GET", "/__cartkit/overview"), ("PUT", "/__cartkit/faults")):
        assert client.request(method, path, json={}).status_code == 401
    bearer = {"Authorization": "Bearer s3"}
    assert client.get("/__cartkit/overview", headers=bearer).json()["admin_token"] is True


# -- what ships --------------------------------------------------------------------------------


def test_the_vendored_viewer_is_what_its_record_says() -> None:
    """SHA256SUMS (written by the README's update command) matches every vendored file."""
    recorded = dict(
        reversed(line.split("  ", 1))  # type: ignore[misc]
        for line in SWAGGER.joinpath("SHA256SUMS").read_text().splitlines()
    )
    present = {p.name for p in SWAGGER.iterdir() if p.name != "SHA256SUMS"}
    assert set(recorded) == present
    for name, digest in recorded.items():
        assert hashlib.sha256(SWAGGER.joinpath(name).read_bytes()).hexdigest() == digest, name
    version = re.search(r'"version": "([\d.]+)"', SWAGGER.joinpath("package.json").read_text())
    assert version is not None
    readme = (ROOT / "README.md").read_text()
    # The README names the version shipped, and its update command fetches that one.
    assert f"swagger-ui-dist@{version[1]}" in readme and f"v={version[1]};" in readme
    assert "Apache License" in SWAGGER.joinpath("LICENSE").read_text()


# -- faults at run time --------------------------------------------------------------------


def test_faults_are_listed_changed_and_reset(mock: TestClient) -> None:
    listed = mock.get("/__cartkit/faults")
    conforms(listed, "/__cartkit/faults")
    assert listed.json() == {"faults": {"stateset": STARTUP, "shopimind": STARTUP}}

    changed = mock.put("/__cartkit/faults", json={"vendor": "stateset", "error_rate": 1})
    conforms(changed, "/__cartkit/faults", "put")
    assert changed.json()["faults"]["stateset"] == {**STARTUP, "error_rate": 1.0}
    assert changed.json()["faults"]["shopimind"] == STARTUP
    statuses = {mock.get(STATESET, headers=AUTH["stateset"]).status_code for _ in range(8)}
    assert statuses and statuses <= {429, 500, 503}
    assert mock.get("/shopimind/v1/carts", headers=AUTH["shopimind"]).status_code == 200

    # Left-out fields keep their value; no vendor: every vendor.
    both = mock.put("/__cartkit/faults", json={"latency_ms": 5}).json()["faults"]
    assert both["stateset"] == {"latency_ms": 5.0, "jitter_ms": 0.0, "error_rate": 1.0}
    assert both["shopimind"] == {**STARTUP, "latency_ms": 5.0}

    reset = mock.delete("/__cartkit/faults", params={"vendor": "stateset"})
    conforms(reset, "/__cartkit/faults", "delete")
    assert reset.json()["faults"] == {
        "stateset": STARTUP,
        "shopimind": {**STARTUP, "latency_ms": 5.0},
    }
    assert mock.get(STATESET, headers=AUTH["stateset"]).status_code == 200
    assert mock.delete("/__cartkit/faults").json()["faults"]["shopimind"] == STARTUP


def test_reset_goes_back_to_the_start_up_faults() -> None:
    client = TestClient(
        create_app(vendors=("stateset",), carts=5, latency_ms=1, jitter_ms=0.5, error_rate=0.25)
    )
    startup = {"latency_ms": 1.0, "jitter_ms": 0.5, "error_rate": 0.25}
    assert client.get("/__cartkit/faults").json()["faults"]["stateset"] == startup
    client.put("/__cartkit/faults", json={"error_rate": 0})
    assert client.get("/__cartkit/faults").json()["faults"]["stateset"]["error_rate"] == 0.0
    assert {client.get(STATESET, headers=AUTH["stateset"]).status_code for _ in range(6)} == {200}
    assert client.delete("/__cartkit/faults").json()["faults"]["stateset"] == startup


def test_run_time_latency_delays_the_list_call(mock: TestClient) -> None:
    import time

    mock.put("/__cartkit/faults", json={"vendor": "stateset", "latency_ms": 150})
    started = time.perf_counter()
    assert mock.get(STATESET, headers=AUTH["stateset"]).status_code == 200
    assert time.perf_counter() - started >= 0.15
    started = time.perf_counter()
    mock.get("/shopimind/v1/carts", headers=AUTH["shopimind"])
    assert time.perf_counter() - started < 0.15


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"error_rate": 1.5}, "error_rate"),
        ({"error_rate": -0.1}, "error_rate"),
        ({"latency_ms": 60_001}, "latency_ms"),
        ({"jitter_ms": "50"}, "jitter_ms"),
        ({"latency_ms": True}, "latency_ms"),
        ({"latency": 5}, "latency"),
        ({"vendor": "epages", "latency_ms": 5}, "vendor"),  # not served by this mock
        ({"vendor": 3, "latency_ms": 5}, "vendor"),
        ([], None),
    ],
)
def test_a_bad_faults_change_names_what_is_wrong(
    mock: TestClient, body: Any, field: str | None
) -> None:
    refused = mock.put("/__cartkit/faults", json=body)
    assert refused.status_code == 400
    conforms(refused, "/__cartkit/faults", "put")
    assert refused.json()["error"].get("field") == field
    assert mock.get("/__cartkit/faults").json()["faults"]["stateset"] == STARTUP
    assert mock.delete("/__cartkit/faults?vendor=epages").status_code == 400


def test_faults_reach_every_worker_before_the_call_returns(tmp_path: Path) -> None:
    # Two apps on one state directory stand for two workers (see test_admin).
    def app() -> TestClient:
        return TestClient(create_app(vendors=("stateset",), carts=10, state_dir=str(tmp_path)))

    with app() as first, app() as second:
        first.put("/__cartkit/faults", json={"error_rate": 1})
        assert second.get(STATESET, headers=AUTH["stateset"]).status_code != 200
        assert second.get("/__cartkit/faults").json()["faults"]["stateset"]["error_rate"] == 1.0
        second.delete("/__cartkit/faults")
        assert first.get(STATESET, headers=AUTH["stateset"]).status_code == 200


# -- the overview ------------------------------------------------------------------------------


def test_the_overview_says_how_to_call_each_vendor_and_what_steers_it() -> None:
    client = TestClient(create_app(carts=12, seed=3), base_url="http://mock.test:9000")
    answer = client.get("/__cartkit/overview")
    conforms(answer, "/__cartkit/overview")
    found = answer.json()
    assert (found["seed"], found["carts"], found["workers"]) == (3, 12, 1)
    assert found["now"] == "2026-01-15T12:00:00Z" and found["admin_token"] is False
    for name, vendor in found["vendors"].items():
        assert vendor["list"]["url"].startswith("http://mock.test:9000/" + name)
        called = client.get(vendor["list"]["url"], headers=vendor["headers"])
        assert called.status_code == 200, name
        assert client.get(vendor["specs"]["json"]).json()["servers"][0]["url"].endswith(name)
        assert (vendor["scenario"], vendor["faults"]) == ("default", STARTUP)
    epages = found["vendors"]["epages"]
    assert epages["list"] == {
        "method": "GET",
        "path": "/epages/rs/shops/{shopId}/carts",
        "url": "http://mock.test:9000/epages/rs/shops/DemoShop/carts",
    }
    assert epages["tokens"] == [
        {"method": "POST", "url": "http://mock.test:9000/epages/rs/shops/DemoShop/token"}
    ]
    assert found["vendors"]["nextcommerce"]["headers"] == {
        "Authorization": "Bearer test",
        "X-29next-API-Version": "2023-02-10",
    }
    assert found["vendors"]["shopimind"]["credential"] == {
        "header": "spm-api-key",
        "scheme": "api-key",
        "value": "cartkit-demo-key-0123456789",
        "only": False,
    }
    assert found["vendors"]["stateset"]["token_specs"] is None

    client.put("/__cartkit/scenario", json={"vendor": "stateset", "scenario": "empty"})
    client.put("/__cartkit/faults", json={"vendor": "shopimind", "latency_ms": 10})
    again = client.get("/__cartkit/overview").json()["vendors"]
    assert again["stateset"]["scenario"] == "empty"
    assert again["shopimind"]["faults"]["latency_ms"] == 10.0


def test_with_a_configured_credential_the_overview_gives_that_one() -> None:
    client = TestClient(
        create_app(vendors=("stateset", "shopimind"), carts=5, token="tok", api_key="k" * 24)
    )
    vendors = client.get("/__cartkit/overview").json()["vendors"]
    assert vendors["stateset"]["credential"]["value"] == "Bearer tok"
    assert vendors["stateset"]["credential"]["only"] is True
    assert vendors["shopimind"]["headers"] == {"spm-api-key": "k" * 24}
    for vendor in vendors.values():
        assert client.get(vendor["list"]["url"], headers=vendor["headers"]).status_code == 200
