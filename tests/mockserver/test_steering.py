"""Steering (``mockserver/steering.py``): which carts and which scenario answer a vendor's calls.

A :class:`Steering` is built here on its own (a vendor, an :class:`Admin` on a shared state of
the test's) and called as the ASGI app it is, so the shared state is changed by hand exactly as
the admin API changes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from cartkit.mockserver.admin import Admin
from cartkit.mockserver.app import startup_dataset
from cartkit.mockserver.config import MockConfig
from cartkit.mockserver.journal import Journal
from cartkit.mockserver.scenarios import SCENARIO_HEADER, SCENARIOS
from cartkit.mockserver.shared import SharedState
from cartkit.mockserver.steering import Steering
from cartkit.mockserver.userdata import DataError
from cartkit.mockserver.vendors import vendor_class

from .conftest import AUTH

CARTS = 30


def steering_for(tmp_path: Path, vendor: str = "stateset", **config: Any) -> Steering:
    settings = MockConfig(vendors=(vendor,), carts=CARTS, at_root=True, **config)
    state = SharedState(tmp_path)
    served = vendor_class(vendor)(startup_dataset(settings, vendor), settings)
    return Steering(served, Admin(settings, state, Journal(state, 0)))


def total(client: TestClient, scenario: str | None = None) -> int:
    headers = {**AUTH["stateset"], **({SCENARIO_HEADER: scenario} if scenario else {})}
    response = client.get("/v1/carts", headers=headers)
    assert response.status_code == 200, response.text
    count: int = response.json()["total_count"]
    return count


def add(steering: Steering, entries: list[dict[str, Any]]) -> None:
    """What ``POST /__cartkit/carts`` (and, with no entries, ``DELETE``) does to the state."""
    state = steering.admin.state

    def change(current: dict[str, Any]) -> None:
        state.write("carts", entries)
        current["carts"] = current.get("carts", 0) + 1

    state.change(change)


def test_without_changes_the_start_up_vendor_answers(tmp_path: Path) -> None:
    steering = steering_for(tmp_path)
    assert steering.name == "stateset"
    assert steering.current() is steering.startup
    assert total(TestClient(steering)) == CARTS


def test_the_scenario_is_the_header_then_run_time_then_start_up_then_default(
    tmp_path: Path,
) -> None:
    steering = steering_for(tmp_path, scenarios=(("stateset", "one"),))
    client = TestClient(steering)
    assert total(client) == 1  # start-up
    steering.admin.state.change(lambda s: s.update(scenarios={"stateset": "empty"}))
    assert total(client) == 0  # run time over start-up
    assert total(client, "default") == CARTS  # the header over both
    steering.admin.state.change(lambda s: s.update(scenarios={}))
    assert total(client) == 1
    assert total(TestClient(steering_for(tmp_path / "other"))) == CARTS  # nothing chosen


def test_an_unknown_scenario_header_is_refused_in_the_vendors_envelope(tmp_path: Path) -> None:
    response = TestClient(steering_for(tmp_path)).get(
        "/v1/carts", headers={**AUTH["stateset"], SCENARIO_HEADER: "nope"}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["details"]["parameter"] == SCENARIO_HEADER
    assert all(name in error["message"] for name in SCENARIOS)


def test_a_refusal_scenario_says_how_it_was_chosen(tmp_path: Path) -> None:
    steering = steering_for(tmp_path)
    client = TestClient(steering)
    by_header = client.get("/v1/carts", headers={**AUTH["stateset"], SCENARIO_HEADER: " down "})
    assert by_header.status_code == 503
    assert "the request header" in by_header.json()["error"]["message"]
    steering.admin.state.change(lambda s: s.update(scenarios={"stateset": "down"}))
    by_admin = client.get("/v1/carts", headers=AUTH["stateset"])
    assert by_admin.status_code == 503
    assert "PUT /__cartkit/scenario" in by_admin.json()["error"]["message"]


def test_added_carts_make_a_fresh_vendor_and_resetting_restores_the_start_up_one(
    tmp_path: Path,
) -> None:
    steering = steering_for(tmp_path)
    client = TestClient(steering)
    assert total(client) == CARTS  # an answer remembered by the start-up vendor
    add(steering, [{"status": "expired"}, {"status": "active"}])
    added = steering.current()
    assert added is not steering.startup and len(added.dataset) == CARTS + 2
    assert added.answers is not steering.startup.answers  # nothing answered before is served
    assert total(client) == CARTS + 2
    assert len(steering.startup.dataset) == CARTS  # the start-up carts are untouched
    add(steering, [])
    assert steering.current() is steering.startup and total(client) == CARTS


def test_a_scenario_with_carts_of_its_own_is_built_once_and_shares_the_answer_memory(
    tmp_path: Path,
) -> None:
    steering = steering_for(tmp_path)
    client = TestClient(steering)
    assert total(client, "one") == 1
    built = steering._served["one"]
    assert total(client, "one") == 1 and steering._served["one"] is built
    assert built is not steering.current() and built.answers is steering.current().answers
    assert "slow" not in steering._served  # a scenario on the seeded carts builds nothing


def test_with_added_names_a_bad_entry_by_its_place_among_the_entries(tmp_path: Path) -> None:
    steering = steering_for(tmp_path)
    with pytest.raises(DataError) as caught:
        steering.with_added([{}, {"created_at": "2099-01-01T00:00:00Z"}], source="body")
    assert (caught.value.source, caught.value.index, caught.value.field) == (
        "body",
        1,
        "created_at",
    )
    grown = steering.with_added([{"status": "abandoned"}])
    assert (
        len(grown) == CARTS + 1
        and sum(c.status == "abandoned" for c in grown.carts)
        == sum(c.status == "abandoned" for c in steering.startup.dataset.carts) + 1
    )


def test_run_time_faults_reach_the_vendor_that_answers(tmp_path: Path) -> None:
    steering = steering_for(tmp_path)
    client = TestClient(steering)
    failing = {"latency_ms": 0.0, "jitter_ms": 0.0, "error_rate": 1.0}
    steering.admin.state.change(lambda s: s.update(faults={"stateset": failing}))
    assert client.get("/v1/carts", headers=AUTH["stateset"]).status_code in {429, 500, 503}
    steering.admin.state.change(lambda s: s.update(faults={}))
    assert total(client) == CARTS


def test_token_routes_follow_the_vendors_token_endpoints(tmp_path: Path) -> None:
    assert steering_for(tmp_path / "s").token_routes() == []  # StateSet has none
    steering = steering_for(tmp_path / "e", "elasticpath")
    endpoints = steering.startup.token_endpoints()
    assert endpoints is not None
    expected = {route.path: route.methods for route in endpoints.routes()}
    routes = steering.token_routes()
    assert {route.path: route.methods for route in routes} == expected
    for path in expected:
        assert steering.current_token_route(path).path == path
