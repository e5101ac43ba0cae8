"""The query engine shared by every vendor: typed fields, filters, sorting and paging.

Vendors describe their filterable and sortable fields as :class:`Field` objects (a name, a getter
on the canonical :class:`~cartkit.mockserver.model.Cart` and a value kind), translate their own query
syntax into predicates built here (and in :mod:`cartkit.mockserver.filters` and
:mod:`cartkit.mockserver.operators`, re-exported), and call :func:`select` (or :func:`find`).

A million carts shape the design. Sorted orders are computed once per sort specification and
cached on the dataset. A filter is evaluated in index order into a :data:`Mask` (:func:`scan`),
column by column where it can (:class:`Match`): reading a million carts in a sorted order is a
million cache misses, reading a column in index order is not. A page then counts the matches on
the mask and walks the sorted positions only until its window is found, from the nearer end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from operator import attrgetter
from typing import Any, Literal

from .dataset import Dataset
from .filters import (
    Key,
    Mask,
    Match,
    Predicate,
    Search,
    all_of,
    any_of,
    matching,
    memo,
    none_of,
    scan,
)
from .instants import parse_instant
from .model import Cart
from .operators import OPERATORS, compare, wildcard

__all__ = [
    "OPERATORS",
    "Field",
    "Hits",
    "Key",
    "Mask",
    "Match",
    "Page",
    "Predicate",
    "QueryError",
    "Search",
    "SortKey",
    "all_of",
    "any_of",
    "compare",
    "find",
    "matching",
    "memo",
    "none_of",
    "parse_instant",
    "scan",
    "select",
    "wildcard",
]

Kind = Literal["string", "integer", "number", "boolean", "datetime"]


class QueryError(ValueError):
    """A filter or sort that cannot be applied; vendors turn it into their 400 envelope."""

    def __init__(self, param: str, message: str) -> None:
        self.param = param
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Field:
    """A vendor-visible cart field: its wire name, how to read it and how to compare it.

    *column* names the dataset column holding ``get(cart)`` for every cart (see
    :meth:`~cartkit.mockserver.dataset.Dataset.column`): a cart attribute, or a name of its own for a
    derived value. With one, :func:`~cartkit.mockserver.operators.compare` builds a :class:`Match`,
    which filters at C speed. *nullable* says whether ``get`` may answer ``None``; ordering
    comparisons on a field that never does are plain C comparisons. A text field with a column
    and *search* answers the text operators with a :class:`Search`: for columns of (nearly) one
    value per cart (ids, printed instants), which a :class:`Match` would test once per cart.
    """

    name: str
    get: Callable[[Cart], Any]
    kind: Kind = "string"
    column: str | None = None
    nullable: bool = True
    search: bool = False

    def coerce(self, value: Any) -> Any:
        """Turn a filter operand into this field's value type; raise ``ValueError`` if it can't be."""
        if value is None:
            return None
        if self.kind == "datetime":
            return parse_instant(value)
        if self.kind == "boolean":
            if isinstance(value, bool):
                return value
            if str(value).lower() in {"true", "1"}:
                return True
            if str(value).lower() in {"false", "0"}:
                return False
            raise ValueError(f"{value!r} is not a boolean")
        if self.kind in {"integer", "number"}:
            if isinstance(value, bool):
                raise ValueError(f"{value!r} is not a number")
            number = float(value)
            if number != number or number in {float("inf"), float("-inf")}:
                raise ValueError(f"{value!r} is not a finite number")
            return number
        return str(value)


@dataclass(frozen=True, slots=True)
class SortKey:
    """Sort by *field*, ascending unless *descending*.

    Missing values sort as the largest (first when descending), or last in both directions with
    *nulls_last*.
    """

    field: Field
    descending: bool = False
    nulls_last: bool = False


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a query: the total number of matches and the carts of the requested window."""

    total: int
    items: list[Cart]
    offset: int
    limit: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.items) < self.total


class Hits:
    """The carts matching a filter in a sort order (see :func:`find`).

    :attr:`ordered` is every cart in the order, :attr:`mask` the filter's mask (``None``: every
    cart matches) and :attr:`total` the number of matches, counted when first asked. Windows
    are found by walking the order's positions through the mask, so a page near either end
    reads few carts.
    """

    __slots__ = ("_carts", "_positions", "_total", "mask", "ordered")

    def __init__(
        self, carts: list[Cart], ordered: list[Cart], positions: Sequence[int], mask: Mask | None
    ) -> None:
        self._carts, self._positions = carts, positions
        self.ordered, self.mask = ordered, mask
        self._total: int | None = None

    @property
    def total(self) -> int:
        if self._total is None:
            self._total = len(self.ordered) if self.mask is None else self.mask.count(1)
        return self._total

    def window(self, offset: int, end: int) -> list[Cart]:
        """The matches ranked *offset* to *end* (excluded) in the order."""
        end = min(end, self.total)
        if offset >= end:
            return []
        if self.mask is None:
            return self.ordered[offset:end]
        if offset <= self.total - end:
            return self._walk(0, offset, end - offset, backward=False)
        return self._walk(len(self.ordered), self.total - end, end - offset, backward=True)

    def after(self, position: int, count: int) -> list[Cart]:
        """The first *count* matches at or after *position* in the order."""
        if self.mask is None:
            return self.ordered[position : position + count]
        return self._walk(position, 0, count, backward=False)

    def before(self, position: int, count: int) -> list[Cart]:
        """The last *count* matches before *position* in the order, in order."""
        if self.mask is None:
            return self.ordered[max(0, position - count) : position]
        return self._walk(position, 0, count, backward=True)

    def _walk(self, start: int, skip: int, count: int, *, backward: bool) -> list[Cart]:
        """*count* matches after the first *skip*, walking from *start* forward or backward."""
        assert self.mask is not None
        positions, size = self._positions, len(self._positions)
        at = positions.__getitem__  # steps from *start* without walking over what precedes it
        steps: Iterator[int]
        if backward:
            steps = reversed(positions) if start == size else map(at, range(start - 1, -1, -1))
        else:
            steps = iter(positions) if start == 0 else map(at, range(start, size))
        found = list(islice(filter(self.mask.__getitem__, steps), skip, skip + count))
        if backward:
            found.reverse()
        return list(map(self._carts.__getitem__, found))


def _sorter(order: Sequence[SortKey], tiebreak: Field | None) -> Callable[[list[Cart]], list[Cart]]:
    def build(carts: list[Cart]) -> list[Cart]:
        # Ties fall back to *tiebreak* ascending, or else to creation order in the first key's
        # direction, so every order is total and paging is stable. Successive stable sorts apply
        # the keys from the least significant one (``reverse=True`` keeps stability).
        if tiebreak is not None:
            result = _sort(carts, list(map(tiebreak.get, carts)), descending=False)
        else:
            descending = bool(order) and order[0].descending
            result = sorted(carts, key=attrgetter("index"), reverse=descending)
        for key in reversed(order):
            values: list[Any] = list(map(key.field.get, result))
            if None in values:
                missing_first = key.nulls_last and key.descending
                values = [((v is None) != missing_first, v) for v in values]
            result = _sort(result, values, descending=key.descending)
        return result

    return build


def _sort(carts: list[Cart], values: list[Any], *, descending: bool) -> list[Cart]:
    """*carts* stably sorted by *values* (one per cart): each key is computed once, not per
    comparison, and the sort runs on C-level callables only (a million carts take ~1 s)."""
    positions = sorted(range(len(carts)), key=values.__getitem__, reverse=descending)
    return list(map(carts.__getitem__, positions))


def find(
    dataset: Dataset,
    *,
    where: Predicate | None = None,
    mask: Mask | None = None,
    order: Sequence[SortKey] = (),
    tiebreak: Field | None = None,
) -> Hits:
    """The carts of *dataset* matching *where* (or an already computed *mask*), in *order*.

    The sorted order is built once per ``(order, tiebreak)`` and cached on the dataset; without
    *order*, carts keep their index order and *tiebreak* is unused.
    """
    key = (
        tuple((k.field.name, k.descending, k.nulls_last) for k in order),
        tiebreak and tiebreak.name,
    )
    ordered = dataset.ordered(key, _sorter(order, tiebreak)) if order else dataset.carts
    if mask is None and where is not None:
        mask = scan(dataset, where)
    if mask is None:
        return Hits(dataset.carts, ordered, (), None)
    positions = dataset.positions(key) if order else range(len(dataset))
    return Hits(dataset.carts, ordered, positions, mask)


def select(
    dataset: Dataset,
    *,
    where: Predicate | None = None,
    mask: Mask | None = None,
    order: Sequence[SortKey] = (),
    tiebreak: Field | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> Page:
    """Filter, sort and slice *dataset* (see :func:`find`); ``limit=None`` means no limit."""
    hits = find(dataset, where=where, mask=mask, order=order, tiebreak=tiebreak)
    end = hits.total if limit is None else offset + limit
    return Page(total=hits.total, items=hits.window(offset, end), offset=offset, limit=limit or 0)
