"""Filters (``mockserver/filters.py``): predicates, their combinations, and masks.

The query engine's use of them (pages, sorts) is in ``test_query.py``; here the combinators and
:func:`scan` are checked on their own: masks combine as the predicates do, columnar parts narrow
the carts before any per-cart call, and the shortcuts (bisection, remembered masks) answer what
the plain test answers.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from cartkit.mockserver.dataset import Dataset, generate
from cartkit.mockserver.filters import (
    Key,
    Match,
    Predicate,
    all_of,
    any_of,
    matching,
    memo,
    none_of,
    scan,
)
from cartkit.mockserver.model import STATUSES, Cart
from cartkit.mockserver.vendors.stateset import MARKET


@functools.cache
def data() -> Dataset:
    return generate(MARKET, seed=5, count=400)


def expected(where: Predicate) -> bytes:
    return bytes(int(bool(where(cart))) for cart in data().carts)


def active(cart: Cart) -> bool:
    return cart.status == "active"


def big(cart: Cart) -> bool:
    return cart.total > 10_000


def test_all_of_is_flat_and_none_of_nothing_means_no_filter() -> None:
    assert all_of([]) is None
    assert all_of([active]) is active
    nested = all_of([all_of([active, big]), none_of([big])])
    assert nested is not None
    assert len(nested.parts) == 3  # type: ignore[attr-defined]  # flat: scan orders all three
    assert not any(nested(cart) for cart in data().carts)  # big and not big


def test_any_of_one_is_that_one_and_none_of_negates_even_one() -> None:
    assert any_of([big]) is big
    negated = none_of([big])
    assert [negated(cart) for cart in data().carts] == [not big(cart) for cart in data().carts]


def test_memo_tests_each_value_once_and_answers_a_bool() -> None:
    calls: list[Any] = []

    def test(value: Any) -> Any:
        calls.append(value)
        return value % 3  # truthy, not a bool

    remembered = memo(test)
    answers = [remembered(v) for v in [1, 2, 3, 1, 2, 3, 4]]
    assert answers == [True, True, False, True, True, False, True]
    assert calls == [1, 2, 3, 4]


def test_memo_is_bounded_but_keeps_answering_right() -> None:
    calls = 0

    def odd(value: int) -> bool:
        nonlocal calls
        calls += 1
        return value % 2 == 1

    remembered = memo(odd)
    values = range(10_000)
    assert [remembered(v) for v in values] == [v % 2 == 1 for v in values]
    calls = 0
    assert [remembered(v) for v in values] == [v % 2 == 1 for v in values]
    assert 0 < calls < 10_000  # the first values are remembered, the later ones tested again


def test_match_and_key_called_on_a_cart_are_ordinary_predicates() -> None:
    cart = data().carts[7]
    assert Match("status", cart.status.__eq__)(cart) is True  # get: the attribute of that name
    assert Match("anything", lambda v: v, get=lambda c: c.total)(cart) is True  # bool of 0 < total
    assert Key("number", lambda c: c.number, cart.number, 4)(cart) is True
    assert Key("number", lambda c: c.number, cart.number + 1, 4)(cart) is False


def test_matching_keeps_the_carts_in_order() -> None:
    assert matching(big, data().carts) == [cart for cart in data().carts if big(cart)]


def test_a_scan_is_a_mask_of_one_byte_per_cart() -> None:
    mask = scan(data(), Match("status", functools.partial(operator.eq, "abandoned")))
    assert isinstance(mask, bytes) and len(mask) == len(data())
    assert set(mask) <= {0, 1}
    assert mask == expected(lambda c: c.status == "abandoned")


def test_columnar_parts_narrow_the_carts_before_any_per_cart_call() -> None:
    asked: list[int] = []

    def plain(cart: Cart) -> bool:
        asked.append(cart.index)
        return cart.total % 2 == 0

    status = Match("status", functools.partial(operator.eq, "abandoned"))
    where = all_of([plain, status])  # the plain predicate first: scan still runs it second
    assert where is not None
    mask = scan(data(), where)
    abandoned = [cart.index for cart in data().carts if cart.status == "abandoned"]
    assert asked == abandoned  # asked only about the carts still in question, in order
    assert mask == expected(lambda c: c.status == "abandoned" and c.total % 2 == 0)


def test_a_recurring_comparison_is_remembered_on_the_dataset() -> None:
    first = scan(data(), Match("currency", functools.partial(operator.eq, "USD")))
    again = scan(data(), Match("currency", functools.partial(operator.eq, "USD")))
    assert again is first
    other = scan(data(), Match("currency", functools.partial(operator.ne, "USD")))
    assert other == bytes(1 - b for b in first)


def test_a_nan_operand_is_never_bisected_into_a_range() -> None:
    # created_at ascends, so comparisons are found by bisection: NaN must not be bisected.
    assert data().column("created_at") and data().ascending("created_at")
    for op in (operator.lt, operator.le, operator.gt, operator.ge, operator.eq):
        where = Match("created_at", functools.partial(op, math.nan))
        assert scan(data(), where) == bytes(len(data()))
    assert scan(data(), Match("created_at", functools.partial(operator.ne, math.nan))) == (
        b"\x01" * len(data())
    )


def test_an_opaque_test_on_a_column_of_distinct_values_is_asked_per_value() -> None:
    where = Match("created_at", lambda instant: instant % 3 == 0)
    assert scan(data(), where) == expected(lambda c: c.created_at % 3 == 0)


# Columnar predicates and plain ones, with their reading on one cart.
leaves: st.SearchStrategy[Predicate] = st.one_of(
    st.sampled_from(STATUSES).map(lambda s: Match("status", functools.partial(operator.eq, s))),
    st.frozensets(st.sampled_from(STATUSES)).map(lambda s: Match("status", s.__contains__)),
    st.builds(
        lambda op, t: Match("total", functools.partial(op, t)),
        st.sampled_from([operator.lt, operator.le, operator.gt, operator.ge, operator.ne]),
        st.integers(0, 40_000),
    ),
    st.integers(2, 5).map(lambda n: lambda c: c.index % n == 0),
)


def combine(masks: list[bytes], how: Callable[[list[int]], int]) -> bytes:
    return bytes(how(list(bits)) for bits in zip(*masks, strict=True))


@given(parts=st.lists(leaves, min_size=1, max_size=4))
def test_masks_combine_as_the_predicates_do(parts: list[Predicate]) -> None:
    masks = [scan(data(), part) for part in parts]
    for part, mask in zip(parts, masks, strict=True):
        assert mask == expected(part)
    conjunction = all_of(parts)
    assert conjunction is not None
    assert scan(data(), conjunction) == combine(masks, lambda bits: int(all(bits)))
    assert scan(data(), any_of(parts)) == combine(masks, lambda bits: int(any(bits)))
    assert scan(data(), none_of(parts)) == combine(masks, lambda bits: int(not any(bits)))
