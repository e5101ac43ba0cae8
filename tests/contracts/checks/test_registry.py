"""``contracts.checks``: every group module registers its checks the same way, a plan is exactly
what ``contracts.plan`` lists, a check the documents leave nothing to judge is reported skipped,
and check functions called directly on a small server raise a ``Violation`` on a bad answer."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from hypothesis import strategies as st

from cartkit import contracts, specs
from cartkit.contracts import checks
from cartkit.contracts.checks import GROUPS, MODULES, Check, Context
from cartkit.contracts.checks.filters import by_filter
from cartkit.contracts.checks.pagination import size_bounds
from cartkit.contracts.errors import Violation
from cartkit.contracts.paging import Session
from cartkit.contracts.report import Outcome
from cartkit.contracts.target import Target
from cartkit.contracts.vendors import oracle_for
from tests.contracts import broken, changes
from tests.contracts.checks.drawing import Drawn
from tests.contracts.conftest import mock_app, run
from tests.contracts.fake_list import TOKEN, FakeList

_SCHEMATHESIS = ("conformance.", "tokens.conformance.")


def context(vendor: str, *, app: Any = None, max_examples: int = 50) -> Context:
    """A context for *vendor*: on *app* in process (served under ``/<vendor>``, as the mock
    serves it), else on an address never contacted."""
    base_url = f"http://testserver/{vendor}" if app is not None else "http://127.0.0.1:9"
    target = Target(vendor, app=app, base_url=base_url, auth={"token": TOKEN, "api_key": TOKEN})
    session = Session(target, oracle_for(target.contract), max_pages=25)
    return Context(session, max_examples=max_examples, seed=None)


def test_the_registry_has_one_module_per_group_in_run_order() -> None:
    assert contracts.GROUPS is GROUPS
    assert GROUPS[0] == "conformance"
    assert [m.__name__.rsplit(".", 1)[1] for m in MODULES] == list(GROUPS[1:])


@pytest.mark.parametrize("vendor", specs.VENDORS)
def test_every_group_module_registers_the_same_way(vendor: str) -> None:
    ctx = context(vendor)
    for module in MODULES:
        group = module.__name__.rsplit(".", 1)[1]
        assert "checks" in module.__all__ and inspect.isfunction(module.checks), group
        assert list(inspect.signature(module.checks).parameters) == ["ctx"], group
        for check in module.checks(ctx):
            assert isinstance(check, Check) and check.group == group, check.name
            assert check.examples >= 1, check.name
            for function in filter(None, (check.run, check.sweep)):
                # A plain module-level function of the group's module, a parameter bound by
                # keyword: called as function(ctx, data).
                plain = getattr(function, "func", function)
                assert inspect.isfunction(plain) and plain.__module__ == module.__name__
                assert plain.__name__ in module.__all__, check.name
                params = inspect.signature(function).parameters.values()
                assert [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD] == [
                    "ctx",
                    "data",
                ], check.name
    assert ctx.session.target.requests == 0  # registering sends nothing


@pytest.mark.parametrize("vendor", specs.VENDORS)
def test_a_plan_lists_exactly_what_contracts_plan_lists(vendor: str) -> None:
    registered = [c.name for c in checks.plan(context(vendor)) if c.skip is None]
    listed = [name for name in contracts.plan(vendor) if not name.startswith(_SCHEMATHESIS)]
    assert registered == listed


def test_check_names_and_their_order_are_kept() -> None:
    listed = {
        vendor: [n for n in contracts.plan(vendor) if not n.startswith(_SCHEMATHESIS)]
        for vendor in ("elasticpath", "epages")
    }
    assert listed["elasticpath"] == [
        *("pagination.walk", "pagination.page_size", "pagination.size_bounds"),
        *("filters.name", "filters.account_ids", "filters.expression", "filters.combined"),
        "ordering.default",
        *("auth.missing", "auth.malformed", "auth.shopper_token", "auth.both_shopper_tokens"),
        *("consistency.repeat", "consistency.include"),
        *("tokens.grant", "tokens.scope", "tokens.errors", "tokens.shopper"),
    ]
    assert listed["epages"] == [
        *("pagination.walk", "pagination.page_size", "pagination.size_bounds"),
        *("filters.createdAfter", "filters.createdBefore", "filters.hasAddressData"),
        *("filters.combined", "ordering.default", "auth.missing", "auth.malformed"),
        *("errors.unknown_shop", "errors.not_acceptable"),
        *("consistency.repeat", "consistency.locale", "tokens.grant", "tokens.errors"),
    ]


def test_a_check_left_nothing_to_judge_is_reported_skipped_with_its_reason() -> None:
    ctx = context("stateset")
    [projection] = [c for c in checks.plan(ctx) if c.name == "projection.fields"]
    assert projection.skip == "stateset documents no field projection"
    assert "projection.fields" not in contracts.plan("stateset")
    result = projection.result(ctx)
    assert result.outcome is Outcome.SKIPPED and result.skip_reason == projection.skip
    assert (result.requests, ctx.session.target.requests) == (0, 0)
    # ... and a run reports it so.
    report = run("stateset", mock_app("stateset"), only=["projection"])
    [reported] = report.results
    assert (reported.name, reported.skip_reason) == ("projection.fields", projection.skip)


def test_a_sweep_runs_once_first_and_the_drawn_examples_only_if_it_passed(
    made: list[Context],
) -> None:
    ctx = context("stateset", app=FakeList(), max_examples=10)
    made.append(ctx)
    calls: list[str] = []

    def sweep(ctx: Context, data: st.DataObject) -> None:
        calls.append("sweep")

    def drawn(ctx: Context, data: st.DataObject) -> None:
        calls.append(f"drawn {data.draw(st.integers(0, 10**6))}")

    result = Check("filters.combined", drawn, 4, sweep=sweep).result(ctx)
    assert result.outcome is Outcome.PASSED
    assert calls[0] == "sweep" and len(calls) == 4 == result.examples

    def broken_sweep(ctx: Context, data: st.DataObject) -> None:
        raise Violation("Filters dropped together", "all of them", "one")

    calls.clear()
    result = Check("filters.combined", drawn, 4, sweep=broken_sweep).result(ctx)
    assert [f.title for f in result.failures] == ["Filters dropped together"]
    assert calls == []


def test_size_bounds_called_directly_catches_an_accepted_out_of_range_size(
    made: list[Context],
) -> None:
    bad = context("stateset", app=FakeList())
    good = context("stateset", app=mock_app("stateset"))
    made += [bad, good]
    with pytest.raises(Violation) as raised:
        size_bounds(bad, Drawn())
    assert raised.value.title == "Out-of-range page size accepted"
    assert raised.value.expected == "400 for limit=0 (documented bounds 1..100)"
    assert raised.value.request is not None and raised.value.request.url.params["limit"] == "0"
    size_bounds(good, Drawn())  # the mock refuses both 0 and 101 as documented
    assert good.session.target.requests == 2


def test_a_filter_check_called_directly_catches_an_ignored_filter(
    made: list[Context],
) -> None:
    mock = mock_app("stateset")
    ignored = broken.Rewrite(mock, query=changes.drop("status"))
    good = context("stateset", app=mock)
    bad = context("stateset", app=ignored)
    made += [good, bad]
    status = next(f for f in good.oracle.filters() if f.name == "status")
    by_filter(good, Drawn("abandoned"), flt=status)
    with pytest.raises(Violation) as raised:
        by_filter(bad, Drawn("abandoned"), flt=status)
    assert raised.value.title == "Filter 'status' not applied"
    assert raised.value.received.startswith("cart ")
    assert '"status": "abandoned"' not in raised.value.received  # the cart shown does not match
    assert raised.value.request is not None
    assert raised.value.request.url.params["status"] == "abandoned"


def test_a_run_reports_the_registered_checks_of_the_selected_groups_in_order() -> None:
    report = run("stateset", mock_app("stateset"), only=["pagination", "auth"])
    assert [r.name for r in report.results] == [
        "pagination.walk",
        "pagination.page_size",
        "pagination.size_bounds",
        "auth.missing",
        "auth.malformed",
    ]
    assert report.ok
