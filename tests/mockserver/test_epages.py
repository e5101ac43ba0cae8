"""ePages ``GET /rs/shops/{shopId}/carts``: every documented parameter does what the docs say.

Expectations are recomputed here from the rendered carts (or the canonical dataset), never with
the vendor module's own predicates; every response is checked against specs/epages.yaml.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from cartkit.mockserver import create_app

from ._epages import VENDOR, get
from .conftest import client_for, vendor_of


def walk(client: TestClient, size: int, **params: Any) -> tuple[list[dict[str, Any]], int]:
    """All carts page by page; also checks each page's envelope and the empty page after."""
    items: list[dict[str, Any]] = []
    page, total = 1, None
    while True:
        body = get(client, page=page, resultsPerPage=size, **params).json()
        assert body["page"] == page and body["resultsPerPage"] == size
        total = body["results"] if total is None else total
        assert body["results"] == total, "the total changed while paging"
        if not body["items"]:
            assert len(items) == total and page == math.ceil(total / size) + 1
            return items, total
        assert len(body["items"]) == min(size, total - len(items))
        items += body["items"]
        page += 1


def created(cart: dict[str, Any]) -> int:
    return int(datetime.fromisoformat(cart["creationDate"].replace("Z", "+00:00")).timestamp())


def has_address(cart: dict[str, Any]) -> bool:
    return cart["billingAddress"] is not None or cart["shippingAddress"] is not None


@functools.cache
def everything(carts: int = 300) -> list[dict[str, Any]]:
    """Every rendered cart of the cached client, in the served order."""
    items, total = walk(client_for(VENDOR, carts), 100)
    assert total == carts
    return items


def money_objects(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "taxType" in node:
            yield node
        for value in node.values():
            yield from money_objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from money_objects(value)


def cents(money: dict[str, Any]) -> int:
    return int(Decimal(str(money["amount"])) * 100)


# -- data: shape, totals, ids -----------------------------------------------------------------


def test_default_request_is_the_first_page_of_ten_newest_first() -> None:
    response = get()
    body = response.json()
    assert response.headers["content-type"] == "application/json"
    assert (body["page"], body["resultsPerPage"], body["results"]) == (1, 10, 300)
    assert [c["cartId"] for c in body["items"]] == [c["cartId"] for c in everything()[:10]]
    for header in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
        assert header in response.headers
    assert response.headers["X-RateLimit-Limit"] == "6000"
    now = vendor_of(client_for(VENDOR), VENDOR).dataset.now
    reset = datetime.fromisoformat(response.headers["X-RateLimit-Reset"].replace("Z", "+00:00"))
    assert 0 < reset.timestamp() - now <= 3600


def test_order_is_creation_date_descending() -> None:
    dates = [created(c) for c in everything()]
    assert dates == sorted(dates, reverse=True)


def test_carts_render_the_canonical_dataset() -> None:
    dataset = vendor_of(client_for(VENDOR), VENDOR).dataset
    by_id = {cart.uid.upper(): cart for cart in dataset.carts}
    rendered = everything()
    assert {c["cartId"] for c in rendered} == set(by_id)
    for item in rendered:
        cart = by_id[item["cartId"]]
        assert re.fullmatch(r"[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}", item["cartId"])
        assert created(item) == cart.created_at
        for key, address in (
            ("billingAddress", cart.billing_address),
            ("shippingAddress", cart.shipping_address),
        ):
            if address is None:
                assert item[key] is None
            else:
                assert (item[key]["firstName"], item[key]["lastName"]) == (
                    address.first_name,
                    address.last_name,
                )
                assert (item[key]["zipCode"], item[key]["city"]) == (address.zip_code, address.city)
        lines = item["lineItemContainer"]["productLineItems"]
        assert [line["lineItemId"] for line in lines] == [line.uid.upper() for line in cart.lines]
        assert [line["quantity"]["amount"] for line in lines] == [q.quantity for q in cart.lines]


def test_money_adds_up_gross_with_19_percent_vat() -> None:
    seen_discount = False
    for item in everything():
        box = item["lineItemContainer"]
        lines = box["productLineItems"]
        for line in lines:
            assert (
                cents(line["lineItemPrice"])
                == cents(line["singleItemPrice"]) * (line["quantity"]["amount"])
            )
        subtotal = cents(box["lineItemsSubTotal"])
        assert subtotal == sum(cents(line["lineItemPrice"]) for line in lines)
        discount = box["basketDiscount"].get("lineItemPrice")
        off = -cents(discount) if discount else 0
        assert off >= 0 and (off > 0) == (discount is not None)
        seen_discount |= off > 0
        gross = cents(box["grandTotal"])
        assert gross == subtotal + cents(box["shippingPrice"]) - off
        assert cents(box["totalBeforeTax"]) + cents(box["totalTax"]) == gross
        assert abs(cents(box["totalBeforeTax"]) * 0.19 - cents(box["totalTax"])) <= 1
        assert [box[k]["taxType"] for k in ("grandTotal", "totalBeforeTax", "totalTax")] == [
            "GROSS",
            "NET",
            "NONE",
        ]
        assert cents(item["shippingData"]["price"]) == cents(box["shippingPrice"])
        for money in money_objects(item):
            assert money["currency"] == "EUR"
            assert Decimal(str(money["amount"])).as_tuple().exponent >= -2
    assert seen_discount


def urls(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"url", "href", "checkoutUrl", "registerSessionUrl"}:
                yield value
            yield from urls(value)
    elif isinstance(node, list):
        for value in node:
            yield from urls(value)


def test_urls_are_absolute_ascii_uris() -> None:
    # The spec says format: uri (RFC 3986): ASCII only, umlauts of German product names encoded.
    for url in urls(everything()):
        assert re.fullmatch(r"http://testserver/[!#-;=?-~]+", url), url


def test_statuses_addresses_and_links_are_spread() -> None:
    rendered = everything()
    with_address = sum(has_address(c) for c in rendered)
    assert 0 < with_address < len(rendered)
    assert {c["paymentData"]["status"] for c in rendered} == {None, "CANCELED"}
    cart = rendered[0]
    assert {link["rel"] for link in cart["links"]} == {"self", "shipping-method", "add-coupon"}
    self_link = next(link["href"] for link in cart["links"] if link["rel"] == "self")
    assert self_link == f"http://testserver/rs/shops/DemoShop/carts/{cart['cartId']}"


# -- page / resultsPerPage --------------------------------------------------------------------


@given(size=st.integers(1, 100))
def test_walking_all_pages_returns_each_cart_once(size: int) -> None:
    client = client_for(VENDOR, 60)
    items, total = walk(client, size)
    ids = [c["cartId"] for c in items]
    assert total == 60 and len(ids) == len(set(ids)) == 60
    assert ids == [c["cartId"] for c in everything(60)]


@pytest.mark.parametrize(
    ("page", "size", "count"),
    [(2, 10, 10), (3, 100, 100), (4, 100, 0), (31, 10, 0), (10**6, 100, 0), (10**25, 1, 0)],
)
def test_pages_up_to_and_past_the_end(page: int, size: int, count: int) -> None:
    body = get(page=page, resultsPerPage=size).json()
    assert (body["page"], body["resultsPerPage"], body["results"]) == (page, size, 300)
    assert len(body["items"]) == count


@pytest.mark.parametrize("size", [1, 100])
def test_results_per_page_bounds_are_accepted(size: int) -> None:
    assert len(get(resultsPerPage=size).json()["items"]) == size


# -- createdAfter / createdBefore / hasAddressData --------------------------------------------

_ZONES = {"Z": UTC, "+00:00": UTC, "+02:00": timezone(timedelta(hours=2))}
_ZONES["-05:30"] = timezone(-timedelta(hours=5, minutes=30))


@st.composite
def instants(draw: st.DrawFn) -> tuple[str, Fraction]:
    """An RFC 3339 instant near a cart's creation (the boundary cases) and its exact value."""
    base = draw(st.sampled_from([created(c) for c in everything(60)]))
    seconds = base + draw(st.sampled_from([-86400, -1, 0, 1, 3600]))
    fraction = draw(st.sampled_from(["", ".0", ".5", ".000001", ".999999999"]))
    zone = draw(st.sampled_from(sorted(_ZONES)))
    local = datetime.fromtimestamp(seconds, _ZONES[zone]).strftime("%Y-%m-%dT%H:%M:%S")
    text = f"{local}{fraction}{zone}"
    if draw(st.booleans()):  # RFC 3339 allows lowercase t and z
        text = text.replace("T", "t").replace("Z", "z")
    exact = seconds + (Fraction(int(fraction[1:]), 10 ** len(fraction[1:])) if fraction else 0)
    return text, Fraction(exact)


@given(
    after=st.none() | instants(),
    before=st.none() | instants(),
    address=st.sampled_from([None, True, False]),
    size=st.integers(10, 100),
)
def test_filters_return_exactly_the_matching_carts(
    after: tuple[str, Fraction] | None,
    before: tuple[str, Fraction] | None,
    address: bool | None,
    size: int,
) -> None:
    params: dict[str, Any] = {}
    if after:
        params["createdAfter"] = after[0]
    if before:
        params["createdBefore"] = before[0]
    if address is not None:
        params["hasAddressData"] = str(address).lower()
    items, total = walk(client_for(VENDOR, 60), size, **params)
    expected = [
        c["cartId"]
        for c in everything(60)
        if (after is None or created(c) > after[1])
        and (before is None or created(c) < before[1])
        and (address is None or has_address(c) is address)
    ]
    assert [c["cartId"] for c in items] == expected
    assert total == len(expected)


def test_created_bounds_are_exclusive_and_the_30_day_window_is_not_enforced() -> None:
    cart = everything()[150]
    stamp = cart["creationDate"]
    ids = lambda **p: {c["cartId"] for c in get(resultsPerPage=100, **p).json()["items"]}  # noqa: E731
    assert cart["cartId"] not in ids(createdAfter=stamp, createdBefore="2100-01-01T00:00:00Z")
    assert cart["cartId"] not in ids(createdBefore=stamp, createdAfter="2000-01-01T00:00:00Z")
    # Fractions of a second count: half a second after / before the cart was created.
    t = created(cart)
    results = lambda **p: get(**p).json()["results"]  # noqa: E731
    later = stamp.replace("Z", ".5Z")
    earlier = datetime.fromtimestamp(t - 1, UTC).strftime("%Y-%m-%dT%H:%M:%S.5+00:00")
    assert results(createdAfter=later) == sum(created(c) > t for c in everything())
    assert results(createdBefore=later.lower()) == sum(created(c) <= t for c in everything())
    assert results(createdAfter=earlier) == sum(created(c) >= t for c in everything())
    assert results(createdBefore=earlier) == sum(created(c) < t for c in everything())
    window = {"createdAfter": "2000-01-01T00:00:00Z", "createdBefore": "2100-01-01T00:00:00Z"}
    assert get(**window).json()["results"] == 300  # a century: applied literally, no error
    assert get(createdAfter="0000-01-01T00:00:00Z").json()["results"] == 300
    assert get(createdBefore="2016-12-31T23:59:60Z").json()["results"] == 0  # leap second
    inverted = {"createdAfter": "2100-01-01T00:00:00Z", "createdBefore": "2000-01-01T00:00:00Z"}
    assert get(**inverted).json() | {"items": []} == {
        "results": 0,
        "page": 1,
        "resultsPerPage": 10,
        "items": [],
    }


def test_has_address_data_partitions_the_carts() -> None:
    with_address = get(hasAddressData="true").json()["results"]
    without = get(hasAddressData="false").json()["results"]
    assert with_address + without == 300
    assert with_address == sum(has_address(c) for c in everything())


# -- locale ------------------------------------------------------------------------------------

_STYLES: dict[str, Callable[[str], Decimal]] = {
    # "1.234,56 €"
    "de": lambda s: Decimal(s.removesuffix(" €").replace(".", "").replace(",", ".")),
    # "€1,234.56", "-€10.00"
    "en": lambda s: Decimal(s.replace("€", "").replace(",", "")),
    # "1 234,56 €"
    "fr": lambda s: Decimal(s.removesuffix(" €").replace(" ", "").replace(",", ".")),
}
_LOCALES = [
    (None, "de"),
    ("de_DE", "de"),
    ("de-DE", "de"),
    ("de_AT", "de"),
    ("de", "de"),
    ("en_US", "en"),
    ("en_GB", "en"),
    ("en-US", "en"),
    ("en", "en"),
    ("fr_FR", "fr"),
    ("fr_BE", "fr"),
    ("ja_JP", "de"),  # valid but not a shop language: the shop default, de_DE
    ("en_DE", "de"),
    ("xx", "de"),
]
_SHAPES = {
    "de": re.compile(r"-?\d{1,3}(\.\d{3})*,\d\d €"),
    "en": re.compile(r"-?€\d{1,3}(,\d{3})*\.\d\d"),
    "fr": re.compile(r"-?\d{1,3}( \d{3})*,\d\d €"),
}


@given(locale=st.sampled_from(_LOCALES), page=st.integers(1, 3))
def test_locale_shapes_every_formatted_price(locale: tuple[str | None, str], page: int) -> None:
    value, style = locale
    params = {"page": page, "resultsPerPage": 100} | ({"locale": value} if value else {})
    body = get(**params).json()
    for money in money_objects(body["items"]):
        assert _SHAPES[style].fullmatch(money["formatted"]), money
        assert _STYLES[style](money["formatted"]) == Decimal(str(money["amount"]))


def test_locale_changes_only_the_wording() -> None:
    default, english = get(resultsPerPage=50).json(), get(resultsPerPage=50, locale="en_GB").json()
    amounts = lambda body: [m["amount"] for m in money_objects(body)]  # noqa: E731
    assert amounts(default) == amounts(english)
    assert [c["cartId"] for c in default["items"]] == [c["cartId"] for c in english["items"]]
    units = {line["quantity"]["unit"] for line in english["items"][0]["lineItemContainer"]["productLineItems"]}  # fmt: skip
    assert units == {"piece(s)"}
    thousands = [m["formatted"] for m in money_objects(english) if m["amount"] >= 1000]
    assert all("," in f for f in thousands)


def test_unknown_locale_is_byte_identical_to_the_shop_default() -> None:
    assert get(locale="ja_JP").content == get(locale="de_DE").content == get().content


# -- determinism -------------------------------------------------------------------------------


def test_same_seed_same_bytes_different_seed_different_carts() -> None:
    def bodies(seed: int) -> list[bytes]:
        client = TestClient(create_app(vendors=(VENDOR,), at_root=True, carts=120, seed=seed))
        queries = [{}, {"locale": "fr_FR", "page": 2}, {"hasAddressData": "true"}]
        return [get(client, **q).content for q in queries]

    assert bodies(7) == bodies(7)
    assert all(a != b for a, b in zip(bodies(7), bodies(8), strict=True))
