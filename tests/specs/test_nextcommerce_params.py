"""Table test: Next Commerce (29 Next) ``cartsList`` parameters, security and responses.

Every parameter of the reference page (cartsList, 2023-02-10) with its documented location,
type, format, default, enum, required-ness and serialization, plus the bounds cartkit decided.
"""

from __future__ import annotations

from typing import Any

import pytest

from cartkit import specs

from .conftest import parameters, resolve

VENDOR = "nextcommerce"
INT32_MAX = 2147483647

# Parameter-level attributes not given in a row: optional, default serialization.
PARAM_DEFAULTS: dict[str, Any] = {"required": False, "style": None, "explode": None}
FORM_EXPLODED = {"style": "form", "explode": True}

STRING_FILTERS = [
    "utm_source",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "affiliate",
    "subaffiliate1",
    "subaffiliate2",
    "subaffiliate3",
    "subaffiliate4",
    "subaffiliate5",
]

ROWS = [
    pytest.param(
        "query",
        "product",
        {
            "type": "array",
            "items": {"type": "integer", "minimum": 1, "maximum": INT32_MAX},
        },
        FORM_EXPLODED,
        id="product",
    ),
    pytest.param(
        "query",
        "date_created_from",
        {"type": "string", "format": "date"},
        {},
        id="date_created_from",
    ),
    pytest.param(
        "query",
        "date_created_to",
        {"type": "string", "format": "date"},
        {},
        id="date_created_to",
    ),
    pytest.param("query", "abandoned", {"type": "boolean"}, {}, id="abandoned"),
    pytest.param(
        "query",
        "currency",
        {"type": "string", "pattern": "^[A-Z]{3}$"},
        {},
        id="currency",
    ),
    pytest.param(
        "query",
        "funnels",
        {"type": "array", "items": {"type": "string"}},
        FORM_EXPLODED,
        id="funnels",
    ),
    *(pytest.param("query", name, {"type": "string"}, {}, id=name) for name in STRING_FILTERS),
    pytest.param("query", "cursor", {"type": "string"}, {}, id="cursor"),
    pytest.param(
        "header",
        "X-29next-API-Version",
        {"type": "string", "enum": ["2023-02-10"], "default": "2023-02-10"},
        {"required": True},
        id="X-29next-API-Version",
    ),
]

EXPECTED_KEYS = {(row.values[0], row.values[1]) for row in ROWS}


def _assert_subset(expected: Any, actual: Any, where: str) -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{where}: missing {key!r}"
            _assert_subset(value, actual[key], f"{where}.{key}")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


@pytest.fixture(scope="module")
def declared() -> dict[tuple[str, str], dict[str, Any]]:
    return parameters(VENDOR)


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return specs.load(VENDOR)


@pytest.mark.parametrize(("location", "name", "schema", "attrs"), ROWS)
def test_parameter_is_declared_as_documented(
    declared: dict[tuple[str, str], dict[str, Any]],
    location: str,
    name: str,
    schema: dict[str, Any],
    attrs: dict[str, Any],
) -> None:
    param = declared[(location, name)]
    _assert_subset(schema, param["schema"], f"{name}.schema")
    for key, value in {**PARAM_DEFAULTS, **attrs}.items():
        assert param.get(key) == value, f"{name}.{key}: {param.get(key)!r} != {value!r}"


def test_declared_parameters_are_exactly_the_documented_ones(
    declared: dict[tuple[str, str], dict[str, Any]],
) -> None:
    assert set(declared) == EXPECTED_KEYS


@pytest.mark.parametrize("name", [*STRING_FILTERS, "cursor"])
def test_free_strings_carry_no_invented_constraints(
    declared: dict[tuple[str, str], dict[str, Any]], name: str
) -> None:
    schema = declared[("query", name)]["schema"]
    assert not {"pattern", "maxLength", "minLength", "enum", "format"} & set(schema), schema


def test_every_parameter_has_a_valid_example(
    declared: dict[tuple[str, str], dict[str, Any]],
) -> None:
    assert all("example" in param for param in declared.values())


def test_operation_and_path(spec: dict[str, Any]) -> None:
    route, method, op = specs.operation(spec)
    assert (route, method, op["operationId"]) == ("/api/admin/carts/", "get", "cartsList")


def test_servers(spec: dict[str, Any]) -> None:
    vendor, all_vendors, one_vendor = spec["servers"]
    assert vendor["url"] == "https://{store}.29next.store"
    assert vendor["variables"]["store"]["default"] == "example"
    assert all_vendors["url"] == "http://127.0.0.1:8000/nextcommerce"
    assert one_vendor["url"] == "http://127.0.0.1:8000"


def test_security_scheme(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert list(schemes) == ["oauth2"]
    scheme = schemes["oauth2"]
    assert scheme["type"] == "oauth2"
    flow = scheme["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == "https://example.29next.store/oauth2/authorize/"
    assert flow["tokenUrl"] == "https://example.29next.store/oauth2/token/"
    assert set(flow["scopes"]) == {"carts:read", "admin:read"}
    _, _, op = specs.operation(spec)
    assert op["security"] == [{"oauth2": ["carts:read"]}]


def test_response_status_codes(spec: dict[str, Any]) -> None:
    _, _, op = specs.operation(spec)
    assert set(op["responses"]) == {"200", "400", "401", "403", "404", "429", "500", "503"}


def test_throttling_response_carries_retry_after(spec: dict[str, Any]) -> None:
    _, _, op = specs.operation(spec)
    throttled = resolve(spec, op["responses"]["429"])
    header = resolve(spec, throttled["headers"]["Retry-After"])
    assert header["schema"]["type"] == "integer"
    assert header["example"] == 1


@pytest.mark.parametrize("status", ["401", "403", "404", "429", "500", "503"])
def test_errors_use_the_drf_detail_envelope(spec: dict[str, Any], status: str) -> None:
    _, _, op = specs.operation(spec)
    response = resolve(spec, op["responses"][status])
    schema = resolve(spec, response["content"]["application/json"]["schema"])
    assert schema["required"] == ["detail"]
    assert schema["additionalProperties"] is False


def test_bad_request_is_field_keyed_or_detail(spec: dict[str, Any]) -> None:
    _, _, op = specs.operation(spec)
    response = resolve(spec, op["responses"]["400"])
    one_of = response["content"]["application/json"]["schema"]["oneOf"]
    refs = {ref["$ref"].rsplit("/", 1)[-1] for ref in one_of}
    assert refs == {"FieldErrors", "Error"}


def test_envelope_and_cart_required_fields(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    envelope = schemas["PaginatedCartList"]
    assert set(envelope["required"]) == {"next", "previous", "results"}
    assert envelope["properties"]["next"]["nullable"] is True
    assert set(schemas["Cart"]["required"]) == {
        "attribution",
        "checkout_url",
        "currency",
        "date_created",
        "id",
        "lines",
        "status",
        "user",
    }
    assert schemas["Cart"]["properties"]["status"]["enum"] == ["Open"]
    assert schemas["Decimal"]["pattern"] == r"^-?\d{0,10}(?:\.\d{0,2})?$"
