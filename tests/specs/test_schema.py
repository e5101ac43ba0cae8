"""The document readers both sides share: ``$ref``, JSON Schema, parameters, security."""

from __future__ import annotations

from typing import Any

import pytest

from cartkit import specs
from cartkit.specs import SecurityScheme, json_schema, parameters, resolve, security_scheme


def _document(**operation: Any) -> dict[str, Any]:
    return {
        "paths": {
            "/shops/{shop}/carts": {
                "parameters": [
                    {"$ref": "#/components/parameters/shop"},
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                ],
                "get": operation,
            }
        },
        "components": {
            "parameters": {"shop": {"name": "shop", "in": "path", "required": True}},
            "securitySchemes": {
                "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
                "bearer": {"type": "http", "scheme": "bearer", "x-cartkit-pattern": "^t_.+$"},
                "oauth": {"type": "oauth2", "flows": {}},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
        "security": [{"key": []}],
    }


def test_resolve_follows_chained_references() -> None:
    spec = {"a": {"$ref": "#/b"}, "b": {"$ref": "#/c~1d"}, "c/d": {"type": "string"}}
    assert resolve(spec, {"$ref": "#/a"}) == {"type": "string"}


def test_json_schema_turns_nullable_into_a_null_type() -> None:
    assert json_schema({"type": "string", "nullable": True, "x-note": 1, "example": "a"}) == {
        "type": ["string", "null"]
    }


def test_parameters_merge_path_and_operation_levels() -> None:
    override = {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 50}}
    sort = {"name": "sort", "in": "query"}
    spec = _document(parameters=[sort, override])
    found = parameters(spec, "/shops/{shop}/carts", "get")
    # The path item's come first; the operation's `limit` replaces the path item's, in place.
    assert [(p["in"], p["name"]) for p in found] == [
        ("path", "shop"),
        ("query", "limit"),
        ("query", "sort"),
    ]
    assert found[0]["required"] is True  # the $ref resolved
    assert found[1] is override


def test_parameters_of_the_same_name_in_other_locations_are_distinct() -> None:
    header = {"name": "limit", "in": "header"}
    found = parameters(_document(parameters=[header]), "/shops/{shop}/carts", "get")
    assert [(p["in"], p["name"]) for p in found] == [
        ("path", "shop"),
        ("query", "limit"),
        ("header", "limit"),
    ]


@pytest.mark.parametrize(
    ("security", "expected"),
    [
        pytest.param(None, SecurityScheme("X-Key", False, None), id="document-level-api-key"),
        pytest.param(
            [{"bearer": []}], SecurityScheme("Authorization", True, "^t_.+$"), id="http-bearer"
        ),
        pytest.param([{"oauth": []}], SecurityScheme("Authorization", True, None), id="oauth2"),
    ],
)
def test_security_scheme(security: list[Any] | None, expected: SecurityScheme) -> None:
    operation = {} if security is None else {"security": security}
    assert security_scheme(_document(**operation), operation) == expected


def test_security_scheme_refuses_an_api_key_outside_a_header() -> None:
    operation = {"security": [{"cookie": []}]}
    with pytest.raises(ValueError, match="'cookie'"):
        security_scheme(_document(**operation), operation)


@pytest.mark.parametrize("vendor", specs.VENDORS)
def test_every_vendor_list_operation_is_read(vendor: str) -> None:
    spec = specs.load(vendor)
    route, method, operation = specs.operation(spec)
    assert security_scheme(spec, operation).header in {"Authorization", "spm-api-key"}
    assert all("$ref" not in p for p in parameters(spec, route, method))
