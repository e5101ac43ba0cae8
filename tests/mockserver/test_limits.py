"""What one request may hold (``mockserver/limits.py``): each limit holds exactly at its bound."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cartkit.mockserver.errors import ApiError, Problem
from cartkit.mockserver.limits import (
    MAX_DEPTH,
    MAX_HEADER,
    MAX_KEY,
    MAX_LIST_ITEMS,
    MAX_PARAMS,
    MAX_QUERY,
    check_headers,
    check_pairs,
    check_query,
)


def refused(check: object, *args: object) -> ApiError:
    with pytest.raises(ApiError) as caught:
        check(*args)  # type: ignore[operator]
    assert caught.value.problem is Problem.BAD_PARAMETER
    return caught.value


def test_a_query_string_of_the_maximum_length_passes_and_one_byte_more_does_not() -> None:
    check_query(b"x" * MAX_QUERY)
    error = refused(check_query, b"x" * (MAX_QUERY + 1))
    assert error.param == "query string" and str(MAX_QUERY) in error.message


def test_the_parameter_count_is_the_number_of_pairs() -> None:
    check_query(b"&".join([b"a=1"] * MAX_PARAMS))  # MAX_PARAMS pairs: MAX_PARAMS - 1 separators
    error = refused(check_query, b"&".join([b"a=1"] * (MAX_PARAMS + 1)))
    assert error.param == "query string" and str(MAX_PARAMS) in error.message
    # empty pairs count too: only the separators are counted, before anything decodes them
    refused(check_query, b"&" * MAX_PARAMS)


def test_a_header_value_of_the_maximum_length_passes_and_longer_is_refused() -> None:
    check_headers([(b"x-long", b"v" * MAX_HEADER)])
    error = refused(check_headers, [(b"accept", b"*/*"), (b"x-long", b"v" * (MAX_HEADER + 1))])
    assert error.param == "X-Long"  # named as a person writes it
    assert "header" in error.message


@pytest.mark.parametrize(
    ("name", "shown"), [(b"accept", "Accept"), (b"accept-language", "Accept-Language")]
)
def test_a_negotiated_header_holds_at_most_the_maximum_items(name: bytes, shown: str) -> None:
    check_headers([(name, b",".join([b"a"] * MAX_LIST_ITEMS))])
    error = refused(check_headers, [(name, b",".join([b"a"] * (MAX_LIST_ITEMS + 1)))])
    assert error.param == shown


def test_other_headers_may_hold_any_number_of_commas() -> None:
    check_headers([(b"x-list", b"," * (MAX_LIST_ITEMS * 4))])


def test_a_name_longer_than_the_maximum_is_refused_naming_its_start() -> None:
    check_pairs([("k" * MAX_KEY, "1")])
    error = refused(check_pairs, [("k" * (MAX_KEY + 1), "1")])
    assert error.param == "k" * 40  # clipped: the name itself may be huge


def test_bracket_nesting_of_a_name_is_counted_per_opening_bracket() -> None:
    within = "f" + "[0]" * MAX_DEPTH
    check_pairs([(within, "1")])
    error = refused(check_pairs, [(within + "[0]", "1")])
    assert error.param == "f" and f"{MAX_DEPTH} levels" in error.message


@pytest.mark.parametrize(("opening", "closing"), [("[", "]"), ("{", "}"), ("(", ")")])
def test_a_value_nesting_deeper_than_the_maximum_is_refused(opening: str, closing: str) -> None:
    check_pairs([("filter", opening * MAX_DEPTH + closing * MAX_DEPTH)])
    error = refused(check_pairs, [("filter", opening * (MAX_DEPTH + 1))])
    assert error.param == "filter" and "value" in error.message


def test_siblings_do_not_add_up_to_depth() -> None:
    # '[[]]' repeated is depth 2, however long: a closing bracket ends a level
    check_pairs([("filters", "[[1],[2]]," * 500)])
    # a stray closing bracket never makes the depth negative (it would hide later nesting)
    refused(check_pairs, [("q", ")" * 50 + "(" * (MAX_DEPTH + 1))])


def nesting(text: str) -> int:
    """A reference: an opening bracket raises the level, a closing one lowers it (never below
    zero); the deepest level reached."""
    depth = deepest = 0
    for ch in text:
        if ch in "[{(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]})" and depth:
            depth -= 1
    return deepest


@given(
    names=st.lists(
        st.one_of(
            st.text(alphabet="ab[]0", max_size=40),
            st.integers(MAX_KEY - 2, MAX_KEY + 2).map(lambda n: "k" * n),
            st.integers(MAX_DEPTH - 2, MAX_DEPTH + 2).map(lambda n: "f" + "[0]" * n),
        ),
        max_size=4,
    ),
    values=st.lists(
        st.one_of(
            st.text(alphabet="({[)}]x", max_size=3 * MAX_DEPTH),
            st.tuples(st.integers(MAX_DEPTH - 2, MAX_DEPTH + 2), st.text("({[)}]", max_size=4)).map(
                lambda nested: "[" * nested[0] + nested[1] + "]" * nested[0]
            ),
        ),
        max_size=4,
    ),
)
def test_check_pairs_refuses_exactly_the_pairs_over_a_limit(
    names: list[str], values: list[str]
) -> None:
    pairs = list(zip(names, values, strict=False))
    over = any(
        len(name) > MAX_KEY or name.count("[") > MAX_DEPTH or nesting(value) > MAX_DEPTH
        for name, value in pairs
    )
    if over:
        refused(check_pairs, pairs)
    else:
        check_pairs(pairs)
