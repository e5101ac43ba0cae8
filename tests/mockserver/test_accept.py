"""The ``Accept`` header: weights through the most specific matching range."""

from __future__ import annotations

import doctest

import pytest

from cartkit.mockserver import accept
from cartkit.mockserver.accept import Accept


@pytest.mark.parametrize(
    ("header", "media", "quality"),
    [
        pytest.param("application/json", "application/json", 1.0, id="named"),
        pytest.param("Application/JSON;q=0.4", "application/json", 0.4, id="any-case"),
        pytest.param(
            "application/*;q=0.3, */*;q=0.1", "application/json", 0.3, id="subtype-wildcard"
        ),
        pytest.param("text/html, */*;q=0.1", "application/json", 0.1, id="any-wildcard"),
        pytest.param("text/html", "application/json", 0.0, id="not-matched"),
        pytest.param(
            "application/json;q=0.5, application/json;q=1", "application/json", 0.5, id="first"
        ),
        pytest.param("application/json;q=2", "application/json", 0.0, id="q-out-of-range"),
        pytest.param("application/json;q=0.1234", "application/json", 0.0, id="q-too-precise"),
        pytest.param(
            "application/json; charset=utf-8 ; q = 0.7", "application/json", 0.7, id="params"
        ),
        pytest.param("", "application/json", 0.0, id="empty"),
    ],
)
def test_quality_is_the_weight_of_the_most_specific_range(
    header: str, media: str, quality: float
) -> None:
    assert Accept(header).quality(media) == quality


def test_names_tells_a_named_type_from_a_wildcard() -> None:
    ranges = Accept("application/*, application/vnd.epages.v1+json;q=0")
    assert ranges.names("application/vnd.epages.v1+json")  # named, even at q=0
    assert not ranges.names("application/json")


def test_the_docstring_examples_hold() -> None:
    assert doctest.testmod(accept).failed == 0
