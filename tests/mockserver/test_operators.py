"""Filter operators (``mockserver/operators.py``): each operator's meaning, the fast predicates
:func:`compare` builds agreeing with it, and the linear LIKE matcher."""

from __future__ import annotations

import functools
import itertools
import operator as op_module
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cartkit.mockserver.dataset import Dataset, generate
from cartkit.mockserver.filters import Match, Search, scan
from cartkit.mockserver.operators import OPERATORS, compare, wildcard
from cartkit.mockserver.query import Field
from cartkit.mockserver.vendors.stateset import MARKET

STATUS = Field("status", lambda c: c.status)
ORDERING = {
    "LESS_THAN": op_module.lt,
    "LESS_THAN_OR_EQUAL_TO": op_module.le,
    "GREATER_THAN": op_module.gt,
    "GREATER_THAN_OR_EQUAL_TO": op_module.ge,
}


@functools.cache
def data() -> Dataset:
    return generate(MARKET, seed=11, count=300)


def value_field(*, column: str | None = None, nullable: bool = True, search: bool = False) -> Field:
    """A field whose "cart" is the value itself: ``compare(field, ...)(value)`` tests *value*."""
    return Field("x", lambda value: value, column=column, nullable=nullable, search=search)


def holds(field: Field, operator: str, operand: Any, value: Any) -> bool:
    return bool(compare(field, operator, operand)(value))


@pytest.mark.parametrize("op", OPERATORS)
def test_a_field_with_a_column_compares_like_one_without(op: str) -> None:
    operand = {"IN": ["abandoned", "active"], "NOT_IN": ["abandoned"], "LIKE": "%_ive",
               "BETWEEN": ["active", "converted"], "NOT_BETWEEN": ["active", "converted"]}  # fmt: skip
    for nullable in (True, False):
        with_column = Field("status", lambda c: c.status, column="status", nullable=nullable)
        where = compare(with_column, op, operand.get(op, "active"))
        without = compare(STATUS, op, operand.get(op, "active"))
        assert scan(data(), where) == bytes(int(without(c)) for c in data().carts)


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


# -- fast predicates agree with the plain ones ---------------------------------------------


@given(
    operator=st.sampled_from(sorted(ORDERING)),
    value=st.integers(-5, 5),
    operand=st.integers(-5, 5),
    nullable=st.booleans(),
    column=st.sampled_from([None, "x"]),
)
def test_ordering_operators_compare_the_value_to_the_operand(
    operator: str, value: int, operand: int, nullable: bool, column: str | None
) -> None:
    # The C-level fast path flips the comparison (``a < b`` is ``partial(gt, b)(a)``): the
    # value must still be on the left.
    field = value_field(column=column, nullable=nullable)
    assert holds(field, operator, operand, value) is ORDERING[operator](value, operand)


@pytest.mark.parametrize("operator", sorted(ORDERING))
def test_ordering_never_matches_a_missing_value_or_operand(operator: str) -> None:
    for column in (None, "x"):
        field = value_field(column=column)
        assert not holds(field, operator, 3, None)
        assert not holds(field, operator, None, 3)


@given(
    value=st.one_of(st.none(), st.integers(-5, 5)),
    bounds=st.lists(st.one_of(st.none(), st.integers(-5, 5)), min_size=2, max_size=2),
    items=st.lists(st.integers(-5, 5), max_size=4),
    nullable=st.booleans(),
    column=st.sampled_from([None, "x"]),
)
def test_negated_operators_are_exact_complements(
    value: int | None,
    bounds: list[int | None],
    items: list[int],
    nullable: bool,
    column: str | None,
) -> None:
    field = value_field(column=column, nullable=nullable or value is None)
    assert holds(field, "NOT_IN", items, value) is not holds(field, "IN", items, value)
    assert holds(field, "NOT_BETWEEN", bounds, value) is not holds(field, "BETWEEN", bounds, value)
    assert holds(field, "NOT_EQUALS", 0, value) is not holds(field, "EQUALS", 0, value)


@given(
    value=st.one_of(st.none(), st.text("aAbß", max_size=6)),
    needle=st.text("aAbßs", max_size=3),
    search=st.booleans(),
)
def test_contains_and_not_contains_split_every_value(
    value: str | None, needle: str, search: bool
) -> None:
    field = value_field(column="x" if search else None, search=search)
    contains = holds(field, "CONTAINS", needle, value)
    assert holds(field, "NOT_CONTAINS", needle, value) is not contains
    expected = value is not None and needle.casefold() in value.casefold()
    assert contains is expected


def test_between_bounds_are_inclusive_and_reversed_bounds_hold_nothing() -> None:
    for column, nullable in ((None, True), ("x", False)):
        field = value_field(column=column, nullable=nullable)
        assert [v for v in range(8) if holds(field, "BETWEEN", [2, 5], v)] == [2, 3, 4, 5]
        assert [v for v in range(8) if holds(field, "BETWEEN", [5, 2], v)] == []
        assert not holds(field, "BETWEEN", [None, 5], 3)  # a missing bound bounds nothing


def test_text_operators_fold_case_fully() -> None:
    street = value_field()
    assert holds(street, "CONTAINS", "STRASSE", "Hauptstraße 5")  # casefold: ß is ss
    assert holds(street, "STARTS_WITH", "haupt", "HAUPTSTRASSE")
    assert holds(street, "ENDS_WITH", "SSE 5", "Hauptstraße 5")
    # LIKE folds case per character, as re does (ß is not ss there; see test_indexes)
    assert holds(street, "LIKE", "%STRASSE%", "Hauptstraße 5") is False
    assert holds(street, "LIKE", "%STRAßE%", "hauptstraße 5")
    assert not holds(street, "STARTS_WITH", "x", None)


def test_a_column_gives_a_match_scan_can_run_at_c_speed() -> None:
    strict = value_field(column="x", nullable=False)
    for operator in ("EQUALS", "LESS_THAN", "GREATER_THAN_OR_EQUAL_TO", "IN", "LIKE"):
        operand = [1, 2] if operator == "IN" else 1
        predicate = compare(strict, operator, operand)
        assert isinstance(predicate, Match) and predicate.column == "x"
    assert not isinstance(compare(value_field(), "EQUALS", 1), Match)  # no column: a plain call


def test_text_operators_on_a_searched_column_give_a_search_with_the_tested_operand() -> None:
    field = value_field(column="x", search=True)
    contains = compare(field, "CONTAINS", "ABC")
    assert isinstance(contains, Search)
    assert (contains.column, contains.operator, contains.operand) == ("x", "CONTAINS", "abc")
    like = compare(field, "LIKE", "A%c")
    assert isinstance(like, Search) and like.operand == "A%c"  # the pattern, as written
    assert isinstance(compare(field, "EQUALS", "abc"), Match)  # not a text operator


def test_star_wildcard_without_one_char_treats_underscore_as_literal() -> None:
    glob = wildcard("a_*", any_chars="*", fold=False)
    assert glob("a_bc") and not glob("abbc")
    assert not glob("A_bc")  # without fold, case counts
