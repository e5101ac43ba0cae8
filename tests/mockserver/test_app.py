"""The app as a whole: mounting, served specs, health, faults, logging and determinism."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from cartkit import specs
from cartkit.mockserver import MockConfig, create_app
from cartkit.mockserver.faults import FORCEABLE

from .conftest import AUTH, assert_conforms

VENDORS = pytest.mark.parametrize("vendor", specs.VENDORS)
SHOP = {"shopId": "DemoShop"}


def path_of(vendor: str) -> str:
    return specs.operation(specs.load(vendor))[0].replace("{shopId}", "DemoShop")


@pytest.fixture(scope="module")
def all_vendors() -> TestClient:
    return TestClient(create_app(carts=60))


@VENDORS
def test_every_vendor_is_served_under_its_prefix(all_vendors: TestClient, vendor: str) -> None:
    response = all_vendors.get(f"/{vendor}{path_of(vendor)}", headers=AUTH[vendor])
    assert response.status_code == 200, response.text
    assert_conforms(vendor, response)
    assert all_vendors.get(path_of(vendor), headers=AUTH[vendor]).status_code == 404


@VENDORS
def test_single_vendor_is_served_at_its_real_root(vendor: str) -> None:
    client = TestClient(create_app(vendors=(vendor,), at_root=True, carts=20))
    assert client.get(path_of(vendor), headers=AUTH[vendor]).status_code == 200


@VENDORS
def test_the_spec_is_served_with_this_mock_first(all_vendors: TestClient, vendor: str) -> None:
    as_json = all_vendors.get(f"/{vendor}/openapi.json").json()
    as_yaml = yaml.safe_load(all_vendors.get(f"/{vendor}/openapi.yaml").text)
    assert as_json == as_yaml
    assert as_json["servers"][0]["url"] == f"http://testserver/{vendor}"
    assert as_json["paths"] == specs.load(vendor)["paths"]


def test_health_reports_what_is_served(all_vendors: TestClient) -> None:
    body = all_vendors.get("/__cartkit/health").json()
    assert body["status"] == "ok"
    assert set(body["vendors"]) == set(specs.VENDORS)
    assert body["vendors"]["stateset"] == {"path": "/stateset/v1/carts", "carts": 60}


@VENDORS
def test_same_seed_gives_byte_identical_responses(vendor: str) -> None:
    url = path_of(vendor)
    bodies = [
        TestClient(create_app(vendors=(vendor,), at_root=True, carts=80, seed=seed))
        .get(url, headers=AUTH[vendor])
        .content
        for seed in (5, 5, 6)
    ]
    assert bodies[0] == bodies[1]
    assert bodies[0] != bodies[2]


def _forceable() -> list[Any]:
    """(vendor, forced status, expected status) for every error status a vendor documents."""
    cases = []
    for vendor in specs.VENDORS:
        documented = specs.operation(specs.load(vendor))[2]["responses"]
        for status in (400, 401, 403, 404, 429, 500, 503):
            # ePages documents no 401: its auth failures are 403s.
            expected = 403 if (vendor, status) == ("epages", 401) else status
            if str(expected) in documented:
                cases.append(pytest.param(vendor, status, expected, id=f"{vendor}-{status}"))
    return cases


@pytest.mark.parametrize(("vendor", "status", "expected"), _forceable())
def test_forced_status_uses_the_vendor_envelope(
    all_vendors: TestClient, vendor: str, status: int, expected: int
) -> None:
    response = all_vendors.get(
        f"/{vendor}{path_of(vendor)}",
        headers={**AUTH[vendor], "X-Cartkit-Force-Status": str(status)},
    )
    assert response.status_code == expected
    assert_conforms(vendor, response)
    if status == 429 and vendor in {"shopimind", "nextcommerce"}:
        assert int(response.headers["retry-after"]) >= 1


def test_forced_status_must_be_a_known_one(all_vendors: TestClient) -> None:
    response = all_vendors.get(
        "/stateset/v1/carts", headers={**AUTH["stateset"], "X-Cartkit-Force-Status": "418"}
    )
    assert response.status_code == 400
    assert "X-Cartkit-Force-Status" in response.json()["error"]["message"]


@pytest.mark.parametrize("vendor", specs.VENDORS)
@pytest.mark.parametrize("status", FORCEABLE)
def test_a_forced_status_never_leaves_the_spec(
    all_vendors: TestClient, vendor: str, status: int
) -> None:
    # StateSet documents no 404, say: forcing one is refused, in StateSet's 400 envelope.
    response = all_vendors.get(
        f"/{vendor}{path_of(vendor)}",
        headers={**AUTH[vendor], "X-Cartkit-Force-Status": str(status)},
    )
    assert_conforms(vendor, response)
    if response.status_code == 400 and status != 400:
        assert "the statuses this API documents" in response.text


def statuses(client: TestClient, n: int) -> list[int]:
    return [
        client.get("/stateset/v1/carts", headers=AUTH["stateset"]).status_code for _ in range(n)
    ]


def test_error_rate_is_seed_reproducible() -> None:
    def run(seed: int) -> list[int]:
        client = TestClient(create_app(vendors=("stateset",), carts=10, seed=seed, error_rate=0.5))
        return [
            client.get("/stateset/v1/carts", headers=AUTH["stateset"]).status_code
            for _ in range(40)
        ]

    first = run(1)
    assert first == run(1)
    assert first != run(2)
    assert set(first) <= {200, 429, 500, 503}
    assert 8 < first.count(200) < 32  # about half


def test_latency_is_applied() -> None:
    import time

    client = TestClient(create_app(vendors=("stateset",), carts=10, latency_ms=120))
    start = time.perf_counter()
    client.get("/stateset/v1/carts", headers=AUTH["stateset"])
    assert time.perf_counter() - start >= 0.12


def test_access_log_has_one_line_per_request_and_no_secrets(caplog: Any) -> None:
    client = TestClient(create_app(vendors=("shopimind",), carts=10))
    with caplog.at_level(logging.INFO, logger="cartkit.access"):
        client.get(
            "/shopimind/v1/carts?limit=2&api_key=supersecretvalue",
            headers={"spm-api-key": "cartkit-secret-key-0123456789"},
        )
    (line,) = [r.getMessage() for r in caplog.records if r.name == "cartkit.access"]
    assert line.startswith("GET /shopimind/v1/carts?limit=2&api_key=***")
    assert " 200 " in line and line.endswith("ms")
    assert "supersecretvalue" not in caplog.text and "cartkit-secret-key" not in caplog.text


def test_other_methods_get_405_with_allow() -> None:
    client = TestClient(create_app(vendors=("stateset",), carts=5))
    response = client.post("/stateset/v1/carts", headers=AUTH["stateset"])
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"vendors": ("nope",)}, "unknown vendor 'nope'"),
        ({"vendors": ("stateset", "epages"), "at_root": True}, "exactly one vendor"),
        ({"carts": -1}, "carts"),
        ({"error_rate": 2.0}, "error_rate"),
    ],
)
def test_bad_configuration_is_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MockConfig(**overrides)
