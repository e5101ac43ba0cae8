"""Table test: StateSet's list-carts parameters are declared as the docs (and cartkit) say."""

from __future__ import annotations

from typing import Any

import pytest

from cartkit import specs

from .conftest import parameters, resolve

VENDOR = "stateset"

STATUSES = ["active", "abandoned", "converted", "expired"]
CHANNELS = ["web", "mobile", "pos", "api"]

# (in, name, expected schema subset). Every parameter is optional, form-style, exploded.
# channel, created_after, created_before, updated_after, min_value and sort_order: the docs describe
# these filters without naming them; the names are cartkit's (x-cartkit-assumed-name).
PARAMS = [
    pytest.param(
        "query",
        "limit",
        {"type": "integer", "minimum": 1, "maximum": 100, "default": 10},
        id="limit",
    ),
    pytest.param("query", "offset", {"type": "integer", "minimum": 0, "default": 0}, id="offset"),
    pytest.param("query", "status", {"type": "string", "enum": STATUSES}, id="status"),
    pytest.param("query", "has_email", {"type": "boolean"}, id="has_email"),
    pytest.param("query", "customer_id", {"type": "string"}, id="customer_id"),
    pytest.param("query", "session_id", {"type": "string"}, id="session_id"),
    pytest.param("query", "channel", {"type": "string", "enum": CHANNELS}, id="channel"),
    pytest.param(
        "query", "created_after", {"type": "string", "format": "date-time"}, id="created_after"
    ),
    pytest.param(
        "query", "created_before", {"type": "string", "format": "date-time"}, id="created_before"
    ),
    pytest.param(
        "query", "updated_after", {"type": "string", "format": "date-time"}, id="updated_after"
    ),
    pytest.param("query", "min_value", {"type": "integer", "minimum": 0}, id="min_value"),
    pytest.param(
        "query",
        "sort_by",
        {
            "type": "string",
            "enum": ["created_at", "updated_at", "total", "abandoned_at"],
            "default": "updated_at",
        },
        id="sort_by",
    ),
    pytest.param(
        "query",
        "sort_order",
        {"type": "string", "enum": ["asc", "desc"], "default": "desc"},
        id="sort_order",
    ),
]

ASSUMED_NAMES = {
    "channel",
    "created_after",
    "created_before",
    "updated_after",
    "min_value",
    "sort_order",
}

# Keys that must be absent because the docs give no such constraint (a stray bound would make the
# mock reject requests the API accepts).
UNCONSTRAINED = {
    "customer_id": ("maxLength", "minLength", "pattern", "enum", "format"),
    "session_id": ("maxLength", "minLength", "pattern", "enum", "format"),
    "offset": ("maximum",),
    "min_value": ("maximum",),
}


@pytest.fixture(scope="module")
def declared() -> dict[tuple[str, str], dict[str, Any]]:
    return parameters(VENDOR)


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return specs.load(VENDOR)


@pytest.mark.parametrize(("location", "name", "expected"), PARAMS)
def test_parameter_is_declared_as_documented(
    declared: dict[tuple[str, str], dict[str, Any]],
    location: str,
    name: str,
    expected: dict[str, Any],
) -> None:
    param = declared[(location, name)]
    schema = param["schema"]
    assert {key: schema.get(key) for key in expected} == expected
    assert param.get("required", False) is False
    assert param.get("style", "form") == "form"
    assert param.get("explode", True) is True
    assert "content" not in param
    for key in UNCONSTRAINED.get(name, ()):
        assert key not in schema, f"{name}: undocumented {key!r}"
    assert bool(param.get("x-cartkit-assumed-name", False)) is (name in ASSUMED_NAMES)


def test_declared_parameters_are_exactly_the_expected_ones(
    declared: dict[tuple[str, str], dict[str, Any]],
) -> None:
    expected = {(p.values[0], p.values[1]) for p in PARAMS}
    assert set(declared) == expected


def test_operation_and_path(spec: dict[str, Any]) -> None:
    route, method, op = specs.operation(spec)
    assert (route, method, op["operationId"]) == ("/v1/carts", "get", "listCarts")
    assert spec["openapi"] == "3.0.3"
    assert spec["info"]["x-cartkit-vendor"] == VENDOR


def test_servers(spec: dict[str, Any]) -> None:
    assert [s["url"] for s in spec["servers"]] == [
        "https://api.stateset.com",
        "https://api.sandbox.stateset.com",
        "http://127.0.0.1:8000/stateset",
        "http://127.0.0.1:8000",
    ]


def test_security_scheme(spec: dict[str, Any]) -> None:
    _, _, op = specs.operation(spec)
    assert op["security"] == [{"bearerAuth": []}]
    assert list(spec["components"]["securitySchemes"]) == ["bearerAuth"]
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    # Decision: any non-empty bearer token is accepted, no key-prefix pattern.
    assert "x-cartkit-pattern" not in scheme
    for needle in ("sk_live_", "sk_test_", "rk_live_", "pk_live_", "carts:read"):
        assert needle in scheme["description"]


def test_response_status_codes(spec: dict[str, Any]) -> None:
    _, _, op = specs.operation(spec)
    assert set(op["responses"]) == {"200", "400", "401", "403", "429", "500", "503"}


@pytest.mark.parametrize(
    ("status", "headers"),
    [
        pytest.param(
            "200", {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"}, id="200"
        ),
        pytest.param(
            "429",
            {
                "X-RateLimit-Limit",
                "X-RateLimit-Remaining",
                "X-RateLimit-Reset",
                "X-RateLimit-Retry-After",
            },
            id="429",
        ),
    ],
)
def test_rate_limit_headers(spec: dict[str, Any], status: str, headers: set[str]) -> None:
    _, _, op = specs.operation(spec)
    response = resolve(spec, op["responses"][status])
    assert set(response["headers"]) == headers
    for header in response["headers"].values():
        header = resolve(spec, header)
        assert header["required"] is True
        assert header["schema"]["type"] == "integer"
