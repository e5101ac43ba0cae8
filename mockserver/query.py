"""The query engine shared by every vendor: typed fields, filter operators, sorting and paging.

Vendors describe their filterable and sortable fields as :class:`Field` objects (a name, a getter
on the canonical :class:`~mockserver.model.Cart` and a value kind), translate their own query
syntax into predicates built here, and call :func:`select`. Sorted orders are computed once per
sort specification and cached on the dataset, so a request costs one filtering pass at most.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import compress
from operator import and_, attrgetter
from typing import Any, Literal

from .dataset import Dataset
from .model import Cart

__all__ = [
    "OPERATORS",
    "Field",
    "Match",
    "Page",
    "Predicate",
    "QueryError",
    "SortKey",
    "all_of",
    "any_of",
    "compare",
    "matching",
    "memo",
    "parse_instant",
    "select",
    "wildcard",
]

Kind = Literal["string", "integer", "number", "boolean", "datetime"]
Predicate = Callable[[Cart], bool]


class QueryError(ValueError):
    """A filter or sort that cannot be applied; vendors turn it into their 400 envelope."""

    def __init__(self, param: str, message: str) -> None:
        self.param = param
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Field:
    """A vendor-visible cart field: its wire name, how to read it and how to compare it."""

    name: str
    get: Callable[[Cart], Any]
    kind: Kind = "string"

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


_INSTANT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?([Zz]|[+-]\d{2}:?\d{2})?)?",
    re.ASCII,
)


def parse_instant(value: Any) -> int:
    """Parse an ISO 8601 / RFC 3339 date or date-time (naive = UTC) or Unix seconds.

    Accepts everything JSON Schema's ``date-time`` format accepts (lower-case ``t``/``z``, a leap
    second, any number of fraction digits, year 0000), so that a value the spec lets through is
    never a crash here. Fractions are dropped: instants compare at one-second resolution.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a date-time")
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        match = _INSTANT.fullmatch(str(value).strip())
        if match is None:
            raise ValueError(f"{value!r} is not an ISO 8601 date-time")
        year, month, day, hour, minute, second, _, offset = match.groups()
        leap = second == "60"
        text = (
            f"{max(int(year), 1):04d}-{month}-{day}T{hour or '00'}:{minute or '00'}:"
            f"{'59' if leap else second or '00'}{(offset or '').upper()}"
        )
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{value!r} is not a valid ISO 8601 date-time") from None
        if leap:
            moment = moment.replace(second=59) + timedelta(seconds=1)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def wildcard(
    pattern: str, *, any_chars: str, one_char: str | None = None, fold: bool
) -> re.Pattern[str]:
    """Compile a LIKE-style *pattern* (``%``/``_`` or ``*``) into an anchored regex."""
    out = []
    for ch in pattern:
        if ch == any_chars:
            out.append(".*")
        elif one_char is not None and ch == one_char:
            out.append(".")
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out), re.DOTALL | (re.IGNORECASE if fold else 0))


def _text(value: Any) -> str:
    return "" if value is None else str(value).casefold()


def _between(a: Any, bounds: Sequence[Any]) -> bool:
    low, high = bounds
    return a is not None and low is not None and high is not None and low <= a <= high


def _present(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    """Ordering comparisons never match a missing value (SQL semantics of NULL)."""
    return lambda a, b: a is not None and b is not None and op(a, b)


def _like(pattern: Any) -> re.Pattern[str]:
    return wildcard(str(pattern), any_chars="%", one_char="_", fold=True)


def _same(operand: Any) -> Any:
    return operand


# name -> (prepare the operand once, test(field_value, prepared operand) per cart)
_OPERATORS: dict[str, tuple[Callable[[Any], Any], Callable[[Any, Any], bool]]] = {
    "EQUALS": (_same, lambda a, b: a == b),
    "NOT_EQUALS": (_same, lambda a, b: a != b),
    "CONTAINS": (_text, lambda a, b: a is not None and b in _text(a)),
    "NOT_CONTAINS": (_text, lambda a, b: a is None or b not in _text(a)),
    "STARTS_WITH": (_text, lambda a, b: a is not None and _text(a).startswith(b)),
    "ENDS_WITH": (_text, lambda a, b: a is not None and _text(a).endswith(b)),
    "LESS_THAN": (_same, _present(lambda a, b: a < b)),
    "LESS_THAN_OR_EQUAL_TO": (_same, _present(lambda a, b: a <= b)),
    "GREATER_THAN": (_same, _present(lambda a, b: a > b)),
    "GREATER_THAN_OR_EQUAL_TO": (_same, _present(lambda a, b: a >= b)),
    "IN": (frozenset, lambda a, b: a in b),
    "NOT_IN": (frozenset, lambda a, b: a not in b),
    "LIKE": (_like, lambda a, b: a is not None and b.fullmatch(str(a)) is not None),
    "BETWEEN": (tuple, _between),
    "NOT_BETWEEN": (tuple, lambda a, b: not _between(a, b)),
}

OPERATORS: tuple[str, ...] = tuple(_OPERATORS)
"""The comparison operators (ShopiMind's fifteen); text operators are case-insensitive."""


class Match:
    """The predicate ``test(cart.<attribute>)``, which :func:`select` runs on C speed.

    Called on one cart it is an ordinary :data:`Predicate`. :func:`select` instead maps *test*
    over the dataset's column of that attribute (:meth:`~mockserver.dataset.Dataset.column`),
    which costs no Python frame per cart when *test* is a C callable returning a ``bool``
    (``"abandoned".__eq__``, ``partial(operator.lt, 5)``, :func:`memo`).
    """

    __slots__ = ("attribute", "get", "test")

    def __init__(self, attribute: str, test: Callable[[Any], bool]) -> None:
        self.attribute, self.get, self.test = attribute, attrgetter(attribute), test

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


def compare(field: Field, operator: str, operand: Any) -> Predicate:
    """Build the predicate ``field <operator> operand`` for one of :data:`OPERATORS`.

    *operand* is already coerced to the field's kind (a sequence for ``IN``/``BETWEEN`` and
    their negations, two items for ``BETWEEN``).
    """
    prepare, test = _OPERATORS[operator]
    prepared = prepare(operand)
    check, get = memo(lambda value: test(value, prepared)), field.get
    return lambda cart: check(get(cart))


class _AllOf:
    """AND of predicates, kept apart so that :func:`select` can narrow the carts one by one."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple[Predicate, ...]) -> None:
        self.parts = parts

    def __call__(self, cart: Cart) -> bool:
        return all(p(cart) for p in self.parts)


def all_of(predicates: Iterable[Predicate]) -> Predicate | None:
    """AND of *predicates*; ``None`` when there are none (no filtering at all)."""
    preds = tuple(predicates)
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
    return lambda cart: any(p(cart) for p in preds)


def matching(where: Predicate, carts: Sequence[Cart]) -> list[Cart]:
    """The carts matching *where*, in order."""
    return list(filter(where, carts))


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


def select(
    dataset: Dataset,
    *,
    where: Predicate | None = None,
    order: Sequence[SortKey] = (),
    tiebreak: Field | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> Page:
    """Filter, sort and slice *dataset*.

    Sorting uses the dataset's cached order for ``order``; filtering is one pass over it, so the
    result keeps the order. ``limit=None`` means no limit.
    """
    key = (
        tuple((k.field.name, k.descending, k.nulls_last) for k in order),
        tiebreak and tiebreak.name,
    )
    carts = dataset.ordered(key, _sorter(order, tiebreak)) if order else dataset.carts
    end = None if limit is None else offset + limit
    if where is None:
        return Page(total=len(carts), items=carts[offset:end], offset=offset, limit=limit or 0)
    parts = where.parts if isinstance(where, _AllOf) else (where,)
    columnar = [p for p in parts if isinstance(p, Match)]
    if columnar:
        mask = list(map(columnar[0].test, dataset.column(columnar[0].attribute)))
        for part in columnar[1:]:
            mask = list(map(and_, mask, map(part.test, dataset.column(part.attribute))))
        if order:  # the mask is in index order: read it through the order's positions
            carts = list(compress(carts, map(mask.__getitem__, dataset.positions(key))))
        else:
            carts = list(compress(carts, mask))
    rest = [p for p in parts if not isinstance(p, Match)]
    rest_test = all_of(rest)
    matches = carts if rest_test is None else matching(rest_test, carts)
    return Page(total=len(matches), items=matches[offset:end], offset=offset, limit=limit or 0)
