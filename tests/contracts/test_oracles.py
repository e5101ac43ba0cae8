"""The per-vendor oracles, on hand-made pages and carts: how each pages and reads its envelope,
which carts each documented filter keeps, the keys of its sort orders, what it makes of error
bodies and credentials; and the token oracles, against hand-made token servers.

Oracles come from ``oracle_for``, and pages, filters and orders only from their methods. The
expected semantics are the specs' (``specs/<vendor>.yaml``), quoted where they decide.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cartkit.contracts.exchange import Skip, Violation
from cartkit.contracts.spec import Contract, TokenDocument
from cartkit.contracts.vendors import oracle_for
from cartkit.contracts.vendors.tokens import token_oracle_for
from tests.contracts.fakes import FakeCredentials, FakeSession, FakeTarget, json_answer

VENDORS = ("shopimind", "nextcommerce", "elasticpath", "epages", "stateset")
ACCOUNT = "c24e5698-3b54-491b-9225-559c7a9cf2b2"


def oracle(vendor: str) -> Any:
    return oracle_for(Contract(vendor))


# -- paging --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vendor", "paging", "default_size", "size_bounds", "auth_status"),
    [
        # ShopiMind: limit default 10, minimum 0 (a page of 0 is no page), no maximum (cap 100).
        ("shopimind", "offset", 10, (1, 100), 401),
        # 29 Next: "Page size 20 (fixed; there is no page-size parameter)".
        ("nextcommerce", "cursor", 20, (0, 0), 401),
        ("elasticpath", "offset", 20, (1, 100), 401),
        # ePages: resultsPerPage 1..100, default 10; "ePages documents no 401".
        ("epages", "page", 10, (1, 100), 403),
        ("stateset", "offset", 10, (1, 100), 401),
    ],
)
def test_paging_basics(
    vendor: str,
    paging: str,
    default_size: int,
    size_bounds: tuple[int, int],
    auth_status: int,
) -> None:
    o = oracle(vendor)
    assert o.vendor == vendor
    assert o.paging == paging
    assert o.default_size == default_size
    assert o.size_bounds() == size_bounds
    assert o.auth_status == auth_status


@pytest.mark.parametrize(
    ("vendor", "size", "index", "params"),
    [
        ("shopimind", 5, 0, {"limit": 5, "offset": None}),
        ("shopimind", 5, 3, {"limit": 5, "offset": 15}),
        ("shopimind", None, 1, {"limit": None, "offset": 10}),
        ("stateset", 7, 2, {"limit": 7, "offset": 14}),
        ("stateset", None, 2, {"limit": None, "offset": 20}),
        ("elasticpath", 5, 0, {"page[limit]": 5, "page[offset]": None}),
        ("elasticpath", 5, 2, {"page[limit]": 5, "page[offset]": 10}),
        ("elasticpath", None, 1, {"page[limit]": None, "page[offset]": 20}),
        ("epages", 5, 0, {"resultsPerPage": 5, "page": None}),
        ("epages", 5, 2, {"resultsPerPage": 5, "page": 3}),
        ("epages", None, 1, {"resultsPerPage": None, "page": 2}),
        ("nextcommerce", None, 0, {}),
        ("nextcommerce", 5, 3, {}),  # only the first page can be asked for
    ],
)
def test_page_params(vendor: str, size: int | None, index: int, params: dict[str, Any]) -> None:
    assert oracle(vendor).page_params(size, index) == params


def _links(offsets: dict[str, int | None]) -> dict[str, str | None]:
    base = "https://useast.api.elasticpath.com/v2/carts?"
    return {
        name: None
        if offset is None
        else base + urlencode({"page[offset]": offset, "page[limit]": 2})
        for name, offset in offsets.items()
    }


# Page 2 (index 1) of 2 carts out of 5, in each vendor's envelope.
ENVELOPES: dict[str, dict[str, Any]] = {
    "shopimind": {
        "statusCode": 200,
        "data": [{"id": "3"}, {"id": "4"}],
        "meta": {
            "pagination": {
                "total_items": 5,
                "items_per_page": 2,
                "total_pages": 3,
                "current_page": 2,
                "offset": 2,
                "has_previous_page": True,
                "has_next_page": True,
                "next_page": 3,
                "previous_page": 1,
            },
            "generated_at": "2025-03-14T10:00:00.000Z",
        },
    },
    "stateset": {
        "object": "list",
        "data": [{"id": "cart_3"}, {"id": "cart_4"}],
        "has_more": True,
        "total_count": 5,
        "url": "/v1/carts",
    },
    "elasticpath": {
        "data": [{"id": "3"}, {"id": "4"}],
        "links": _links({"current": 2, "first": 0, "last": 4, "next": 4, "prev": 0}),
        "meta": {
            "page": {"current": 2, "limit": 2, "offset": 2, "total": 3},
            "results": {"total": 5},
        },
    },
    "epages": {
        "results": 5,
        "page": 2,
        "resultsPerPage": 2,
        "items": [{"cartId": "3"}, {"cartId": "4"}],
    },
    "nextcommerce": {
        "next": "https://example.29next.store/api/admin/carts/?cursor=cD00",
        "previous": "https://example.29next.store/api/admin/carts/?cursor=cj0xJnA9Mw%3D%3D",
        "results": [{"id": 3}, {"id": 4}],
    },
}
CART_KEY = {"shopimind": "data", "stateset": "data", "elasticpath": "data", "epages": "items"}
CART_KEY["nextcommerce"] = "results"

EXPECTED_PAGE = {
    "shopimind": (5, True, None),
    "stateset": (5, True, None),
    "elasticpath": (5, True, None),
    "epages": (5, None, None),
    "nextcommerce": (None, True, ENVELOPES["nextcommerce"]["next"]),
}


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_consistent_envelope_is_read_without_problems(vendor: str) -> None:
    o = oracle(vendor)
    body = ENVELOPES[vendor]
    page = o.parse(json.loads(json.dumps(body)), 2, 1)
    assert page.carts == body[CART_KEY[vendor]]
    assert (page.total, page.more, page.next_url) == EXPECTED_PAGE[vendor]
    assert page.problems == []
    assert [o.cart_id(cart) for cart in page.carts] in (["3", "4"], ["cart_3", "cart_4"], [3, 4])


@pytest.mark.parametrize(
    ("vendor", "path", "value", "problem"),
    [
        (
            "shopimind",
            ("meta", "pagination", "total_pages"),
            4,
            "meta.pagination.total_pages is 4, expected 3",
        ),
        (
            "shopimind",
            ("meta", "pagination", "next_page"),
            None,
            "meta.pagination.next_page is None, expected 3",
        ),
        ("elasticpath", ("meta", "page", "total"), 5, "meta.page.total is 5, expected 3"),
        (
            "elasticpath",
            ("links", "next"),
            None,
            "links.next is null, expected a link to page[offset]=4",
        ),
        (
            "elasticpath",
            ("links", "prev"),
            _links({"prev": 2})["prev"],
            "links.prev is a link to page[offset]=2, expected a link to page[offset]=0",
        ),
        ("epages", ("page",), 1, "page is 1, expected 2"),
        ("epages", ("resultsPerPage",), 10, "resultsPerPage is 10, expected 2"),
    ],
)
def test_an_inconsistent_envelope_names_what_disagrees(
    vendor: str, path: tuple[str, ...], value: Any, problem: str
) -> None:
    body = json.loads(json.dumps(ENVELOPES[vendor]))
    node = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert oracle(vendor).parse(body, 2, 1).problems == [problem]


def test_elastic_paths_last_link_is_null_on_a_single_page() -> None:
    # The spec: `last` "If there is only one page, it is null."
    body = {
        "data": [{"id": "1"}],
        "links": {**_links({"current": 0, "first": 0}), "last": None, "next": None, "prev": None},
        "meta": {
            "page": {"current": 1, "limit": 2, "offset": 0, "total": 1},
            "results": {"total": 1},
        },
    }
    page = oracle("elasticpath").parse(body, 2, 0)
    assert page.problems == [] and page.more is False
    body["links"]["last"] = body["links"]["first"]
    assert oracle("elasticpath").parse(body, 2, 0).problems == [
        "links.last is a link to page[offset]=0, expected null"
    ]


@pytest.mark.parametrize("vendor", VENDORS)
def test_an_envelope_without_a_list_of_carts_is_unreadable(vendor: str) -> None:
    o = oracle(vendor)
    with pytest.raises(KeyError):
        o.parse({}, 2, 0)
    body = json.loads(json.dumps(ENVELOPES[vendor]))
    body[CART_KEY[vendor]] = {"id": "1"}
    with pytest.raises(TypeError, match="not a list"):
        o.parse(body, 2, 1)


def test_following_pages() -> None:
    nextcommerce = oracle("nextcommerce")
    page = nextcommerce.parse(ENVELOPES["nextcommerce"], None, 0)
    assert nextcommerce.follow(page, None, 0) == ENVELOPES["nextcommerce"]["next"]
    last = nextcommerce.parse({**ENVELOPES["nextcommerce"], "next": None}, None, 1)
    assert last.more is False and nextcommerce.follow(last, None, 1) is None

    stateset = oracle("stateset")
    more = stateset.parse(ENVELOPES["stateset"], 2, 1)
    assert stateset.follow(more, 2, 1) == {"limit": 2, "offset": 4}
    done = stateset.parse({**ENVELOPES["stateset"], "has_more": False}, 2, 1)
    assert stateset.follow(done, 2, 1) is None

    # ePages says nothing of more pages: a full page leads on, a short or empty one ends.
    epages = oracle("epages")
    full = epages.parse(ENVELOPES["epages"], 2, 1)
    assert epages.follow(full, 2, 1) == {"resultsPerPage": 2, "page": 3}
    short = epages.parse({**ENVELOPES["epages"], "items": [{"cartId": "5"}]}, 2, 1)
    assert epages.follow(short, 2, 1) is None


# -- filters -------------------------------------------------------------------------------------


def _shopimind(field: str, operator: str, values: Any) -> dict[str, Any]:
    return {"field": field, "operator": operator, "values": values}


def _ep(*parts: Any) -> tuple[list[tuple[str, str]], list[str]]:
    """An Elastic Path filter expression: terms, with ``:``/``|`` between them."""
    return [p for p in parts if isinstance(p, tuple)], [p for p in parts if isinstance(p, str)]


def _account(*ids: str) -> dict[str, Any]:
    return {"relationships": {"accounts": {"data": [{"type": "account", "id": i} for i in ids]}}}


FILTERS = [
    # StateSet: exact matches; created/updated bounds exclusive, min_value inclusive (the spec).
    ("stateset", "status", "abandoned", {"status": "abandoned"}, {"status": "active"}),
    ("stateset", "has_email", True, {"email": "jane@example.com"}, {"email": None}),
    ("stateset", "has_email", False, {"email": None}, {"email": "jane@example.com"}),
    ("stateset", "customer_id", "cust_1", {"customer_id": "cust_1"}, {"customer_id": None}),
    ("stateset", "session_id", "sess_1", {"session_id": "sess_1"}, {"session_id": "sess_2"}),
    ("stateset", "channel", "web", {"channel": "web"}, {"channel": "pos"}),
    (
        "stateset",
        "created_after",
        "2024-06-19T18:00:00Z",
        {"created_at": "2024-06-19T18:00:01Z"},
        {"created_at": "2024-06-19T18:00:00Z"},
    ),
    (
        "stateset",
        "created_before",
        "2024-06-19T18:00:00Z",
        {"created_at": "2024-06-19T19:59:59+02:00"},
        {"created_at": "2024-06-19T18:00:00Z"},
    ),
    (
        "stateset",
        "updated_after",
        "2024-06-15T00:00:00Z",
        {"updated_at": "2024-06-15T00:00:01Z"},
        {"updated_at": "2024-06-15T00:00:00Z"},
    ),
    ("stateset", "min_value", 10000, {"total": 10000}, {"total": 9999}),
    # ShopiMind: one filter object; text operators ignore case, BETWEEN is inclusive.
    (
        "shopimind",
        "equality",
        _shopimind("status", "EQUALS", "abandoned"),
        {"status": "abandoned"},
        {"status": "converted"},
    ),
    (
        "shopimind",
        "equality",
        _shopimind("status", "NOT_EQUALS", "abandoned"),
        {"status": "converted"},
        {"status": "abandoned"},
    ),
    (
        "shopimind",
        "equality",
        _shopimind("status", "IN", ["abandoned", "converted"]),
        {"status": "converted"},
        {"status": "in_progress"},
    ),
    (
        "shopimind",
        "equality",
        _shopimind("status", "NOT_IN", "abandoned"),  # a scalar is a one-element list
        {"status": "converted"},
        {"status": "abandoned"},
    ),
    (
        "shopimind",
        "equality",
        _shopimind("customer_id", "EQUALS", "4211"),
        {"customer_id": "4211"},
        {"customer_id": None},
    ),
    (
        "shopimind",
        "text",
        _shopimind("status", "CONTAINS", "BAND"),
        {"status": "abandoned"},
        {"status": "converted"},
    ),
    (
        "shopimind",
        "text",
        _shopimind("status", "NOT_CONTAINS", "Band"),
        {"status": "converted"},
        {"status": "abandoned"},
    ),
    (
        "shopimind",
        "text",
        _shopimind("currency", "STARTS_WITH", "eu"),
        {"currency": "EUR"},
        {"currency": "USD"},
    ),
    (
        "shopimind",
        "text",
        _shopimind("status", "ENDS_WITH", "_PROGRESS"),
        {"status": "in_progress"},
        {"status": "progress_made"},
    ),
    (
        "shopimind",
        "text",
        _shopimind("id", "CONTAINS", 834),  # numbers are compared as their text
        {"id": "18342"},
        {"id": "18350"},
    ),
    (
        "shopimind",
        "amount",
        _shopimind("amount", "BETWEEN", [10, 20]),
        {"amount": 20},
        {"amount": 20.01},
    ),
    (
        "shopimind",
        "amount",
        _shopimind("amount", "NOT_BETWEEN", [10, 20]),
        {"amount": 9.99},
        {"amount": 10},
    ),
    (
        "shopimind",
        "amount",
        _shopimind("amount_without_tax", "GREATER_THAN", 19.99),
        {"amount_without_tax": 20},
        {"amount_without_tax": 19.99},
    ),
    (
        "shopimind",
        "dates",
        _shopimind("created_at", "LESS_THAN", "2025-03-14T09:00:00.000Z"),
        {"created_at": "2025-03-14T08:55:10.000Z"},
        {"created_at": "2025-03-14T09:12:44.000Z"},
    ),
    (
        "shopimind",
        "dates",
        _shopimind("updated_at", "GREATER_THAN_OR_EQUAL_TO", "2025-03-14T10:31:02+01:00"),
        {"updated_at": "2025-03-14T09:31:02.000Z"},
        {"updated_at": "2025-03-14T09:31:01.000Z"},
    ),
    # Elastic Path: `ilike` is case-insensitive with `*` wildcards, else the whole name; account
    # ids are hex in either case; terms evaluate left to right, no precedence.
    (
        "elasticpath",
        "name",
        _ep(("name", "*cart*")),
        {"name": "Bob's CART for holidays"},
        {"name": "Basket"},
    ),
    (
        "elasticpath",
        "name",
        _ep(("name", "SHOPPING CART")),
        {"name": "Shopping Cart"},
        {"name": "Shopping Cart 2"},
    ),
    (
        "elasticpath",
        "name",
        _ep(("name", "Hol*")),
        {"name": "holiday"},
        {"name": "The holiday"},
    ),
    (
        "elasticpath",
        "account_ids",
        _ep(("account", ACCOUNT.upper())),
        _account("0f2d6c1e-5a4b-4c3d-8e9f-1a2b3c4d5e6f", ACCOUNT),
        {"relationships": {"customers": {}, "accounts": {"data": None}}},
    ),
    (
        "elasticpath",
        "expression",
        # a:b|c is (a and b) or c
        _ep(("name", "x"), ":", ("account", ACCOUNT), "|", ("name", "*holiday*")),
        {"name": "Holiday Cart"},
        {"name": "x"},
    ),
    (
        "elasticpath",
        "expression",
        # a|b:c is (a or b) and c, not a or (b and c)
        _ep(("name", "x"), "|", ("name", "y"), ":", ("account", ACCOUNT)),
        {"name": "y", **_account(ACCOUNT)},
        {"name": "x"},
    ),
    # ePages: createdAfter/createdBefore on creationDate; "holds address data": billing or
    # shipping address not null.
    (
        "epages",
        "createdAfter",
        "2018-12-17T21:07:29Z",
        {"creationDate": "2018-12-17T21:07:30Z"},
        {"creationDate": "2018-12-17T21:07:28Z"},
    ),
    (
        "epages",
        "createdBefore",
        "2018-12-17T21:07:29Z",
        {"creationDate": "2018-12-17T21:07:28Z"},
        {"creationDate": "2018-12-17T21:07:30Z"},
    ),
    (
        "epages",
        "hasAddressData",
        True,
        {"billingAddress": None, "shippingAddress": {"city": "Jena"}},
        {"billingAddress": None, "shippingAddress": None},
    ),
    (
        "epages",
        "hasAddressData",
        False,
        {"billingAddress": None, "shippingAddress": None},
        {"billingAddress": {"city": "Jena"}, "shippingAddress": None},
    ),
    # 29 Next: exact matches; date bounds are inclusive whole days.
    ("nextcommerce", "abandoned", True, {"abandoned": True}, {"abandoned": False}),
    ("nextcommerce", "abandoned", False, {"abandoned": False}, {"abandoned": True}),
    ("nextcommerce", "currency", "USD", {"currency": "USD"}, {"currency": "EUR"}),
    (
        "nextcommerce",
        "date_created_from",
        "2024-05-03",
        {"date_created": "2024-05-03T00:00:00Z"},
        {"date_created": "2024-05-02T23:59:59Z"},
    ),
    (
        "nextcommerce",
        "date_created_to",
        "2024-05-03",
        {"date_created": "2024-05-03T23:59:59Z"},
        {"date_created": "2024-05-04T00:00:00Z"},
    ),
    # Whole UTC days, whatever offset the server writes: 00:30+02:00 is the day before in UTC.
    (
        "nextcommerce",
        "date_created_to",
        "2024-05-03",
        {"date_created": "2024-05-04T00:30:00+02:00"},
        {"date_created": "2024-05-03T23:30:00-01:00"},
    ),
    (
        "nextcommerce",
        "product",
        [88, 89],
        {"lines": [{"product": {"id": 7}}, {"product": {"id": 89}}]},
        {"lines": [{"product": {"id": 7}}]},
    ),
    ("nextcommerce", "product", [88], {"lines": [{"product": {"id": 88}}]}, {"lines": None}),
    (
        "nextcommerce",
        "funnels",
        ["summer-sale"],
        {"attribution": {"funnel": "summer-sale"}},
        {"attribution": {"funnel": None}},
    ),
    (
        "nextcommerce",
        "attribution",
        ("utm_source", "newsletter"),
        {"attribution": {"utm_source": "newsletter"}},
        {"attribution": {"utm_source": "newsletters"}},
    ),
]


def _filter(vendor: str, name: str) -> Any:
    (found,) = [f for f in oracle(vendor).filters() if f.name == name]
    return found


@pytest.mark.parametrize(
    ("vendor", "name", "value", "matching", "other"),
    [pytest.param(*row, id=f"{row[0]}-{row[1]}-{n}") for n, row in enumerate(FILTERS)],
)
def test_a_filter_holds_on_a_matching_cart_and_not_on_another(
    vendor: str, name: str, value: Any, matching: dict[str, Any], other: dict[str, Any]
) -> None:
    flt = _filter(vendor, name)
    assert flt.holds(matching, value) is True
    assert flt.holds(other, value) is False


def test_every_documented_filter_is_covered() -> None:
    covered = {(vendor, name) for vendor, name, *_ in FILTERS}
    for vendor in VENDORS:
        assert {(vendor, f.name) for f in oracle(vendor).filters()} <= covered, vendor


@pytest.mark.parametrize(
    ("vendor", "name", "value", "params"),
    [
        ("stateset", "min_value", 100, {"min_value": 100}),
        ("epages", "hasAddressData", False, {"hasAddressData": False}),
        ("nextcommerce", "product", [88, 89], {"product": [88, 89]}),
        ("nextcommerce", "attribution", ("affiliate", "aff-77"), {"affiliate": "aff-77"}),
        (
            "shopimind",
            "amount",
            _shopimind("amount", "BETWEEN", [10, 20]),
            {"filters": '[{"field": "amount", "operator": "BETWEEN", "values": [10, 20]}]'},
        ),
        (
            "elasticpath",
            "expression",
            _ep(("name", "*cart*"), "|", ("account", ACCOUNT)),
            {"filter": f'ilike(name,"*cart*")|contains(account_ids,"{ACCOUNT}")'},
        ),
    ],
)
def test_a_filter_value_becomes_the_documented_query(
    vendor: str, name: str, value: Any, params: dict[str, Any]
) -> None:
    assert _filter(vendor, name).params(value) == params


def test_elastic_path_filters_are_written_in_the_specs_grammar() -> None:
    pattern = Contract("elasticpath").schema("filter")["pattern"]
    query = _filter("elasticpath", "expression").params(
        _ep(("account", ACCOUNT), ":", ("name", "Holiday Cart"), "|", ("name", "*cart*"))
    )
    assert re.fullmatch(pattern, query["filter"])


def test_combining_filters() -> None:
    stateset = oracle("stateset")
    assert stateset.combine([{"status": "abandoned"}, {"min_value": 5}]) == {
        "status": "abandoned",
        "min_value": 5,
    }
    shopimind = oracle("shopimind")
    a, b = _shopimind("status", "EQUALS", "abandoned"), _shopimind("amount", "LESS_THAN", 5)
    both = shopimind.combine([{"filters": json.dumps([a])}, {"filters": json.dumps([b])}])
    assert json.loads(both["filters"]) == [a, b]  # one array, AND-combined
    # Elastic Path: no grouping, so an expression with `|` must come first to keep its meaning.
    ep = oracle("elasticpath")
    assert ep.combine([{"filter": "C"}, {"filter": "A|B"}]) == {"filter": "A|B:C"}
    with pytest.raises(
        ValueError, match=re.escape("cannot AND two expressions that both hold '|'")
    ):
        ep.combine([{"filter": "A|B"}, {"filter": "C|D"}])


def test_filter_values_come_from_the_carts_returned() -> None:
    # Nothing to filter on: no strategy; else only values the carts hold.
    stateset = {f.name: f for f in oracle("stateset").filters()}
    assert stateset["customer_id"].values([{"customer_id": None}]) is None
    strategy = stateset["customer_id"].values([{"customer_id": "c1"}, {"customer_id": "c2"}])
    assert strategy is not None

    @given(strategy)
    def drawn(value: str) -> None:
        assert value in {"c1", "c2"}

    drawn()


# -- orders --------------------------------------------------------------------------------------


def _sorted_ids(order: Any, carts: list[dict[str, Any]]) -> list[Any]:
    keyed = sorted(carts, key=order.tiebreak or (lambda c: 0))
    return [c["id"] for c in sorted(keyed, key=order.key, reverse=order.descending)]


DEFAULT_ORDERS = [
    # StateSet: sort_by default updated_at, sort_order default desc; ties by id ascending.
    ("stateset", "default (updated_at desc)", "updated_at", "2024-06-19T20:00:00Z"),
    # ShopiMind: "Default: created_at descending".
    ("shopimind", "default (created_at desc)", "created_at", "2025-03-14T09:12:44.000Z"),
    # Elastic Path: "Carts are sorted in descending order by updated_date".
    ("elasticpath", "default (updated_at desc)", None, None),
    # ePages: creationDate descending (cartkit decision).
    ("epages", "default (creationDate desc)", "creationDate", "2018-12-17T21:07:29Z"),
    # 29 Next: date_created descending.
    ("nextcommerce", "default (date_created desc)", "date_created", "2024-05-03T10:21:07Z"),
]


@pytest.mark.parametrize(("vendor", "name", "field", "instant"), DEFAULT_ORDERS)
def test_the_first_order_is_the_default_newest_first(
    vendor: str, name: str, field: str | None, instant: str | None
) -> None:
    default = oracle(vendor).orders()[0]
    assert default.name == name and default.params == {} and default.descending

    def cart(cart_id: int, moment: str) -> dict[str, Any]:
        if vendor == "elasticpath":
            return {"id": cart_id, "meta": {"timestamps": {"updated_at": moment}}}
        assert field is not None
        if vendor == "stateset":
            # `last_activity` is required; `updated_at` (optional) is what sort_by names.
            return {
                "id": cart_id,
                field: moment,
                "last_activity": f"20{30 - cart_id}-01-01T00:00:00Z",
            }
        return {"id": cart_id, field: moment}

    carts = [
        cart(1, "2024-01-01T00:00:00Z"),
        cart(2, "2025-12-31T23:59:59Z"),
        cart(3, "2025-12-31T23:00:00-02:00"),  # the newest: 2026-01-01T01:00Z
    ]
    assert _sorted_ids(default, carts) == [3, 2, 1]


def test_ties_are_broken_as_documented() -> None:
    # 29 Next: "ties broken by `id` descending"; StateSet: "ties are broken by `id` ascending".
    same = "2024-05-03T10:21:07Z"
    nextcommerce = oracle("nextcommerce").orders()[0]
    carts = [{"id": i, "date_created": same} for i in (5, 9, 7)]
    assert _sorted_ids(nextcommerce, carts) == [9, 7, 5]
    stateset = oracle("stateset").orders()[0]
    carts = [
        {"id": i, "updated_at": same, "last_activity": same} for i in ("cart_b", "cart_c", "cart_a")
    ]
    assert _sorted_ids(stateset, carts) == ["cart_a", "cart_b", "cart_c"]


def test_stateset_sorts_by_every_documented_field_both_ways() -> None:
    orders = {o.name: o for o in oracle("stateset").orders()[1:]}
    fields = ["created_at", "updated_at", "total", "abandoned_at"]  # the sort_by enum
    assert set(orders) == {f"{f}_{d}" for f in fields for d in ("asc", "desc")}
    total_asc = orders["total_asc"]
    assert total_asc.params == {"sort_by": "total", "sort_order": "asc"}
    assert not total_asc.descending and total_asc.nulls == "last"
    carts = [{"id": "a", "total": 300}, {"id": "b", "total": 100}, {"id": "c", "total": 200}]
    assert _sorted_ids(total_asc, carts) == ["b", "c", "a"]
    assert _sorted_ids(orders["total_desc"], carts) == ["a", "c", "b"]


def test_shopimind_sorts_by_a_json_order_object() -> None:
    orders = {o.name: o for o in oracle("shopimind").orders()[1:]}
    # Sortable fields but the string ids, whose sort the docs leave open.
    fields = ["amount", "amount_without_tax", "created_at", "updated_at", "status", "currency"]
    assert set(orders) == {f"{f}_{d}" for f in fields for d in ("asc", "desc")}
    order = orders["amount_without_tax_desc"]
    assert json.loads(order.params["order"]) == {"field": "amount_without_tax", "type": "desc"}
    carts = [{"id": "a", "amount_without_tax": 1.5}, {"id": "b", "amount_without_tax": 10}]
    assert _sorted_ids(order, carts) == ["b", "a"]


# -- errors and credentials ----------------------------------------------------------------------

# A documented error body of each vendor (the specs' examples) and one whose status disagrees.
ERRORS = [
    (
        "elasticpath",
        400,
        {"errors": [{"status": 400, "title": "Bad Request", "source": "filter"}]},
        {"errors": [{"status": 401, "title": "Unauthorized"}]},
        ["errors[].status ['401'], expected 400"],
    ),
    (
        "elasticpath",
        403,
        {"errors": [{"status": "403", "title": "Forbidden"}]},  # a string status is allowed
        {"errors": [{"status": 403, "title": "F"}, {"status": 500, "title": "E"}]},
        ["errors[].status ['403', '500'], expected 403"],
    ),
    ("elasticpath", 401, {"errors": [{"status": 401, "title": "U"}]}, {"errors": []}, None),
    (
        "epages",
        403,
        {"message": "Forbidden, Request: GET /rs/shops/DemoShop/carts", "status": "403"},
        {"message": "Forbidden", "status": 403},
        ["status 403 in the body, expected '403'"],
    ),
    (
        "epages",
        404,
        {"message": "Not Found, Request: GET /rs/shops/NoSuchShop/carts", "status": "404"},
        ["not", "an", "object"],
        ["status None in the body, expected '404'"],
    ),
]


@pytest.mark.parametrize(("vendor", "status", "good", "bad", "problems"), ERRORS)
def test_error_problems(
    vendor: str, status: int, good: Any, bad: Any, problems: list[str] | None
) -> None:
    o = oracle(vendor)
    assert o.error_problems(good, status) == []
    found = o.error_problems(bad, status)
    assert found != []
    if problems is not None:
        assert found == problems


@pytest.mark.parametrize(
    ("vendor", "status", "body"),
    [
        (
            "shopimind",
            401,
            {"statusCode": 401, "message": "Invalid API key", "error": "Unauthorized"},
        ),
        ("nextcommerce", 404, {"detail": "Invalid cursor"}),
        ("nextcommerce", 400, {"date_created_from": ["Enter a valid date."]}),
        (
            "stateset",
            403,
            {
                "error": {
                    "code": "INSUFFICIENT_PERMISSIONS",
                    "message": "m",
                    "type": "permission_error",
                }
            },
        ),
    ],
)
def test_a_documented_error_body_has_no_problem(vendor: str, status: int, body: Any) -> None:
    assert oracle(vendor).error_problems(body, status) == []


@pytest.mark.parametrize(
    ("vendor", "missing", "body", "problems"),
    [
        ("shopimind", True, {"statusCode": 401, "message": "Invalid API key"}, []),
        ("shopimind", False, {"statusCode": 401, "message": ["x"]}, []),
        ("shopimind", True, {"statusCode": 403}, ["statusCode 403 in the body, expected 401"]),
        ("shopimind", False, "Unauthorized", ["statusCode None in the body, expected 401"]),
        # StateSet: no header -> MISSING_AUTH_HEADER; a malformed key -> INVALID_API_KEY (or
        # INVALID_TOKEN_FORMAT, also listed).
        ("stateset", True, {"error": {"code": "MISSING_AUTH_HEADER"}}, []),
        ("stateset", False, {"error": {"code": "INVALID_API_KEY"}}, []),
        ("stateset", False, {"error": {"code": "INVALID_TOKEN_FORMAT"}}, []),
        (
            "stateset",
            True,
            {"error": {"code": "INVALID_API_KEY"}},
            ["error.code 'INVALID_API_KEY', expected one of ['MISSING_AUTH_HEADER']"],
        ),
        (
            "stateset",
            False,
            {"error": {"code": "MISSING_AUTH_HEADER"}},
            [
                "error.code 'MISSING_AUTH_HEADER', expected one of "
                "['INVALID_API_KEY', 'INVALID_TOKEN_FORMAT']"
            ],
        ),
        (
            "stateset",
            False,
            [],
            ["error.code None, expected one of ['INVALID_API_KEY', 'INVALID_TOKEN_FORMAT']"],
        ),
    ],
)
def test_auth_problems(vendor: str, missing: bool, body: Any, problems: list[str]) -> None:
    assert oracle(vendor).auth_problems(body, missing=missing) == problems


GOOD_HEADERS = {
    "shopimind": {"spm-api-key": "cartkit-test-key-0123456789"},
    "nextcommerce": {"Authorization": "Bearer test-token", "X-29next-API-Version": "2023-02-10"},
    "elasticpath": {"Authorization": "Bearer test-token", "X-Moltin-Customer-Token": "c"},
    "epages": {"Authorization": "Bearer test-token"},
    "stateset": {"Authorization": "Bearer test-token"},
}


@pytest.mark.parametrize("vendor", VENDORS)
def test_malformed_credentials_are_malformed_and_change_nothing_else(vendor: str) -> None:
    o = oracle(vendor)
    header = Contract(vendor).security.header
    good = {**GOOD_HEADERS[vendor], "Accept": "application/json"}
    malformed = o.malformed_credentials(good)
    assert malformed
    pattern = Contract(vendor).security.pattern
    for headers in malformed:
        assert set(headers) == set(good)
        assert {k: v for k, v in headers.items() if k != header} == {
            k: v for k, v in good.items() if k != header
        }
        value = headers[header]
        assert value != good[header]
        if pattern is not None:  # ShopiMind's key shape, ePages' `^Bearer .+`
            assert not re.search(pattern, value), value
        if Contract(vendor).security.bearer:
            assert not re.fullmatch(r"Bearer \S+", value), value


@given(key=st.from_regex(r"[a-zA-Z0-9-]{20,64}", fullmatch=True))
def test_a_malformed_key_is_never_the_real_one(key: str) -> None:
    malformed = oracle("shopimind").malformed_credentials({"spm-api-key": key})
    assert all(headers["spm-api-key"] != key for headers in malformed)


@given(
    vendor=st.sampled_from(["nextcommerce", "elasticpath", "epages", "stateset"]),
    token=st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1),
)
def test_a_malformed_bearer_is_never_the_real_one(vendor: str, token: str) -> None:
    real = f"Bearer {token}"
    malformed = oracle(vendor).malformed_credentials({"Authorization": real})
    assert all(headers["Authorization"] != real for headers in malformed)


# -- what else each oracle knows -----------------------------------------------------------------


def test_elastic_path_shoppers_narrow_to_their_owner() -> None:
    customer, account = oracle("elasticpath").shoppers()
    assert (customer.credential, customer.header, customer.owner) == (
        "customer_token",
        "X-Moltin-Customer-Token",
        "customer",
    )
    assert (account.credential, account.header, account.owner) == (
        "account_token",
        "EP-Account-Management-Authentication-Token",
        "account",
    )
    cart = {
        "relationships": {
            "customers": {
                "data": [{"type": "customer", "id": "3FA85F64-5717-4562-B3FC-2C963F66AFA6"}]
            },
            "accounts": {"data": [{"type": "account", "id": ACCOUNT}]},
        }
    }
    assert customer.owners(cart) == {"3fa85f64-5717-4562-b3fc-2c963f66afa6"}
    assert account.owners(cart) == {ACCOUNT}
    assert customer.owners({"relationships": {"customers": {}}}) == set()
    # A token that is an id names its owner; a JWT does not say whose it is.
    assert customer.identity(f" {ACCOUNT.upper()} ") == ACCOUNT
    assert customer.identity("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjIn0.c2ln") is None
    assert oracle("elasticpath").shopper_conflict == 403


def test_elastic_path_includes_custom_discounts() -> None:
    (include,) = oracle("elasticpath").includes()
    assert include.params == {"include": "custom_discounts"}
    assert include.path == ("included", "custom_discounts")
    cart = {
        "relationships": {
            "custom_discounts": {"data": [{"type": "custom_discount", "id": "6624"}]},
        }
    }
    assert include.linked(cart) == {("custom_discount", "6624")}
    assert include.linked({"relationships": {"custom_discounts": {"data": []}}}) == set()


def test_epages_locale_changes_only_how_prices_are_written() -> None:
    rendition = oracle("epages").rendition()
    assert rendition is not None
    assert rendition.param == "locale" and rendition.values == ("en_US", "de_DE")
    price = {"taxType": "GROSS", "formatted": "11.68 €", "amount": 11.68, "currency": "EUR"}
    cart = {
        "cartId": "c",
        "lineItemContainer": {
            "grandTotal": price,
            "productLineItems": [
                {
                    "name": "Connector",
                    "quantity": {"amount": 1, "unit": "piece(s)"},  # no price: not compared
                    "lineItemPrice": price,
                }
            ],
        },
    }
    german = json.loads(json.dumps(cart, ensure_ascii=False).replace("11.68 €", "11,68 €"))
    german["lineItemContainer"]["productLineItems"][0]["name"] = "Stecker"
    german["lineItemContainer"]["productLineItems"][0]["quantity"]["unit"] = "Stück"
    kept = {"taxType": "GROSS", "amount": 11.68, "currency": "EUR"}
    assert rendition.invariant(cart) == {
        "lineItemContainer.grandTotal": kept,
        "lineItemContainer.productLineItems[0].lineItemPrice": kept,
    }
    assert rendition.invariant(german) == rendition.invariant(cart)
    german["lineItemContainer"]["grandTotal"]["amount"] = 12
    assert rendition.invariant(german) != rendition.invariant(cart)


def test_shopimind_projects_fields_with_opt_in_customer_joins() -> None:
    o = oracle("shopimind")
    projection = o.projection()
    assert projection is not None
    assert projection(["id", "customer_email"]) == {"fields": "id,customer_email"}
    # The spec: eight base fields, and three customer joins only when requested.
    base, joins = o.projectable()
    assert base == [
        "id",
        "status",
        "customer_id",
        "amount",
        "amount_without_tax",
        "currency",
        "created_at",
        "updated_at",
    ]
    assert joins == ["customer_first_name", "customer_last_name", "customer_email"]
    assert oracle("stateset").projection() is None


def test_stateset_summary_agrees_with_the_carts_or_names_each_disagreement() -> None:
    o = oracle("stateset")
    carts = [
        {"status": "abandoned", "total": 1000},
        {"status": "abandoned", "total": 501},
        {"status": "converted", "total": 2000},
        {"status": "active", "total": 0},
    ]
    summary = {
        "total_abandoned_value": 1501,
        "average_cart_value": 875,  # floor(3501 / 4)
        "recovery_rate": 1 / 3,  # converted / (abandoned + converted)
        "status_breakdown": {"active": 1, "abandoned": 2, "converted": 1, "expired": 0},
    }
    assert o.summary_problems({"summary": summary}, carts) == []
    wrong = {**summary, "average_cart_value": 876, "recovery_rate": 0.5}
    assert o.summary_problems({"summary": wrong}, carts) == [
        "average_cart_value 876 but the carts average 875 (floor)",
        "recovery_rate 0.5 but converted/(abandoned+converted) = 0.3333",
    ]
    assert o.summary_problems({}, carts) == ["summary is missing"]
    empty = {
        "total_abandoned_value": 0,
        "average_cart_value": 0,
        "recovery_rate": 0,
        "status_breakdown": {"active": 0, "abandoned": 0, "converted": 0, "expired": 0},
    }
    assert o.summary_problems({"summary": empty}, []) == []
    assert oracle("shopimind").summary_problems({"summary": {}}, []) is None


# -- token oracles -------------------------------------------------------------------------------

Handler = Callable[[httpx.Request], httpx.Response]


def _tokens(vendor: str, handler: Handler, **credentials: Any) -> tuple[Any, FakeTarget]:
    document = TokenDocument.load(vendor)
    assert document is not None
    target = FakeTarget(handler, FakeCredentials(**credentials))
    session = FakeSession(target, oracle(vendor))
    return token_oracle_for(session, document), target  # type: ignore[arg-type]


def _form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


def _unused(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"nothing should be sent: {request.method} {request.url}")


@pytest.mark.parametrize(
    ("vendor", "client_refusal", "narrows", "logs_in"),
    [
        ("epages", 403, False, False),  # "refused with 403 (ePages documents no 401)"
        ("elasticpath", 401, True, True),  # "401 for a client the store does not know"
        ("nextcommerce", 401, True, False),  # "401 `invalid_client`"
    ],
)
def test_token_oracles(vendor: str, client_refusal: int, narrows: bool, logs_in: bool) -> None:
    tokens, _ = _tokens(vendor, _unused)
    assert tokens.vendor == vendor
    assert tokens.client_refusal == client_refusal
    assert tokens.exchange.client_refusal == client_refusal
    assert (tokens.narrows, tokens.logs_in) == (narrows, logs_in)


@pytest.mark.parametrize(
    ("vendor", "route", "refusals"),
    [
        (
            "epages",
            "/rs/shops/{shopId}/token",
            [
                ("no code", 400, None),
                ("no client_secret", 400, None),
                ("an unknown shop", 404, None),
            ],
        ),
        (
            "elasticpath",
            "/oauth/access_token",
            [
                ("no grant_type", 400, "grant_type"),
                ("an unsupported grant_type", 400, "grant_type"),
                ("the implicit grant without client_id", 400, "client_id"),
                ("the client_credentials grant without client_secret", 400, "client_secret"),
            ],
        ),
        (
            "nextcommerce",
            "/oauth2/token/",
            [
                ("no grant_type", 400, "invalid_request"),
                ("an unsupported grant_type", 400, "unsupported_grant_type"),
                ("authorization_code without a code", 400, "invalid_request"),
                ("a code this server never issued", 400, "invalid_grant"),
            ],
        ),
    ],
)
def test_refusals_are_documented_statuses_of_the_token_route(
    vendor: str, route: str, refusals: list[tuple[str, int, str | None]]
) -> None:
    tokens, target = _tokens(vendor, _unused)
    found = tokens.refusals()
    assert [(r.what, r.status, r.names) for r in found] == refusals
    operation = TokenDocument.load(vendor).operation(route)  # type: ignore[union-attr]
    for refusal in found:
        assert refusal.route == route and refusal.method == "post"
        assert operation.documents(refusal.status)
        assert refusal.form is not None
    assert target.sent == []


def test_elastic_path_refusals_leave_out_or_spoil_the_field_they_name() -> None:
    tokens, _ = _tokens("elasticpath", _unused)
    for refusal in tokens.refusals():
        if refusal.what == "an unsupported grant_type":
            assert refusal.form["grant_type"] not in {"implicit", "client_credentials"}
        else:
            assert refusal.names not in refusal.form


def test_the_epages_unknown_shop_is_well_formed_and_not_the_configured_one() -> None:
    tokens, target = _tokens("epages", _unused)
    unknown = tokens.refusals()[2]
    assert unknown.shop_id != target.shop_id
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", unknown.shop_id)  # the documented shopId
    no_code, no_secret = tokens.refusals()[:2]
    assert "code" not in no_code.form and "client_secret" not in no_secret.form


@pytest.mark.parametrize(
    ("vendor", "index", "body", "problems"),
    [
        (
            "elasticpath",
            0,
            {"errors": [{"status": 400, "title": "Bad Request", "source": "grant_type"}]},
            [],
        ),
        (
            "elasticpath",
            2,
            {"errors": [{"status": 400, "title": "Bad Request", "source": "grant_type"}]},
            ["errors[].source ['grant_type'], expected one naming 'client_id'"],
        ),
        (
            "elasticpath",
            3,
            {"errors": [{"status": 401, "title": "Unauthorized", "source": "client_secret"}]},
            ["errors[].status ['401'], expected 400"],
        ),
        ("nextcommerce", 3, {"error": "invalid_grant", "error_description": "Invalid code."}, []),
        (
            "nextcommerce",
            1,
            {"error": "invalid_request"},
            ["error 'invalid_request', expected 'unsupported_grant_type' (RFC 6749 §5.2)"],
        ),
        ("epages", 2, {"message": "Not Found", "status": "404"}, []),
        (
            "epages",
            0,
            {"message": "Not Found", "status": "404"},
            ["status '404' in the body, expected '400'"],
        ),
    ],
)
def test_refusal_problems(vendor: str, index: int, body: Any, problems: list[str]) -> None:
    tokens, _ = _tokens(vendor, _unused)
    assert tokens.refusal_problems(tokens.refusals()[index], body) == problems


# ePages: the code exchange.


def test_epages_exchanges_the_code_for_the_shops_token() -> None:
    def shop(request: httpx.Request) -> httpx.Response:
        assert request.url.path.endswith("/rs/shops/DemoShop/token")
        assert _form(request) == {"code": "c0de", "client_id": "app", "client_secret": "s3cret"}
        return json_answer(200, {"access_token": "4HZ9hriF6J3GOnd10JbFzdVehycOvAZf"})

    tokens, target = _tokens(
        "epages", shop, auth_code="c0de", client_id="app", client_secret="s3cret"
    )
    (issued,) = tokens.grants()
    assert (issued.grant, issued.token, issued.lists) == (
        "code exchange",
        "4HZ9hriF6J3GOnd10JbFzdVehycOvAZf",
        True,
    )
    assert target.remembered == [("4HZ9hriF6J3GOnd10JbFzdVehycOvAZf", "ISSUED_TOKEN")]


@pytest.mark.parametrize("status", [400, 403])
def test_epages_a_made_up_code_refused_is_a_skip(status: int) -> None:
    refused = json_answer(status, {"message": "Refused", "status": str(status)})
    tokens, _ = _tokens("epages", lambda r: refused, client_id="app", client_secret="s")
    with pytest.raises(Skip, match="pass --auth-code"):
        tokens.grants()


def test_epages_the_users_code_refused_is_a_violation() -> None:
    refused = json_answer(400, {"message": "Bad Request", "status": "400"})
    tokens, _ = _tokens(
        "epages", lambda r: refused, auth_code="c0de", client_id="app", client_secret="s"
    )
    with pytest.raises(Violation, match="The code exchange failed"):
        tokens.grants()


# Elastic Path: two grants and a customer login.


def _elastic_path(identifier: Callable[[str], str] = lambda grant: grant, skew: int = 0) -> Handler:
    def server(request: httpx.Request) -> httpx.Response:
        form = _form(request)
        grant = form["grant_type"]
        return json_answer(
            200,
            {
                "access_token": f"tok-{grant}",
                "token_type": "Bearer",
                "expires": int(time.time()) + 3600 + skew,
                "expires_in": 3600,
                "identifier": identifier(grant),
                "client_id": form["client_id"],
            },
        )

    return server


def test_elastic_path_grants_list_or_narrow_as_documented() -> None:
    tokens, target = _tokens("elasticpath", _elastic_path(), client_id="app", client_secret="s")
    granted = [(i.grant, i.token, i.lists) for i in tokens.grants()]
    # A client-credentials token lists every cart; an implicit token alone is refused (403).
    assert granted == [
        ("client_credentials", "tok-client_credentials", True),
        ("implicit", "tok-implicit", False),
    ]
    forms = [_form(r) for r in target.sent]
    assert forms == [
        {"grant_type": "client_credentials", "client_id": "app", "client_secret": "s"},
        {"grant_type": "implicit", "client_id": "app"},
    ]
    assert ("tok-implicit", "ISSUED_IMPLICIT_TOKEN") in target.remembered
    assert [(i.grant, i.lists) for i in tokens.narrower()] == [("implicit", False)]


def test_elastic_path_a_token_for_another_grant_is_a_violation() -> None:
    tokens, _ = _tokens("elasticpath", _elastic_path(lambda grant: "implicit"))
    with pytest.raises(Violation) as caught:
        tokens.grants()
    assert caught.value.title == "Wrong answer to the client_credentials grant"
    assert caught.value.received == "identifier 'implicit', expected 'client_credentials'"


def test_elastic_path_expires_must_be_now_plus_expires_in() -> None:
    tokens, _ = _tokens("elasticpath", _elastic_path(skew=3600))
    with pytest.raises(Violation, match="is not now \\+ expires_in \\(3600s\\)"):
        tokens.grants()
    within, _ = _tokens("elasticpath", _elastic_path(skew=60))  # clock skew is tolerated
    assert len(within.grants()) == 2


def test_elastic_path_narrower_skips_when_the_implicit_token_is_the_users() -> None:
    tokens, _ = _tokens("elasticpath", _elastic_path(), token="tok-implicit")
    with pytest.raises(Skip, match="handed out the --token credential itself"):
        tokens.narrower()


def test_elastic_path_customer_login() -> None:
    def store(request: httpx.Request) -> httpx.Response:
        assert request.url.path.endswith("/v2/customers/tokens")
        assert request.headers["Authorization"] == "Bearer user-token-0123"
        login = json.loads(request.content)["data"]
        assert login == {
            "type": "token",
            "email": "ron@swanson.com",
            "password": "pw",
            "authentication_mechanism": "password",
        }
        token = {
            "type": "token",
            "id": "t1",
            "customer_id": "cust-1",
            "token": "ctok",
            "expires": 1,
        }
        return json_answer(200, {"data": token})

    tokens, target = _tokens(
        "elasticpath", store, customer_email="ron@swanson.com", customer_password="pw"
    )
    login = tokens.customer_login()
    assert (login.credential, login.token, login.owner) == ("customer_token", "ctok", "cust-1")
    assert target.remembered == [("ctok", "ISSUED_CUSTOMER_TOKEN")]


def test_elastic_path_customer_login_skips_without_a_login_or_when_refused() -> None:
    tokens, _ = _tokens("elasticpath", _unused, customer_email="ron@swanson.com")
    with pytest.raises(Skip, match="--customer-email and --customer-password"):
        tokens.customer_login()
    refused = json_answer(401, {"errors": [{"status": 401, "title": "Unauthorized"}]})
    tokens, _ = _tokens(
        "elasticpath", lambda r: refused, customer_email="a@b.c", customer_password="pw"
    )
    with pytest.raises(Skip, match="the customer login was refused"):
        tokens.customer_login()


def test_vendors_without_a_login_skip_it() -> None:
    tokens, _ = _tokens("epages", _unused)
    with pytest.raises(Skip, match="epages documents no customer login"):
        tokens.customer_login()


# 29 Next: the authorization-code flow.

REDIRECT = "https://cartkit.example/callback"


def _store(
    *, binds_redirect: bool = True, state: Callable[[str], str] = lambda s: s, scopes: Any = None
) -> Handler:
    """A 29 Next store: authorize redirects at once; a code carries its scope."""

    def server(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            params = dict(request.url.params)
            query = urlencode(
                {
                    "code": f"code:{params['scope']}",
                    "state": state(params["state"]),
                    "store": "example.29next.store",
                }
            )
            return httpx.Response(302, headers={"Location": f"{params['redirect_uri']}?{query}"})
        form = _form(request)
        if form["grant_type"] == "refresh_token":
            scope = form["refresh_token"].split(":", 1)[1]
        else:
            if binds_redirect and form["redirect_uri"] != REDIRECT:
                return json_answer(400, {"error": "invalid_grant"})
            scope = form["code"].split(":", 1)[1]
        granted = scopes(scope) if scopes else scope
        return json_answer(
            200,
            {
                "access_token": f"at:{form['grant_type']}:{scope}",
                "expires_in": 15778476000,
                "token_type": "Bearer",
                "scope": granted,
                "refresh_token": f"rt:{scope}",
            },
        )

    return server


def test_nextcommerce_grants_a_code_and_a_refreshed_token() -> None:
    tokens, target = _tokens("nextcommerce", _store(), client_id="app", client_secret="s")
    granted = [(i.grant, i.token, i.lists) for i in tokens.grants()]
    assert granted == [
        ("authorization_code", "at:authorization_code:carts:read", True),
        ("refresh_token", "at:refresh_token:carts:read", True),
    ]
    authorize = target.sent[0]
    assert urlsplit(str(authorize.url)).path.endswith("/oauth2/authorize/")
    assert authorize.url.params["redirect_uri"] == REDIRECT
    assert authorize.url.params["response_type"] == "code"
    assert {v for _, v in target.remembered} >= {
        "ISSUED_CODE",
        "ISSUED_ACCESS_TOKEN",
        "ISSUED_REFRESH_TOKEN",
        "ISSUED_REFRESHED_TOKEN",
    }
    (narrow,) = tokens.narrower()
    assert (narrow.token, narrow.lists) == ("at:authorization_code:orders:read", False)


def test_nextcommerce_a_code_good_with_another_redirect_uri_is_a_violation() -> None:
    tokens, _ = _tokens("nextcommerce", _store(binds_redirect=False))
    with pytest.raises(Violation) as caught:
        tokens.grants()
    assert caught.value.title == "Code accepted with another redirect_uri"


def test_nextcommerce_a_redirect_with_another_state_is_a_violation() -> None:
    tokens, _ = _tokens("nextcommerce", _store(state=lambda s: s + "x"))
    with pytest.raises(Violation) as caught:
        tokens.grants()
    assert caught.value.title == "Wrong authorization redirect"
    assert caught.value.received.startswith("state ")


def test_nextcommerce_a_token_without_the_carts_scope_is_a_violation() -> None:
    tokens, _ = _tokens("nextcommerce", _store(scopes=lambda scope: "orders:read"))
    with pytest.raises(Violation, match="Wrong scope from the authorization_code grant"):
        tokens.grants()


def test_nextcommerce_a_narrower_scope_granted_wider_is_a_skip() -> None:
    tokens, _ = _tokens("nextcommerce", _store(scopes=lambda scope: "admin:read"))
    with pytest.raises(Skip, match="granted 'admin:read' when asked for orders:read"):
        tokens.narrower()


def test_nextcommerce_an_authorize_page_for_a_person_is_a_skip() -> None:
    page = httpx.Response(200, html="<form>Log in to your store</form>")
    tokens, _ = _tokens("nextcommerce", lambda r: page)
    with pytest.raises(Skip) as caught:
        tokens.grants()
    assert caught.value.reason.startswith("authorize answered 200, not a redirect to the app")
    assert caught.value.reason.endswith(
        "(or it does not know the made-up client: pass --client-id)"
    )
