"""``contracts.checks.pagination`` called directly on ``FakeList`` (StateSet's envelope: limit
documented 1..100, default 10): the walk of the whole set and of a filtered one, the default
and requested page sizes, the refusal of page sizes outside the bounds, and which of them a
vendor's documents plan."""

from __future__ import annotations

import pytest

from cartkit.contracts.checks.context import Context
from cartkit.contracts.checks.pagination import checks, page_size, probes, size_bounds, walk
from cartkit.contracts.errors import PagingViolation, Violation
from cartkit.contracts.oracle import Filter
from cartkit.contracts.paging import Session
from cartkit.contracts.target import Target
from cartkit.contracts.vendors import oracle_for
from tests.contracts.checks.drawing import Drawn
from tests.contracts.fake_list import TOKEN, FakeList, carts, session


def on(app: FakeList, made: list[Context]) -> Context:
    ctx = Context(session(app), max_examples=10, seed=None)
    made.append(ctx)
    return ctx


def offline(vendor: str) -> Context:
    target = Target(vendor, base_url="http://127.0.0.1:9", auth={"token": TOKEN, "api_key": TOKEN})
    return Context(
        Session(target, oracle_for(target.contract), max_pages=10), max_examples=10, seed=None
    )


def status(ctx: Context) -> Filter:
    return next(f for f in ctx.oracle.filters() if f.name == "status")


# -- walk -----------------------------------------------------------------------------------


def test_walk_reads_every_page_of_the_whole_set_and_of_a_filtered_one(
    made: list[Context],
) -> None:
    app = FakeList(carts=carts(11))
    ctx = on(app, made)
    # Page size 3 for the whole set; then status=abandoned, at the largest size (100).
    walk(ctx, Drawn(3, status(ctx), "abandoned", 7, 100))  # type: ignore[arg-type]
    whole = [q for q in app.seen if q.get("limit") == "3"]
    # 11 carts: four pages, the last one short, then the page after it, which must be empty.
    assert [q.get("offset", "0") for q in whole] == ["0", "3", "6", "9", "12"]
    filtered = [q for q in app.seen if "status" in q]
    assert filtered and all(q["status"] == "abandoned" and q["limit"] == "100" for q in filtered)


def test_walk_catches_a_cart_repeated_across_pages(made: list[Context]) -> None:
    ctx = on(FakeList(carts=carts(11), overlap=True), made)
    with pytest.raises(PagingViolation) as raised:
        walk(ctx, Drawn(3, status(ctx), "abandoned", 7, 100))  # type: ignore[arg-type]
    assert raised.value.title == "Cart repeated across pages"
    assert raised.value.request is not None


def test_walk_catches_a_total_the_pages_do_not_add_up_to(made: list[Context]) -> None:
    ctx = on(FakeList(carts=carts(11), extra_total=2), made)
    with pytest.raises(PagingViolation) as raised:
        walk(ctx, Drawn(5, status(ctx), "abandoned", 7, 100))  # type: ignore[arg-type]
    assert raised.value.title == "Pages and total disagree"
    assert "13" in raised.value.expected  # the envelope's total


def test_walk_catches_a_server_that_always_has_more(made: list[Context]) -> None:
    ctx = on(FakeList(carts=carts(6), always_more=True), made)
    with pytest.raises(PagingViolation) as raised:
        walk(ctx, Drawn(5, status(ctx), "abandoned", 7, 100))  # type: ignore[arg-type]
    assert raised.value.title in {
        "Short page before the end",
        "More pages announced after an empty page",
    }


# -- page_size ------------------------------------------------------------------------------


def test_page_size_passes_when_the_default_and_a_requested_size_are_honoured(
    made: list[Context],
) -> None:
    app = FakeList(carts=carts(25))
    page_size(on(app, made), Drawn(4))  # type: ignore[arg-type]
    assert app.seen[-1]["limit"] == "4"
    assert "limit" not in app.seen[0]  # the default: no page size sent


def test_page_size_counts_a_set_smaller_than_a_page(made: list[Context]) -> None:
    # 7 carts: the default page holds all 7, a page of 20 too.
    page_size(on(FakeList(carts=carts(7)), made), Drawn(20))  # type: ignore[arg-type]


def test_page_size_catches_a_default_not_honoured(made: list[Context]) -> None:
    ctx = on(FakeList(carts=carts(25), fixed_size=4), made)
    with pytest.raises(Violation) as raised:
        page_size(ctx, Drawn(4))  # type: ignore[arg-type]
    assert raised.value.title == "Default page size not honoured"
    assert raised.value.expected.startswith("10 carts when no page size is sent")
    assert raised.value.received == "4 carts"


def test_page_size_catches_a_requested_size_not_honoured(made: list[Context]) -> None:
    # Always 10 a page: right for the default, wrong for a requested 4.
    ctx = on(FakeList(carts=carts(25), fixed_size=10), made)
    with pytest.raises(Violation) as raised:
        page_size(ctx, Drawn(4))  # type: ignore[arg-type]
    assert raised.value.title == "Requested page size not honoured"
    assert (raised.value.expected, raised.value.received) == ("4 carts for page size 4", "10 carts")
    assert raised.value.request is not None
    assert raised.value.request.url.params["limit"] == "4"


# -- size_bounds ----------------------------------------------------------------------------


def test_probes_are_just_outside_the_documented_bounds() -> None:
    assert probes(offline("stateset")) == [0, 101]  # 1..100
    assert probes(offline("shopimind")) == [-1]  # 0.., no maximum
    assert probes(offline("nextcommerce")) == []  # no page-size parameter


def test_size_bounds_passes_when_both_probes_are_refused(made: list[Context]) -> None:
    app = FakeList(bounds=(1, 100))
    size_bounds(on(app, made), Drawn())  # type: ignore[arg-type]
    assert [q["limit"] for q in app.seen] == ["0", "101"]


def test_size_bounds_catches_an_accepted_size_above_the_maximum(made: list[Context]) -> None:
    ctx = on(FakeList(bounds=(1, 500)), made)
    with pytest.raises(Violation) as raised:
        size_bounds(ctx, Drawn())  # type: ignore[arg-type]
    assert raised.value.title == "Out-of-range page size accepted"
    assert raised.value.expected == "400 for limit=101 (documented bounds 1..100)"
    assert raised.value.received.startswith("200 ")


def test_size_bounds_catches_a_refusal_without_the_error_envelope(made: list[Context]) -> None:
    ctx = on(FakeList(status=400), made)
    with pytest.raises(Violation) as raised:
        size_bounds(ctx, Drawn())  # type: ignore[arg-type]
    assert raised.value.title == "400 without a JSON body"
    assert "<h1>down</h1>" in raised.value.received


# -- planning -------------------------------------------------------------------------------


def test_the_group_plans_its_three_checks_for_stateset() -> None:
    planned = list(checks(offline("stateset")))
    assert [c.name for c in planned] == [
        "pagination.walk",
        "pagination.page_size",
        "pagination.size_bounds",
    ]
    assert [c.skip for c in planned] == [None, None, None]
    assert [c.examples for c in planned] == [2, 2, 1]  # a fifth of 10, at least 2; one probe


def test_a_vendor_without_page_size_parameter_has_no_bounds_to_probe() -> None:
    # 29 Next pages by a fixed 20, which page_size still checks.
    planned = {c.name: c.skip for c in checks(offline("nextcommerce"))}
    assert planned == {
        "pagination.walk": None,
        "pagination.page_size": None,
        "pagination.size_bounds": "the vendor documents no page-size parameter",
    }
