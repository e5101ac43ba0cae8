"""The contract as the checks read it from the shipped specs: parameters, bounds, defaults,
enums, security, documented statuses and bodies, and the token documents.

Every expected value below was read off ``specs/<vendor>.yaml`` (and ``specs/tokens``), not off
the code: a change to a spec or to the reader shows here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from cartkit import contracts, specs
from cartkit.contracts.spec import Contract, Operation, Security, TokenDocument

SPECS = Path(specs.__file__).parent

ROUTES = {
    "shopimind": "/v1/carts",
    "nextcommerce": "/api/admin/carts/",
    "elasticpath": "/v2/carts",
    "epages": "/rs/shops/{shopId}/carts",
    "stateset": "/v1/carts",
}

PARAMETERS = {
    "shopimind": ["limit", "offset", "order", "fields", "filters"],
    "nextcommerce": [
        "product",
        "date_created_from",
        "date_created_to",
        "abandoned",
        "currency",
        "funnels",
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
        "cursor",
        "X-29next-API-Version",
    ],
    "elasticpath": [
        "EP-Account-Management-Authentication-Token",
        "X-Moltin-Customer-Token",
        "include",
        "page[limit]",
        "page[offset]",
        "filter",
    ],
    "epages": [
        "shopId",
        "locale",
        "page",
        "resultsPerPage",
        "createdBefore",
        "createdAfter",
        "hasAddressData",
    ],
    "stateset": [
        "limit",
        "offset",
        "status",
        "has_email",
        "customer_id",
        "session_id",
        "channel",
        "created_after",
        "created_before",
        "updated_after",
        "min_value",
        "sort_by",
        "sort_order",
    ],
}

STATUSES = {
    "shopimind": {200, 400, 401, 429, 500, 503},
    "nextcommerce": {200, 400, 401, 403, 404, 429, 500, 503},
    "elasticpath": {200, 400, 401, 403, 429, 500, 503},
    "epages": {200, 400, 403, 404, 406, 429, 500, 503},
    "stateset": {200, 400, 401, 403, 429, 500, 503},
}

SECURITY = {
    "shopimind": Security("spm-api-key", False, "^[a-zA-Z0-9-]{20,64}$"),
    "nextcommerce": Security("Authorization", True, None),
    "elasticpath": Security("Authorization", True, None),
    "epages": Security("Authorization", True, "^Bearer .+"),
    "stateset": Security("Authorization", True, None),
}

VENDORS = list(ROUTES)


@pytest.fixture(scope="module", params=VENDORS)
def vendor(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _yaml(vendor: str) -> dict[str, Any]:
    """The spec file itself, read without the code under test."""
    with (SPECS / f"{vendor}.yaml").open(encoding="utf-8") as fh:
        document: dict[str, Any] = yaml.safe_load(fh)
    return document


# -- the operation -------------------------------------------------------------------------------


def test_the_list_operation_is_the_specs_only_one(vendor: str) -> None:
    contract = Contract(vendor)
    assert contract.vendor == vendor
    assert (contract.route, contract.method) == (ROUTES[vendor], "get")
    assert contract.secured


def test_parameters_are_every_documented_one_resolved_in_document_order(vendor: str) -> None:
    contract = Contract(vendor)
    assert list(contract.parameters) == PARAMETERS[vendor]
    for name, parameter in contract.parameters.items():
        assert "$ref" not in parameter
        assert parameter["name"] == name


def test_path_parameters(vendor: str) -> None:
    assert Contract(vendor).path_parameters() == (["shopId"] if vendor == "epages" else [])


def test_security(vendor: str) -> None:
    assert Contract(vendor).security == SECURITY[vendor]


@pytest.mark.parametrize(
    ("vendor", "name", "bounds"),
    [
        ("shopimind", "limit", (0, None)),
        ("shopimind", "offset", (0, None)),
        ("nextcommerce", "cursor", (None, None)),
        ("nextcommerce", "product", (None, None)),  # the bounds are its items'
        ("elasticpath", "page[limit]", (1, 100)),
        ("elasticpath", "page[offset]", (0, 10000)),
        ("epages", "page", (1, None)),
        ("epages", "resultsPerPage", (1, 100)),
        ("stateset", "limit", (1, 100)),
        ("stateset", "offset", (0, None)),
        ("stateset", "min_value", (0, None)),
    ],
)
def test_bounds(vendor: str, name: str, bounds: tuple[int | None, int | None]) -> None:
    assert Contract(vendor).bounds(name) == bounds


@pytest.mark.parametrize(
    ("vendor", "name", "default"),
    [
        ("shopimind", "limit", 10),
        ("shopimind", "offset", 0),
        ("shopimind", "fields", None),
        ("shopimind", "order", None),  # a content parameter: its example is no default
        ("nextcommerce", "X-29next-API-Version", "2023-02-10"),
        ("nextcommerce", "cursor", None),
        ("elasticpath", "page[limit]", 20),
        ("elasticpath", "page[offset]", 0),
        ("elasticpath", "filter", None),
        ("epages", "page", 1),
        ("epages", "resultsPerPage", 10),
        ("epages", "locale", None),
        ("stateset", "limit", 10),
        ("stateset", "offset", 0),
        ("stateset", "sort_by", "updated_at"),
        ("stateset", "sort_order", "desc"),
        ("stateset", "status", None),
    ],
)
def test_defaults(vendor: str, name: str, default: Any) -> None:
    assert Contract(vendor).default(name) == default


@pytest.mark.parametrize(
    ("vendor", "name", "values"),
    [
        ("stateset", "status", ["active", "abandoned", "converted", "expired"]),
        ("stateset", "channel", ["web", "mobile", "pos", "api"]),
        ("stateset", "sort_by", ["created_at", "updated_at", "total", "abandoned_at"]),
        ("stateset", "sort_order", ["asc", "desc"]),
        ("stateset", "limit", []),
        ("nextcommerce", "X-29next-API-Version", ["2023-02-10"]),
        ("nextcommerce", "product", []),
        ("elasticpath", "include", []),  # the enum is its items'
        ("shopimind", "fields", []),
        ("shopimind", "filters", []),
        ("epages", "locale", []),
    ],
)
def test_enums(vendor: str, name: str, values: list[Any]) -> None:
    assert Contract(vendor).enum(name) == values


@pytest.mark.parametrize(
    ("vendor", "name", "schema"),
    [
        ("shopimind", "order", {}),  # `content` parameters have no schema of their own
        ("shopimind", "filters", {}),
        ("epages", "shopId", {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}),
        ("nextcommerce", "currency", {"type": "string", "pattern": "^[A-Z]{3}$"}),
        ("elasticpath", "X-Moltin-Customer-Token", {"type": "string"}),
        ("stateset", "has_email", {"type": "boolean"}),
    ],
)
def test_schemas_are_resolved(vendor: str, name: str, schema: dict[str, Any]) -> None:
    assert Contract(vendor).schema(name) == schema


def test_an_undocumented_parameter_is_a_key_error() -> None:
    contract = Contract("stateset")
    with pytest.raises(KeyError):
        contract.bounds("page_size")


def test_only_required_headers_with_a_value_are_required(vendor: str) -> None:
    expected = {"X-29next-API-Version": "2023-02-10"} if vendor == "nextcommerce" else {}
    # Elastic Path's two shopper headers are optional: not required.
    assert Contract(vendor).required_headers() == expected


# -- responses -----------------------------------------------------------------------------------


def test_documents_exactly_the_documented_statuses(vendor: str) -> None:
    contract = Contract(vendor)
    for status in [*range(200, 600, 1)]:
        assert contract.documents(status) is (status in STATUSES[vendor]), status


def test_an_undocumented_status_has_no_response(vendor: str) -> None:
    contract = Contract(vendor)
    assert contract.response(418) is None
    assert contract.media_types(418) == []
    route = ROUTES[vendor]
    assert contract.validate(418, {}) == [f"status 418 is not documented for GET {route}"]


def test_a_documented_response_is_resolved(vendor: str) -> None:
    contract = Contract(vendor)
    for status in STATUSES[vendor]:
        response = contract.response(status)
        assert response is not None and "$ref" not in response
        assert response["description"]


def test_media_types(vendor: str) -> None:
    expected = ["application/json"]
    if vendor == "epages":
        expected = ["application/vnd.epages.v1+json", "application/json"]
    assert Contract(vendor).media_types() == expected
    assert Contract(vendor).media_types(200) == expected


def _examples(vendor: str) -> list[tuple[int, str, Any]]:
    """Every example of the list operation's responses, as ``(status, media type, body)``."""
    raw = _yaml(vendor)
    ((_, item),) = raw["paths"].items()
    out = []
    for status, response in item["get"]["responses"].items():
        if "$ref" in response:
            response = raw["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
        for media, content in response.get("content", {}).items():
            if "example" in content:
                out.append((int(status), media, content["example"]))
            for example in content.get("examples", {}).values():
                out.append((int(status), media, example["value"]))
    return out


def test_every_example_of_the_spec_is_a_valid_body(vendor: str) -> None:
    contract = Contract(vendor)
    examples = _examples(vendor)
    assert {status for status, _, _ in examples} == STATUSES[vendor]
    for status, media, body in examples:
        assert contract.validate(status, body, media) == [], (status, media)


@pytest.mark.parametrize(
    ("vendor", "status", "body", "problem"),
    [
        pytest.param(
            "shopimind",
            401,
            {"statusCode": 401},
            "(body): 'message' is a required property",
            id="shopimind-no-message",
        ),
        pytest.param(
            "shopimind",
            401,
            {"statusCode": 200, "message": "x"},
            "statusCode: 200 is less than the minimum of 400",
            id="shopimind-status",
        ),
        pytest.param(
            "nextcommerce",
            404,
            {"detail": "Invalid cursor", "code": "x"},
            "(body): Additional properties are not allowed ('code' was unexpected)",
            id="nextcommerce-extra-key",
        ),
        pytest.param(
            "nextcommerce",
            200,
            {"next": None, "previous": None, "results": None},
            "results: None is not of type 'array'",
            id="nextcommerce-results-null",
        ),
        pytest.param(
            "elasticpath",
            401,
            {"errors": {"status": 401, "title": "Unauthorized"}},
            "errors: {",
            id="elasticpath-errors-object",
        ),
        pytest.param(
            "elasticpath",
            400,
            {"errors": [{"status": 400}]},
            "errors/0: 'title' is a required property",
            id="elasticpath-no-title",
        ),
        pytest.param(
            "epages",
            403,
            {"message": "Forbidden", "status": 403},
            "status: 403 is not of type 'string'",
            id="epages-status-integer",
        ),
        pytest.param(
            "epages",
            403,
            {"message": "Forbidden", "status": "400"},
            "status: '400' is not one of ['403']",
            id="epages-another-status",
        ),
        pytest.param(
            "stateset",
            401,
            {"error": {"code": "invalid_api_key"}},
            "error: 'message' is a required property",
            id="stateset-no-message",
        ),
        pytest.param(
            "stateset",
            200,
            {"object": "list", "data": [], "has_more": False, "total_count": -1},
            "total_count: -1 is less than the minimum of 0",
            id="stateset-negative-total",
        ),
    ],
)
def test_a_body_against_the_documented_schema_names_what_is_wrong(
    vendor: str, status: int, body: Any, problem: str
) -> None:
    problems = Contract(vendor).validate(status, body)
    assert any(p.startswith(problem) for p in problems), problems


def test_nullable_fields_take_null() -> None:
    # `customer_id: {type: string, nullable: true}` on StateSet's and ShopiMind's carts.
    stateset = _examples("stateset")[0][2]
    assert stateset["data"][1]["customer_id"] is None
    assert Contract("stateset").validate(200, stateset) == []
    stateset["data"][1]["email"] = 42
    assert Contract("stateset").validate(200, stateset) != []


def test_at_most_five_problems_are_named() -> None:
    body = {"errors": [{"status": "x"} for _ in range(9)]}
    assert len(Contract("elasticpath").validate(400, body)) == 5


def test_the_media_type_sent_picks_its_schema_else_the_first() -> None:
    contract = Contract("epages")
    body = {"results": "one", "page": 1, "resultsPerPage": 10, "items": []}
    for media in ("application/json", "application/vnd.epages.v1+json", "text/html", None):
        assert any(p.startswith("results: 'one'") for p in contract.validate(200, body, media))


def test_an_unknown_vendor_is_a_config_error_suggesting_the_closest() -> None:
    with pytest.raises(contracts.ConfigError) as caught:
        Contract("statset")
    message = str(caught.value)
    assert "unknown vendor 'statset'; did you mean 'stateset'?" in message
    assert "shopimind, nextcommerce, elasticpath, epages, stateset" in message


# -- token documents -----------------------------------------------------------------------------


@pytest.mark.parametrize("vendor", ["shopimind", "stateset"])
def test_a_vendor_with_static_keys_has_no_token_document(vendor: str) -> None:
    assert TokenDocument.load(vendor) is None


@pytest.mark.parametrize(
    ("vendor", "operations", "path_parameters"),
    [
        ("epages", {("/rs/shops/{shopId}/token", "post"): False}, ["shopId"]),
        (
            "nextcommerce",
            {("/oauth2/authorize/", "get"): False, ("/oauth2/token/", "post"): False},
            [],
        ),
        (
            "elasticpath",
            {
                ("/oauth/access_token", "post"): False,
                ("/v2/customers/tokens", "post"): True,
                ("/v2/account-members/tokens", "post"): True,
            },
            [],
        ),
    ],
)
def test_token_documents(
    vendor: str, operations: dict[tuple[str, str], bool], path_parameters: list[str]
) -> None:
    document = TokenDocument.load(vendor)
    assert document is not None and document.vendor == vendor
    assert {key: op.secured for key, op in document.operations.items()} == operations
    assert document.path_parameters() == path_parameters
    for (route, method), operation in document.operations.items():
        assert isinstance(operation, Operation)
        assert document.operation(route, method) is operation


def test_a_token_operation_defaults_to_post_and_reads_its_own_parameters() -> None:
    document = TokenDocument.load("nextcommerce")
    assert document is not None
    assert document.operation("/oauth2/token/").method == "post"
    authorize = document.operation("/oauth2/authorize/", "get")
    assert list(authorize.parameters) == [
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
    ]
    assert authorize.documents(302) and not authorize.documents(200)
    assert authorize.media_types(400) == ["text/html"]
    with pytest.raises(KeyError):
        document.operation("/oauth2/authorize/")  # no POST there


@pytest.mark.parametrize(
    ("vendor", "route", "status", "body", "valid"),
    [
        ("epages", "/rs/shops/{shopId}/token", 200, {"access_token": "4HZ9"}, True),
        ("epages", "/rs/shops/{shopId}/token", 200, {"access_token": ""}, False),
        ("epages", "/rs/shops/{shopId}/token", 403, {"message": "m", "status": "403"}, True),
        ("epages", "/rs/shops/{shopId}/token", 403, {"message": "m", "status": 403}, False),
        ("nextcommerce", "/oauth2/token/", 400, {"error": "invalid_grant"}, True),
        ("nextcommerce", "/oauth2/token/", 400, {"error": "no_such_error"}, False),
        (
            "elasticpath",
            "/oauth/access_token",
            200,
            {
                "access_token": "a550",
                "token_type": "Bearer",
                "expires": 1524486008,
                "expires_in": 3600,
                "identifier": "implicit",
            },
            True,
        ),
        (
            "elasticpath",
            "/oauth/access_token",
            200,
            {"access_token": "a550", "token_type": "Bearer", "expires_in": 3600},
            False,
        ),
    ],
)
def test_token_answers_are_validated_against_their_documented_body(
    vendor: str, route: str, status: int, body: Any, valid: bool
) -> None:
    document = TokenDocument.load(vendor)
    assert document is not None
    assert (document.operation(route).validate(status, body) == []) is valid


# -- what no shipped spec shows: a hand-made document --------------------------------------------

HAND_MADE: dict[str, Any] = {
    "openapi": "3.0.3",
    "security": [{"key": []}],
    "paths": {
        "/shops/{shopId}/things": {
            "parameters": [
                {"name": "shopId", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 5}},
            ],
            "get": {
                "parameters": [
                    {"$ref": "#/components/parameters/limit"},
                    {
                        "name": "X-Version",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string", "enum": ["v2", "v1"]},
                    },
                    {
                        "name": "X-Optional",
                        "in": "header",
                        "schema": {"type": "string", "default": "o"},
                    },
                    {
                        "name": "X-Number",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "integer", "default": 3},
                    },
                    {
                        "name": "X-Free",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {"type": "object", "required": ["json"]},
                            },
                            "application/xml": {"schema": {"type": "object", "required": ["xml"]}},
                        },
                    },
                    "204": {"description": "no body"},
                    "404": {
                        "description": "inline",
                        "content": {
                            "application/json": {
                                "schema": {"type": "string", "nullable": True, "maxLength": 3}
                            }
                        },
                    },
                    "default": {"description": "anything else", "content": {}},
                },
            },
            "post": {"security": [], "responses": {"201": {"description": "made"}}},
        },
        "/shops/{shopId}/other": {
            "parameters": [{"$ref": "#/components/parameters/shopId"}],
            "put": {"responses": {"200": {"description": "ok"}}},
        },
    },
    "components": {
        "parameters": {
            "limit": {
                "name": "limit",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": 50},
            },
            "shopId": {"name": "shopId", "in": "path", "required": True, "schema": {}},
        }
    },
}


def _hand_made(route: str = "/shops/{shopId}/things", method: str = "get") -> Operation:
    return Operation("handmade", HAND_MADE, route, method, HAND_MADE["paths"][route][method])


def test_an_operation_parameter_replaces_the_path_items_in_its_place() -> None:
    operation = _hand_made()
    assert list(operation.parameters)[:2] == ["shopId", "limit"]
    assert operation.bounds("limit") == (1, 50)  # the operation's, through its $ref
    assert operation.path_parameters() == ["shopId"]


def test_required_headers_take_their_default_or_first_enum_value() -> None:
    # Optional headers are not required; a required one with no value to send is left out.
    assert _hand_made().required_headers() == {"X-Version": "v2", "X-Number": "3"}


def test_a_default_response_answers_for_any_status_but_is_not_documenting_it() -> None:
    operation = _hand_made()
    assert not operation.documents(500)
    assert operation.response(500) == {"description": "anything else", "content": {}}
    assert operation.validate(500, {"any": "thing"}) == []
    assert operation.validate(204, "a body where none is documented") == []


def test_the_media_type_sent_picks_the_schema() -> None:
    operation = _hand_made()
    assert operation.media_types() == ["application/json", "application/xml"]
    assert operation.validate(200, {"xml": 1}, "application/xml") == []
    assert operation.validate(200, {"xml": 1}, "application/json") == [
        "(body): 'json' is a required property"
    ]
    assert operation.validate(200, {"xml": 1}, "text/plain") == [
        "(body): 'json' is a required property"
    ]


def test_an_inline_nullable_schema_takes_null() -> None:
    operation = _hand_made()
    assert operation.validate(404, None) == []
    assert operation.validate(404, "abcd") == ["(body): 'abcd' is too long"]


def test_security_is_the_operations_else_the_documents() -> None:
    assert _hand_made().secured
    assert not _hand_made(method="post").secured  # `security: []` opts out


def test_token_document_path_parameters_are_named_once() -> None:
    document = TokenDocument("handmade", HAND_MADE)
    assert set(document.operations) == {
        ("/shops/{shopId}/things", "get"),
        ("/shops/{shopId}/things", "post"),
        ("/shops/{shopId}/other", "put"),
    }
    assert document.path_parameters() == ["shopId"]
