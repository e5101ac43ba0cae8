"""Table test: the ePages spec declares every documented parameter exactly as documented.

Source: the ePages "GET /{shopId}/carts" reference (https://developer.epages.com/apps/).
"""

from __future__ import annotations

from typing import Any

import pytest

from cartkit import specs

from .conftest import parameters, resolve

VENDOR = "epages"
ROUTE = "/rs/shops/{shopId}/carts"

# (in, name, expected schema subset, required, style, explode)
ROWS = [
    pytest.param(
        "path",
        "shopId",
        {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
        True,
        "simple",
        False,
        id="shopId",
    ),
    pytest.param(
        "query",
        "locale",
        {"type": "string", "pattern": "^[a-z]{2}([_-][A-Z]{2})?$"},
        False,
        "form",
        True,
        id="locale",
    ),
    pytest.param(
        "query",
        "page",
        {"type": "integer", "minimum": 1, "default": 1},
        False,
        "form",
        True,
        id="page",
    ),
    pytest.param(
        "query",
        "resultsPerPage",
        {"type": "integer", "minimum": 1, "maximum": 100, "default": 10},
        False,
        "form",
        True,
        id="resultsPerPage",
    ),
    pytest.param(
        "query",
        "createdBefore",
        {"type": "string", "format": "date-time"},
        False,
        "form",
        True,
        id="createdBefore",
    ),
    pytest.param(
        "query",
        "createdAfter",
        {"type": "string", "format": "date-time"},
        False,
        "form",
        True,
        id="createdAfter",
    ),
    pytest.param(
        "query",
        "hasAddressData",
        {"type": "boolean"},
        False,
        "form",
        True,
        id="hasAddressData",
    ),
]

EXPECTED = {(row.values[0], row.values[1]) for row in ROWS}

# Keys that must be absent where the docs give no such constraint.
UNCONSTRAINED = {
    ("query", "page"): {"maximum", "enum"},
    ("query", "createdBefore"): {"maxLength", "enum", "default"},
    ("query", "createdAfter"): {"maxLength", "enum", "default"},
    ("query", "hasAddressData"): {"default"},
    ("query", "locale"): {"default", "enum"},
}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return specs.load(VENDOR)


@pytest.fixture(scope="module")
def declared() -> dict[tuple[str, str], dict[str, Any]]:
    return parameters(VENDOR)


@pytest.mark.parametrize(("location", "name", "schema", "required", "style", "explode"), ROWS)
def test_parameter_is_declared_as_documented(
    declared: dict[tuple[str, str], dict[str, Any]],
    location: str,
    name: str,
    schema: dict[str, Any],
    required: bool,
    style: str,
    explode: bool,
) -> None:
    param = declared[(location, name)]
    assert param.get("required", False) is required
    assert param["style"] == style
    assert param["explode"] is explode
    assert "content" not in param
    actual = param["schema"]
    assert {key: actual.get(key) for key in schema} == schema
    assert not UNCONSTRAINED.get((location, name), set()) & set(actual)
    assert "example" in param


def test_declared_parameters_are_exactly_the_documented_ones(
    declared: dict[tuple[str, str], dict[str, Any]],
) -> None:
    assert set(declared) == EXPECTED


def test_parameter_examples_match_the_docs(declared: dict[tuple[str, str], dict[str, Any]]) -> None:
    assert declared[("path", "shopId")]["example"] == "DemoShop"
    assert declared[("query", "locale")]["example"] == "en_US"


def test_operation_and_path(spec: dict[str, Any]) -> None:
    route, method, op = specs.operation(spec)
    assert (route, method, op["operationId"]) == (ROUTE, "get", "getCarts")
    assert op["security"] == [{"oauth2": ["carts_read"]}]


def test_security_scheme(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert list(schemes) == ["oauth2"]
    scheme = schemes["oauth2"]
    assert scheme["type"] == "oauth2"
    assert scheme["x-cartkit-pattern"] == "^Bearer .+"
    assert list(scheme["flows"]) == ["authorizationCode"]
    flow = scheme["flows"]["authorizationCode"]
    assert flow["tokenUrl"] == "https://pm.epages.com/rs/shops/DemoShop/token"
    assert flow["authorizationUrl"].startswith("https://pm.epages.com/")
    assert set(flow["scopes"]) == {"carts_read"}


def test_response_status_codes(spec: dict[str, Any]) -> None:
    _, _, op = specs.operation(spec)
    assert set(op["responses"]) == {"200", "400", "403", "404", "406", "429", "500", "503"}


def test_ok_response_media_types_put_the_vendor_type_first(spec: dict[str, Any]) -> None:
    _, _, op = specs.operation(spec)
    content = op["responses"]["200"]["content"]
    assert list(content) == ["application/vnd.epages.v1+json", "application/json"]
    for media in content.values():
        assert media["schema"] == {"$ref": "#/components/schemas/CartList"}


@pytest.mark.parametrize("status", ["200", "429"])
def test_rate_limit_headers(spec: dict[str, Any], status: str) -> None:
    _, _, op = specs.operation(spec)
    response = resolve(spec, op["responses"][status])
    headers = {name: resolve(spec, h) for name, h in response["headers"].items()}
    for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
        assert headers[name]["required"] is True
    assert headers["X-RateLimit-Limit"]["schema"]["type"] == "integer"
    assert headers["X-RateLimit-Remaining"]["schema"]["type"] == "integer"
    assert headers["X-RateLimit-Reset"]["schema"] == {"type": "string", "format": "date-time"}


@pytest.mark.parametrize("status", ["400", "403", "404", "406", "429", "500", "503"])
def test_error_responses_use_the_message_status_envelope(spec: dict[str, Any], status: str) -> None:
    _, _, op = specs.operation(spec)
    response = resolve(spec, op["responses"][status])
    assert list(response["content"]) == ["application/json"]
    media = response["content"]["application/json"]
    base, narrowed = media["schema"]["allOf"]
    assert base == {"$ref": "#/components/schemas/Error"}
    assert narrowed["properties"]["status"]["enum"] == [status]
    example = media.get("example") or next(iter(media["examples"].values()))["value"]
    assert example["status"] == status
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["message", "status"]
    assert error["properties"]["status"]["type"] == "string"
    assert error["additionalProperties"] is False
