"""The canonical cart: one vendor-neutral record that every vendor module renders in its own shape.

Money is held in minor units (cents) as ``int`` and instants as Unix seconds, so that filters and
sorts compare plain integers; vendors turn them into decimal strings, JSON numbers, ISO 8601 and
so on when they render.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, NamedTuple

Status = Literal["active", "abandoned", "converted", "expired"]
STATUSES: tuple[Status, ...] = ("active", "abandoned", "converted", "expired")

CHANNELS: tuple[str, ...] = ("web", "mobile", "pos", "api")

MAX_LINES = 100
"""The most lines a cart may have (``carts.schema.json``: ``lines.maxItems``); each cart owns
that many line numbers, so no two carts share one."""


def iso(ts: int) -> str:
    """Render Unix seconds as an ISO 8601 UTC instant with a ``Z`` suffix."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Product:
    """An item of a shop's catalogue."""

    number: int
    uid: str
    sku: str
    title: str
    price: int  # minor units, tax included
    image: str
    url: str


@dataclass(frozen=True, slots=True)
class Line:
    """One product line: ``quantity * product.price == total``."""

    number: int
    uid: str
    product: Product
    quantity: int

    @property
    def total(self) -> int:
        return self.product.price * self.quantity


@dataclass(frozen=True, slots=True)
class Customer:
    """A registered customer (guest carts have none)."""

    number: int
    uid: str
    first_name: str
    last_name: str
    email: str
    phone: str
    accepts_marketing: bool
    language: str


@dataclass(frozen=True, slots=True)
class Place:
    """Where an address points (pooled: many shoppers share a street in the mock)."""

    company: str | None
    street: str
    zip_code: str
    city: str
    country: str  # ISO 3166-1 alpha-2


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address as a storefront records it."""

    first_name: str
    last_name: str
    company: str | None
    street: str
    zip_code: str
    city: str
    country: str  # ISO 3166-1 alpha-2
    email: str | None


@dataclass(frozen=True, slots=True)
class Attribution:
    """Marketing attribution captured with the cart (29 Next shows it)."""

    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None
    utm_term: str | None
    utm_content: str | None
    affiliate: str | None
    subaffiliates: tuple[str | None, str | None, str | None, str | None, str | None]
    funnel: str | None
    gclid: str | None


class Cart(NamedTuple):
    """One cart, vendor-neutral.

    Invariants (tested): ``sum(line.total) == subtotal``;
    ``subtotal + shipping - discount == total`` with ``tax`` the tax included in ``total``;
    ``created_at <= updated_at``; ``abandoned_at`` is set exactly on abandoned carts and lies
    between ``updated_at`` and the anchor instant.

    A million carts are built at start-up, so a cart is an immutable named tuple (a frozen
    dataclass spends ~3 µs per instance in ``object.__setattr__``) that stores compact values:
    pooled objects, ints, and 256 random bits (:attr:`key`) from which the ids, the session and
    the IP address are derived when a vendor renders the cart. Fields that filters read are
    stored; what only rendering reads (lines, addresses, ids) is derived on access.
    """

    index: int  # type: ignore[assignment]  # position in the dataset (shadows tuple.index, unused)
    status: Status
    channel: str
    currency: str
    locale: str
    created_at: int
    updated_at: int  # last activity
    abandoned_at: int | None
    customer: Customer | None
    email: str | None  # the customer's, or the one a guest typed in checkout
    shopper: tuple[str, str]  # (first name, last name): the customer's or the guest's
    basket: tuple[tuple[Product, int], ...]  # (product, quantity) per line, pooled pairs
    subtotal: int
    shipping: int
    discount: int
    tax: int  # included in total
    total: int
    billing_place: Place | None
    shipping_place: Place | None  # ``billing_place`` itself when shipping goes there too
    attribution: Attribution | None
    recovery_status: str
    name: str
    account_uid: str | None
    user_agent: str
    key: int  # 256 random bits: uid (low 128), session id (next 96), IP address (top 32)

    @property
    def number(self) -> int:
        """Unique positive integer id, in creation order."""
        return 10_000 + self.index

    @property
    def uid(self) -> str:
        """Unique UUID (version 4, lower-case, canonical form)."""
        return uuid4_text(self.key)

    @property
    def uid_int(self) -> int:
        """:attr:`uid` as an integer: it sorts as the text does, at a fraction of the cost."""
        return _uuid4_int(self.key)

    @property
    def customer_uid(self) -> str | None:
        """The customer's :attr:`Customer.uid`, ``None`` on guest carts."""
        return self.customer.uid if self.customer is not None else None

    @property
    def session_bits(self) -> int:
        """The 96 bits of :attr:`key` the session id spells in hexadecimal."""
        return self.key >> 128 & _BITS96

    @property
    def session_id(self) -> str:
        return f"sess_{self.session_bits:024x}"

    @property
    def ip(self) -> str:
        bits = self.key >> 224  # a public unicast IPv4 address: 11-223.x.x.1-254
        first, last = 11 + (bits >> 24) * 213 // 256, 1 + (bits & 255) * 254 // 256
        return f"{first}.{bits >> 16 & 255}.{bits >> 8 & 255}.{last}"

    @property
    def expires_at(self) -> int:
        return self.updated_at + 7 * 86_400

    @property
    def lines(self) -> tuple[Line, ...]:
        first = self.index * MAX_LINES + 1  # line numbers never shared between carts
        return tuple(
            Line(number=first + n, uid=_line_uid(self.key, n), product=product, quantity=quantity)
            for n, (product, quantity) in enumerate(self.basket)
        )

    @property
    def item_count(self) -> int:
        return sum(quantity for _, quantity in self.basket)

    @property
    def has_address(self) -> bool:
        return self.billing_place is not None

    @property
    def billing_address(self) -> Address | None:
        return self._address(self.billing_place, self.email)

    @property
    def shipping_address(self) -> Address | None:
        if self.shipping_place is self.billing_place:
            return self.billing_address
        return self._address(self.shipping_place, None)

    def _address(self, place: Place | None, email: str | None) -> Address | None:
        if place is None:
            return None
        first, last = self.shopper
        return Address(first, last, place.company, place.street, place.zip_code, place.city,
                       place.country, email)  # fmt: skip


_BITS96 = (1 << 96) - 1
_BITS128 = (1 << 128) - 1
_UUID4_SET = 0x8000 << 48 | 4 << 76  # RFC 4122 variant (10xx) and version (0100)
_UUID4_CLEAR = _BITS128 & ~(0xC000 << 48) & ~(0xF000 << 64)


def uuid4_text(bits: int) -> str:
    """The low 128 of *bits* as a canonical version-4 UUID (RFC 4122 version and variant set).

    Same result as ``str(uuid.UUID(int=bits, version=4))``, without building the object.
    """
    h = f"{_uuid4_int(bits):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _uuid4_int(bits: int) -> int:
    return bits & _UUID4_CLEAR | _UUID4_SET


def _line_uid(key: int, n: int) -> str:
    digest = hashlib.blake2b(key.to_bytes(32, "big"), digest_size=16, person=b"line%d" % n)
    return uuid4_text(int.from_bytes(digest.digest(), "big"))
