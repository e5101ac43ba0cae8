"""Seeded, realistic carts: Faker supplies the vocabulary, ``random.Random`` composes the carts.

Generation is split into fixed-size chunks, each drawn from its own RNG derived from
``(seed, market, chunk)``. A chunk therefore never depends on another one, so the same seed gives
the same carts in every process and worker, whatever order the chunks are built in.

Faker is slow (microseconds per call), so it is only used to fill small pools (names, streets,
products, user agents) once per dataset; carts are then composed from the pools with plain
``random.Random`` draws, which keeps a million carts within the start-up budget.
"""

from __future__ import annotations

import hashlib
import random
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from faker import Faker

from .model import CHANNELS, Address, Attribution, Cart, Customer, Line, Product, Status

__all__ = ["DEFAULT_NOW", "Dataset", "Market", "generate"]

DEFAULT_NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
"""The default anchor instant: carts are laid out in the months before it."""

_CHUNK = 4096
_DAY = 86_400
_SPAN_DAYS = 180  # carts spread over the six months before the anchor


@dataclass(frozen=True, slots=True)
class Market:
    """What a vendor's shops look like: language, currencies, tax, shipping."""

    name: str
    faker_locale: str
    locales: Sequence[tuple[str, float]]  # cart locale -> weight
    currencies: Sequence[tuple[str, float]]  # ISO 4217 -> weight
    countries: Sequence[str]
    tax_rate: float
    tax_included: bool  # EU shops price gross; US shops add tax at checkout
    shipping_fee: int  # minor units
    free_shipping_from: int  # minor units
    email_domains: Sequence[str] = ()
    channels: Sequence[tuple[str, float]] = tuple(
        (c, w) for c, w in zip(CHANNELS, (60, 30, 5, 5), strict=True)
    )


@dataclass(slots=True)
class _Pools:
    first_names: list[str]
    last_names: list[str]
    streets: list[str]
    cities: list[tuple[str, str]]  # (zip, city)
    companies: list[str]
    domains: list[str]
    user_agents: list[str]
    products: list[Product]
    campaigns: list[str]
    words: list[str]


@dataclass(slots=True)
class Dataset:
    """Every cart of one market, in generation order, plus cached orderings for the query engine."""

    market: Market
    seed: int
    now: int
    carts: list[Cart]
    customers: list[Customer]
    accounts: list[str]
    _orders: dict[Any, list[Cart]] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.carts)

    def ordered(self, key: Any, build: Callable[[list[Cart]], list[Cart]]) -> list[Cart]:
        """Return the carts sorted by *key*, building (``build(carts)``) and caching it once."""
        cached = self._orders.get(key)
        if cached is None:
            cached = self._orders[key] = build(self.carts)
        return cached


def _derive(*parts: object) -> int:
    """A 64-bit seed from *parts*, stable across processes (unlike ``hash()``)."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _pools(market: Market, seed: int) -> _Pools:
    fake = Faker(market.faker_locale)
    fake.seed_instance(_derive(seed, market.name, "pools"))
    rng = random.Random(_derive(seed, market.name, "catalogue"))
    adjectives = [fake.word().capitalize() for _ in range(60)]
    nouns = [
        "Backpack", "Bottle", "Candle", "Chair", "Connector", "Cushion", "Hoodie", "Jacket",
        "Lamp", "Mug", "Notebook", "Plant Pot", "Scarf", "Sneakers", "Speaker", "Sunglasses",
        "T-Shirt", "Teapot", "Towel", "Watch", "Wallet", "Headphones", "Blanket", "Vase",
    ]  # fmt: skip
    products = []
    for number in range(1, 301):
        title = f"{rng.choice(adjectives)} {rng.choice(nouns)}"
        price = rng.choice((499, 999, 1299, 1499, 1999, 2499, 2999, 3999, 4999, 7999, 12999))
        uid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        slug = title.lower().replace(" ", "-")
        products.append(
            Product(
                number=1000 + number,
                uid=uid,
                sku=f"{title[:3].upper()}-{number:04d}",
                title=title,
                price=price,
                image=f"https://cdn.example.com/products/{number:04d}/{slug}.jpg",
                url=f"https://shop.example.com/products/{slug}-{number}",
            )
        )
    domains = list(market.email_domains) or [fake.free_email_domain() for _ in range(8)]
    return _Pools(
        first_names=[fake.first_name() for _ in range(400)],
        last_names=[fake.last_name() for _ in range(400)],
        streets=[fake.street_address() for _ in range(400)],
        cities=[(fake.postcode(), fake.city()) for _ in range(200)],
        companies=[fake.company() for _ in range(60)],
        domains=domains,
        user_agents=[fake.user_agent() for _ in range(40)],
        products=products,
        campaigns=[fake.slug() for _ in range(12)],
        words=[fake.word() for _ in range(50)],
    )


def _ascii(text: str) -> str:
    """``"Jérôme Müller"`` -> ``"jeromemuller"``: the local part of a plausible e-mail address."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum()) or "user"


def _weighted(rng: random.Random, options: Sequence[tuple[str, float]]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _customers(market: Market, pools: _Pools, seed: int, count: int) -> list[Customer]:
    rng = random.Random(_derive(seed, market.name, "customers"))
    out = []
    for number in range(1, count + 1):
        first, last = rng.choice(pools.first_names), rng.choice(pools.last_names)
        email = f"{_ascii(first)}.{_ascii(last)}{rng.randint(1, 999)}@{rng.choice(pools.domains)}"
        out.append(
            Customer(
                number=number,
                uid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                first_name=first,
                last_name=last,
                email=email,
                phone=f"+{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100000, 999999)}",
                accepts_marketing=rng.random() < 0.4,
                language=_weighted(rng, market.locales)[:2],
            )
        )
    return out


def _status(rng: random.Random, age_days: float) -> Status:
    if age_days < 1:
        weights = (70, 20, 10, 0)
    elif age_days < 30:
        weights = (15, 45, 35, 5)
    else:
        weights = (3, 35, 40, 22)
    return rng.choices(("active", "abandoned", "converted", "expired"), weights=weights)[0]


class _ChunkBuilder:
    """Builds the carts of one chunk from its own RNG."""

    def __init__(self, market: Market, pools: _Pools, customers: list[Customer],
                 accounts: list[str], seed: int, now: int, total: int) -> None:  # fmt: skip
        self.market, self.pools, self.customers, self.accounts = market, pools, customers, accounts
        self.seed, self.now, self.total = seed, now, total
        self.start = now - _SPAN_DAYS * _DAY
        self.currencies = [c for c, _ in market.currencies]
        self.currency_weights = [w for _, w in market.currencies]

    def build(self, chunk: int) -> list[Cart]:
        rng = random.Random(_derive(self.seed, self.market.name, "chunk", chunk))
        first = chunk * _CHUNK
        last = min(self.total, first + _CHUNK)
        span = (self.now - 3600) - self.start
        carts = []
        for index in range(first, last):
            # Creation instants grow with the index (ids are issued in creation order), each
            # cart drawn uniformly within its own slot of the six-month span.
            slot = span / self.total
            created = self.start + int(slot * index + rng.random() * slot)
            carts.append(self._cart(rng, index, created))
        return carts

    def _address(self, rng: random.Random, first: str, last: str, email: str | None) -> Address:
        pools = self.pools
        zip_code, city = rng.choice(pools.cities)
        return Address(
            first_name=first,
            last_name=last,
            company=rng.choice(pools.companies) if rng.random() < 0.15 else None,
            street=rng.choice(pools.streets),
            zip_code=zip_code,
            city=city,
            country=rng.choice(self.market.countries),
            email=email,
        )

    def _attribution(self, rng: random.Random) -> Attribution:
        pools = self.pools
        source = rng.choice(("google", "facebook", "instagram", "newsletter", "tiktok", "bing"))
        medium = {"google": "cpc", "bing": "cpc", "newsletter": "email"}.get(source, "social")
        affiliate = f"aff{rng.randint(100, 140)}" if rng.random() < 0.3 else None
        subs = tuple(
            (f"sub{n}-{rng.randint(1, 9)}" if affiliate and rng.random() < 0.5 else None)
            for n in range(1, 6)
        )
        return Attribution(
            utm_source=source,
            utm_medium=medium,
            utm_campaign=rng.choice(pools.campaigns),
            utm_term=rng.choice(pools.words) if rng.random() < 0.5 else None,
            utm_content=rng.choice(("banner", "video", "carousel", "text"))
            if rng.random() < 0.5
            else None,
            affiliate=affiliate,
            subaffiliates=subs,  # type: ignore[arg-type]
            funnel=rng.choice(("main", "upsell", "vip", "black-friday"))
            if rng.random() < 0.6
            else None,
            gclid=f"Cj0K{rng.getrandbits(64):016x}" if source == "google" else None,
        )

    def _cart(self, rng: random.Random, index: int, created: int) -> Cart:
        market, pools, now = self.market, self.pools, self.now
        status = _status(rng, (now - created) / _DAY)
        activity = int(rng.expovariate(1 / 1800)) + 60  # seconds of shopping
        updated = min(now, created + activity)
        abandoned = min(now, updated + rng.randint(1800, 7200)) if status == "abandoned" else None
        currency = rng.choices(self.currencies, weights=self.currency_weights)[0]

        lines = []
        for n in range(rng.choices((1, 2, 3, 4, 5), weights=(40, 30, 15, 10, 5))[0]):
            product = rng.choice(pools.products)
            quantity = rng.choices((1, 2, 3, 4), weights=(70, 20, 7, 3))[0]
            line_uid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            lines.append(
                Line(number=index * 8 + n + 1, uid=line_uid, product=product, quantity=quantity)
            )
        subtotal = sum(line.total for line in lines)
        discount = (subtotal // 10) if rng.random() < 0.2 else 0
        shipping = 0 if subtotal - discount >= market.free_shipping_from else market.shipping_fee
        if market.tax_included:
            gross = subtotal + shipping - discount
            tax = gross - round(gross / (1 + market.tax_rate))
            total = gross
        else:
            tax = round((subtotal - discount) * market.tax_rate)
            total = subtotal + tax + shipping - discount

        customer = rng.choice(self.customers) if rng.random() < 0.65 else None
        if customer is not None:
            email: str | None = customer.email
            first, last = customer.first_name, customer.last_name
        else:
            first, last = rng.choice(pools.first_names), rng.choice(pools.last_names)
            email = (
                f"{_ascii(first)}{rng.randint(1, 99)}@{rng.choice(pools.domains)}"
                if rng.random() < 0.5
                else None
            )
        billing = self._address(rng, first, last, email) if rng.random() < 0.45 else None
        shipping_address = (
            (billing if rng.random() < 0.7 else self._address(rng, first, last, None))
            if billing is not None
            else None
        )
        recovery = (
            rng.choice(("not_attempted", "email_sent"))
            if status == "abandoned"
            else "not_attempted"
        )
        return Cart(
            index=index,
            number=10_000 + index,
            uid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            status=status,
            channel=_weighted(rng, market.channels),
            currency=currency,
            locale=_weighted(rng, market.locales),
            created_at=created,
            updated_at=updated,
            abandoned_at=abandoned,
            expires_at=updated + 7 * _DAY,
            customer=customer,
            email=email,
            session_id=f"sess_{rng.getrandbits(96):024x}",
            lines=tuple(lines),
            subtotal=subtotal,
            shipping=shipping,
            discount=discount,
            tax=tax,
            total=total,
            billing_address=billing,
            shipping_address=shipping_address,
            attribution=self._attribution(rng) if rng.random() < 0.5 else None,
            recovery_status=recovery,
            name=rng.choice(("Cart", "My cart", "Wishlist", f"{first}'s cart", "Gifts")),
            account_uid=rng.choice(self.accounts) if rng.random() < 0.3 else None,
            ip=f"{rng.randint(11, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            user_agent=rng.choice(pools.user_agents),
        )


def generate(
    market: Market, *, seed: int = 0, count: int = 1000, now: datetime = DEFAULT_NOW
) -> Dataset:
    """Generate *count* carts for *market*; the same arguments always give the same carts.

    Args:
        market: the vendor's market profile (language, currencies, tax).
        seed: any integer; different seeds give different carts.
        count: number of carts (0 allowed).
        now: the anchor instant; carts are created in the six months before it.
    """
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count!r}")
    anchor = int(now.timestamp())
    pools = _pools(market, seed)
    customers = _customers(market, pools, seed, max(10, min(count // 3, 50_000)))
    rng = random.Random(_derive(seed, market.name, "accounts"))
    accounts = [
        str(uuid.UUID(int=rng.getrandbits(128), version=4))
        for _ in range(max(5, min(count // 20, 5000)))
    ]
    builder = _ChunkBuilder(market, pools, customers, accounts, seed, anchor, count)
    carts: list[Cart] = []
    for chunk in range((count + _CHUNK - 1) // _CHUNK):
        carts.extend(builder.build(chunk))
    return Dataset(
        market=market, seed=seed, now=anchor, carts=carts, customers=customers, accounts=accounts
    )
