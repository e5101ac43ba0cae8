"""Coverage: what a run exercised of the documented list, counted from the answers it got
(nothing is sent for it), in the terminal summary, the JSON report and ``--coverage-min``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cartkit.contracts.coverage import Coverage
from cartkit.contracts.spec import Contract
from cartkit.contracts.vendors import oracle_for
from cartkit.specs.cli import main

BASE = "http://sandbox/prefix"


def _coverage(vendor: str) -> Coverage:
    contract = Contract(vendor)
    return Coverage(contract, oracle_for(contract), BASE)


def _answer(body: Any) -> bytes:
    return json.dumps(body).encode()


def test_only_the_list_endpoint_is_counted() -> None:
    coverage = _coverage("stateset")
    coverage.observe(
        "GET", f"{BASE}/v1/carts?status=active&limit=5", {}, 200, b"{}", "application/json"
    )
    coverage.observe("GET", f"{BASE}/v2/other?channel=web", {}, 404, b"", "")
    coverage.observe("POST", f"{BASE}/v1/carts?channel=web", {}, 405, b"", "")
    summary = coverage.summary()
    assert summary["parameters"]["sent"] == ["limit", "status"]
    assert summary["enums"]["status"]["sent"] == ["active"]
    assert summary["statuses"]["seen"] == [200]


def test_header_parameters_and_their_values_count() -> None:
    coverage = _coverage("nextcommerce")
    headers = {"x-29next-api-version": "2023-02-10", "Authorization": "Bearer x"}
    coverage.observe("GET", f"{BASE}/api/admin/carts/", headers, 200, b"{}", "application/json")
    summary = coverage.summary()
    assert summary["parameters"]["sent"] == ["X-29next-API-Version"]
    assert summary["enums"]["X-29next-API-Version"]["not_sent"] == []


def test_a_field_counts_once_seen_with_a_value() -> None:
    coverage = _coverage("stateset")
    cart = {"id": "cart_1", "customer_id": None, "total": 100}
    body = {"object": "list", "data": [cart, {**cart, "customer_id": None}], "has_more": False}
    coverage.observe("GET", f"{BASE}/v1/carts", {}, 200, _answer(body), "application/json")
    fields = coverage.summary()["fields"]
    assert {"object", "has_more", "data[].id", "data[].total"} <= set(fields["seen"])
    assert "data[].customer_id" in fields["not_seen"]
    coverage.observe(
        "GET",
        f"{BASE}/v1/carts",
        {},
        200,
        _answer({"data": [{"customer_id": "c"}]}),
        "application/json",
    )
    assert "data[].customer_id" in coverage.summary()["fields"]["seen"]


def test_an_error_envelope_counts_when_it_matches_the_documented_one() -> None:
    coverage = _coverage("epages")
    url = f"{BASE}/rs/shops/DemoShop/carts"
    coverage.observe("GET", url, {}, 403, _answer({"error": "nope"}), "application/json")
    assert coverage.summary()["envelopes"]["seen"] == []
    good = {"message": "Forbidden", "status": "403"}
    coverage.observe("GET", url, {}, 403, _answer(good), "application/json")
    summary = coverage.summary()
    assert summary["envelopes"]["seen"] == [403] and 403 in summary["statuses"]["seen"]


def test_a_cursor_vendor_has_no_page_past_the_end() -> None:
    paging = _coverage("nextcommerce").summary()["paging"]
    assert paging == {"first": False, "middle": False, "last": False, "past the end": None}


def _check(url: str, *options: str) -> Any:
    return CliRunner().invoke(main, ["check", "stateset", "--url", url, "--token", "x", *options])


def test_the_summary_and_the_json_report_show_coverage(server: str, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    result = _check(f"{server}/stateset", "--only", "filters,pagination", "--json", str(report))
    assert result.exit_code == 0, result.output
    assert "Coverage of stateset's documented list" in result.output
    assert "parameters sent" in result.output and "paging paths walked" in result.output
    coverage = json.loads(report.read_text())["coverage"]
    assert coverage["paging"] == {"first": True, "middle": True, "last": True, "past the end": True}
    assert "sort_by" in coverage["parameters"]["not_sent"]  # ordering did not run
    assert coverage["orders"]["exercised"] == []


@pytest.mark.parametrize(("minimum", "code"), [(0, 0), (90, 1)])
def test_coverage_min_fails_a_run_that_covered_less(server: str, minimum: int, code: int) -> None:
    # The auth checks send no parameter at all, and see only 200 and 401.
    result = _check(f"{server}/stateset", "--only", "auth", "--coverage-min", str(minimum))
    assert result.exit_code == code, result.output
    if code:
        assert "Coverage below --coverage-min" in result.output
        assert "documented parameters sent: 0% < 90%" in result.output
