"""Completing your own carts: an entry of the vendor-neutral shape becomes a :class:`Cart`.

Entry *i* is completed from a seeded cart of its own (the *i*-th of a small dataset generated from
the mock's seed), under the rules every seeded cart follows, so a partial entry is as coherent as
a generated one:

- money: line totals are price times quantity; the subtotal is their sum; shipping, tax and
  total follow the vendor's market (``generation.price``); a cart without lines costs nothing;
- time: ``created_at <= updated_at <= abandoned_at <= --now``, a missing instant keeping its
  distance from a given one as in the seeded cart;
- status: only abandoned carts have ``abandoned_at`` and a recovery e-mail (either, given
  without a status, makes the cart abandoned);
- people: a customer known by id or e-mail is that customer (every field given must agree), an
  unknown one is added to the vendor's customers; a guest has no customer.

Completed carts are merged with the generated ones in creation order (a cart's index is its
position, and integer ids are issued in creation order; UUIDs never change). Each vendor
completes the entries from its own seeded carts, so what an entry leaves out differs between
vendors the way their generated carts do.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from .dataset import Dataset, generate
from .generation import Market, email_local, price
from .instants import rfc3339
from .model import Attribution, Cart, Customer, Place, Product, iso
from .userdata import DataError, clip

__all__ = ["extend"]

_TEMPLATES = 256  # seeded carts an entry is completed from (entry i: template i mod 256)
_PRODUCTS = 10_000_000  # new SKUs are numbered from here (the catalogue's are 1001-1300)
_COPIED = ("channel", "currency", "locale", "name", "user_agent")  # taken as given


def extend(
    dataset: Dataset, entries: Sequence[Mapping[str, Any]], *, first: int = 0, source: str = "data"
) -> Dataset:
    """*dataset* with the carts of *entries* completed and merged in creation order.

    *first* numbers the entries (entry ``k`` is completed from template ``first + k``), so the
    carts added at run time follow the data file's. Errors name the entry by its place in
    *entries*.

    Raises:
        DataError: an entry breaks a rule the schema cannot state (instants in the wrong order
            or after ``--now``, a discount above the subtotal, a customer known by another
            name, an id used twice, ...).
    """
    if not entries:
        return dataset
    completer = _Completer(dataset, source)
    carts = [completer.cart(entry, k, first + k) for k, entry in enumerate(entries)]
    completer.check_ids(carts, given=any("id" in entry for entry in entries))
    return dataset.merged(carts, completer.customers, completer.accounts)


@functools.lru_cache(maxsize=16)
def _templates(market: Market, seed: int, now: int) -> Dataset:
    """The seeded carts entries are completed from (the same for every process)."""
    return generate(market, seed=seed, count=_TEMPLATES, now=datetime.fromtimestamp(now, UTC))


class _Completer:
    """Completes entries against one vendor's dataset, collecting the customers and accounts
    they bring."""

    def __init__(self, dataset: Dataset, source: str) -> None:
        self.dataset, self.source = dataset, source
        self.market, self.now = dataset.market, dataset.now
        self.templates = _templates(dataset.market, dataset.seed, dataset.now).carts
        self.customers = list(dataset.customers)
        self.accounts = list(dataset.accounts)
        self._by_uid = {c.uid: c for c in self.customers}
        self._by_email = {c.email.lower(): c for c in self.customers}
        self._known_accounts = set(self.accounts)
        self.catalogue: dict[str, Product] = {}
        for cart in self.templates:
            for product, _ in cart.basket:
                self.catalogue.setdefault(product.sku, product)
        self._products = sorted(self.catalogue.values(), key=lambda p: p.number)
        self._new_products: dict[str, Product] = {}
        self._index = -1

    def fail(self, field: str | None, reason: str) -> DataError:
        return DataError(self.source, self._index, field, reason)

    def cart(self, entry: Mapping[str, Any], index: int, number: int) -> Cart:
        """Entry *index* of the source, completed from template *number*."""
        self._index = index
        t = self.templates[number % len(self.templates)]
        status = entry.get("status")
        if status is None:  # an abandonment instant or a recovery e-mail says which
            abandoned = "abandoned_at" in entry or entry.get("recovery_status") == "email_sent"
            status = "abandoned" if abandoned else t.status
        created, updated = self._instants(entry, t)
        abandoned, recovery = self._abandonment(entry, t, status, updated)
        customer, shopper, email = self._shopper(entry, t, number)
        basket = self._basket(entry, t, number)
        subtotal = sum(product.price * quantity for product, quantity in basket)
        discount = self._discount(entry, t, basket, subtotal)
        shipping_given = self._money(entry, "shipping")
        if shipping_given is None and not basket:
            shipping_given = 0  # nothing to ship
        shipping, tax, total = price(self.market, subtotal, discount, shipping_given)
        billing, shipping_place = self._places(entry, t, number)
        attribution = self._attribution(entry, t)
        account = self._account(entry, t)
        key = _digest(self.dataset.seed, self.market.name, "data", number, bits=256)
        if "id" in entry:
            key = key >> 128 << 128 | uuid.UUID(entry["id"]).int
        return t._replace(
            **{field: entry[field] for field in _COPIED if field in entry},
            index=-1,
            status=status,
            created_at=created,
            updated_at=updated,
            abandoned_at=abandoned,
            customer=customer,
            email=email,
            shopper=shopper,
            basket=basket,
            subtotal=subtotal,
            shipping=shipping,
            discount=discount,
            tax=tax,
            total=total,
            billing_place=billing,
            shipping_place=shipping_place,
            attribution=attribution,
            recovery_status=recovery,
            account_uid=account,
            key=key,
        )

    def check_ids(self, carts: list[Cart], *, given: bool) -> None:
        """Refuse two carts with one id (among the entries, or, when some entry gives its id,
        an entry and a seeded cart: derived ids are 122 random bits)."""
        seen: dict[int, int] = {}
        for k, cart in enumerate(carts):
            if (other := seen.setdefault(cart.uid_int, k)) != k:
                self._index = k
                raise self.fail("id", f"{cart.uid!r} is already the id of carts[{other}]")
        if not given:
            return
        taken = {cart.uid_int for cart in self.dataset.carts}
        for k, cart in enumerate(carts):
            if cart.uid_int in taken:
                self._index = k
                raise self.fail("id", f"{cart.uid!r} is already the id of another cart")

    # -- the parts of a cart ---------------------------------------------------------------

    def _instant(self, entry: Mapping[str, Any], field: str) -> int | None:
        raw = entry.get(field)
        if raw is None:
            return None
        moment = rfc3339(raw).seconds
        if moment > self.now:
            raise self.fail(field, f"{raw} is after the mock's --now ({iso(self.now)})")
        return moment

    def _instants(self, entry: Mapping[str, Any], t: Cart) -> tuple[int, int]:
        created, updated = self._instant(entry, "created_at"), self._instant(entry, "updated_at")
        activity = t.updated_at - t.created_at
        if created is None and updated is None:
            return t.created_at, t.updated_at
        if created is None:
            assert updated is not None
            return updated - activity, updated
        if updated is None:
            return created, min(self.now, created + activity)
        if updated < created:
            raise self.fail(
                "updated_at", f"{entry['updated_at']} is before created_at ({entry['created_at']})"
            )
        return created, updated

    def _abandonment(
        self, entry: Mapping[str, Any], t: Cart, status: str, updated: int
    ) -> tuple[int | None, str]:
        given = self._instant(entry, "abandoned_at")
        recovery = entry.get("recovery_status")
        if status != "abandoned":
            if given is not None:
                raise self.fail(
                    "abandoned_at", f"only abandoned carts have one (status is {status!r})"
                )
            if recovery not in (None, "not_attempted"):
                raise self.fail(
                    "recovery_status",
                    f"{recovery!r} is for abandoned carts only (status is {status!r})",
                )
            return None, "not_attempted"
        if given is None:
            gap = t.abandoned_at - t.updated_at if t.abandoned_at is not None else 3600
            given = min(self.now, updated + gap)
        elif given < updated:
            raise self.fail(
                "abandoned_at", f"{entry['abandoned_at']} is before updated_at ({iso(updated)})"
            )
        if recovery is None:
            recovery = t.recovery_status if t.status == "abandoned" else "not_attempted"
        return given, recovery

    def _shopper(
        self, entry: Mapping[str, Any], t: Cart, number: int
    ) -> tuple[Customer | None, tuple[str, str], str | None]:
        if "customer" in entry and "guest" in entry:
            raise self.fail("guest", "a cart has a customer or a guest, not both")
        if "guest" in entry or entry.get("customer", ...) is None:
            guest = entry.get("guest", {})
            first, last = t.shopper
            email = guest.get("email", t.email if t.customer is None else None)
            return None, (guest.get("first_name", first), guest.get("last_name", last)), email
        if "customer" not in entry:
            customer = t.customer and self._known(t.customer)
            return customer, t.shopper, t.email
        customer = self._customer(entry["customer"], t, number)
        return customer, (customer.first_name, customer.last_name), customer.email

    def _customer(self, raw: Mapping[str, Any], t: Cart, number: int) -> Customer:
        known = self._by_uid.get(raw.get("id", "")) or self._by_email.get(
            raw.get("email", "").lower()
        )
        if known is not None:
            for name, value in raw.items():
                have = known.uid if name == "id" else getattr(known, name)
                if (have.lower() if name == "email" else have) != (
                    value.lower() if name == "email" else value
                ):
                    raise self.fail(
                        f"customer.{name}",
                        f"{clip(value)} differs from the known customer {known.email}'s "
                        f"{clip(have)}",
                    )
            return known
        if not raw and t.customer is not None:
            return self._known(t.customer)
        base = t.customer or self.customers[number % len(self.customers)]
        fields = {**raw, "number": len(self.customers) + 1}
        first = fields.setdefault("first_name", base.first_name)
        last = fields.setdefault("last_name", base.last_name)
        local = f"{email_local(first)}.{email_local(last)}.{fields['number']}"
        email = fields.setdefault("email", f"{local}@example.com")
        fields["uid"] = fields.pop("id", None) or str(
            uuid.UUID(int=_digest(self.dataset.seed, "customer", email, bits=128), version=4)
        )
        return self._known(dataclasses.replace(base, **fields))

    def _known(self, customer: Customer) -> Customer:
        """*customer*, made one of the dataset's customers if it was not (a template's)."""
        if customer.uid not in self._by_uid:
            self.customers.append(customer)
            self._by_uid[customer.uid] = customer
            self._by_email[customer.email.lower()] = customer
        return customer

    def _basket(
        self, entry: Mapping[str, Any], t: Cart, number: int
    ) -> tuple[tuple[Product, int], ...]:
        if "lines" not in entry:
            return t.basket
        basket = []
        for n, line in enumerate(entry["lines"]):
            if t.basket:
                base = t.basket[n % len(t.basket)][0]
            else:
                base = self._products[(number + n) % len(self._products)]
            product = self._product(line, base, n)
            basket.append((product, int(line.get("quantity", 1))))
        return tuple(basket)

    def _product(self, line: Mapping[str, Any], base: Product, n: int) -> Product:
        sku = line.get("sku")
        if sku is not None and sku in self.catalogue:
            base = self.catalogue[sku]
        cents = self._money(line, "price", f"lines[{n}].price")
        changed = {k: line[k] for k in ("title", "image", "url") if k in line}
        if cents is not None and cents != base.price:
            changed["price"] = cents
        if sku is None and not changed:
            return base
        if sku is not None and sku == base.sku and not changed:
            return base
        title = changed.get("title", base.title)
        price_minor = changed.get("price", base.price)
        if sku is None or sku not in self.catalogue:
            sku = sku or f"X-{_digest(title, price_minor):08X}"
        slug = "-".join(email_local(word) for word in title.split()) or "item"
        number = _PRODUCTS + _digest(sku) % 90_000_000
        product = Product(
            number=number,
            uid=str(uuid.UUID(int=_digest(self.dataset.seed, sku, bits=128), version=4)),
            sku=sku,
            title=title,
            price=price_minor,
            image=changed.get("image", f"https://cdn.example.com/products/{slug}.jpg"),
            url=changed.get("url", f"https://shop.example.com/products/{slug}"),
        )
        other = self._new_products.setdefault(sku, product)
        if other != product:
            raise self.fail(
                f"lines[{n}]",
                f"SKU {sku!r} is already a product with other fields ({other.title!r}, "
                f"{other.price / 100:.2f})",
            )
        return product

    def _discount(self, entry: Mapping[str, Any], t: Cart, basket: Any, subtotal: int) -> int:
        given = self._money(entry, "discount")
        if given is None:  # the seeded cart's, or its rule (a tenth off) on other lines
            return t.discount if basket is t.basket else subtotal // 10 if t.discount else 0
        if given > subtotal:
            lines = f"{subtotal // 100}.{subtotal % 100:02d}"
            raise self.fail(
                "discount", f"{entry['discount']} is more than the lines' sum ({lines})"
            )
        return given

    def _money(self, entry: Mapping[str, Any], field: str, where: str | None = None) -> int | None:
        raw = entry.get(field)
        if raw is None:
            return None
        amount = Decimal(str(raw))  # the schema lets through digits and numbers 0-9999999.99
        if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
            raise self.fail(where or field, f"{raw!r} is not an amount with at most two decimals")
        return int(amount * 100)

    def _places(
        self, entry: Mapping[str, Any], t: Cart, number: int
    ) -> tuple[Place | None, Place | None]:
        if "billing_address" not in entry and "shipping_address" not in entry:
            return t.billing_place, t.shipping_place
        base = t.billing_place or self._pooled_place(number)
        billing = (
            self._place(entry["billing_address"], base)
            if "billing_address" in entry
            else t.billing_place
        )
        if "shipping_address" not in entry:
            return billing, billing
        raw = entry["shipping_address"]
        if raw is not None and billing is not None and raw == entry.get("billing_address"):
            return billing, billing
        return billing, self._place(raw, t.shipping_place or base)

    def _pooled_place(self, number: int) -> Place:
        placed = [cart.billing_place for cart in self.templates if cart.billing_place]
        return placed[number % len(placed)]

    @staticmethod
    def _place(raw: Mapping[str, Any] | None, base: Place) -> Place | None:
        return None if raw is None else dataclasses.replace(base, **raw)

    @staticmethod
    def _attribution(entry: Mapping[str, Any], t: Cart) -> Attribution | None:
        if "attribution" not in entry:
            return t.attribution
        raw = entry["attribution"]
        if raw is None:
            return None
        base = t.attribution or Attribution(*(None,) * 6, (None,) * 5, None, None)  # type: ignore[arg-type]
        if (subs := raw.get("subaffiliates")) is not None:
            raw = {**raw, "subaffiliates": (*subs, *(None,) * (5 - len(subs)))}
        return dataclasses.replace(base, **raw)

    def _account(self, entry: Mapping[str, Any], t: Cart) -> str | None:
        account: str | None = entry.get("account_id", t.account_uid)
        if account is not None and account not in self._known_accounts:
            self.accounts.append(account)
            self._known_accounts.add(account)
        return account


def _digest(*parts: object, bits: int = 32) -> int:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=bits // 8).digest()
    return int.from_bytes(digest, "big")
