"""``contracts.checks.context``: what every check shares. The :class:`Context`'s budget and
draws (a page size within the documented bounds that walks the set in the page limit, the
carts of the whole set, a filter value taken from them), the :class:`Check` record and how it
reports, ``applies`` and ``excerpt``. The server is ``FakeList`` (StateSet's envelope, limit
documented 1..100, default 10)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cartkit.contracts.checks.context import Check, Context, applies, excerpt
from cartkit.contracts.errors import PagingViolation, Skip, Violation
from cartkit.contracts.oracle import Cart, Filter
from cartkit.contracts.paging import Session
from cartkit.contracts.report import Outcome
from cartkit.contracts.target import Target
from cartkit.contracts.vendors import oracle_for
from tests.contracts.fake_list import TOKEN, FakeList, carts, session


def context(app: Any = None, *, max_pages: int = 10, max_examples: int = 50) -> Context:
    return Context(
        session(app or FakeList(), max_pages=max_pages), max_examples=max_examples, seed=None
    )


def offline(vendor: str) -> Context:
    """A context on an address never contacted."""
    target = Target(vendor, base_url="http://127.0.0.1:9", auth={"token": TOKEN})
    return Context(
        Session(target, oracle_for(target.contract), max_pages=10), max_examples=50, seed=None
    )


@pytest.fixture
def ctx() -> Iterator[Context]:
    made = context()
    yield made
    made.session.target.close()


def by_status() -> Filter:
    """A filter on the carts' status, its values taken from the carts."""
    return Filter(
        "status",
        values=lambda cs: st.sampled_from(sorted({c["status"] for c in cs})) if cs else None,
        params=lambda value: {"status": value},
        holds=lambda cart, value: cart["status"] == value,
    )


def never(carts: Sequence[Cart]) -> st.SearchStrategy[Any] | None:
    return None


# -- the budget -----------------------------------------------------------------------------


@pytest.mark.parametrize(("budget", "few"), [(1, 2), (9, 2), (10, 2), (15, 3), (50, 10)])
def test_few_is_a_fifth_of_the_budget_at_least_two(budget: int, few: int) -> None:
    made = offline("stateset")
    assert Context(made.session, max_examples=budget, seed=None).few == few


def test_the_context_keeps_the_run_settings() -> None:
    made = offline("stateset")
    assert made.oracle is made.session.oracle and made.oracle.vendor == "stateset"
    assert (made.max_examples, made.seed) == (50, None)


def test_token_oracle_only_for_a_vendor_with_a_token_document() -> None:
    assert offline("stateset").tokens is None
    epages = offline("epages")
    assert epages.tokens is not None and epages.tokens is epages.tokens  # built once


# -- size -----------------------------------------------------------------------------------


@given(st.data(), st.none() | st.integers(0, 5000))
def test_a_drawn_size_is_within_the_bounds_and_walks_the_set_in_the_page_limit(
    data: st.DataObject, total: int | None
) -> None:
    made = offline("stateset")  # limit: 1..100, 10 pages at most
    size = made.size(data, total)
    assert size is not None and 1 <= size <= 100
    if total and total <= 1000:
        assert -(-total // size) <= 10  # the whole set within max_pages pages


@given(st.data())
def test_a_set_too_large_for_the_page_limit_gets_the_largest_size(data: st.DataObject) -> None:
    assert offline("stateset").size(data, 5000) == 100


def test_no_size_without_a_page_size_parameter() -> None:
    class Undrawable:
        def draw(self, *args: Any, **kwargs: Any) -> Any:
            raise AssertionError("nothing to draw")

    # 29 Next has a fixed page size: nothing is drawn, None is sent.
    assert offline("nextcommerce").size(Undrawable(), 300) is None  # type: ignore[arg-type]


# -- sample ---------------------------------------------------------------------------------


def test_the_sample_is_the_whole_set(ctx: Context) -> None:
    assert ctx.sample() == carts(7)
    requests = ctx.session.target.requests
    assert ctx.sample() == carts(7)
    assert ctx.session.target.requests == requests  # walked once


def test_no_carts_is_a_skip() -> None:
    made = context(FakeList(carts=[]))
    with pytest.raises(Skip) as raised:
        made.sample()
    assert "returned no carts" in raised.value.reason


# -- draw_filter ----------------------------------------------------------------------------


@given(st.data())
def test_a_filter_value_comes_from_the_returned_carts(data: st.DataObject) -> None:
    made = context()
    flt = by_status()
    value, params = made.draw_filter(data, flt)
    assert value in {c["status"] for c in carts(7)}
    assert params == {"status": value}
    made.session.target.close()


def test_a_filter_with_no_value_to_try_is_a_skip(ctx: Context) -> None:
    flt = Filter("channel", values=never, params=dict, holds=lambda c, v: True)
    with pytest.raises(Skip) as raised:
        ctx.draw_filter(None, flt)  # type: ignore[arg-type]
    assert raised.value.reason == "no returned cart carries a value to filter 'channel' on"


def test_a_filter_on_an_empty_set_is_a_skip() -> None:
    made = context(FakeList(carts=[]))
    with pytest.raises(Skip, match="returned no carts"):
        made.draw_filter(None, by_status())  # type: ignore[arg-type]


# -- Check ----------------------------------------------------------------------------------


def test_the_group_is_the_first_part_of_the_name() -> None:
    assert Check("filters.status", lambda c, d: None, 3).group == "filters"
    assert Check("pagination", lambda c, d: None, 1).group == "pagination"


def test_a_check_planned_skipped_reports_its_reason_without_a_request(ctx: Context) -> None:
    def run(ctx: Context, data: st.DataObject) -> None:
        raise AssertionError("a skipped check must not run")

    result = Check("projection.fields", run, 5, skip="nothing to project").result(ctx)
    assert result.outcome is Outcome.SKIPPED and result.skip_reason == "nothing to project"
    assert result.requests == 0 and ctx.session.target.requests == 0


def test_a_violation_is_a_failure_with_its_title(ctx: Context) -> None:
    def run(ctx: Context, data: st.DataObject) -> None:
        ctx.session.fetch({})
        raise Violation("Carts lost", "7 carts", "6 carts")

    result = Check("consistency.repeat", run, 3).result(ctx)
    assert result.outcome is Outcome.FAILED
    assert [(f.title, f.expected, f.received) for f in result.failures] == [
        ("Carts lost", "7 carts", "6 carts")
    ]
    assert result.requests >= 1


def test_a_skip_raised_by_the_check_is_its_skip_reason(ctx: Context) -> None:
    def run(ctx: Context, data: st.DataObject) -> None:
        raise Skip("no cart has an e-mail")

    result = Check("filters.has_email", run, 3).result(ctx)
    assert (result.outcome, result.skip_reason) == (Outcome.SKIPPED, "no cart has an e-mail")


def test_incoherent_pages_fail_only_a_pagination_check(ctx: Context) -> None:
    def run(ctx: Context, data: st.DataObject) -> None:
        raise PagingViolation("Cart listed twice", "each cart once", "c03 twice")

    assert Check("pagination.walk", run, 2).result(ctx).outcome is Outcome.FAILED
    other = Check("filters.status", run, 2).result(ctx)
    assert other.outcome is Outcome.SKIPPED and not other.failures


def test_a_swept_check_with_a_single_example_runs_only_the_sweep(ctx: Context) -> None:
    calls: list[str] = []
    check = Check(
        "filters.combined",
        lambda c, d: calls.append("drawn"),
        1,
        sweep=lambda c, d: calls.append("sweep"),
    )
    result = check.result(ctx)
    assert calls == ["sweep"] and result.outcome is Outcome.PASSED and result.examples == 1


def test_applies() -> None:
    assert applies(True, "undocumented") is None
    assert applies(False, "undocumented") == "undocumented"


# -- excerpt --------------------------------------------------------------------------------


def test_a_short_cart_is_shown_whole_as_json() -> None:
    cart = {"id": "c01", "name": "Café", "total": 12.5, "tags": ["a"]}
    shown = excerpt(cart)
    assert json.loads(shown) == cart and "\n" not in shown
    assert "Café" in shown  # not escaped


def test_a_long_cart_is_cut_at_the_limit() -> None:
    cart = {"id": "c01", "note": "x" * 500}
    shown = excerpt(cart, limit=50)
    assert shown == json.dumps(cart)[:50] + "...}"
    assert len(excerpt(cart)) == 240 + len("...}")


def test_a_value_json_cannot_write_is_shown_as_text() -> None:
    assert excerpt({"day": date(2026, 1, 2)}) == '{"day": "2026-01-02"}'
