"""Parameters are read and validated from the spec alone."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.datastructures import Headers

from cartkit.mockserver.errors import ApiError, Problem
from cartkit.mockserver.validation import Parameters
from cartkit.specs import json_schema

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "paths": {
        "/shops/{shop}/carts": {
            "parameters": [{"name": "shop", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[A-Z][a-z]+$"}}],
            "get": {
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}},
                    {"name": "ratio", "in": "query", "schema": {"type": "number"}},
                    {"name": "flag", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "since", "in": "query", "schema": {"type": "string", "format": "date"}},
                    {"name": "ids", "in": "query", "explode": True, "schema": {"type": "array", "items": {"type": "integer"}}},
                    {"name": "tags", "in": "query", "style": "form", "explode": False, "schema": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}}},
                    {"name": "filters", "in": "query", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Filters"}}}},
                    {"name": "X-Version", "in": "header", "required": True, "schema": {"type": "string", "enum": ["v1"]}},
                    {"name": "note", "in": "query", "schema": {"type": "string", "nullable": True, "maxLength": 5}},
                ],
            },
        }
    },
    "components": {
        "schemas": {
            "Filters": {"type": "array", "items": {"type": "object", "required": ["field"], "properties": {"field": {"type": "string", "enum": ["status"]}}}}
        }
    },
}  # fmt: skip

PARAMS = Parameters.from_spec(SPEC, "/shops/{shop}/carts")
HEADERS = Headers({"x-version": "v1"})  # matched case-insensitively
PATH = {"shop": "Demo"}


def parse(**query: list[str]) -> dict[str, Any]:
    return PARAMS.parse(query, HEADERS, PATH)


def test_typed_values_and_defaults() -> None:
    values = parse(
        limit=["5"],
        ratio=["0.5"],
        flag=["false"],
        since=["2026-01-02"],
        ids=["1", "2"],
        tags=["a,b"],
        filters=['[{"field": "status"}]'],
    )
    assert values == {
        "shop": "Demo",
        "limit": 5,
        "ratio": 0.5,
        "flag": False,
        "since": "2026-01-02",
        "ids": [1, 2],
        "tags": ["a", "b"],
        "filters": [{"field": "status"}],
        "X-Version": "v1",
        "note": None,
    }
    assert parse()["limit"] == 10


@pytest.mark.parametrize(
    ("query", "param", "fragment"),
    [
        ({"limit": ["0"]}, "limit", "less than the minimum of 1"),
        ({"limit": ["101"]}, "limit", "greater than the maximum"),
        ({"limit": ["ten"]}, "limit", "integer"),
        ({"limit": ["1.5"]}, "limit", "integer"),
        ({"limit": ["9" * 400]}, "limit", "greater than the maximum"),
        ({"limit": ["9" * 5000]}, "limit", "integer"),
        ({"limit": ["1", "2"]}, "limit", "single value"),
        ({"ratio": ["nan"]}, "ratio", "number"),
        ({"flag": ["yes"]}, "flag", "boolean"),
        ({"since": ["2026-02-30"]}, "since", "date"),
        ({"ids": ["1", "x"]}, "ids", "integer"),
        ({"tags": ["a,c"]}, "tags", "c"),
        ({"filters": ["[{"]}, "filters", "not valid JSON"),
        ({"filters": ['[{"field": "nope"}]']}, "filters", "nope"),
        ({"note": ["toolong"]}, "note", "longer than 5"),
        ({"note": ["\u202eevil!"]}, "note", "longer than 5"),
    ],
)
def test_invalid_values_name_the_parameter(
    query: dict[str, list[str]], param: str, fragment: str
) -> None:
    with pytest.raises(ApiError) as info:
        parse(**query)
    assert info.value.problem is Problem.BAD_PARAMETER
    assert info.value.param == param
    assert repr(param) in info.value.message
    assert fragment in info.value.message
    assert len(info.value.message) < 400


def test_required_header_and_path_parameter() -> None:
    with pytest.raises(ApiError, match="Missing required header 'X-Version'"):
        PARAMS.parse({}, Headers({}), PATH)
    with pytest.raises(ApiError, match="Invalid header 'X-Version'"):
        PARAMS.parse({}, Headers({"X-Version": "v2"}), PATH)
    with pytest.raises(ApiError, match="path parameter 'shop'"):
        PARAMS.parse({}, HEADERS, {"shop": "lower"})


def test_unknown_parameters_are_ignored() -> None:
    assert "whatever" not in parse(whatever=["1"])


def test_nullable_becomes_a_null_type() -> None:
    assert json_schema({"type": "string", "nullable": True, "enum": ["a"]}) == {
        "type": ["string", "null"],
        "enum": ["a", None],
    }
    assert json_schema({"$ref": "#/x", "nullable": True}) == {
        "anyOf": [{"type": "null"}, {"$ref": "#/x"}]
    }
    assert json_schema({"properties": {"a": {"type": "integer", "x-note": 1, "example": 3}}}) == {
        "properties": {"a": {"type": "integer"}}
    }
