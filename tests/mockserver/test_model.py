"""The canonical cart (``mockserver/model.py``): ids, derived fields and rendering helpers."""

from __future__ import annotations

import functools
import ipaddress
import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cartkit.mockserver.dataset import Dataset, generate
from cartkit.mockserver.model import Cart, Line, Product, iso, uuid4_text
from cartkit.mockserver.vendors.stateset import MARKET

BITS = st.integers(0, 2**256 - 1)


@functools.cache
def data() -> Dataset:
    return generate(MARKET, seed=4, count=300)


@given(bits=BITS)
def test_uuid4_text_is_the_canonical_version_4_uuid_of_the_low_128_bits(bits: int) -> None:
    text = uuid4_text(bits)
    assert text == str(uuid.UUID(int=bits & (2**128 - 1), version=4))
    parsed = uuid.UUID(text)
    assert parsed.version == 4 and parsed.variant == uuid.RFC_4122 and text == text.lower()


@given(bits=BITS, high=st.integers(0, 2**128 - 1))
def test_only_the_low_128_bits_make_the_uuid(bits: int, high: int) -> None:
    low = bits & (2**128 - 1)
    assert uuid4_text(high << 128 | low) == uuid4_text(low)


@given(a=BITS, b=BITS)
def test_uid_int_sorts_as_the_uid_text_does(a: int, b: int) -> None:
    carts = data().carts
    one, two = carts[0]._replace(key=a), carts[1]._replace(key=b)
    assert (one.uid_int < two.uid_int) is (one.uid < two.uid)
    assert uuid.UUID(one.uid).int == one.uid_int


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "1970-01-01T00:00:00Z"),
        (1768478400, "2026-01-15T12:00:00Z"),
        (951782400, "2000-02-29T00:00:00Z"),
    ],
)
def test_iso_renders_utc_seconds_with_a_z(seconds: int, text: str) -> None:
    assert iso(seconds) == text
    assert datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp() == seconds


@given(bits=BITS)
def test_the_ip_address_is_a_unicast_ipv4_address_of_the_documented_ranges(bits: int) -> None:
    cart = data().carts[0]._replace(key=bits)
    address = ipaddress.IPv4Address(cart.ip)  # canonical dotted quad: no leading zeros
    assert str(address) == cart.ip
    assert not (address.is_multicast or address.is_reserved or address.is_unspecified)
    first, *_, last = (int(part) for part in cart.ip.split("."))
    assert 11 <= first <= 223 and 1 <= last <= 254  # never 0.x-10.x, nor a .0 or .255 host


def test_the_ip_address_uses_the_whole_first_octet_range() -> None:
    firsts = {data().carts[0]._replace(key=n << 248).ip.split(".")[0] for n in range(256)}
    assert {"11", "223"} <= firsts


@given(bits=BITS)
def test_the_session_id_spells_the_session_bits(bits: int) -> None:
    cart = data().carts[0]._replace(key=bits)
    assert cart.session_id == f"sess_{cart.session_bits:024x}"
    assert len(cart.session_id) == 5 + 24 and cart.session_bits < 2**96
    assert cart.session_bits == (bits >> 128) % 2**96  # not the uid's bits


def test_numbers_follow_the_index_and_line_numbers_never_collide() -> None:
    carts = data().carts
    assert [cart.number for cart in carts] == [10_000 + cart.index for cart in carts]
    numbers = [line.number for cart in carts for line in cart.lines]
    assert len(numbers) == len(set(numbers))  # 8 per cart: more than any basket holds
    assert max(len(cart.basket) for cart in carts) <= 8


def test_lines_are_the_basket_with_stable_unique_ids() -> None:
    carts = data().carts
    for cart in carts[:50]:
        assert [(line.product, line.quantity) for line in cart.lines] == list(cart.basket)
        assert cart.lines == cart.lines  # derived, yet the same every time
        assert cart.item_count == sum(line.quantity for line in cart.lines)
    uids = [line.uid for cart in carts for line in cart.lines]
    assert len(uids) == len(set(uids)) and all(uuid.UUID(u).version == 4 for u in uids)


def test_a_line_total_is_price_times_quantity() -> None:
    product = Product(1, "u", "SKU", "Mug", 1299, "https://i", "https://p")
    assert Line(1, "l", product, 3).total == 3897


def test_addresses_share_the_shoppers_name_and_only_billing_has_the_email() -> None:
    carts = [c for c in data().carts if c.billing_place is not None]
    assert carts
    for cart in carts:
        billing, shipping = cart.billing_address, cart.shipping_address
        assert billing is not None and shipping is not None
        assert (billing.first_name, billing.last_name) == cart.shopper
        assert (billing.street, billing.city) == (
            cart.billing_place.street,
            cart.billing_place.city,
        )  # type: ignore[union-attr]
        assert billing.email == cart.email
        if cart.shipping_place is cart.billing_place:
            assert shipping == billing  # shipping to the billing address: the same one
        else:
            assert shipping.email is None and shipping.street == cart.shipping_place.street  # type: ignore[union-attr]


def test_a_cart_without_a_place_has_no_address() -> None:
    cart = next(c for c in data().carts if c.billing_place is None)
    assert not cart.has_address
    assert cart.billing_address is None and cart.shipping_address is None


def test_derived_fields_of_guests_and_customers() -> None:
    carts = data().carts
    guest = next(c for c in carts if c.customer is None)
    member = next(c for c in carts if c.customer is not None)
    assert guest.customer_uid is None
    assert member.customer_uid == member.customer.uid  # type: ignore[union-attr]
    assert all(c.expires_at == c.updated_at + 7 * 86_400 for c in carts)


def test_a_cart_is_an_immutable_tuple() -> None:
    cart: Cart = data().carts[0]
    with pytest.raises(AttributeError):
        cart.status = "active"  # type: ignore[misc]
    before = cart.status
    changed = cart._replace(status="abandoned" if before != "abandoned" else "active")
    assert changed.status != before and cart.status == before  # a new cart, the old one kept
    assert changed.key == cart.key and changed.uid == cart.uid


def test_no_two_carts_share_a_line_number_even_at_the_most_lines() -> None:
    # Your own carts may hold up to MAX_LINES lines (the data schema's maxItems): 29 Next shows
    # line numbers as line ids, which must stay unique across carts.
    import json
    from importlib import resources

    from starlette.testclient import TestClient

    from cartkit.mockserver import MockConfig, create_app
    from cartkit.mockserver.model import MAX_LINES

    from .conftest import AUTH

    schema = json.loads(
        resources.files("cartkit.mockserver").joinpath("carts.schema.json").read_text()
    )
    assert _max_items(schema, "lines") == MAX_LINES
    data = [
        {  # open, as 29 Next lists only open carts
            "status": "active",
            "lines": [{"sku": f"SKU-{cart}-{n}", "price": "1.00"} for n in range(MAX_LINES)],
        }
        for cart in "AB"
    ]
    config = MockConfig(vendors=("nextcommerce",), carts=2, data=data)
    client = TestClient(create_app(config))
    ids: list[int] = []
    url = "/nextcommerce/api/admin/carts/"
    while url:
        page = client.get(url, headers=AUTH["nextcommerce"]).json()
        ids += [line["id"] for cart in page["results"] for line in cart["lines"]]
        url = page["next"]
    assert len(ids) >= 2 * MAX_LINES and len(ids) == len(set(ids))


def _max_items(node: object, name: str) -> int | None:
    """The ``maxItems`` of the first property called *name* anywhere in a JSON Schema."""
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict) and name in node["properties"]:
            return node["properties"][name].get("maxItems")
        for value in node.values():
            if (found := _max_items(value, name)) is not None:
                return found
    elif isinstance(node, list):
        for value in node:
            if (found := _max_items(value, name)) is not None:
                return found
    return None
