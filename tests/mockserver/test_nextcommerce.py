"""Next Commerce (29 Next) ``GET /api/admin/carts/``: semantics of every documented parameter.

Expectations are recomputed here from the canonical dataset (``vendor_of(...).dataset.carts``)
with test-local code, never with the vendor module's predicates.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from cartkit.mockserver.model import Cart

from ._nextcommerce import HEADERS, PAGE, PATH, VENDOR, Params, _b64, client, follow, get, walk
from .conftest import assert_conforms, vendor_of

STRING_FILTERS = (
    "utm_source",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "affiliate",
    *(f"subaffiliate{n}" for n in range(1, 6)),
)


def carts() -> list[Cart]:
    return vendor_of(client(), VENDOR).dataset.carts


def attribution_value(cart: Cart, name: str) -> str | None:
    a = cart.attribution
    if a is None:
        return None
    if name.startswith("subaffiliate"):
        return a.subaffiliates[int(name[-1]) - 1]
    return getattr(a, name)


def expected(filters: dict[str, Any]) -> list[int]:
    """Ids the listing must return for *filters*, newest first (test-local recomputation)."""
    out = []
    for cart in carts():
        if cart.status not in ("active", "abandoned"):
            continue
        if "abandoned" in filters and (cart.status == "abandoned") != filters["abandoned"]:
            continue
        if "currency" in filters and cart.currency != filters["currency"]:
            continue
        day = datetime.fromtimestamp(cart.created_at, UTC).date().isoformat()
        if "date_created_from" in filters and day < filters["date_created_from"]:
            continue
        if "date_created_to" in filters and day > filters["date_created_to"]:
            continue
        if "product" in filters and not {ln.product.number for ln in cart.lines} & set(
            filters["product"]
        ):
            continue
        if "funnels" in filters and attribution_value(cart, "funnel") not in filters["funnels"]:
            continue
        if any(
            name in filters and attribution_value(cart, name) != filters[name]
            for name in STRING_FILTERS
        ):
            continue
        out.append(cart)
    out.sort(key=lambda c: (c.created_at, c.number), reverse=True)
    return [c.number for c in out]


def to_params(filters: dict[str, Any]) -> Params:
    params: Params = []
    for name, value in filters.items():
        if isinstance(value, bool):
            params.append((name, str(value).lower()))
        elif isinstance(value, list):
            params += [(name, str(item)) for item in value]
        else:
            params.append((name, value))
    return params


def values_of(name: str, *, open_only: bool = False) -> list[str]:
    listed = [c for c in carts() if not open_only or c.status in ("active", "abandoned")]
    return sorted({v for c in listed if (v := attribution_value(c, name)) is not None})


def product_ids() -> list[int]:
    return sorted({ln.product.number for c in carts() for ln in c.lines})


DAYS = [(date(2025, 7, 15) + timedelta(days=n)).isoformat() for n in range(0, 190, 9)]


@st.composite
def filter_sets(draw: st.DrawFn) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {
        "abandoned": st.booleans(),
        "currency": st.sampled_from(["USD", "EUR", "GBP", "CAD", "AUD", "JPY"]),
        "date_created_from": st.sampled_from(DAYS),
        "date_created_to": st.sampled_from(DAYS),
        "product": st.lists(st.sampled_from(product_ids()), min_size=1, max_size=4),
        "funnels": st.lists(
            st.sampled_from(["main", "upsell", "vip", "black-friday", "none"]),
            min_size=1,
            max_size=3,
        ),
        **{name: st.sampled_from([*values_of(name), "no-such"]) for name in STRING_FILTERS},
    }
    for name in draw(st.lists(st.sampled_from(sorted(optional)), max_size=3, unique=True)):
        filters[name] = draw(optional[name])
    return filters


# -- listing, rendering -------------------------------------------------------------------------


def test_first_page_shape_and_defaults() -> None:
    response = get()
    assert response.status_code == 200
    body = response.json()
    assert body["previous"] is None
    assert len(body["results"]) == PAGE  # fixed page size, no page-size parameter
    assert body["next"].startswith("http://testserver/api/admin/carts/?cursor=")
    for cart in body["results"]:
        assert cart["status"] == "Open"


def test_lists_open_carts_only_newest_first() -> None:
    ids = [c["id"] for c in walk([])]
    assert ids == expected({})
    by_id = {c.number: c for c in carts()}
    assert {by_id[i].status for i in ids} == {"active", "abandoned"}


def test_rendering_matches_canonical_carts() -> None:
    by_id = {c.number: c for c in carts()}
    customers = {c.customer.number for c in carts() if c.customer}
    for rendered in walk([]):
        cart = by_id[rendered["id"]]
        assert rendered["abandoned"] is (cart.status == "abandoned")
        assert rendered["currency"] == cart.currency
        assert rendered["date_created"] == datetime.fromtimestamp(cart.created_at, UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        assert [ln["quantity"] for ln in rendered["lines"]] == [ln.quantity for ln in cart.lines]
        for line, canon in zip(rendered["lines"], cart.lines, strict=True):
            assert line["product"]["id"] == canon.product.number
            assert line["stockrecord"]["price"] == f"{canon.product.price / 100:.2f}"
            assert line["price_currency"] == line["stockrecord"]["price_currency"] == cart.currency
        user = rendered["user"]
        if cart.customer is None:
            assert user["id"] not in customers  # synthetic guest id
            assert user["email"] == cart.email
        else:
            assert user["id"] == cart.customer.number
            assert user["email"] == cart.customer.email
        for name in (*STRING_FILTERS, "utm_medium", "gclid", "funnel"):
            assert rendered["attribution"][name] == attribution_value(cart, name)
        assert isinstance(rendered["attribution"]["agent"]["id"], int)


def test_several_currencies_and_attribution_present() -> None:
    results = walk([])
    assert {c["currency"] for c in results} >= {"USD", "EUR"}
    assert any(c["attribution"]["utm_source"] for c in results)
    assert any(c["attribution"]["utm_source"] is None for c in results)


# -- filters ------------------------------------------------------------------------------------


@given(filters=filter_sets())
def test_any_filter_returns_exactly_the_matching_carts(filters: dict[str, Any]) -> None:
    assert [c["id"] for c in walk(to_params(filters))] == expected(filters)


@pytest.mark.parametrize("value", [True, False])
def test_abandoned(value: bool) -> None:
    results = walk([("abandoned", str(value).lower())])
    assert results and all(c["abandoned"] is value for c in results)
    assert [c["id"] for c in results] == expected({"abandoned": value})


@pytest.mark.parametrize(("spelling", "value"), [("True", True), ("1", True), ("0", False)])
def test_abandoned_django_spellings(spelling: str, value: bool) -> None:
    assert [c["id"] for c in walk([("abandoned", spelling)])] == expected({"abandoned": value})


@pytest.mark.parametrize("currency", ["USD", "EUR", "GBP", "CAD", "AUD"])
def test_currency(currency: str) -> None:
    results = walk([("currency", currency)])
    assert all(c["currency"] == currency for c in results)
    assert [c["id"] for c in results] == expected({"currency": currency})


def test_date_bounds_are_inclusive_whole_utc_days() -> None:
    open_carts = [c for c in carts() if c.status in ("active", "abandoned")]
    day = datetime.fromtimestamp(open_carts[len(open_carts) // 2].created_at, UTC).date()
    same_day = walk([("date_created_from", day.isoformat()), ("date_created_to", day.isoformat())])
    assert same_day and all(c["date_created"].startswith(day.isoformat()) for c in same_day)
    after = walk([("date_created_from", day.isoformat())])
    assert all(c["date_created"][:10] >= day.isoformat() for c in after)
    assert [c["id"] for c in after] == expected({"date_created_from": day.isoformat()})
    reversed_bounds = [("date_created_from", "2025-12-02"), ("date_created_to", "2025-12-01")]
    assert walk(reversed_bounds) == []


def test_date_far_bounds() -> None:
    assert walk([("date_created_to", "9999-12-31")]) == walk([])
    assert walk([("date_created_to", "0001-01-01")]) == []


def test_product_repeated_and_comma_separated() -> None:
    ids = product_ids()[:3]
    repeated = walk([("product", str(i)) for i in ids])
    comma = walk([("product", ",".join(map(str, ids)))])
    assert repeated == comma
    assert [c["id"] for c in repeated] == expected({"product": ids})
    for cart in repeated:
        assert {ln["product"]["id"] for ln in cart["lines"]} & set(ids)
    assert walk([("product", "2147483647")]) == []


def test_funnels_repeated_and_comma_separated() -> None:
    repeated = walk([("funnels", "vip"), ("funnels", "upsell")])
    assert repeated == walk([("funnels", "vip,upsell")])
    assert {c["attribution"]["funnel"] for c in repeated} == {"vip", "upsell"}
    assert [c["id"] for c in repeated] == expected({"funnels": ["vip", "upsell"]})


@pytest.mark.parametrize("name", STRING_FILTERS)
def test_string_filters_match_exactly(name: str) -> None:
    value = values_of(name, open_only=True)[0]
    results = walk([(name, value)])
    assert results and all(c["attribution"][name] == value for c in results)
    assert [c["id"] for c in results] == expected({name: value})
    assert walk([(name, value.upper())]) == []  # exact, case-sensitive
    assert walk([(name, value[:-1])]) == []  # no prefix match


def test_empty_string_filter_is_ignored() -> None:
    # django-filter skips empty values.
    assert walk([("utm_source", ""), ("affiliate", "")]) == walk([])


@given(
    name=st.sampled_from(STRING_FILTERS),
    value=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40),
)
def test_odd_string_filter_values_never_fail(name: str, value: str) -> None:
    response = get([(name, value)])
    assert response.status_code == 200
    assert all(c["attribution"][name] == value for c in response.json()["results"])


@pytest.mark.parametrize(
    "value", ["\u0000", "🛒🎁", "שלום עולם", "x" * 5000, "' OR 1=1 --", "%00", "a\nb"]
)
def test_odd_unicode_and_long_values(value: str) -> None:
    response = get([("utm_campaign", value)])
    assert response.status_code == 200
    assert response.json()["results"] == []


# -- pagination ---------------------------------------------------------------------------------


@given(filters=filter_sets())
def test_walk_forward_and_back(filters: dict[str, Any]) -> None:
    params = to_params(filters)
    pages = []
    body = get(params).json()
    pages.append([c["id"] for c in body["results"]])
    while body["next"]:
        body = follow(body["next"]).json()
        pages.append([c["id"] for c in body["results"]])
    flat = [i for page in pages for i in page]
    assert len(flat) == len(set(flat)) == len(expected(filters))
    assert all(len(page) == PAGE for page in pages[:-1])
    # ...and back again through `previous`, page by page.
    back = [pages[-1]]
    while body["previous"]:
        body = follow(body["previous"]).json()
        back.append([c["id"] for c in body["results"]])
    assert back[::-1] == pages


def test_links_keep_every_filter() -> None:
    params: Params = [("abandoned", "true"), ("date_created_from", "2020-01-01")]
    params += [("date_created_to", "2030-12-31"), ("utm_source", ""), ("subaffiliate3", "")]
    params += [("product", str(i)) for i in product_ids()]
    params += [("funnels", ""), ("x-unknown", "kept")]
    sent: dict[str, list[str]] = {}
    for key, value in params:
        sent.setdefault(key, []).append(value)
    body = get(params).json()
    assert [c["id"] for c in body["results"]] == expected({"abandoned": True})[:PAGE]
    body = follow(body["next"]).json()
    for link in (body["next"], body["previous"]):
        parts = urlsplit(link)
        assert (parts.scheme, parts.netloc, parts.path) == ("http", "testserver", PATH)
        query = parse_qs(parts.query, keep_blank_values=True)
        assert query.pop("cursor")
        assert query == sent


def test_empty_cursor_is_first_page() -> None:
    assert get([("cursor", "")]).content == get().content


def test_cursor_is_base64_of_position() -> None:
    body = get().json()
    cursor = parse_qs(urlsplit(body["next"]).query)["cursor"][0]
    decoded = base64.urlsafe_b64decode(cursor).decode()
    assert re.fullmatch(r"p=\d+&s=[0-9a-f]{16}", decoded)
    assert decoded.startswith(f"p={body['results'][-1]['id']}&")
    previous = follow(body["next"]).json()["previous"]
    decoded = base64.urlsafe_b64decode(parse_qs(urlsplit(previous).query)["cursor"][0]).decode()
    assert decoded.startswith("r=1&p=")


def test_cursor_survives_filter_change() -> None:
    # DRF cursors are keyset positions: the same cursor pages any filter after that position.
    body = get().json()
    boundary = next(c for c in carts() if c.number == body["results"][-1]["id"])
    cursor = parse_qs(urlsplit(body["next"]).query)["cursor"][0]
    results = get([("cursor", cursor), ("abandoned", "true")]).json()["results"]
    assert results
    assert all(
        (c["date_created"], c["id"]) < (body["results"][-1]["date_created"], boundary.number)
        for c in results
    )


def test_prefixed_mount_links(make_client: Callable[..., TestClient]) -> None:
    mounted = make_client(VENDOR, carts=100)
    body = mounted.get(f"/nextcommerce{PATH}", headers=HEADERS).json()
    assert body["next"].startswith("http://testserver/nextcommerce/api/admin/carts/?cursor=")
    assert follow(body["next"], mounted).status_code == 200


def test_empty_dataset(make_client: Callable[..., TestClient]) -> None:
    empty = make_client(VENDOR, at_root=True, carts=0)
    response = empty.get(PATH, headers=HEADERS)
    assert_conforms(VENDOR, response)
    assert response.json() == {"next": None, "previous": None, "results": []}
    assert (
        empty.get(
            PATH, params={"cursor": _b64("p=10000&s=0123456789abcdef")}, headers=HEADERS
        ).status_code
        == 404
    )


# -- determinism --------------------------------------------------------------------------------


def _bodies(test_client: TestClient) -> list[bytes]:
    first = test_client.get(PATH, headers=HEADERS)
    second = test_client.get(first.json()["next"], headers=HEADERS)
    filtered = test_client.get(PATH, params={"abandoned": "true"}, headers=HEADERS)
    return [first.content, second.content, filtered.content]


def test_same_seed_same_bytes(make_client: Callable[..., TestClient]) -> None:
    a = make_client(VENDOR, at_root=True, seed=7)
    b = make_client(VENDOR, at_root=True, seed=7)
    assert _bodies(a) == _bodies(b)


def test_different_seeds_differ(make_client: Callable[..., TestClient]) -> None:
    a = make_client(VENDOR, at_root=True, seed=7)
    b = make_client(VENDOR, at_root=True, seed=8)
    assert all(x != y for x, y in zip(_bodies(a), _bodies(b), strict=True))
