"""Completing your own carts (``mockserver/completion.py``): what :func:`extend` fills in.

The rules every completed cart keeps, over random entries, and the entries it refuses are in
``test_userdata.py`` (with the data file and the admin API); here :func:`extend` is called
directly on the cases its docstring states.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any

import pytest

from cartkit.mockserver.completion import extend
from cartkit.mockserver.dataset import Dataset, generate
from cartkit.mockserver.model import Cart, iso
from cartkit.mockserver.userdata import DataError
from cartkit.mockserver.vendors.stateset import MARKET

ID = "0b1e3a2c-5d6f-4a8b-9c0d-1e2f3a4b5c6d"


@functools.cache
def base() -> Dataset:
    return generate(MARKET, seed=2, count=40)


def added(entries: list[dict[str, Any]], **options: Any) -> list[Cart]:
    """The carts *entries* became, in the order of the entries."""
    named = [{"name": f"entry {k}", **entry} for k, entry in enumerate(entries)]  # to find them
    served = extend(base(), named, **options)
    seeded = {cart.key for cart in base().carts}
    new = {cart.name: cart for cart in served.carts if cart.key not in seeded}
    assert len(new) == len(entries)
    return [new[entry["name"]] for entry in named]


def one(entry: dict[str, Any], **options: Any) -> Cart:
    (cart,) = added([entry], **options)
    return cart


def refused(entries: list[dict[str, Any]]) -> DataError:
    with pytest.raises(DataError) as caught:
        extend(base(), entries, source="body")
    return caught.value


def test_no_entries_leave_the_dataset_as_it_is() -> None:
    assert extend(base(), []) is base()


def test_the_seeded_carts_are_kept_and_the_added_ones_merged_in_creation_order() -> None:
    served = extend(base(), [{"status": "active"}, {"created_at": iso(base().now - 10)}])
    assert len(served) == len(base()) + 2
    assert [c.index for c in served.carts] == list(range(len(served)))
    assert [c.created_at for c in served.carts] == sorted(c.created_at for c in served.carts)
    assert {c.uid for c in base().carts} < {c.uid for c in served.carts}
    assert served.carts[-1].created_at == base().now - 10  # the newest: last


def test_entry_k_is_completed_from_template_first_plus_k() -> None:
    pair = added([{}, {}])
    shifted = one({}, first=1)
    assert (pair[1].status, pair[1].created_at, pair[1].basket) == (
        shifted.status,
        shifted.created_at,
        shifted.basket,
    )
    assert pair[0].key != pair[1].key  # each its own ids


def test_an_abandonment_instant_or_a_recovery_email_makes_the_cart_abandoned() -> None:
    when = iso(base().now - 3600)
    by_instant = one({"abandoned_at": when, "updated_at": iso(base().now - 7200)})
    assert by_instant.status == "abandoned" and by_instant.abandoned_at == base().now - 3600
    by_email = one({"recovery_status": "email_sent"})
    assert by_email.status == "abandoned" and by_email.recovery_status == "email_sent"
    assert by_email.abandoned_at is not None and by_email.abandoned_at >= by_email.updated_at


def test_a_missing_instant_keeps_its_distance_from_the_given_one() -> None:
    template = one({})
    activity = template.updated_at - template.created_at
    updated = base().now - 5 * 86_400
    later = one({"updated_at": iso(updated)})
    assert (later.created_at, later.updated_at) == (updated - activity, updated)
    created = base().now - 9 * 86_400
    earlier = one({"created_at": iso(created)})
    assert (earlier.created_at, earlier.updated_at) == (created, created + activity)
    newest = one({"created_at": iso(base().now)})
    assert newest.updated_at == base().now  # never after --now


def test_instants_in_the_wrong_order_or_after_now_are_refused() -> None:
    after = refused([{"created_at": iso(base().now + 1)}])
    assert (after.index, after.field) == (0, "created_at") and "--now" in str(after)
    backwards = refused(
        [{}, {"created_at": iso(base().now - 10), "updated_at": iso(base().now - 20)}]
    )
    assert (backwards.index, backwards.field) == (1, "updated_at")


def test_only_abandoned_carts_have_an_abandonment() -> None:
    error = refused([{"status": "active", "abandoned_at": iso(base().now - 10)}])
    assert error.field == "abandoned_at"
    error = refused([{"status": "converted", "recovery_status": "email_sent"}])
    assert error.field == "recovery_status"


def test_money_follows_the_lines_and_the_market() -> None:
    cart = one({"lines": [{"sku": "OWN-1", "title": "Own Mug", "price": "12.50", "quantity": 2}]})
    (line,) = cart.lines
    assert (line.product.sku, line.product.price, line.quantity) == ("OWN-1", 1250, 2)
    assert cart.subtotal == 2500 and cart.discount in (0, 250)  # the template's rule: a tenth
    assert cart.shipping == MARKET.shipping_fee  # below the free-shipping threshold
    assert cart.total == cart.subtotal - cart.discount + cart.tax + cart.shipping
    empty = one({"lines": []})
    assert (empty.subtotal, empty.shipping, empty.tax, empty.total) == (0, 0, 0, 0)


def test_an_amount_with_more_than_two_decimals_is_refused() -> None:
    error = refused([{"lines": [{"price": "1.999"}]}])
    assert error.field == "lines[0].price"
    assert refused([{"discount": 10**6, "lines": [{"price": "1.00"}]}]).field == "discount"


def test_a_given_id_is_the_carts_uid_and_used_once() -> None:
    assert one({"id": ID}).uid == ID
    twice = refused([{"id": ID}, {"id": ID}])
    assert (twice.index, twice.field) == (1, "id")
    taken = refused([{"id": base().carts[3].uid}])
    assert (taken.index, taken.field) == (0, "id")


def test_a_guest_has_no_customer_and_a_new_customer_joins_the_customers() -> None:
    guest = one({"guest": {"first_name": "Ada", "email": "ada@example.org"}})
    assert guest.customer is None and guest.email == "ada@example.org"
    assert guest.shopper[0] == "Ada"
    served = extend(base(), [{"customer": {"first_name": "Zoë", "last_name": "Ng"}}])
    (cart,) = [c for c in served.carts if c.customer and c.customer.first_name == "Zoë"]
    assert cart.customer in served.customers and cart.customer not in base().customers
    assert cart.email == cart.customer.email and cart.email.endswith("@example.com")  # type: ignore[union-attr]
    assert cart.customer.email.startswith("zoe.ng.")  # type: ignore[union-attr]
    assert uuid.UUID(cart.customer.uid).version == 4  # type: ignore[union-attr]
    assert len(base().customers) == len(served.customers) - 1  # the seeded list is not changed
    assert refused([{"customer": {}, "guest": {}}]).field == "guest"


def test_a_known_customer_is_that_customer() -> None:
    known = base().customers[0]
    cart = one({"customer": {"email": known.email.upper()}})
    assert cart.customer is known and cart.shopper == (known.first_name, known.last_name)
    error = refused([{"customer": {"email": known.email, "first_name": known.first_name + "x"}}])
    assert error.field == "customer.first_name"


def test_one_address_given_for_both_is_one_place() -> None:
    address = {"street": "1 Main St", "zip_code": "10001", "city": "New York", "country": "US"}
    cart = one({"billing_address": address, "shipping_address": address})
    assert cart.shipping_place is cart.billing_place and cart.billing_place.city == "New York"  # type: ignore[union-attr]
    alone = one({"billing_address": address})
    assert alone.shipping_place is alone.billing_place
    apart = one({"billing_address": address, "shipping_address": {**address, "city": "Boston"}})
    assert apart.shipping_place.city == "Boston" and apart.billing_place.city == "New York"  # type: ignore[union-attr]
    assert one({"billing_address": None}).billing_address is None


def test_subaffiliates_are_padded_to_five() -> None:
    cart = one({"attribution": {"affiliate": "aff1", "subaffiliates": ["s1", "s2"]}})
    assert cart.attribution is not None
    assert cart.attribution.subaffiliates == ("s1", "s2", None, None, None)
    assert one({"attribution": None}).attribution is None
