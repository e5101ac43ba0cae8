"""Indexes over dataset columns that let a filter run its test far fewer times than once per cart.

Built once per dataset, on first use, and kept on it (:meth:`~mockserver.dataset.Dataset.index`):

- :func:`factors`: a column of pooled values (baskets, attributions, places, names, amounts) as
  a small code per cart plus the distinct values. A test then runs once per distinct value (per
  *pool entry*) and the mask is read off the codes at C speed.
- :func:`packed`: an integer column unique per cart (a session key, an id) packed into one
  ``bytes``, searched at C speed for one value (:func:`find_packed`).
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from itertools import repeat
from typing import Any, Literal

from .dataset import Dataset
from .model import Cart

__all__ = ["Factors", "factors", "find_packed", "packed"]

_MAX_UNIQUES = 1 << 16  # more distinct values than this: testing each one costs too much
_PLAIN = frozenset({int, float, str, bool, bytes, type(None)})


@dataclass(frozen=True, slots=True)
class Factors:
    """A column as ``uniques[codes[i]]`` for cart *i*: its distinct values and one code per cart."""

    codes: bytes | array[int]  # bytes when there are at most 256 distinct values
    uniques: list[Any]

    def mask(self, test: Callable[[Any], Any]) -> bytes:
        """The mask of ``bool(test(value))`` per cart, *test* called once per distinct value."""
        table = bytes(map(bool, map(test, self.uniques)))
        if isinstance(self.codes, bytes):
            return self.codes.translate(table.ljust(256, b"\x00"))
        return bytes(map(table.__getitem__, self.codes))


def factors(dataset: Dataset, column: str, get: Callable[[Cart], Any]) -> Factors | None:
    """The column *column* (``get(cart)`` per cart) factorized, or ``None`` when it holds more
    distinct values than testing each one would pay for (creation instants, ids)."""
    return dataset.index(("factors", column), lambda: _factorize(dataset, column, get))


def _factorize(dataset: Dataset, column: str, get: Callable[[Cart], Any]) -> Factors | None:
    # Values of one plain type group by equality; anything else (pooled objects, or 1 and True
    # side by side, which a test may tell apart) by identity: one code per pool entry.
    found = _slices(dataset.carts, get, by_identity=False)
    return _slices(dataset.carts, get, by_identity=True) if found is _MIXED else found


_MIXED: Any = object()


def _slices(carts: list[Cart], get: Callable[[Cart], Any], *, by_identity: bool) -> Any:
    """Factors of ``get`` over *carts*, read a slice at a time: a million fresh values (texts of
    amounts) are never held at once, and distinct values are given up on after a slice or two.
    ``_MIXED`` when grouping by equality meets values of several types."""
    kinds: set[type] = {type(None)}
    first: dict[Any, Any] = {}  # key -> its value
    numbering: dict[Any, int] = {}  # key -> its code
    codes = array("H")
    for start in range(0, len(carts), _MAX_UNIQUES):
        values = list(map(get, carts[start : start + _MAX_UNIQUES]))
        if not by_identity:
            kinds.update(map(type, values))
            if len(kinds) > 2 or not kinds <= _PLAIN:
                return _MIXED
        keys = list(map(id, values)) if by_identity else values
        first.update(zip(keys, values, strict=True))
        if len(first) > _MAX_UNIQUES:
            return None
        for key in itertools.islice(first, len(numbering), None):
            numbering[key] = len(numbering)
        codes.extend(map(numbering.__getitem__, keys))
    uniques = list(first.values())
    return Factors(bytes(codes.tolist()) if len(uniques) <= 256 else codes, uniques)


def packed(dataset: Dataset, column: str, get: Callable[[Cart], int], width: int) -> bytes:
    """Every cart's ``get(cart)`` (an integer of at most *width* bytes) packed big-endian, in
    index order: *width* bytes per cart, a tenth of the memory of the integers themselves."""

    def build() -> bytes:
        values = map(get, dataset.carts)
        order: Literal["big"] = "big"
        return b"".join(map(int.to_bytes, values, repeat(width), repeat(order)))

    blob: bytes = dataset.index(("packed", column, width), build)
    return blob


def find_packed(blob: bytes, width: int, value: int) -> list[int]:
    """The indices of the carts whose packed value (see :func:`packed`) is *value*."""
    if not 0 <= value < 1 << (8 * width):
        return []
    target, found = value.to_bytes(width, "big"), []
    at = blob.find(target)
    while at >= 0:
        if at % width == 0:  # a hit straddling two values is no hit
            found.append(at // width)
            at = blob.find(target, at + width)
        else:
            at = blob.find(target, at + 1)
    return found
