"""Elastic Path ``GET /v2/carts`` in the mock: every parameter's semantics on the data.

Expectations are recomputed here from the rendered carts (or the canonical ones), never with the
vendor module's own predicates.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from ._elasticpath import (
    CUSTOMER,
    HEADERS,
    ROUTE,
    VENDOR,
    _all,
    _bad,
    _carts,
    _client,
    _conforms,
    _everything,
    _get,
    _ok,
)
from .conftest import assert_conforms


def _follow(url: str) -> dict[str, Any]:
    """GET a link the mock handed out (absolute, or a path with a query)."""
    response = _client().get(url, headers=HEADERS)
    _conforms(response)
    assert response.status_code == 200, response.text
    return response.json()


def _format(amount: int, currency: str) -> str:
    symbol = {"USD": "$", "GBP": "£", "EUR": "€"}[currency]
    text = f"{abs(amount) / 100:,.2f}"
    return f"-{symbol}{text}" if amount < 0 else f"{symbol}{text}"


# -- rendering -----------------------------------------------------------------------------------


def test_every_cart_renders_consistently() -> None:
    carts = {c.uid: c for c in _carts()}
    rendered = _everything()
    assert len(rendered) == len(carts)
    for cart in rendered:
        canonical = carts[cart["id"]]
        assert cart["type"] == "cart"
        assert cart["name"] == canonical.name
        price = cart["meta"]["display_price"]
        currency = canonical.currency
        assert currency in {"USD", "GBP", "EUR"}
        for money in price.values():
            assert money["currency"] == currency
            assert money["formatted"] == _format(money["amount"], currency)
        assert price["with_tax"]["amount"] == canonical.total
        assert (
            price["with_tax"]["amount"] == price["without_tax"]["amount"] + price["tax"]["amount"]
        )
        assert price["discount"]["amount"] == -canonical.discount <= 0
        assert (
            price["without_discount"]["amount"] + price["discount"]["amount"]
            == price["with_tax"]["amount"]
        )
        assert price["shipping"]["amount"] == canonical.shipping
        stamps = cart["meta"]["timestamps"]
        assert stamps["created_at"] <= stamps["updated_at"] < stamps["expires_at"]
        rel = cart["relationships"]
        assert [i["id"] for i in rel["items"]["data"]] == [line.uid for line in canonical.lines]
        customers = [c["id"] for c in rel["customers"].get("data", [])]
        assert customers == ([canonical.customer.uid] if canonical.customer else [])
        accounts = [a["id"] for a in rel["accounts"].get("data", [])]
        assert accounts == ([canonical.account_uid] if canonical.account_uid else [])
        assert len(rel["custom_discounts"]["data"]) == (1 if canonical.discount else 0)
        assert cart["links"]["self"].endswith(f"/v2/carts/{cart['id']}")


def test_currencies_spread_usd_first() -> None:
    counts: dict[str, int] = {}
    for cart in _carts():
        counts[cart.currency] = counts.get(cart.currency, 0) + 1
    assert set(counts) == {"USD", "GBP", "EUR"}
    assert max(counts, key=counts.__getitem__) == "USD"


# -- pagination ----------------------------------------------------------------------------------


def test_defaults() -> None:
    body = _ok()
    assert len(body["data"]) == 20
    assert body["meta"] == {
        "page": {"current": 1, "limit": 20, "offset": 0, "total": 15},
        "results": {"total": 300},
    }
    assert body["links"]["prev"] is None
    assert "included" not in body


@given(limit=st.integers(1, 100))
def test_walking_next_links_returns_every_cart_once_newest_updated_first(limit: int) -> None:
    seen: list[dict] = []
    url: str | None = f"{ROUTE}?page[limit]={limit}"
    pages = 0
    while url is not None:
        body = _follow(url)
        pages += 1
        assert body["meta"]["page"]["current"] == pages
        assert body["meta"]["page"]["total"] == -(-300 // limit)
        assert body["meta"]["results"]["total"] == 300
        assert len(body["data"]) <= limit
        seen += body["data"]
        url = body["links"]["next"]
        if url is not None:
            assert url.startswith("http://testserver/v2/carts?")
    assert pages == -(-300 // limit)
    ids = [c["id"] for c in seen]
    assert len(ids) == len(set(ids)) == 300
    updated = [c["meta"]["timestamps"]["updated_at"] for c in seen]
    assert updated == sorted(updated, reverse=True)


@given(limit=st.integers(1, 100), offset=st.integers(0, 400))
def test_page_window_and_links(limit: int, offset: int) -> None:
    everything = [c["id"] for c in _everything()]
    body = _ok({"page[limit]": limit, "page[offset]": offset})
    assert [c["id"] for c in body["data"]] == everything[offset : offset + limit]
    assert body["meta"]["page"] == {
        "current": offset // limit + 1,
        "limit": limit,
        "offset": offset,
        "total": -(-300 // limit),
    }
    links = body["links"]

    def query(link: str) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(link).query))

    assert query(links["current"]) == {"page[offset]": str(offset), "page[limit]": str(limit)}
    assert query(links["first"])["page[offset]"] == "0"
    assert query(links["last"])["page[offset]"] == str((-(-300 // limit) - 1) * limit)
    assert (links["prev"] is None) == (offset == 0)
    if links["prev"] is not None:
        assert query(links["prev"])["page[offset]"] == str(max(0, offset - limit))
    assert (links["next"] is None) == (offset + limit >= 300)
    if links["next"] is not None:
        assert query(links["next"])["page[offset]"] == str(offset + limit)


def test_links_keep_brackets_filter_and_include() -> None:
    expression = 'ilike(name,"*cart*")|ilike(name,"gifts")'
    body = _ok({"filter": expression, "include": "custom_discounts", "page[limit]": 5})
    for name in ("current", "first", "last", "next"):
        link = body["links"][name]
        assert "?page[offset]=" in link and "&page[limit]=5" in link
        query = dict(parse_qsl(urlsplit(link).query))
        assert query["filter"] == expression
        assert query["include"] == "custom_discounts"
    # Following the link gives the same result as asking directly.
    followed = _follow(body["links"]["next"])
    direct = _ok(
        {"filter": expression, "include": "custom_discounts", "page[limit]": 5, "page[offset]": 5}
    )
    assert followed == direct


def test_single_and_empty_pages() -> None:
    body = _ok(
        {
            "page[limit]": 100,
            "filter": 'contains(account_ids,"00000000-0000-4000-8000-000000000000")',
        }
    )
    assert body["data"] == []
    assert body["meta"]["page"]["total"] == 0 and body["meta"]["results"]["total"] == 0
    assert body["links"]["next"] is None and body["links"]["prev"] is None
    assert body["links"]["last"] is None  # PageLinks.last: "If there is only one page, it is null"
    assert body["links"]["first"] == body["links"]["current"]
    single = _ok({"page[limit]": 100, "filter": 'ilike(name,"gifts")'})
    assert 0 < single["meta"]["results"]["total"] <= 100
    assert single["links"]["last"] is single["links"]["next"] is single["links"]["prev"] is None


def test_links_stop_at_the_largest_accepted_offset(make_client) -> None:
    client = make_client(VENDOR, at_root=True, carts=10_100)
    body = _get({"page[limit]": 30, "page[offset]": 9990}, client=client).json()
    assert len(body["data"]) == 30 and body["meta"]["page"]["total"] == 337
    assert body["links"]["next"] is None  # page[offset]=10020 would be refused (maximum 10000)
    assert "page[offset]=9990&" in body["links"]["last"]
    last = _get({"page[limit]": 100, "page[offset]": 10000}, client=client).json()["links"]
    assert "page[offset]=10000&" in last["last"] and last["next"] is None


def test_offset_past_the_end_is_empty_not_an_error() -> None:
    body = _ok({"page[offset]": 10000})
    assert body["data"] == [] and body["links"]["next"] is None
    assert body["meta"]["page"]["offset"] == 10000


@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param("page[limit]", "0", id="limit-0"),
        pytest.param("page[limit]", "101", id="limit-101"),
        pytest.param("page[limit]", "-1", id="limit-negative"),
        pytest.param("page[limit]", "2.5", id="limit-float"),
        pytest.param("page[limit]", "ten", id="limit-text"),
        pytest.param("page[limit]", "9" * 40, id="limit-huge"),
        pytest.param("page[limit]", "", id="limit-empty"),
        pytest.param("page[offset]", "-1", id="offset-negative"),
        pytest.param("page[offset]", "10001", id="offset-over-max"),
        pytest.param("page[offset]", "1e3", id="offset-exponent"),
        pytest.param("page[offset]", "٣", id="offset-arabic-digit"),
        pytest.param("include", "customers", id="include-unknown"),
        pytest.param("include", "", id="include-empty"),
        pytest.param("include", "custom_discounts,items", id="include-partly-unknown"),
    ],
)
def test_bad_page_and_include_values_are_400_naming_the_parameter(name: str, value: str) -> None:
    _bad({name: value}, name)


@given(limit=st.one_of(st.integers(max_value=0), st.integers(min_value=101)))
def test_limit_out_of_range_is_never_clamped(limit: int) -> None:
    _bad({"page[limit]": limit}, "page[limit]")


def test_repeated_page_parameter_is_400() -> None:
    _bad([("page[limit]", "5"), ("page[limit]", "6")], "page[limit]")


# -- include=custom_discounts --------------------------------------------------------------------


@given(offset=st.integers(0, 299), limit=st.integers(1, 100))
def test_include_custom_discounts(offset: int, limit: int) -> None:
    body = _ok({"include": "custom_discounts", "page[offset]": offset, "page[limit]": limit})
    plain = _ok({"page[offset]": offset, "page[limit]": limit})
    assert "included" not in plain
    assert plain["data"] == body["data"]
    included = body["included"]["custom_discounts"]
    expected = []
    for cart in body["data"]:
        rel = cart["relationships"]["custom_discounts"]["data"]
        discount = cart["meta"]["display_price"]["discount"]
        assert (len(rel) == 1) == (discount["amount"] < 0)
        expected += [(r["id"], discount) for r in rel]
    assert [(d["id"], d["amount"]) for d in included] == expected
    assert all(d["type"] == "custom_discount" for d in included)


def test_custom_discount_ids_are_stable_and_unique(make_client) -> None:
    fresh = make_client(VENDOR, at_root=True, carts=300)
    first = {
        c["id"]: c["relationships"]["custom_discounts"]["data"]
        for c in _all({"include": "custom_discounts"})
    }
    params = {"page[limit]": 100, "include": "custom_discounts"}
    second = {}
    for offset in (0, 100, 200):
        body = fresh.get(ROUTE, params={**params, "page[offset]": offset}, headers=HEADERS).json()
        second |= {c["id"]: c["relationships"]["custom_discounts"]["data"] for c in body["data"]}
    assert first == second
    ids = [r["id"] for rel in first.values() for r in rel]
    assert len(ids) == len(set(ids)) == sum(c.discount > 0 for c in _carts()) > 0
    assert not set(ids) & set(first)  # not the cart ids themselves


# -- bearer auth ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing"),
        pytest.param({"Authorization": ""}, id="empty"),
        pytest.param({"Authorization": "Bearer"}, id="no-token"),
        pytest.param({"Authorization": "Basic dXNlcjpwYXNz"}, id="basic"),
        pytest.param({"Authorization": "test-token"}, id="no-scheme"),
        pytest.param({CUSTOMER: "x"}, id="shopper-header-only"),
    ],
)
def test_missing_or_malformed_bearer_is_401_errors_array(headers: dict[str, str]) -> None:
    response = _client().get(ROUTE, headers=headers)
    assert_conforms(VENDOR, response)
    assert response.status_code == 401
    (error,) = response.json()["errors"]
    assert error["status"] == 401 and error["title"] == "Unauthorized"


def test_any_well_formed_bearer_is_accepted_by_default() -> None:
    assert _get(headers={"Authorization": "bearer whatever.jwt.value"}).status_code == 200


def test_configured_token_is_the_only_one_accepted(make_client) -> None:
    client = make_client(VENDOR, at_root=True, token="s3cret")
    assert _get(headers={"Authorization": "Bearer s3cret"}, client=client).status_code == 200
    response = _get(headers={"Authorization": "Bearer test-token"}, client=client)
    assert response.status_code == 401
    assert response.json()["errors"][0]["title"] == "Unauthorized"


def test_prefixed_mount_links_use_the_prefix(make_client) -> None:
    client = make_client(VENDOR, carts=30)
    response = client.get("/elasticpath/v2/carts", params={"page[limit]": 10}, headers=HEADERS)
    assert_conforms(VENDOR, response)
    assert response.json()["links"]["next"].startswith("http://testserver/elasticpath/v2/carts?")


# -- faults and determinism ----------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 401, 403, 429, 500, 503])
def test_forced_statuses_use_the_errors_envelope(status: int) -> None:
    response = _get(headers={**HEADERS, "X-Cartkit-Force-Status": str(status)})
    assert response.status_code == status
    (error,) = response.json()["errors"]
    assert error["status"] == status
    if status == 429:
        assert response.headers["Retry-After"] == "1"
    if status == 500:
        uuid.UUID(error["request_id"])


def _bodies(client: TestClient) -> list[bytes]:
    queries = [
        {},
        {"page[limit]": 100, "page[offset]": 37, "include": "custom_discounts"},
        {"filter": 'ilike(name,"*cart*")|ilike(name,"gifts")'},
    ]
    return [client.get(ROUTE, params=q, headers=HEADERS).content for q in queries]


def test_same_seed_same_bytes_different_seed_different(make_client) -> None:
    one = _bodies(make_client(VENDOR, at_root=True, seed=7))
    two = _bodies(make_client(VENDOR, at_root=True, seed=7))
    other = _bodies(make_client(VENDOR, at_root=True, seed=8))
    assert one == two
    assert all(a != b for a, b in zip(one, other, strict=True))


def test_response_is_json() -> None:
    response: httpx.Response = _get()
    assert response.headers["content-type"].startswith("application/json")
