"""``contracts.errors``: the two roots, "you used cartkit wrongly" (``ConfigError``, raised to
the caller) and "the server broke its contract" (``Violation``/``Skip``, internal signals that
end up in the report, never raised out of ``contracts.check``)."""

from __future__ import annotations

import httpx
import pytest

from cartkit import contracts
from cartkit.contracts.errors import ConfigError, PagingViolation, Skip, Violation
from cartkit.contracts.report import Outcome
from tests.contracts.fake_list import TOKEN, FakeList, carts


def test_the_two_roots_do_not_mix() -> None:
    assert not issubclass(ConfigError, Violation | Skip)
    assert not issubclass(Violation, ConfigError) and not issubclass(Skip, ConfigError)
    assert not issubclass(Skip, Violation) and not issubclass(Violation, Skip)
    assert issubclass(PagingViolation, Violation)
    assert contracts.ConfigError is ConfigError


def test_a_violation_carries_what_was_expected_received_and_sent() -> None:
    sent = httpx.Request("GET", "http://testserver/v1/carts?limit=0")
    violation = Violation("Out-of-range page size accepted", "400", "200 {...}", sent)
    assert (violation.title, violation.expected, violation.received) == (
        "Out-of-range page size accepted",
        "400",
        "200 {...}",
    )
    assert violation.request is sent
    assert str(violation) == "Out-of-range page size accepted: expected 400, received 200 {...}"
    assert Violation("t", "e", "r").request is None


def test_a_skip_carries_its_reason() -> None:
    skip = Skip("no carts to filter")
    assert skip.reason == str(skip) == "no carts to filter"


def test_a_usage_error_is_raised_to_the_caller() -> None:
    with pytest.raises(ConfigError, match=r"unknown check group 'pagnation'.*'pagination'"):
        contracts.check("stateset", app=FakeList(), auth={"token": TOKEN}, only=["pagnation"])


def test_a_broken_contract_is_reported_not_raised() -> None:
    report = contracts.check(
        "stateset",
        app=FakeList(carts=carts(150), overlap=True),  # more than one page of 100
        auth={"token": TOKEN},
        only=["pagination.walk", "filters.status"],
        max_examples=2,
    )
    results = {r.name: r for r in report.results}
    assert results["pagination.walk"].outcome is Outcome.FAILED
    assert results["pagination.walk"].failures[0].title == "Cart repeated across pages"
    # The filter check walks the same pages to judge the filter: it cannot, and says why.
    assert results["filters.status"].outcome is Outcome.SKIPPED
    assert str(results["filters.status"].skip_reason).endswith("(pagination.walk reports it)")
    assert not report.ok and report.exit_code == 1
