"""Filters over a dataset: predicates, their combinations, and their evaluation into masks.

A predicate is any ``Callable[[Cart], bool]``. Several kinds are known here and evaluated faster
than one Python call per cart: a :class:`Match` tests one dataset column, mapped in index order at C
speed (or once per distinct value of a pooled column, see :mod:`cartkit.mockserver.indexes`), a
:class:`Key` looks one value up in a column unique per cart, a :class:`Search` applies a text
operator to a text column of (nearly) one value per cart, and the combinations built by
:func:`all_of`, :func:`any_of` and :func:`none_of` combine their parts' masks. :func:`scan` turns
a predicate into a :data:`Mask`. The query engine (:mod:`cartkit.mockserver.query`) re-exports all of it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from functools import partial, reduce
from itertools import compress
from operator import attrgetter, contains, eq, ge, gt, is_, is_not, le, lt, ne
from typing import Any

from .dataset import Dataset
from .indexes import factors, find_packed, packed, texts
from .model import Cart

__all__ = [
    "Key",
    "Mask",
    "Match",
    "Predicate",
    "Search",
    "all_of",
    "any_of",
    "matching",
    "memo",
    "none_of",
    "scan",
]

Predicate = Callable[[Cart], bool]
Mask = bytes
"""One byte per cart of a dataset, in index order: 1 where a filter holds, 0 elsewhere."""


class Match:
    """The predicate ``test(get(cart))`` on a dataset column, which :func:`scan` runs at C speed.

    *column* names the dataset column of ``get(cart)`` for every cart; *get* defaults to the cart
    attribute of that name. Called on one cart, a Match is an ordinary :data:`Predicate`;
    :func:`scan` instead maps *test* over the column in index order, which costs no Python frame
    per cart when *test* is a C callable answering a ``bool`` (``"abandoned".__eq__``,
    ``partial(operator.lt, 5)``, ``frozenset.__contains__``, :func:`memo`). Any other *test* is
    called once per distinct value when the column has few (pooled objects: baskets,
    attributions; see :func:`~cartkit.mockserver.indexes.factors`), so it must answer the same for
    equal values (for identical objects, when the values are not plain ints, strings, ...).
    """

    __slots__ = ("column", "get", "test")

    def __init__(
        self, column: str, test: Callable[[Any], bool], get: Callable[[Cart], Any] | None = None
    ) -> None:
        self.column, self.test = column, test
        self.get = attrgetter(column) if get is None else get

    def __call__(self, cart: Cart) -> bool:
        return bool(self.test(self.get(cart)))


class Key:
    """The predicate ``get(cart) == value`` on an integer column of (nearly) one value per cart.

    :func:`scan` finds *value* by searching the column packed into *width* bytes per cart (see
    :func:`~cartkit.mockserver.indexes.packed`) instead of comparing a million integers in Python.
    """

    __slots__ = ("column", "get", "value", "width")

    def __init__(self, column: str, get: Callable[[Cart], int], value: int, width: int) -> None:
        self.column, self.get, self.value, self.width = column, get, value, width

    def __call__(self, cart: Cart) -> bool:
        return bool(self.get(cart) == self.value)


class Search:
    """The predicate ``test(get(cart))`` where *test* is the text operator *operator*
    (``CONTAINS``, ``STARTS_WITH``, ``ENDS_WITH`` with a casefolded *operand*, or ``LIKE`` with a
    pattern; see :mod:`cartkit.mockserver.operators`) on the text column *column*.

    :func:`scan` answers it from the column's lines (:func:`~cartkit.mockserver.indexes.texts`) in a few
    C-level passes, for columns of too many distinct values to test each one (ids, instants);
    *test* (the per-cart reading, which must agree) is used when the index cannot be built.
    """

    __slots__ = ("column", "get", "operand", "operator", "test")

    def __init__(
        self,
        column: str,
        get: Callable[[Cart], str | None],
        operator: str,
        operand: str,
        test: Callable[[Any], bool],
    ) -> None:
        self.column, self.get, self.test = column, get, test
        self.operator, self.operand = operator, operand

    def __call__(self, cart: Cart) -> bool:
        return bool(self.test(self.get(cart)))


class _Memo(dict[Any, bool]):
    """``test(value)`` remembered per value, up to a bound (fields drawn from pools repeat)."""

    __slots__ = ("_test",)
    _LIMIT = 4096  # a field with more distinct values (ids, instants) is just tested each time

    def __init__(self, test: Callable[[Any], Any]) -> None:
        super().__init__()
        self._test = test

    def __missing__(self, value: Any) -> bool:
        result = bool(self._test(value))
        if len(self) < self._LIMIT:
            self[value] = result
        return result


def memo(test: Callable[[Any], Any]) -> Callable[[Any], bool]:
    """*test* as a dictionary lookup after its first call per value (a C-level callable).

    A field's values are expected to share one type (``1`` and ``1.0`` are one key).
    """
    return _Memo(test).__getitem__


class _Combination:
    __slots__ = ("parts",)

    def __init__(self, parts: tuple[Predicate, ...]) -> None:
        self.parts = parts


class _AllOf(_Combination):
    """AND of predicates, kept apart so that :func:`scan` can narrow the carts one by one."""

    def __call__(self, cart: Cart) -> bool:
        return all(p(cart) for p in self.parts)


class _AnyOf(_Combination):
    """OR of predicates, kept apart so that :func:`scan` can combine their masks."""

    def __call__(self, cart: Cart) -> bool:
        return any(p(cart) for p in self.parts)


class _NoneOf(_Combination):
    """NOT (OR of predicates)."""

    def __call__(self, cart: Cart) -> bool:
        return not any(p(cart) for p in self.parts)


def all_of(predicates: Iterable[Predicate]) -> Predicate | None:
    """AND of *predicates*; ``None`` when there are none (no filtering at all)."""
    preds = tuple(
        part
        for p in predicates
        for part in (p.parts if isinstance(p, _AllOf) else (p,))  # flat: scan orders them all
    )
    if not preds:
        return None
    if len(preds) == 1:
        return preds[0]
    return _AllOf(preds)


def any_of(predicates: Iterable[Predicate]) -> Predicate:
    """OR of *predicates*."""
    preds = tuple(predicates)
    if len(preds) == 1:
        return preds[0]
    return _AnyOf(preds)


def none_of(predicates: Iterable[Predicate]) -> Predicate:
    """NOT (OR of *predicates*): the carts that none of them holds for."""
    return _NoneOf(tuple(predicates))


def matching(where: Predicate, carts: Sequence[Cart]) -> list[Cart]:
    """The carts matching *where*, in order."""
    return list(filter(where, carts))


def scan(dataset: Dataset, where: Predicate) -> Mask:
    """The mask of the carts of *dataset* that *where* holds for.

    A :class:`Match` maps its test over its column at C speed; combinations (:func:`all_of`,
    :func:`any_of`, :func:`none_of`) combine masks, columnar parts first; any other predicate
    is called once per cart still in question, in index order.
    """
    return _scan(dataset, where, None)


_FLIP = bytes.maketrans(b"\x00\x01", b"\x01\x00")


def _scan(dataset: Dataset, where: Predicate, within: Mask | None) -> Mask:
    if isinstance(where, Match):
        operation = _operation(where)
        if operation is None:
            return _tested(dataset, where, within)
        mask = dataset.mask(operation, lambda: _compare(dataset, where, operation))
        return mask if within is None else _and(mask, within)
    if isinstance(where, Key):
        found = bytearray(len(dataset))
        blob = packed(dataset, where.column, where.get, where.width)
        for index in find_packed(blob, where.width, where.value):
            found[index] = 1
        return bytes(found) if within is None else _and(bytes(found), within)
    if isinstance(where, Search):
        lines = texts(dataset, where.column, where.get)
        if lines is None:
            return _refine(where.test, dataset.column(where.column, where.get), within, exact=True)
        mask = lines.mask(where.operator, where.operand)  # a new needle each time, mostly
        return mask if within is None else _and(mask, within)
    if isinstance(where, _AllOf):
        for part in sorted(where.parts, key=lambda p: not _columnar(p)):  # stable sort
            within = _scan(dataset, part, within)
        assert within is not None
        return within
    if isinstance(where, _AnyOf | _NoneOf):
        masks = [_scan(dataset, part, within) for part in where.parts]
        hits = reduce(_or, masks) if masks else bytes(len(dataset))  # OR of nothing: no cart
        if isinstance(where, _AnyOf):
            return hits
        hits = hits.translate(_FLIP)
        return hits if within is None else _and(hits, within)
    return _refine(where, dataset.carts, within, exact=False)


# Tests spelled ``partial(op, operand)`` with these operators are understood: their masks are kept
# on the dataset (a status or currency filter recurs), and found by bisection on sorted columns.
_OPERATIONS = frozenset({eq, ne, lt, le, gt, ge, is_, is_not, contains})
_BOUNDS: dict[Callable[..., Any], Callable[[int, int, int], tuple[int, int]]] = {
    # op -> (first index of operand, index past it, size) -> the range where op(operand, value)
    eq: lambda low, high, size: (low, high),
    gt: lambda low, high, size: (0, low),  # operand > value
    ge: lambda low, high, size: (0, high),
    lt: lambda low, high, size: (high, size),  # operand < value
    le: lambda low, high, size: (low, size),
}


def _operation(match: Match) -> tuple[str, Callable[..., Any], Any] | None:
    """``(column, op, operand)`` when *match* tests ``op(operand, value)`` (``partial(op, operand)``
    or ``frozenset.__contains__``) with a hashable operand; else ``None``."""
    test: Any = match.test
    if isinstance(test, partial):
        if test.func not in _OPERATIONS or len(test.args) != 1 or test.keywords:
            return None
        op, operand = test.func, test.args[0]
    elif isinstance(test.__self__ if hasattr(test, "__self__") else None, frozenset):
        if test.__name__ != "__contains__":
            return None
        op, operand = contains, test.__self__
    else:
        return None
    try:
        hash(operand)
    except TypeError:
        return None
    return match.column, op, operand


def _compare(
    dataset: Dataset, match: Match, operation: tuple[str, Callable[..., Any], Any]
) -> Mask:
    column, op, operand = operation
    values = dataset.column(column, match.get)
    bounds = _BOUNDS.get(op)
    if bounds is not None and operand == operand and dataset.ascending(column):  # not NaN
        try:
            start, stop = bounds(
                bisect_left(values, operand), bisect_right(values, operand), len(values)
            )
        except TypeError:  # an operand that does not order with the values: test each
            pass
        else:
            return bytes(start) + b"\x01" * (stop - start) + bytes(len(values) - stop)
    return bytes(bytearray(map(match.test, values)))


def _tested(dataset: Dataset, match: Match, within: Mask | None) -> Mask:
    """The mask of a :class:`Match` whose test is opaque: tested once per distinct value when
    the column has few, else once per value (per candidate, when *within* leaves few)."""
    found = factors(dataset, match.column, match.get)
    if found is not None and (within is None or within.count(1) >= len(found.uniques)):
        mask = found.mask(match.test)
        return mask if within is None else _and(mask, within)
    return _refine(match.test, dataset.column(match.column, match.get), within, exact=True)


def _columnar(where: Predicate) -> bool:
    if isinstance(where, _Combination):
        return all(map(_columnar, where.parts))
    return isinstance(where, Match | Key | Search)


def _refine(
    test: Callable[[Any], Any], values: Sequence[Any], within: Mask | None, *, exact: bool
) -> Mask:
    """The mask of ``test(values[i])``, asked only where *within* is 1 (everywhere without it).

    An *exact* test answers a ``bool``, so one C-level pass over every value makes the mask
    unless few are in question; any other test is called on the candidates alone.
    """
    size = len(values)
    if exact and (within is None or within.count(1) * 4 > size):
        mask = bytes(bytearray(map(test, values)))
        return mask if within is None else _and(mask, within)
    indices = range(size) if within is None else list(compress(range(size), within))
    out = bytearray(size)
    for i in compress(indices, map(test, map(values.__getitem__, indices))):
        out[i] = 1
    return bytes(out)


# Masks hold 0/1 bytes, so AND/OR of them as (one-megabyte) integers is one C-level operation.
def _and(a: Mask, b: Mask) -> Mask:
    return (int.from_bytes(a, "little") & int.from_bytes(b, "little")).to_bytes(len(a), "little")


def _or(a: Mask, b: Mask) -> Mask:
    return (int.from_bytes(a, "little") | int.from_bytes(b, "little")).to_bytes(len(a), "little")
