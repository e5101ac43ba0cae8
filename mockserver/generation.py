"""Seeded, realistic carts for a :class:`Market`: Faker supplies the vocabulary,
``random.Random`` composes the carts.

Generation is split into fixed-size chunks, each drawn from its own RNG derived from
``(seed, market, chunk)``. A chunk therefore never depends on another one, so the same seed gives
the same carts in every process and worker, whatever order the chunks are built in.

Faker is slow (microseconds per call), so it is only used to fill small pools (names, streets,
products, user agents) once per dataset. Carts are then composed from pooled objects (baskets,
places, attributions, customers) with cheap draws (``getrandbits`` into weighted lookup tables)
and stored compactly (see :class:`~cartkit.mockserver.model.Cart`): a million carts take a few seconds
and well under a gigabyte.
"""

from __future__ import annotations

import bisect
import gc
import hashlib
import itertools
import math
import random
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from faker import Faker

from .model import CHANNELS, STATUSES, Attribution, Cart, Customer, Place, Product, uuid4_text

__all__ = ["Market", "compose", "email_local", "price"]

_CHUNK = 4096
_DAY = 86_400
_SPAN_DAYS = 180  # carts spread over the six months before the anchor
_POOL_BITS = 14
_POOL = 1 << _POOL_BITS  # places and attributions are drawn from pools of this size
_new = tuple.__new__  # builds a Cart from its fields without the keyword-argument machinery
_T = TypeVar("_T")


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
    domains: list[str]
    user_agents: list[str]
    products: list[Product]
    places: list[Place]
    attributions: list[Attribution]


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
        slug = title.lower().replace(" ", "-")
        products.append(
            Product(
                number=1000 + number,
                uid=uuid4_text(rng.getrandbits(128)),
                sku=f"{title[:3].upper()}-{number:04d}",
                title=title,
                price=price,
                image=f"https://cdn.example.com/products/{number:04d}/{slug}.jpg",
                url=f"https://shop.example.com/products/{slug}-{number}",
            )
        )
    streets = [fake.street_address() for _ in range(400)]
    cities = [(fake.postcode(), fake.city()) for _ in range(200)]
    companies = [fake.company() for _ in range(60)]
    places = [
        Place(
            company=rng.choice(companies) if rng.random() < 0.15 else None,
            street=rng.choice(streets),
            zip_code=zip_code,
            city=city,
            country=rng.choice(market.countries),
        )
        for zip_code, city in (rng.choice(cities) for _ in range(_POOL))
    ]
    campaigns = [fake.slug() for _ in range(12)]
    words = [fake.word() for _ in range(50)]
    return _Pools(
        first_names=[fake.first_name() for _ in range(400)],
        last_names=[fake.last_name() for _ in range(400)],
        domains=list(market.email_domains) or [fake.free_email_domain() for _ in range(8)],
        user_agents=[fake.user_agent() for _ in range(40)],
        products=products,
        places=places,
        attributions=[_attribution(rng, campaigns, words) for _ in range(_POOL)],
    )


def _attribution(rng: random.Random, campaigns: list[str], words: list[str]) -> Attribution:
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
        utm_campaign=rng.choice(campaigns),
        utm_term=rng.choice(words) if rng.random() < 0.5 else None,
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


def email_local(text: str) -> str:
    """``"Jérôme Müller"`` -> ``"jeromemuller"``: the local part of a plausible e-mail address."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum()) or "user"


def _table(options: Iterable[tuple[_T, float]], bits: int = 10) -> tuple[_T, ...]:
    """A weighted choice as a lookup table: ``table[rng.getrandbits(bits)]`` draws an option.

    Each option fills a share of the ``2**bits`` entries proportional to its weight (to within
    one entry), so a draw costs one ``getrandbits`` and one index instead of ``rng.choices``.
    """
    values, weights = zip(*options, strict=True)
    size, total = 1 << bits, sum(weights)
    cumulative = list(itertools.accumulate(weights))
    return tuple(values[bisect.bisect(cumulative, (i + 0.5) * total / size)] for i in range(size))


def _customers(market: Market, pools: _Pools, seed: int, count: int) -> list[Customer]:
    rng = random.Random(_derive(seed, market.name, "customers"))
    rand, bits = rng.random, rng.getrandbits
    languages = _table((locale[:2], weight) for locale, weight in market.locales)
    firsts, lasts, domains = pools.first_names, pools.last_names, pools.domains
    local = {name: email_local(name) for name in (*firsts, *lasts)}
    out = []
    for number in range(1, count + 1):
        first, last = firsts[int(rand() * len(firsts))], lasts[int(rand() * len(lasts))]
        domain = domains[int(rand() * len(domains))]
        out.append(
            Customer(
                number=number,
                uid=uuid4_text(bits(128)),
                first_name=first,
                last_name=last,
                email=f"{local[first]}.{local[last]}{1 + int(rand() * 999)}@{domain}",
                phone=f"+{10 + int(rand() * 90)} {100 + int(rand() * 900)} {100000 + int(rand() * 900000)}",
                accepts_marketing=rand() < 0.4,
                language=languages[bits(10)],
            )
        )
    return out


# Cart status by age (under a day, under 30 days, older): old carts were mostly closed.
_FRESH = _table(zip(STATUSES, (70, 20, 10, 0), strict=True))
_RECENT = _table(zip(STATUSES, (15, 45, 35, 5), strict=True))
_OLD = _table(zip(STATUSES, (3, 35, 40, 22), strict=True))
_LINES = _table(((1, 40), (2, 30), (3, 15), (4, 10), (5, 5)))
_QUANTITY = _table(((1, 70), (2, 20), (3, 7), (4, 3)))
# Seconds of shopping: exponentially distributed, mean 30 minutes (quantiles of 1024 slices).
_ACTIVITY = tuple(60 + int(-1800 * math.log(1 - (i + 0.5) / 1024)) for i in range(1024))
_NAMES = ("Cart", "My cart", "Wishlist", "", "Gifts")  # "" stands for "<first name>'s cart"


class _ChunkBuilder:
    """Builds the carts of one chunk from its own RNG."""

    def __init__(self, market: Market, pools: _Pools, customers: list[Customer],
                 accounts: list[str], seed: int, now: int, total: int) -> None:  # fmt: skip
        self.market, self.pools, self.customers, self.accounts = market, pools, customers, accounts
        self.seed, self.now, self.total = seed, now, total
        self.start = now - _SPAN_DAYS * _DAY
        self.currencies = _table(market.currencies)
        self.channels = _table(market.channels)
        self.locales = _table(market.locales)
        # Carts point at pooled objects: baskets (with their subtotals), one (first, last) tuple
        # per customer and per guest name, one "<first>'s cart" per first name.
        self.baskets, self.subtotals = _baskets(pools.products, seed, market.name)
        self.shoppers = [(c.first_name, c.last_name) for c in customers]
        self.guests = [(first, last) for first in pools.first_names for last in pools.last_names]
        self.locals = {first: email_local(first) for first in pools.first_names}
        self.names = {first: f"{first}'s cart" for first in pools.first_names}

    def build(self, chunk: int) -> list[Cart]:
        rng = random.Random(_derive(self.seed, self.market.name, "chunk", chunk))
        rand, bits = rng.random, rng.getrandbits
        market, pools, now, start = self.market, self.pools, self.now, self.start
        customers, shoppers, guests = self.customers, self.shoppers, self.guests
        places, attributions, accounts = pools.places, pools.attributions, self.accounts
        domains, agents, baskets, subtotals = (
            pools.domains,
            pools.user_agents,
            self.baskets,
            self.subtotals,
        )
        channels, currencies, locales = self.channels, self.currencies, self.locales
        slot = ((now - 3600) - start) / self.total
        first = chunk * _CHUNK
        carts = []
        for index in range(first, min(self.total, first + _CHUNK)):
            # Creation instants grow with the index (ids are issued in creation order), each
            # cart drawn uniformly within its own slot of the six-month span.
            created = start + int(slot * (index + rand()))
            age = now - created
            statuses = _FRESH if age < _DAY else _RECENT if age < 30 * _DAY else _OLD
            status = statuses[bits(10)]
            updated = min(now, created + _ACTIVITY[bits(10)])
            abandoned = None
            recovery = "not_attempted"
            if status == "abandoned":
                abandoned = min(now, updated + 1800 + bits(16) * 5401 // 65536)
                recovery = ("not_attempted", "email_sent")[bits(1)]

            pick = bits(_POOL_BITS)
            basket, subtotal = baskets[pick], subtotals[pick]
            discount = (subtotal // 10) if rand() < 0.2 else 0
            shipping, tax, total = price(market, subtotal, discount)

            if rand() < 0.65:
                pick = int(rand() * len(customers))
                customer: Customer | None = customers[pick]
                shopper, email = shoppers[pick], customers[pick].email
            else:
                customer, shopper, email = None, guests[int(rand() * len(guests))], None
                if rand() < 0.5:
                    local, domain = self.locals[shopper[0]], domains[int(rand() * len(domains))]
                    email = f"{local}{1 + int(rand() * 99)}@{domain}"
            billing = shipping_place = None
            if rand() < 0.45:
                billing = places[bits(_POOL_BITS)]
                shipping_place = billing if rand() < 0.7 else places[bits(_POOL_BITS)]
            fields = (
                index, status, channels[bits(10)], currencies[bits(10)], locales[bits(10)],
                created, updated, abandoned, customer, email, shopper, basket, subtotal,
                shipping, discount, tax, total, billing, shipping_place,
                attributions[bits(_POOL_BITS)] if rand() < 0.5 else None, recovery,
                _NAMES[int(rand() * 5)] or self.names[shopper[0]],
                accounts[int(rand() * len(accounts))] if rand() < 0.3 else None,
                agents[int(rand() * len(agents))], bits(256),
            )  # fmt: skip
            carts.append(_new(Cart, fields))
        return carts


def price(
    market: Market, subtotal: int, discount: int, shipping: int | None = None
) -> tuple[int, int, int]:
    """``(shipping, tax, total)`` of a cart of *subtotal* less *discount*, as *market* prices.

    Shipping (unless given) is free from the market's threshold; gross-priced markets (the EU's)
    include the tax in the total, net-priced ones (the US's) add it.
    """
    if shipping is None:
        shipping = 0 if subtotal - discount >= market.free_shipping_from else market.shipping_fee
    if market.tax_included:
        total = subtotal + shipping - discount
        return shipping, total - round(total / (1 + market.tax_rate)), total
    tax = round((subtotal - discount) * market.tax_rate)
    return shipping, tax, subtotal + tax + shipping - discount


def _baskets(
    products: list[Product], seed: int, market: str
) -> tuple[list[tuple[tuple[Product, int], ...]], list[int]]:
    """A pool of cart contents, 1-5 lines of (product, quantity), and the subtotal of each."""
    rng = random.Random(_derive(seed, market, "baskets"))
    pairs = [[(product, quantity) for quantity in range(5)] for product in products]
    baskets = [
        tuple(
            rng.choice(pairs)[_QUANTITY[rng.getrandbits(10)]]
            for _ in range(_LINES[rng.getrandbits(10)])
        )
        for _ in range(_POOL)
    ]
    return baskets, [sum(p.price * q for p, q in basket) for basket in baskets]


def compose(
    market: Market, seed: int, count: int, now: int
) -> tuple[list[Cart], list[Customer], list[str]]:
    """The *count* carts of *market* for *seed*, created in the six months before *now* (Unix
    seconds), with the customers and accounts they refer to.

    The same arguments always give the same carts (see :func:`~cartkit.mockserver.dataset.generate`).
    """
    # A million new containers would trigger a cyclic collection over the whole growing heap
    # every few thousand allocations; carts hold no cycles, so collect nothing until done.
    collecting = gc.isenabled()
    gc.disable()
    try:
        pools = _pools(market, seed)
        customers = _customers(market, pools, seed, max(10, min(count // 3, 50_000)))
        rng = random.Random(_derive(seed, market.name, "accounts"))
        accounts = [uuid4_text(rng.getrandbits(128)) for _ in range(max(5, min(count // 20, 5000)))]
        builder = _ChunkBuilder(market, pools, customers, accounts, seed, now, count)
        carts: list[Cart] = []
        for chunk in range((count + _CHUNK - 1) // _CHUNK):
            carts.extend(builder.build(chunk))
        return carts, customers, accounts
    finally:
        if collecting:
            gc.enable()
