"""The shared query engine: filters return exactly the matches, sorts hold, paging is exact."""

from __future__ import annotations

import functools
import itertools
import operator
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.dataset import Dataset, Market, generate
from mockserver.model import STATUSES, Cart
from mockserver.query import (
    OPERATORS,
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


@pytest.mark.parametrize("op", OPERATORS)
def test_a_field_with_a_column_compares_like_one_without(op: str) -> None:
    operand = {"IN": ["abandoned", "active"], "NOT_IN": ["abandoned"], "LIKE": "%_ive",
               "BETWEEN": ["active", "converted"], "NOT_BETWEEN": ["active", "converted"]}  # fmt: skip
    for nullable in (True, False):
        with_column = Field("status", lambda c: c.status, column="status", nullable=nullable)
        where = compare(with_column, op, operand.get(op, "active"))
        without = compare(STATUS, op, operand.get(op, "active"))
        assert scan(data(), where) == bytes(int(without(c)) for c in data().carts)


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
    assert wildcard(pattern, any_chars="*", fold=True)(text) is matches


def like_reference(pattern: str, text: str) -> bool:
    """SQL LIKE by dynamic programming over (pattern, text) prefixes: obviously right, O(n*m)."""
    pattern, text = pattern.casefold(), text.casefold()
    row = [True] + [False] * len(text)  # row[j]: pattern[:i] matches text[:j]
    for ch in pattern:
        if ch == "%":
            row = list(itertools.accumulate(row, lambda a, b: a or b))
        else:
            row = [False] + [row[j] and (ch == "_" or ch == text[j]) for j in range(len(text))]
    return row[-1]


ADVERSARIAL = [
    pytest.param("%_" * 12 + "x", "a" * 40, id="backtracking-bomb-miss"),
    pytest.param("%_" * 12 + "x", "a" * 40 + "x", id="backtracking-bomb-hit"),
    pytest.param("%_" * 40 + "%!", "a" * 39 + "!", id="more-pieces-than-characters"),
    pytest.param("%a%a%a%a%a%a%b", "a" * 60, id="repeated-piece-miss"),
    pytest.param("%a%a%a%a%a%a%b", "a" * 60 + "b", id="repeated-piece-hit"),
    pytest.param("a%", "a", id="empty-tail"),
    pytest.param("%a", "ba", id="empty-head"),
    pytest.param("%%", "", id="only-wildcards"),
    pytest.param("", "", id="empty"),
    pytest.param("", "a", id="empty-pattern"),
    pytest.param("ab%ba", "aba", id="overlapping-head-and-tail"),
    pytest.param("_%_", "a", id="one-char-short"),
    pytest.param("a_c", "a\nc", id="one-char-is-any-character"),
    pytest.param(".*+?[](){}|^$\\", ".*+?[](){}|^$\\", id="regex-metacharacters-are-literal"),
    pytest.param("%.*%", "abc", id="dot-star-is-literal"),
    pytest.param("JOHN%@EXAMPLE._OM", "john.doe@example.com", id="case-insensitive"),
]


@pytest.mark.parametrize(("pattern", "text"), ADVERSARIAL)
def test_like_matches_the_reference_on_adversarial_cases(pattern: str, text: str) -> None:
    # A regex translation (".*" per "%") takes minutes on the first cases; this must not.
    matcher = wildcard(pattern, any_chars="%", one_char="_", fold=True)
    assert matcher(text) is like_reference(pattern, text)


@given(pattern=st.text("ab%_", max_size=12), text=st.text("abAB", max_size=12))
def test_like_matches_the_reference(pattern: str, text: str) -> None:
    assert wildcard(pattern, any_chars="%", one_char="_", fold=True)(text) is like_reference(
        pattern, text
    )


def test_like_operator_uses_the_linear_matcher() -> None:
    field = Field("x", lambda c: "a" * 200)
    assert compare(field, "LIKE", "%_" * 30 + "%!")(None) is False  # type: ignore[arg-type]
    assert compare(field, "LIKE", "%_" * 30 + "%a")(None) is True  # type: ignore[arg-type]


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
