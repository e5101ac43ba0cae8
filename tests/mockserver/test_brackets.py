"""Bracket keys in query strings (the qs convention): the nested values they spell."""

from __future__ import annotations

import doctest
from typing import Any

import pytest

from cartkit.mockserver import brackets
from cartkit.mockserver.brackets import BracketError, nest, path


@pytest.mark.parametrize(
    ("key", "segments"),
    [
        pytest.param("filters", [], id="no-brackets"),
        pytest.param("fields[]", [""], id="append"),
        pytest.param("filters[0][values][1]", ["0", "values", "1"], id="nested"),
        pytest.param("a[b c][]", ["b c", ""], id="any-text"),
    ],
)
def test_path_splits_a_key_into_its_segments(key: str, segments: list[str]) -> None:
    assert path(key) == segments


@pytest.mark.parametrize("key", ["a[0]x", "a[0", "a[[0]]", "a[0]]"])
def test_path_refuses_a_malformed_key(key: str) -> None:
    with pytest.raises(BracketError, match="malformed key"):
        path(key)


def _spelled(*pairs: tuple[str, str]) -> Any:
    return nest((path(key), value) for key, value in pairs)


@pytest.mark.parametrize(
    ("pairs", "value"),
    [
        pytest.param(
            [("o[field]", "id"), ("o[type]", "asc")], {"field": "id", "type": "asc"}, id="object"
        ),
        pytest.param([("o[1]", "b"), ("o[0]", "a")], ["a", "b"], id="indexes-in-order"),
        pytest.param([("o[]", "a"), ("o[]", "b")], ["a", "b"], id="appended"),
        pytest.param([("o[x]", "a"), ("o[x]", "b")], {"x": ["a", "b"]}, id="repeated-leaf"),
        pytest.param(
            [("o[0][v][]", "1"), ("o[0][v][]", "2"), ("o[1][v]", "3")],
            [{"v": ["1", "2"]}, {"v": "3"}],
            id="deep",
        ),
        pytest.param(
            [("o[1234567890123456789]", "a")], {"1234567890123456789": "a"}, id="long-key"
        ),
    ],
)
def test_nest_builds_the_value_the_keys_spell(pairs: list[tuple[str, str]], value: Any) -> None:
    assert _spelled(*pairs) == value


def test_nest_refuses_a_key_that_is_both_a_value_and_an_object() -> None:
    with pytest.raises(BracketError, match="'0' is both a value and an object"):
        _spelled(("o[0]", "a"), ("o[0][x]", "b"))
    with pytest.raises(BracketError, match="'0' is both a value and an object"):
        _spelled(("o[0][x]", "b"), ("o[0]", "a"))


def test_the_docstring_examples_hold() -> None:
    assert doctest.testmod(brackets).failed == 0
