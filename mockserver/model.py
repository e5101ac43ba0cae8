"""The canonical cart: one vendor-neutral record that every vendor module renders in its own shape.

Money is held in minor units (cents) as ``int`` and instants as Unix seconds, so that filters and
sorts compare plain integers; vendors turn them into decimal strings, JSON numbers, ISO 8601 and
so on when they render.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

Status = Literal["active", "abandoned", "converted", "expired"]
STATUSES: tuple[Status, ...] = ("active", "abandoned", "converted", "expired")

CHANNELS: tuple[str, ...] = ("web", "mobile", "pos", "api")


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


@dataclass(frozen=True, slots=True)
class Cart:
    """One cart, vendor-neutral.

    Invariants (tested): ``sum(line.total) == subtotal``;
    ``subtotal + shipping - discount == total`` with ``tax`` the tax included in ``total``;
    ``created_at <= updated_at``; ``abandoned_at`` is set exactly on abandoned carts and lies
    between ``updated_at`` and the anchor instant.
    """

    index: int  # position in the generated dataset; stable for a seed
    number: int  # unique positive integer id
    uid: str  # unique UUID (lower-case, canonical form)
    status: Status
    channel: str
    currency: str
    locale: str
    created_at: int
    updated_at: int  # last activity
    abandoned_at: int | None
    expires_at: int
    customer: Customer | None
    email: str | None  # the customer's, or the one a guest typed in checkout
    session_id: str
    lines: tuple[Line, ...]
    subtotal: int
    shipping: int
    discount: int
    tax: int  # included in total
    total: int
    billing_address: Address | None
    shipping_address: Address | None
    attribution: Attribution | None
    recovery_status: str
    name: str
    account_uid: str | None
    ip: str
    user_agent: str

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def has_address(self) -> bool:
        return self.billing_address is not None or self.shipping_address is not None
