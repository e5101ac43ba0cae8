"""``check_order``: one pair of neighbouring carts judged under a documented sort order (the
key's direction, where carts without a value go, the tie-break among equal keys)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

import httpx
import pytest

from cartkit.contracts.checks.ordering import check_order, show
from cartkit.contracts.errors import Violation
from cartkit.contracts.oracle import Cart, Order

SENT = httpx.Request("GET", "http://testserver/v1/carts?sort_by=total")


def order(
    *,
    descending: bool = False,
    nulls: Literal["first", "last"] | None = "last",
    tiebreak: bool = False,
) -> Order:
    """Carts sorted by ``total``, ties (if *tiebreak*) by ``id`` ascending."""
    return Order(
        "total_desc" if descending else "total_asc",
        {"sort_by": "total"},
        lambda cart: cart["total"],
        descending,
        nulls=nulls,
        tiebreak=(lambda cart: cart["id"]) if tiebreak else None,
    )


def cart(ident: str, total: Any) -> Cart:
    """A cart with an id and a total (``None``: no value)."""
    return {"id": ident, "total": total}


def judge(by: Order, before: Cart, after: Cart) -> None:
    """``check_order`` of *after* following *before*."""
    check_order(by, (before, SENT), after, lambda c: c["id"], SENT)


@pytest.mark.parametrize(
    ("descending", "before", "after"),
    [(False, 1, 2), (False, 2, 2), (True, 2, 1), (True, 2, 2)],
    ids=["ascending", "ascending tie", "descending", "descending tie"],
)
def test_the_right_order_passes(descending: bool, before: int, after: int) -> None:
    judge(order(descending=descending), cart("a", before), cart("b", after))


@pytest.mark.parametrize(
    ("descending", "expected"), [(False, "ascending total_asc"), (True, "descending total_desc")]
)
def test_the_wrong_direction_is_a_violation(descending: bool, expected: str) -> None:
    before, after = (cart("a", 1), cart("b", 2)) if descending else (cart("a", 2), cart("b", 1))
    with pytest.raises(Violation) as raised:
        judge(order(descending=descending), before, after)
    assert raised.value.title == f"Sort order {order(descending=descending).name!r} broken"
    assert raised.value.expected == expected
    assert raised.value.received == f"'a' ({before['total']}) before 'b' ({after['total']})"
    assert raised.value.request is SENT


@pytest.mark.parametrize("descending", [False, True])
def test_nulls_last_wants_carts_without_a_value_after_the_others(descending: bool) -> None:
    by = order(descending=descending, nulls="last")
    judge(by, cart("a", 5), cart("b", None))
    judge(by, cart("a", None), cart("b", None))
    with pytest.raises(Violation, match="carts without a value last") as raised:
        judge(by, cart("a", None), cart("b", 5))
    assert raised.value.received == "'a' (no value) before 'b' (5)"


@pytest.mark.parametrize("descending", [False, True])
def test_nulls_first_wants_carts_without_a_value_before_the_others(descending: bool) -> None:
    by = order(descending=descending, nulls="first")
    judge(by, cart("a", None), cart("b", 5))
    with pytest.raises(Violation, match="carts without a value first"):
        judge(by, cart("a", 5), cart("b", None))


def test_no_documented_place_for_nulls_accepts_either() -> None:
    by = order(nulls=None)
    judge(by, cart("a", None), cart("b", 5))
    judge(by, cart("a", 5), cart("b", None))


def test_equal_keys_follow_the_tie_break_when_documented() -> None:
    judge(order(tiebreak=True), cart("a", 3), cart("b", 3))
    with pytest.raises(Violation) as raised:
        judge(order(tiebreak=True), cart("b", 3), cart("a", 3))
    assert raised.value.title == "Tie-break of 'total_asc' broken"
    assert raised.value.received == "'b' (3) before 'a' (3)"
    judge(order(tiebreak=False), cart("b", 3), cart("a", 3))  # none documented: any order


def test_the_tie_break_never_overrides_the_key() -> None:
    # Ids out of order, keys in order: the key decides.
    judge(order(descending=True, tiebreak=True), cart("b", 9), cart("a", 3))


def test_dates_are_compared_as_instants_and_shown_in_iso_8601() -> None:
    early = datetime(2025, 1, 1, tzinfo=UTC)
    late = datetime(2025, 6, 1, 12, 30, tzinfo=UTC)
    judge(order(), cart("a", early), cart("b", late))
    with pytest.raises(Violation) as raised:
        judge(order(), cart("a", late), cart("b", early))
    assert raised.value.received == "'a' (2025-06-01T12:30:00Z) before 'b' (2025-01-01T00:00:00Z)"
    assert show(None) == "no value" and show("x") == "'x'"
