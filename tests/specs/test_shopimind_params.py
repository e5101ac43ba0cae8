"""Table test: ShopiMind ``GET /v1/carts`` (listCarts) declares every documented parameter as decided.

Source: https://developers.shopimind.com/en/api-reference/listCarts; decisions: ``specs/shopimind.yaml``.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from cartkit import specs

from .conftest import parameters, resolve

VENDOR = "shopimind"

CART_FIELDS = [
    "id",
    "status",
    "customer_id",
    "amount",
    "amount_without_tax",
    "currency",
    "created_at",
    "updated_at",
    "customer_first_name",
    "customer_last_name",
    "customer_email",
]
SORTABLE_FIELDS = CART_FIELDS[:8]
OPERATORS = [
    "EQUALS",
    "NOT_EQUALS",
    "CONTAINS",
    "NOT_CONTAINS",
    "STARTS_WITH",
    "ENDS_WITH",
    "LESS_THAN",
    "LESS_THAN_OR_EQUAL_TO",
    "GREATER_THAN",
    "GREATER_THAN_OR_EQUAL_TO",
    "IN",
    "NOT_IN",
    "LIKE",
    "BETWEEN",
    "NOT_BETWEEN",
]

# (in, name, expected schema subset, expected parameter keys)
SIMPLE_PARAMS = [
    pytest.param(
        "query",
        "limit",
        {"type": "integer", "default": 10, "minimum": 0},
        {"required": False},
        id="limit",
    ),
    pytest.param(
        "query",
        "offset",
        {"type": "integer", "default": 0, "minimum": 0},
        {"required": False},
        id="offset",
    ),
    pytest.param(
        "query",
        "fields",
        {"type": "array", "minItems": 1},
        {"required": False, "style": "form", "explode": False},
        id="fields",
    ),
]

CONTENT_PARAMS = ["order", "filters"]

EXPECTED_PARAMS = {("query", n) for n in ("limit", "offset", "fields", "order", "filters")}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return specs.load(VENDOR)


@pytest.fixture(scope="module")
def params() -> dict[tuple[str, str], dict[str, Any]]:
    return parameters(VENDOR)


def _validator(spec: dict[str, Any], schema: dict[str, Any]) -> jsonschema.Draft4Validator:
    """A validator for *schema* whose local ``#/components/...`` refs resolve against *spec*."""
    return jsonschema.Draft4Validator(
        {"allOf": [schema], "components": spec["components"]},
        format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER,
    )


def test_declared_parameters_are_exactly_the_documented_ones(params):
    assert set(params) == EXPECTED_PARAMS


@pytest.mark.parametrize(("location", "name", "schema", "keys"), SIMPLE_PARAMS)
def test_simple_parameter(params, location, name, schema, keys):
    param = params[(location, name)]
    declared = param["schema"]
    for key, value in schema.items():
        assert declared.get(key) == value, f"{name}.schema.{key}"
    for key, value in keys.items():
        assert param.get(key, False if key == "required" else None) == value, f"{name}.{key}"
    for absent in ("maximum", "maxLength", "pattern"):
        assert absent not in declared, f"{name}.schema.{absent} is not documented"


def test_fields_items_are_the_cart_field_names(spec, params):
    items = resolve(spec, params[("query", "fields")]["schema"]["items"])
    assert items["type"] == "string"
    assert items["enum"] == CART_FIELDS


@pytest.mark.parametrize("name", CONTENT_PARAMS)
def test_json_parameter_uses_content_application_json(params, name):
    param = params[("query", name)]
    assert param.get("required", False) is False
    assert list(param["content"]) == ["application/json"]
    for forbidden in ("schema", "style", "explode", "example", "examples"):
        assert forbidden not in param, f"{name} must not declare {forbidden} beside content"
    assert param["x-example"] == param["content"]["application/json"]["example"]


def test_order_schema(spec, params):
    schema = resolve(spec, params[("query", "order")]["content"]["application/json"]["schema"])
    single, many = (resolve(spec, branch) for branch in schema["anyOf"])
    assert many["type"] == "array"
    assert many["minItems"] == 1
    assert resolve(spec, many["items"]) == single
    assert single["required"] == ["field", "type"]
    assert single["additionalProperties"] is False
    assert resolve(spec, single["properties"]["field"])["enum"] == SORTABLE_FIELDS
    assert single["properties"]["type"]["enum"] == ["asc", "desc"]


FILTER_KINDS = {
    "Text": ["id", "status", "customer_id", "currency", *CART_FIELDS[8:]],
    "Number": ["amount", "amount_without_tax"],
    "DateTime": ["created_at", "updated_at"],
}


def test_filters_schema_branches(spec, params):
    schema = resolve(spec, params[("query", "filters")]["content"]["application/json"]["schema"])
    single, many = (resolve(spec, branch) for branch in schema["anyOf"])
    assert many["type"] == "array"
    assert many["minItems"] == 1
    assert resolve(spec, many["items"]) == single
    branches = {b["$ref"].rsplit("/", 1)[1]: resolve(spec, b) for b in single["oneOf"]}
    assert set(branches) == {f"{k}{r}Filter" for k in FILTER_KINDS for r in ("Value", "Range")}
    filterable: list[str] = []
    for kind, fields in FILTER_KINDS.items():
        value, rng = branches[f"{kind}ValueFilter"], branches[f"{kind}RangeFilter"]
        for variant in (value, rng):
            assert sorted(variant["required"]) == ["field", "operator", "values"]
            assert variant["additionalProperties"] is False
            assert resolve(spec, variant["properties"]["field"])["enum"] == fields
        value_ops = resolve(spec, value["properties"]["operator"])["enum"]
        range_ops = resolve(spec, rng["properties"]["operator"])["enum"]
        assert value_ops + range_ops == OPERATORS
        assert (
            rng["properties"]["values"]["minItems"] == rng["properties"]["values"]["maxItems"] == 2
        )
        filterable += fields
    assert sorted(filterable) == sorted(CART_FIELDS)


ORDER_VALUES = [
    pytest.param({"field": "created_at", "type": "desc"}, True, id="doc-example"),
    pytest.param(
        [{"field": "amount", "type": "asc"}, {"field": "id", "type": "desc"}], True, id="array"
    ),
    pytest.param({"field": "created_at", "type": "DESC"}, False, id="upper-case-type"),
    pytest.param({"field": "created_at"}, False, id="missing-type"),
    pytest.param({"field": "customer_email", "type": "asc"}, False, id="join-not-sortable"),
    pytest.param([], False, id="empty-array"),
]

FILTER_VALUES = [
    pytest.param(
        {"field": "status", "operator": "EQUALS", "values": "active"}, True, id="doc-example"
    ),
    pytest.param(
        {"field": "status", "operator": "IN", "values": ["abandoned", "converted"]},
        True,
        id="in-list",
    ),
    pytest.param(
        {"field": "amount", "operator": "GREATER_THAN", "values": 10.5}, True, id="number"
    ),
    pytest.param(
        {"field": "customer_email", "operator": "LIKE", "values": "%@x.io"}, True, id="join"
    ),
    pytest.param(
        [{"field": "amount", "operator": "BETWEEN", "values": [1, 9]}], True, id="between-2"
    ),
    pytest.param({"field": "amount", "operator": "BETWEEN", "values": [1]}, False, id="between-1"),
    pytest.param(
        {"field": "amount", "operator": "NOT_BETWEEN", "values": [1, 2, 3]}, False, id="nbetween-3"
    ),
    pytest.param(
        {"field": "amount", "operator": "BETWEEN", "values": 1}, False, id="between-scalar"
    ),
    pytest.param({"field": "status", "operator": "IN", "values": []}, False, id="in-empty"),
    pytest.param({"field": "status", "operator": "EQUALS", "values": None}, False, id="null"),
    pytest.param({"field": "name", "operator": "EQUALS", "values": "x"}, False, id="unknown-field"),
    pytest.param(
        {"field": "status", "operator": "equals", "values": "x"}, False, id="lower-operator"
    ),
    pytest.param({"field": "status", "operator": "EQUALS"}, False, id="missing-values"),
    pytest.param(
        {"field": "amount", "operator": "LESS_THAN", "values": "abc"}, False, id="amount-text"
    ),
    pytest.param(
        {"field": "amount", "operator": "IN", "values": [1, True]}, False, id="amount-bool"
    ),
    pytest.param(
        {"field": "created_at", "operator": "BETWEEN", "values": ["2025-01-01T00:00:00Z", "x"]},
        False,
        id="created-at-not-date-time",
    ),
    pytest.param(
        {
            "field": "created_at",
            "operator": "NOT_BETWEEN",
            "values": ["2025-01-01T00:00:00Z", "2025-02-01T00:00:00+01:00"],
        },
        True,
        id="created-at-range",
    ),
    pytest.param({"field": "id", "operator": "EQUALS", "values": 18342}, True, id="id-number"),
    pytest.param([], False, id="empty-array"),
]


@pytest.mark.parametrize(("value", "valid"), ORDER_VALUES)
def test_order_values(spec, params, value, valid):
    schema = params[("query", "order")]["content"]["application/json"]["schema"]
    assert _validator(spec, schema).is_valid(value) is valid


@pytest.mark.parametrize(("value", "valid"), FILTER_VALUES)
def test_filters_values(spec, params, value, valid):
    schema = params[("query", "filters")]["content"]["application/json"]["schema"]
    assert _validator(spec, schema).is_valid(value) is valid


def test_operation(spec):
    route, method, op = specs.operation(spec)
    assert (route, method, op["operationId"]) == ("/v1/carts", "get", "listCarts")
    assert spec["openapi"] == "3.0.3"
    assert spec["info"]["x-cartkit-vendor"] == VENDOR
    assert [s["url"] for s in spec["servers"]] == [
        "https://core.shopimind.com",
        "http://127.0.0.1:8000/shopimind",
        "http://127.0.0.1:8000",
    ]


def test_security_scheme(spec):
    _, _, op = specs.operation(spec)
    assert op["security"] == [{"spmApiKey": []}]
    assert spec["components"]["securitySchemes"] == {
        "spmApiKey": {
            **spec["components"]["securitySchemes"]["spmApiKey"],
            "type": "apiKey",
            "in": "header",
            "name": "spm-api-key",
            "x-cartkit-pattern": "^[a-zA-Z0-9-]{20,64}$",
        }
    }


def test_response_codes(spec):
    _, _, op = specs.operation(spec)
    assert set(op["responses"]) == {"200", "400", "401", "429", "500", "503"}
    too_many = resolve(spec, op["responses"]["429"])
    assert too_many["headers"]["Retry-After"]["schema"]["type"] == "integer"


def test_cart_has_no_required_field(spec):
    cart = spec["components"]["schemas"]["Cart"]
    assert "required" not in cart
    assert list(cart["properties"]) == CART_FIELDS
    assert cart["additionalProperties"] is True
