"""Scenarios: named states of a vendor's list endpoint, for the screens an app must handle.

A scenario either serves other carts (``empty``, ``one``, ``large``, ``edge``, derived from the
seeded ones so that every cart keeps the dataset's invariants) or answers every list call the
same way (``unauthorized``, ``rate-limited``, ``down``), or slows the default carts down
(``slow``). Each is answered in the vendor's own envelope, so each conforms to its spec.

Where a scenario comes from, first match wins: the request header ``X-Cartkit-Scenario``, the
one set at run time (``PUT /__cartkit/scenario``, shared by every worker), the one chosen at
start-up (``--scenario``), ``default``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .dataset import Dataset
from .errors import Problem
from .generation import price
from .model import Attribution, Cart, Place, Product

__all__ = ["SCENARIOS", "SCENARIO_HEADER", "Scenario"]

SCENARIO_HEADER = "X-Cartkit-Scenario"
"""Request header choosing the scenario of one call."""

SLOW_MS = 1500.0
"""The ``slow`` scenario's delay: long enough for a spinner to show, short of any timeout."""


@dataclass(frozen=True, slots=True)
class Scenario:
    """One named state of a vendor's list endpoint.

    Attributes:
        name: what ``--scenario``, the admin API and the header call it.
        description: what a screen shows in it.
        carts: derives the scenario's carts from the seeded ones (``None``: the seeded carts).
        refusal: every list call is answered with this refusal instead (``None``: none).
        latency_ms: added to every list call.
    """

    name: str
    description: str
    carts: Callable[[Dataset], Dataset] | None = None
    refusal: Problem | None = None
    latency_ms: float = 0.0


def _keep(dataset: Dataset, carts: list[Cart]) -> Dataset:
    """*dataset* with only *carts*, renumbered in creation order (a cart's index is its
    position, and ids are issued in creation order)."""
    ordered = sorted(carts, key=lambda cart: (cart.created_at, cart.index))
    renumbered = [cart._replace(index=i) for i, cart in enumerate(ordered)]
    return Dataset(
        market=dataset.market,
        seed=dataset.seed,
        now=dataset.now,
        carts=renumbered,
        customers=dataset.customers,
        accounts=dataset.accounts,
    )


def _empty(dataset: Dataset) -> Dataset:
    return _keep(dataset, [])


def _open(dataset: Dataset) -> list[Cart]:
    """The newest carts still open (active or abandoned): every vendor lists those (29 Next
    lists nothing else)."""
    return [cart for cart in reversed(dataset.carts) if cart.status in _OPEN]


def _one(dataset: Dataset) -> Dataset:
    return _keep(dataset, _open(dataset)[:1])


def _priced(dataset: Dataset, cart: Cart, basket: tuple[tuple[Product, int], ...]) -> Cart:
    """*cart* holding *basket*, its money recomputed as the dataset prices every cart."""
    subtotal = sum(product.price * quantity for product, quantity in basket)
    discount = subtotal // 10 if cart.discount else 0
    shipping, tax, total = price(dataset.market, subtotal, discount)
    return cart._replace(
        basket=basket,
        subtotal=subtotal,
        discount=discount,
        shipping=shipping,
        tax=tax,
        total=total,
    )


def _products(dataset: Dataset) -> list[Product]:
    """The catalogue the seeded carts draw from, in a stable order."""
    seen: dict[str, Product] = {}
    for cart in dataset.carts:
        for product, _ in cart.basket:
            seen.setdefault(product.uid, product)
    return sorted(seen.values(), key=lambda p: p.number)


_OPEN = frozenset({"active", "abandoned"})
_LONG = 255  # the longest names the specs allow (Elastic Path's cart name, 29 Next's names)


def _large(dataset: Dataset) -> Dataset:
    """Twenty carts of fifty lines each, with names as long as the specs allow."""
    catalogue = _products(dataset) or [_product(1, "Item", 1000)]
    carts = []
    for n, cart in enumerate(_open(dataset)[:20]):
        basket = tuple((catalogue[(n * 50 + i) % len(catalogue)], 1 + (i % 3)) for i in range(50))
        first, last = cart.shopper
        long_first = (first * (_LONG // max(1, len(first)) + 1))[:_LONG]
        long_last = (last * (_LONG // max(1, len(last)) + 1))[:_LONG]
        name = (f"{first}'s very long shopping list " * 10)[:_LONG]
        carts.append(
            _priced(dataset, cart, basket)._replace(shopper=(long_first, long_last), name=name)
        )
    return _keep(dataset, carts)


def _product(number: int, title: str, price_minor: int) -> Product:
    return Product(
        number=900_000 + number,
        uid=f"00000000-0000-4000-8000-{900_000 + number:012d}",
        sku=f"EDGE-{number:04d}",
        title=title,
        price=price_minor,
        image=f"https://img.example.com/edge/{number}.jpg",
        url=f"https://shop.example.com/products/edge-{number}",
    )


# Names a form, a table or a PDF may get wrong: right-to-left, emoji, combining marks, CJK.
_EDGE_SHOPPERS = (
    ("أحمد", "العربي"),
    ("דנה", "כהן"),
    ("Zoë", "Ångström-Ñúñez"),
    ("李", "小龍"),
    ("🛒 Ava", "O'Brien-Smith 🎉"),
    ("Mårten", "e\u0301le\u0300ve"),  # combining accents
)
_EDGE_NAMES = ("🎂 Birthday list", "سلة التسوق", "Ünïcödé cart", "", "买买买", "x")


def _edge(dataset: Dataset) -> Dataset:
    """Carts at the edges: zero value, one cent, very large, no optional data, odd names."""
    seeds = _open(dataset)[:6]
    if not seeds:
        return _keep(dataset, [])
    cent, dear = _product(1, "Sticker ✨", 1), _product(2, "Yacht 🛥️ (deposit)", 99_999_999)
    baskets: list[tuple[tuple[Product, int], ...]] = [
        (),  # a cart with nothing in it: every amount zero
        ((cent, 1),),  # the smallest amount a line can have
        ((dear, 10),),  # the largest amounts the specs can carry
        ((cent, 1), (dear, 1)),
        seeds[min(4, len(seeds) - 1)].basket,
        seeds[min(5, len(seeds) - 1)].basket,
    ]
    carts = []
    for n, basket in enumerate(baskets):
        cart = seeds[n % len(seeds)]
        edged = _priced(dataset, cart, basket)
        if not basket:
            edged = edged._replace(shipping=0, tax=0, total=0, discount=0)
        first, last = _EDGE_SHOPPERS[n]
        edged = edged._replace(shopper=(first, last), name=_EDGE_NAMES[n])
        if n % 2 == 0:  # every optional datum absent: a guest with no address, no attribution
            edged = edged._replace(
                customer=None,
                email=None,
                billing_place=None,
                shipping_place=None,
                attribution=None,
                account_uid=None,
            )
        else:
            place = Place("Société Générale & Cie", "Straße 1 ½", "75001", "Zürich", "CH")
            edged = edged._replace(
                billing_place=place,
                shipping_place=place,
                attribution=Attribution(
                    "newsletter 📧", None, "été—2025", None, None, None, (None,) * 5, None, None
                ),
            )
        carts.append(edged)
    return _keep(dataset, carts)


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("default", "The seeded carts."),
        Scenario("empty", "No carts at all: the vendor's empty list.", carts=_empty),
        Scenario("one", "A single cart.", carts=_one),
        Scenario(
            "large",
            "Twenty carts of fifty lines each, names as long as the spec allows.",
            carts=_large,
        ),
        Scenario(
            "edge",
            "Right-to-left, emoji and accented names; a zero-value cart, a one-cent and a very "
            "large one; carts with every optional field absent.",
            carts=_edge,
        ),
        Scenario(
            "unauthorized",
            "Every call refused as with bad credentials.",
            refusal=Problem.INVALID_CREDENTIALS,
        ),
        Scenario(
            "rate-limited",
            "Every call refused with the vendor's 429 (and its retry headers).",
            refusal=Problem.RATE_LIMITED,
        ),
        Scenario("down", "Every call answered 503.", refusal=Problem.UNAVAILABLE),
        Scenario("slow", f"The seeded carts, {SLOW_MS / 1000:g} s late.", latency_ms=SLOW_MS),
    )
}
