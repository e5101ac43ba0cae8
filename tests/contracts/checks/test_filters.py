"""``contracts.checks.filters`` called directly on ``FakeList`` (StateSet's envelope), its ``keep``
knob making it a server that filters: a filter with a value drawn from the returned carts keeps
exactly the matching carts (an ignored filter and a dropped matching cart are caught), and
``combined`` sweeps every pair of filters once before drawing pairs and triples. The oracle is
StateSet narrowed to ``status`` and ``min_value`` (plus a ``max_value`` of the test's own where a
third filter is needed), so each test says exactly which queries are sent."""

from __future__ import annotations

import functools
from typing import Any

import pytest

from cartkit.contracts.checks.context import Context
from cartkit.contracts.checks.filters import by_filter, checks, drawn_filters, every_pair
from cartkit.contracts.errors import Skip, Violation
from cartkit.contracts.oracle import Cart, Filter, Oracle, sample_of
from cartkit.contracts.paging import Session
from cartkit.contracts.target import Target
from cartkit.contracts.vendors.stateset import StateSet
from tests.contracts.checks.drawing import Drawn
from tests.contracts.fake_list import TOKEN, FakeList, carts

MAX_VALUE = Filter(
    "max_value",
    lambda carts: sample_of([c.get("total") for c in carts]),
    lambda v: {"max_value": v},
    lambda cart, v: cart["total"] <= v,
)


class Two(StateSet):
    """StateSet's own ``status`` and ``min_value`` filters, no other."""

    def filters(self) -> list[Filter]:
        return [f for f in super().filters() if f.name in ("status", "min_value")]


class Three(Two):
    """``Two`` and a ``max_value`` (total at most)."""

    def filters(self) -> list[Filter]:
        return [*super().filters(), MAX_VALUE]


class One(Two):
    """``status`` alone."""

    def filters(self) -> list[Filter]:
        return super().filters()[:1]


class Valueless(Two):
    """Two filters the returned carts give no value to."""

    def filters(self) -> list[Filter]:
        return [
            Filter("coupon", lambda carts: None, lambda v: {"coupon": v}, lambda cart, v: True),
            Filter("referrer", lambda carts: None, lambda v: {"referrer": v}, lambda c, v: True),
        ]


def honest(query: dict[str, str], cart: Cart) -> bool:
    """Every filter of the query applied: ``status``, ``min_value``, ``max_value``."""
    return (
        query.get("status", cart["status"]) == cart["status"]
        and cart["total"] >= int(query.get("min_value", cart["total"]))
        and cart["total"] <= int(query.get("max_value", cart["total"]))
    )


def filtered(app: FakeList) -> list[dict[str, str]]:
    """The filters of each filtered walk *app* was sent: its first page's query, the page size
    aside (a walk then fetches the page past the end, with an offset)."""
    return [
        {k: v for k, v in q.items() if k != "limit"}
        for q in app.seen
        if "offset" not in q and set(q) - {"limit"}
    ]


def on(
    app: FakeList, made: list[Context], oracle: type[Oracle] = Two, *, max_pages: int = 10
) -> Context:
    target = Target("stateset", app=app, auth={"token": TOKEN})
    ctx = Context(
        Session(target, oracle(target.contract), max_pages=max_pages), max_examples=10, seed=None
    )
    made.append(ctx)
    return ctx


def flt(ctx: Context, name: str) -> Filter:
    return next(f for f in ctx.oracle.filters() if f.name == name)


# -- registration ---------------------------------------------------------------------------


def test_each_filter_is_a_check_and_combined_sweeps_every_pair(made: list[Context]) -> None:
    ctx = on(FakeList(), made)
    planned = list(checks(ctx))
    assert [c.name for c in planned] == ["filters.status", "filters.min_value", "filters.combined"]
    assert all(c.examples == ctx.few == 2 for c in planned)
    status = planned[0].run
    assert isinstance(status, functools.partial) and status.func is by_filter
    assert status.keywords["flt"].name == "status"
    assert (planned[2].run, planned[2].sweep) == (drawn_filters, every_pair)
    assert ctx.session.target.requests == 0


def test_a_single_filter_has_no_combined_check(made: list[Context]) -> None:
    assert [c.name for c in checks(on(FakeList(), made, One))] == ["filters.status"]


# -- by_filter ------------------------------------------------------------------------------


def test_a_filter_the_server_applies_passes(made: list[Context]) -> None:
    app = FakeList(keep=honest)
    ctx = on(app, made)
    by_filter(ctx, Drawn("abandoned"), flt=flt(ctx, "status"))  # type: ignore[arg-type]
    assert filtered(app) == [{"status": "abandoned"}]


def test_an_ignored_filter_is_caught_with_a_cart_that_does_not_match(
    made: list[Context],
) -> None:
    ctx = on(FakeList(), made)
    with pytest.raises(Violation) as raised:
        by_filter(ctx, Drawn("abandoned"), flt=flt(ctx, "status"))  # type: ignore[arg-type]
    assert raised.value.title == "Filter 'status' not applied"
    assert raised.value.expected == "only carts with status matching 'abandoned'"
    assert raised.value.received == ('cart \'c00\': {"id": "c00", "status": "active", "total": 0}')
    assert raised.value.request is not None
    assert raised.value.request.url.params["status"] == "abandoned"


def test_a_filter_dropping_a_matching_cart_is_caught(made: list[Context]) -> None:
    # min_value applied as "more than", not "at least": the cart of exactly 300 goes missing.
    def strict(query: dict[str, str], cart: Cart) -> bool:
        return "min_value" not in query or cart["total"] > int(query["min_value"])

    ctx = on(FakeList(keep=strict), made)
    with pytest.raises(Violation) as raised:
        by_filter(ctx, Drawn(300), flt=flt(ctx, "min_value"))  # type: ignore[arg-type]
    assert raised.value.title == "Filter dropped matching carts"
    assert raised.value.expected == "all 4 carts of the unfiltered set that match"
    assert raised.value.received == "3 carts; missing e.g. ['c03']"
    assert raised.value.request is not None
    assert raised.value.request.url.params["min_value"] == "300"


def test_the_same_filter_honestly_applied_keeps_the_cart_at_the_bound(
    made: list[Context],
) -> None:
    app = FakeList(keep=honest)
    ctx = on(app, made)
    by_filter(ctx, Drawn(300), flt=flt(ctx, "min_value"))  # type: ignore[arg-type]
    assert filtered(app) == [{"min_value": "300"}]


def test_a_filtered_total_above_the_unfiltered_one_is_caught(made: list[Context]) -> None:
    # 400 carts, 100 a page, one page walked: neither walk is whole, so only the totals can
    # be compared. The filtered one counts 500.
    def inflated(query: dict[str, str], body: Any) -> None:
        if "status" in query and "data" in body:
            body["total_count"] = 500

    ctx = on(FakeList(carts=carts(400), keep=honest, edit=inflated), made, max_pages=1)
    with pytest.raises(Violation) as raised:
        by_filter(ctx, Drawn("abandoned"), flt=flt(ctx, "status"))  # type: ignore[arg-type]
    assert raised.value.title == "Filtered total exceeds the unfiltered one"
    assert raised.value.expected == "at most 400 (the unfiltered total)"
    assert raised.value.received == "500"
    assert raised.value.request is not None
    assert raised.value.request.url.params["status"] == "abandoned"


def test_an_incomplete_walk_is_not_judged_for_missing_carts(made: list[Context]) -> None:
    # The same server, honest totals, dropping c03 (abandoned): past the first page of either
    # walk nothing can be said to be missing.
    def dropping(query: dict[str, str], cart: Cart) -> bool:
        return honest(query, cart) and not ("status" in query and cart["id"] == "c03")

    whole = on(FakeList(carts=carts(20), keep=dropping), made)
    with pytest.raises(Violation, match="Filter dropped matching carts"):
        by_filter(whole, Drawn("abandoned"), flt=flt(whole, "status"))  # type: ignore[arg-type]
    app = FakeList(carts=carts(400), keep=dropping)
    part = on(app, made, max_pages=1)
    by_filter(part, Drawn("abandoned"), flt=flt(part, "status"))  # type: ignore[arg-type]
    assert filtered(app) == [{"status": "abandoned"}]


def test_a_filter_no_returned_cart_gives_a_value_to_is_skipped(made: list[Context]) -> None:
    ctx = on(FakeList(keep=honest), made, StateSet)
    with pytest.raises(Skip, match="no returned cart carries a value to filter 'customer_id' on"):
        by_filter(ctx, Drawn(), flt=flt(ctx, "customer_id"))  # type: ignore[arg-type]


# -- combined -------------------------------------------------------------------------------


def test_the_sweep_sends_every_pair_of_filters_once(made: list[Context]) -> None:
    app = FakeList(keep=honest)
    ctx = on(app, made, Three)
    every_pair(ctx, Drawn("abandoned", 100, "active", 500, 100, 500))  # type: ignore[arg-type]
    assert filtered(app) == [
        {"status": "abandoned", "min_value": "100"},
        {"status": "active", "max_value": "500"},
        {"min_value": "100", "max_value": "500"},
    ]


def test_the_sweep_catches_a_filter_dropped_beside_another(made: list[Context]) -> None:
    # Each filter alone is applied, and so are the pairs with status; max_value is ignored
    # beside min_value, which only the third pair shows.
    def pairwise(query: dict[str, str], cart: Cart) -> bool:
        if "min_value" in query:
            query = {k: v for k, v in query.items() if k != "max_value"}
        return honest(query, cart)

    app = FakeList(keep=pairwise)
    ctx = on(app, made, Three)
    for name, value in (("min_value", 100), ("max_value", 500)):
        by_filter(ctx, Drawn(value), flt=flt(ctx, name))  # type: ignore[arg-type]
    with pytest.raises(Violation) as raised:
        every_pair(ctx, Drawn("abandoned", 100, "active", 500, 100, 500))  # type: ignore[arg-type]
    assert raised.value.title == "Filter 'max_value' not applied"
    assert raised.value.received.startswith("cart 'c06': ")
    assert raised.value.request is not None
    assert dict(raised.value.request.url.params) == {
        "min_value": "100",
        "max_value": "500",
        "limit": "100",
    }


def test_the_sweep_is_skipped_when_no_two_filters_have_values(made: list[Context]) -> None:
    app = FakeList(keep=honest)
    with pytest.raises(Skip, match="no two filters have values to combine in the returned carts"):
        every_pair(on(app, made, Valueless), Drawn())  # type: ignore[arg-type]
    assert filtered(app) == []


def test_drawn_filters_apply_together(made: list[Context]) -> None:
    app = FakeList(keep=honest)
    ctx = on(app, made, Three)
    chosen = [flt(ctx, "status"), flt(ctx, "max_value")]
    drawn_filters(ctx, Drawn(chosen, "abandoned", 300))  # type: ignore[arg-type]
    assert filtered(app) == [{"status": "abandoned", "max_value": "300"}]


def test_drawn_filters_catch_carts_matching_only_one_of_them(made: list[Context]) -> None:
    # A server that ORs its filters instead of ANDing them.
    def either(query: dict[str, str], cart: Cart) -> bool:
        parts = [{k: v} for k, v in query.items() if k not in ("limit", "offset")]
        return not parts or any(honest(part, cart) for part in parts)

    ctx = on(FakeList(keep=either), made, Three)
    chosen = [flt(ctx, "status"), flt(ctx, "max_value")]
    with pytest.raises(Violation) as raised:
        drawn_filters(ctx, Drawn(chosen, "abandoned", 300))  # type: ignore[arg-type]
    # c00 is active but its total 0 is at most 300: it matches max_value, not status.
    assert raised.value.title == "Filter 'status' not applied"
    assert raised.value.received.startswith("cart 'c00': ")
