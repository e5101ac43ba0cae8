"""The shared query engine: filters return exactly the matches, sorts hold, paging is exact."""

from __future__ import annotations

import functools
import itertools
import operator
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cartkit.mockserver.dataset import Dataset, Market, generate
from cartkit.mockserver.model import STATUSES, Cart
from cartkit.mockserver.query import (
    Field,
    Match,
    Predicate,
    SortKey,
    all_of,
    any_of,
    compare,
    find,
    none_of,
    parse_instant,
    scan,
    select,
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


# The same conditions as columnar Matches, as plain predicates, and combined.
COMPARISONS = (operator.eq, operator.lt, operator.le, operator.gt, operator.ge)
created = st.one_of(
    st.integers(0, 599).map(lambda i: data().carts[i].created_at),  # ties and exact hits
    st.integers(0, 599).map(lambda i: data().carts[i].created_at + 0.5),
)
columnar = st.one_of(
    st.sampled_from(STATUSES).map(lambda s: Match("status", s.__eq__)),
    st.frozensets(st.sampled_from(STATUSES)).map(lambda s: Match("status", s.__contains__)),
    st.integers(0, 60_000).map(lambda t: Match("total", functools.partial(operator.le, t))),
    st.sampled_from(["USD", "EUR"]).map(
        lambda c: Match("currency", functools.partial(operator.eq, c))
    ),
    # created_at grows with the index: these masks are found by bisection
    st.builds(
        lambda op, t: Match("created_at", functools.partial(op, t)),
        st.sampled_from(COMPARISONS),
        created,
    ),
)
plain = st.one_of(
    st.booleans().map(lambda b: lambda c: (c.email is not None) is b),
    st.integers(0, 200).map(lambda n: lambda c: c.index % 7 != n % 7),
)
filters = st.recursive(
    st.one_of(columnar, plain),
    lambda parts: st.one_of(
        st.lists(parts, min_size=1, max_size=3).map(all_of),
        st.lists(parts, min_size=1, max_size=3).map(any_of),
        st.lists(parts, min_size=1, max_size=3).map(none_of),
    ),
    max_leaves=6,
)


@given(where=filters)
def test_a_scan_marks_exactly_the_carts_the_predicate_holds_for(where: Predicate) -> None:
    assert list(scan(data(), where)) == [int(bool(where(c))) for c in data().carts]
    assert list(scan(data(), where)) == [int(bool(where(c))) for c in data().carts]  # cached


def test_or_of_nothing_keeps_no_cart_and_its_negation_every_cart() -> None:
    assert scan(data(), any_of([])) == bytes(len(data()))
    assert scan(data(), none_of([])) == b"\x01" * len(data())


@pytest.mark.parametrize("op", COMPARISONS)
@pytest.mark.parametrize("at", [0, 1, 299, 599])
def test_comparisons_on_an_ascending_column_bisect_to_the_same_mask(op, at: int) -> None:
    carts = data().carts
    for instant in (carts[at].created_at - 1, carts[at].created_at, carts[at].created_at + 0.5):
        where = Match("created_at", functools.partial(op, instant))
        assert scan(data(), where) == bytes(int(where(c)) for c in carts)
    assert data().ascending("created_at") and not data().ascending("total")


@given(
    where=filters,
    descending=st.booleans(),
    position=st.integers(0, 600),
    count=st.integers(0, 50),
    window=st.tuples(st.integers(0, 650), st.integers(0, 80)),
)
def test_hits_walk_the_order_through_the_mask(
    where: Predicate, descending: bool, position: int, count: int, window: tuple[int, int]
) -> None:
    hits = find(data(), where=where, order=[SortKey(TOTAL, descending)])
    expected = [c for c in hits.ordered if where(c)]
    assert hits.total == len(expected)
    offset, limit = window
    assert hits.window(offset, offset + limit) == expected[offset : offset + limit]
    before = [c for c in hits.ordered[:position] if where(c)]
    after = [c for c in hits.ordered[position:] if where(c)]
    assert hits.after(position, count) == after[:count]
    assert hits.before(position, count) == (before[-count:] if count else [])


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
