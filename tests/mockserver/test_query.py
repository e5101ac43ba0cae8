"""The shared query engine: filters return exactly the matches, sorts hold, paging is exact."""

from __future__ import annotations

import functools
import itertools
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.dataset import Dataset, Market, generate
from mockserver.model import STATUSES, Cart
from mockserver.query import (
    OPERATORS,
    Field,
    SortKey,
    all_of,
    any_of,
    compare,
    parse_instant,
    select,
    wildcard,
)

MARKET = Market(
    name="test",
    faker_locale="en_US",
    locales=(("en_US", 1.0),),
    currencies=(("USD", 1.0), ("EUR", 1.0)),
    countries=("US",),
    tax_rate=0.1,
    tax_included=False,
    shipping_fee=500,
    free_shipping_from=5000,
)

TOTAL = Field("total", lambda c: c.total, "integer")
CREATED = Field("created_at", lambda c: c.created_at, "datetime")
ABANDONED = Field("abandoned_at", lambda c: c.abandoned_at, "datetime")
STATUS = Field("status", lambda c: c.status)
EMAIL = Field("email", lambda c: c.email)
FIELDS = (TOTAL, CREATED, ABANDONED, STATUS, EMAIL)


@functools.cache
def data() -> Dataset:
    return generate(MARKET, seed=11, count=600)


def sort_key(field: Field, cart: Cart) -> tuple[bool, object]:
    value = field.get(cart)
    return (value is None, value)


predicates = st.one_of(
    st.builds(lambda s: ("status", s, lambda c: c.status == s), st.sampled_from(STATUSES)),
    st.builds(lambda t: ("total>=", t, lambda c: c.total >= t), st.integers(0, 60_000)),
    st.builds(lambda b: ("has email", b, lambda c: (c.email is not None) is b), st.booleans()),
)


@given(
    preds=st.lists(predicates, max_size=3),
    order=st.lists(
        st.tuples(st.sampled_from(FIELDS), st.booleans()), max_size=2, unique_by=lambda k: k[0].name
    ),
    limit=st.integers(1, 120),
)
def test_walking_pages_returns_exactly_the_matches_in_order(preds, order, limit) -> None:
    where = all_of(p for _, _, p in preds)
    keys = [SortKey(f, d) for f, d in order]
    expected = [c for c in data().carts if all(p(c) for _, _, p in preds)]

    seen: list[Cart] = []
    offset = 0
    while True:
        page = select(data(), where=where, order=keys, offset=offset, limit=limit)
        assert page.total == len(expected)
        assert len(page.items) <= limit
        seen += page.items
        offset += limit
        if not page.has_more:
            break
    assert sorted(c.index for c in seen) == sorted(c.index for c in expected)
    assert len({c.index for c in seen}) == len(seen), "a cart was returned twice"
    # The sort holds across pages, key by key (missing values sort as the largest).
    for a, b in itertools.pairwise(seen):
        for key in keys:
            ka, kb = sort_key(key.field, a), sort_key(key.field, b)
            if ka != kb:
                assert (ka > kb) if key.descending else (ka < kb), (key.field.name, ka, kb)
                break


def test_ties_are_broken_by_creation_order_so_paging_is_stable() -> None:
    keys = [SortKey(STATUS, descending=False)]
    page = select(data(), order=keys).items
    for a, b in itertools.pairwise(page):
        if a.status == b.status:
            assert a.index < b.index


def test_sorted_orders_are_cached() -> None:
    keys = [SortKey(TOTAL, descending=True)]
    first = select(data(), order=keys)
    assert data().ordered((("total", True),), lambda carts: []) is data().ordered(
        (("total", True),), lambda carts: []
    )
    assert select(data(), order=keys).items == first.items


def test_any_of_is_or_and_all_of_is_and() -> None:
    active = compare(STATUS, "EQUALS", "active")
    big = compare(TOTAL, "GREATER_THAN", 20_000)
    carts = data().carts
    assert [c for c in carts if any_of([active, big])(c)] == [
        c for c in carts if c.status == "active" or c.total > 20_000
    ]
    assert [c for c in carts if all_of([active, big])(c)] == [  # type: ignore[misc]
        c for c in carts if c.status == "active" and c.total > 20_000
    ]
    assert all_of([]) is None


OPERATOR_CASES = [
    ("EQUALS", "abc", "abc", True),
    ("EQUALS", "abc", "abd", False),
    ("NOT_EQUALS", "abc", "abd", True),
    ("CONTAINS", "Hello World", "o w", True),
    ("NOT_CONTAINS", "Hello", "xyz", True),
    ("NOT_CONTAINS", None, "x", True),
    ("STARTS_WITH", "Hello", "he", True),
    ("ENDS_WITH", "Hello", "LO", True),
    ("LESS_THAN", 5, 6, True),
    ("LESS_THAN", None, 6, False),
    ("LESS_THAN_OR_EQUAL_TO", 6, 6, True),
    ("GREATER_THAN", 7, 6, True),
    ("GREATER_THAN_OR_EQUAL_TO", 5, 6, False),
    ("IN", "b", ["a", "b"], True),
    ("NOT_IN", "c", ["a", "b"], True),
    ("LIKE", "john.doe@example.com", "%@example.%", True),
    ("LIKE", "john", "j_hn", True),
    ("LIKE", "john", "j%x", False),
    ("BETWEEN", 5, [1, 5], True),
    ("BETWEEN", 6, [1, 5], False),
    ("BETWEEN", None, [1, 5], False),
    ("NOT_BETWEEN", 6, [1, 5], True),
]


@pytest.mark.parametrize(("operator", "value", "operand", "expected"), OPERATOR_CASES)
def test_operator_semantics(operator: str, value: object, operand: object, expected: bool) -> None:
    field = Field("x", lambda c: value)
    assert compare(field, operator, operand)(None) is expected  # type: ignore[arg-type]


def test_every_operator_has_a_case() -> None:
    assert {case[0] for case in OPERATOR_CASES} == set(OPERATORS)
    assert len(OPERATORS) == 15


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [("*shirt*", "Blue T-Shirt", True), ("*shirt", "Blue T-Shirt", True), ("shirt*", "Blue T-Shirt", False),
     ("a.b", "axb", False), ("*", "", True)],
)  # fmt: skip
def test_star_wildcard_is_anchored_and_literal_otherwise(
    pattern: str, text: str, matches: bool
) -> None:
    assert (wildcard(pattern, any_chars="*", fold=True).fullmatch(text) is not None) is matches


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-15T12:00:00Z", datetime(2026, 1, 15, 12, tzinfo=UTC)),
        ("2026-01-15T14:00:00+02:00", datetime(2026, 1, 15, 12, tzinfo=UTC)),
        ("2026-01-15", datetime(2026, 1, 15, tzinfo=UTC)),
        (date(2026, 1, 15), datetime(2026, 1, 15, tzinfo=UTC)),
        (1768478400, datetime(2026, 1, 15, 12, tzinfo=UTC)),
        ("2026-01-15t12:00:00z", datetime(2026, 1, 15, 12, tzinfo=UTC)),
        ("2026-01-15T11:59:60Z", datetime(2026, 1, 15, 12, tzinfo=UTC)),
        ("2026-01-15T12:00:00.123456789Z", datetime(2026, 1, 15, 12, tzinfo=UTC)),
        ("0000-01-01T00:00:00Z", datetime(1, 1, 1, tzinfo=UTC)),
    ],
)
def test_parse_instant(value: object, expected: datetime) -> None:
    assert parse_instant(value) == int(expected.timestamp())


@pytest.mark.parametrize(
    "value", ["yesterday", "2026-13-01", "2026-01-15T25:00:00Z", True, "", "١٢٣٤-01-01"]
)
def test_parse_instant_rejects(value: object) -> None:
    with pytest.raises(ValueError):
        parse_instant(value)


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [("integer", "10", 10.0), ("number", 1.5, 1.5), ("boolean", "true", True), ("boolean", False, False),
     ("string", 5, "5"), ("datetime", "2026-01-15", int(datetime(2026, 1, 15, tzinfo=UTC).timestamp()))],
)  # fmt: skip
def test_field_coercion(kind: str, raw: object, expected: object) -> None:
    assert Field("f", lambda c: None, kind).coerce(raw) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "raw"), [("integer", "ten"), ("integer", True), ("number", "nan"), ("boolean", "yes")]
)
def test_field_coercion_rejects(kind: str, raw: object) -> None:
    with pytest.raises(ValueError):
        Field("f", lambda c: None, kind).coerce(raw)  # type: ignore[arg-type]
