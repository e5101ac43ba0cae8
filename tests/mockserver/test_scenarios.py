"""Scenarios: every one answers in the vendor's envelope, conforms to its spec, and is chosen as
documented (request header, run time, start-up)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from cartkit import specs
from cartkit.mockserver import create_app
from cartkit.mockserver.scenarios import SCENARIO_HEADER, SCENARIOS, SLOW_MS

from .conftest import AUTH, assert_conforms

VENDORS = pytest.mark.parametrize("vendor", specs.VENDORS)
QUICK = [name for name in SCENARIOS if name != "slow"]
# Where each vendor's envelope says how many carts matched, and where the carts are.
TOTAL = {
    "shopimind": lambda body: body["meta"]["pagination"]["total_items"],
    "nextcommerce": lambda body: len(body["results"]),
    "elasticpath": lambda body: body["meta"]["results"]["total"],
    "epages": lambda body: body["results"],
    "stateset": lambda body: body["total_count"],
}
REFUSED = {"unauthorized": {401, 403}, "rate-limited": {429}, "down": {503}}


def path_of(vendor: str) -> str:
    return "/" + vendor + specs.operation(specs.load(vendor))[0].replace("{shopId}", "DemoShop")


@pytest.fixture(scope="module")
def mock() -> TestClient:
    return TestClient(create_app(carts=80))


def ask(client: TestClient, vendor: str, scenario: str | None = None, **params: Any) -> Any:
    headers = {**AUTH[vendor], **({SCENARIO_HEADER: scenario} if scenario else {})}
    return client.get(path_of(vendor), headers=headers, params=params or None)


@VENDORS
@pytest.mark.parametrize("scenario", QUICK)
def test_every_scenario_conforms_to_the_vendors_spec(
    mock: TestClient, vendor: str, scenario: str
) -> None:
    response = ask(mock, vendor, scenario)
    expected = REFUSED.get(scenario, {200})
    assert response.status_code in expected, response.text
    assert_conforms(vendor, response)


@VENDORS
def test_the_data_scenarios_list_what_they_say(mock: TestClient, vendor: str) -> None:
    counts = {name: TOTAL[vendor](ask(mock, vendor, name).json()) for name in ("empty", "one")}
    assert counts == {"empty": 0, "one": 1}
    dataset = {name: _served(mock, vendor, name) for name in ("large", "edge")}
    large = dataset["large"]
    assert len(large.carts) == 20
    assert all(len(cart.basket) == 50 and len(cart.name) == 255 for cart in large.carts)
    edge = dataset["edge"]
    assert {cart.total for cart in edge.carts} >= {0}
    assert any(cart.customer is None and cart.billing_place is None for cart in edge.carts)
    assert any("العربي" in cart.shopper[1] for cart in edge.carts)


def _served(client: TestClient, vendor: str, scenario: str) -> Any:
    ask(client, vendor, scenario)  # built on first use
    return client.app.state.steering[vendor]._served[scenario].dataset  # type: ignore[attr-defined]


@VENDORS
def test_data_scenarios_keep_the_cart_invariants(mock: TestClient, vendor: str) -> None:
    for scenario in ("large", "edge"):
        for cart in _served(mock, vendor, scenario).carts:
            assert sum(p.price * q for p, q in cart.basket) == cart.subtotal
            if cart.basket:
                market = mock.app.state.vendors[vendor].market  # type: ignore[attr-defined]
                if market.tax_included:
                    assert cart.subtotal + cart.shipping - cart.discount == cart.total
                else:
                    assert cart.subtotal + cart.tax + cart.shipping - cart.discount == cart.total
            assert cart.created_at <= cart.updated_at


def test_a_refusal_scenario_sends_the_vendors_retry_headers(mock: TestClient) -> None:
    assert ask(mock, "shopimind", "rate-limited").headers["retry-after"]
    assert ask(mock, "stateset", "rate-limited").headers["x-ratelimit-retry-after"]
    assert ask(mock, "epages", "unauthorized").status_code == 403  # ePages documents no 401


def test_an_unknown_scenario_header_is_a_vendor_shaped_400(mock: TestClient) -> None:
    response = ask(mock, "stateset", "nope")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["parameter"] == SCENARIO_HEADER
    assert "empty" in response.json()["error"]["message"]
    assert_conforms("stateset", response)


def test_run_time_switches_reach_the_next_call_and_never_serve_a_stale_page() -> None:
    client = TestClient(create_app(vendors=("stateset", "epages"), carts=30))
    before = ask(client, "stateset").json()
    assert before["total_count"] == 30
    switched = client.put("/__cartkit/scenario", json={"vendor": "stateset", "scenario": "empty"})
    assert switched.json()["current"] == {"stateset": "empty", "epages": "default"}
    assert ask(client, "stateset").json()["total_count"] == 0
    assert ask(client, "epages").json()["results"] == 30  # other vendors untouched
    assert ask(client, "stateset", "one").json()["total_count"] == 1  # the header wins
    client.put("/__cartkit/scenario", json={"scenario": "default"})  # every vendor
    assert ask(client, "stateset").json() == before  # remembered answers are the default's


def test_start_up_scenarios(make_client: Any) -> None:
    client = make_client("stateset", carts=10, scenarios=(("*", "down"), ("stateset", "one")))
    assert ask(client, "stateset").json()["total_count"] == 1
    listed = client.get("/__cartkit/scenarios").json()
    assert listed["current"] == {"stateset": "one"}
    assert [s["name"] for s in listed["scenarios"]] == list(SCENARIOS)


def test_a_start_up_scenario_must_exist() -> None:
    with pytest.raises(ValueError, match="unknown scenario 'nope'"):
        create_app(vendors=("stateset",), scenarios=(("*", "nope"),))
    with pytest.raises(ValueError, match="not served"):
        create_app(vendors=("stateset",), scenarios=(("epages", "empty"),))


def test_slow_is_slow(mock: TestClient) -> None:
    started = time.monotonic()
    response = ask(mock, "stateset", "slow")
    assert response.status_code == 200
    assert time.monotonic() - started >= SLOW_MS / 1000 * 0.9
    assert response.json()["total_count"] == 80
