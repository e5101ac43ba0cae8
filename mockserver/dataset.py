"""The carts of one vendor, and what the query engine keeps on them.

A :class:`Dataset` holds the carts in index order (creation order: ids are issued in it), with
the customers and accounts they refer to; :func:`generate` makes one from a seed (see
:mod:`cartkit.mockserver.generation`). The query engine caches on it what it builds once and reads per
request: sorted orders, columns, indexes and the masks of recent filters.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
from array import array
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter, le
from typing import Any

from .generation import Market, compose
from .model import Cart, Customer

__all__ = ["DEFAULT_NOW", "Dataset", "Market", "generate"]

DEFAULT_NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
"""The default anchor instant: carts are laid out in the months before it."""

_MASKS = 32  # filter masks kept per dataset (a megabyte each at a million carts)
_ORDERS = 32  # sorted orders kept per dataset (8 MB each at a million carts), least recent out


@dataclass(slots=True)
class Dataset:
    """Every cart of one market, in generation order, plus cached orderings for the query engine."""

    market: Market
    seed: int
    now: int
    carts: list[Cart]
    customers: list[Customer]
    accounts: list[str]
    _orders: OrderedDict[Any, list[Cart]] = field(default_factory=OrderedDict, repr=False)
    _positions: dict[Any, list[int]] = field(default_factory=dict, repr=False)
    _columns: dict[str, list[Any]] = field(default_factory=dict, repr=False)
    _ascending: dict[str, bool] = field(default_factory=dict, repr=False)
    _masks: OrderedDict[Hashable, bytes] = field(default_factory=OrderedDict, repr=False)
    _indexes: dict[Hashable, Any] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.carts)

    def merged(self, carts: list[Cart], customers: list[Customer], accounts: list[str]) -> Dataset:
        """A dataset of these carts and *carts* in creation order, renumbered (a cart's index is
        its position), with *customers* and *accounts* (this dataset's own included)."""
        added = sorted(carts, key=lambda cart: cart.created_at)
        merged = heapq.merge(self.carts, added, key=lambda cart: cart.created_at)
        renumbered = [
            cart if cart.index == position else cart._replace(index=position)
            for position, cart in enumerate(merged)
        ]
        return Dataset(
            market=self.market,
            seed=self.seed,
            now=self.now,
            carts=renumbered,
            customers=customers,
            accounts=accounts,
        )

    def ordered(self, key: Any, build: Callable[[list[Cart]], list[Cart]]) -> list[Cart]:
        """Return the carts sorted by *key*, building (``build(carts)``) and keeping it while it
        is among the :data:`_ORDERS` most recently used orders."""
        cached = self._orders.get(key)
        if cached is None:
            cached = self._orders[key] = build(self.carts)
            if len(self._orders) > _ORDERS:  # a client may ask for ever new sort orders
                evicted, _ = self._orders.popitem(last=False)
                self._positions.pop(evicted, None)
        else:
            self._orders.move_to_end(key)
        return cached

    def positions(self, key: Any) -> list[int]:
        """The cart indices of the cached order *key*, in that order (see :meth:`ordered`).

        Fresh integers, allocated in this order: a walk along the order reads them from
        consecutive memory, where the carts' own ``index`` objects lie scattered over the heap.
        """
        cached = self._positions.get(key)
        if cached is None:
            indices = array("q", map(attrgetter("index"), self._orders[key]))
            cached = self._positions[key] = indices.tolist()
        return cached

    def column(self, name: str, get: Callable[[Cart], Any] | None = None) -> list[Any]:
        """Every cart's value of the column *name*, in index order, built once.

        The values are ``get(cart)``, by default the cart attribute *name*; a derived column
        needs a name of its own (the first *get* given for a name builds it). Filters scan
        columns rather than carts: a list of a million values is read in order, where a million
        carts scattered over the heap are a million cache misses. For the same reason a column
        of integers holds fresh ones, allocated side by side, not the carts' own.
        """
        cached = self._columns.get(name)
        if cached is None:
            cached = list(map(get or attrgetter(name), self.carts))
            if set(map(type, cached)) == {int}:
                with contextlib.suppress(OverflowError):  # beyond 64 bits: keep them as they are
                    cached = array("q", cached).tolist()
            self._columns[name] = cached
        return cached

    def ascending(self, name: str) -> bool:
        """Whether the (built) column *name* never decreases, as creation instants do: filters
        on such a column find their bounds by bisection. Checked once."""
        cached = self._ascending.get(name)
        if cached is None:
            column = self._columns[name]
            try:
                cached = all(map(le, column, itertools.islice(column, 1, None)))
            except TypeError:  # None among the values, or types that do not order
                cached = False
            self._ascending[name] = cached
        return cached

    def index(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The index *key* over the carts (see :mod:`cartkit.mockserver.indexes`), built by ``build()``
        on first use and kept."""
        if key not in self._indexes:
            self._indexes[key] = build()
        return self._indexes[key]

    def mask(self, key: Hashable, build: Callable[[], bytes]) -> bytes:
        """The filter mask *key* (see :mod:`cartkit.mockserver.filters`), built by ``build()`` and kept
        while it is among the few most recently used."""
        cached = self._masks.get(key)
        if cached is None:
            cached = self._masks[key] = build()
            if len(self._masks) > _MASKS:
                self._masks.popitem(last=False)
        else:
            self._masks.move_to_end(key)
        return cached


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
    carts, customers, accounts = compose(market, seed, count, anchor)
    return Dataset(
        market=market, seed=seed, now=anchor, carts=carts, customers=customers, accounts=accounts
    )
