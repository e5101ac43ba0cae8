"""Table test: Elastic Path ``GET /v2/carts`` declares every documented parameter exactly."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cartkit import specs

from .conftest import parameters, resolve

VENDOR = "elasticpath"

UUID = "c24e5698-3b54-491b-9225-559c7a9cf2b2"

# (in, name, expected schema subset, expected parameter-level keys)
ROWS = [
    pytest.param(
        "header",
        "EP-Account-Management-Authentication-Token",
        {"type": "string"},
        {"required": False, "style": "simple"},
        id="EP-Account-Management-Authentication-Token",
    ),
    pytest.param(
        "header",
        "X-Moltin-Customer-Token",
        {"type": "string"},
        {"required": False, "style": "simple"},
        id="X-Moltin-Customer-Token",
    ),
    pytest.param(
        "query",
        "include",
        {"type": "array", "minItems": 1, "items": {"type": "string", "enum": ["custom_discounts"]}},
        {"required": False, "style": "form", "explode": False},
        id="include",
    ),
    pytest.param(
        "query",
        "page[limit]",
        {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
        {"required": False, "style": "form", "explode": True},
        id="page[limit]",
    ),
    pytest.param(
        "query",
        "page[offset]",
        {"type": "integer", "minimum": 0, "maximum": 10000, "default": 0},
        {"required": False, "style": "form", "explode": True},
        id="page[offset]",
    ),
    pytest.param(
        "query",
        "filter",
        {"type": "string", "maxLength": 1000},
        {"required": False, "style": "form", "explode": False},
        id="filter",
    ),
]

EXPECTED_PARAMS = {(row.values[0], row.values[1]) for row in ROWS}


def _spec() -> dict[str, Any]:
    return specs.load(VENDOR)


def _assert_subset(expected: dict[str, Any], actual: dict[str, Any], where: str) -> None:
    for key, value in expected.items():
        assert key in actual, f"{where}: missing {key!r}"
        if isinstance(value, dict):
            _assert_subset(value, actual[key], f"{where}.{key}")
        else:
            assert actual[key] == value, f"{where}.{key}: {actual[key]!r} != {value!r}"


@pytest.mark.parametrize(("location", "name", "schema", "param_keys"), ROWS)
def test_parameter_declared(
    location: str, name: str, schema: dict[str, Any], param_keys: dict[str, Any]
) -> None:
    declared = parameters(VENDOR)
    assert (location, name) in declared, f"{location} parameter {name!r} is not declared"
    param = declared[(location, name)]
    _assert_subset(schema, param["schema"], name)
    for key, value in param_keys.items():
        # OpenAPI defaults: required false, style form (query) / simple (header), explode = style==form
        assert param.get(key, _default(location, key, param)) == value, f"{name}: {key}"


def _default(location: str, key: str, param: dict[str, Any]) -> Any:
    style = param.get("style", "form" if location == "query" else "simple")
    return {"required": False, "style": style, "explode": style == "form"}[key]


def test_declared_parameter_set() -> None:
    assert set(parameters(VENDOR)) == EXPECTED_PARAMS


def _filter_pattern() -> re.Pattern[str]:
    return re.compile(parameters(VENDOR)[("query", "filter")]["schema"]["pattern"])


@pytest.mark.parametrize(
    "value",
    [
        f'contains(account_ids,"{UUID}")',
        'ilike(name,"Shopping Cart")',
        'ilike(name,"*cart*")',
        f'contains(account_ids,"{UUID}"):ilike(name,"Holiday Cart")',
        f'contains(account_ids,"{UUID}")|ilike(name,"Holiday Cart")',
        ":".join(['ilike(name,"a")'] * 10),
    ],
)
def test_filter_pattern_accepts(value: str) -> None:
    assert _filter_pattern().fullmatch(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        'eq(name,"x")',
        "ilike(name,x)",
        "ilike(name,'x')",
        'ilike(name,"")',
        'ilike(name,"a\\"b")',
        'ilike( name,"x")',
        'contains(account_ids,"abc123")',
        'contains(customer_ids,"c24e5698-3b54-491b-9225-559c7a9cf2b2")',
        'ilike(name,"x"):',
        'ilike(name,"x")&ilike(name,"y")',
        ":".join(['ilike(name,"a")'] * 11),
    ],
)
def test_filter_pattern_rejects(value: str) -> None:
    assert not _filter_pattern().fullmatch(value)


def test_filter_parameter_examples_match_pattern() -> None:
    param = parameters(VENDOR)[("query", "filter")]
    values = [example["value"] for example in param["examples"].values()]
    assert values
    for value in values:
        assert _filter_pattern().fullmatch(value), value


def test_operation_and_path() -> None:
    route, method, op = specs.operation(_spec())
    assert (route, method, op["operationId"]) == ("/v2/carts", "get", "getCarts")


def test_security_scheme() -> None:
    spec = _spec()
    assert spec["components"]["securitySchemes"] == {
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "description": spec["components"]["securitySchemes"]["bearerAuth"]["description"],
        }
    }
    _, _, op = specs.operation(spec)
    assert op["security"] == [{"bearerAuth": []}]


def test_servers() -> None:
    urls = [server["url"] for server in _spec()["servers"]]
    assert urls == [
        "https://useast.api.elasticpath.com",
        "https://euwest.api.elasticpath.com",
        "http://127.0.0.1:8000/elasticpath",
        "http://127.0.0.1:8000",
    ]


def test_response_status_codes() -> None:
    _, _, op = specs.operation(_spec())
    assert set(op["responses"]) == {"200", "400", "401", "403", "429", "500", "503"}


def test_error_responses_use_error_array() -> None:
    spec = _spec()
    _, _, op = specs.operation(spec)
    for code, response in op["responses"].items():
        if code == "200":
            continue
        schema = resolve(spec, resolve(spec, response)["content"]["application/json"]["schema"])
        assert schema["required"] == ["errors"], code
        assert schema["properties"]["errors"]["type"] == "array", code


def test_envelope_and_cart() -> None:
    spec = _spec()
    schemas = spec["components"]["schemas"]
    assert schemas["CartList"]["required"] == ["data"]
    assert schemas["Cart"]["properties"]["type"]["enum"] == ["cart"]
    assert schemas["Money"]["properties"]["amount"]["type"] == "integer"
    for link in ("current", "first", "last", "next", "prev"):
        assert schemas["PageLinks"]["properties"][link] == {
            **schemas["PageLinks"]["properties"][link],
            "type": "string",
            "nullable": True,
        }
    assert set(schemas["PageMeta"]["required"]) == {"current", "limit", "offset", "total"}
    assert schemas["ResultsMeta"]["required"] == ["total"]
