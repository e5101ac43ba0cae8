"""Filter operators: the fifteen comparisons a filter may name (ShopiMind's set), built into
predicates on a :class:`~cartkit.mockserver.query.Field`, and the LIKE-style wildcard matcher.

:func:`compare` gives the fastest predicate the field allows: a :class:`~cartkit.mockserver.filters.Match`
on a C-level test where the field has a column (``partial(operator.lt, 5)``, a frozenset's
``__contains__``), a :class:`~cartkit.mockserver.filters.Search` for text operators on columns of (nearly)
one value per cart, and the combinations of :mod:`cartkit.mockserver.filters` for the negations. The
query engine (:mod:`cartkit.mockserver.query`) re-exports :data:`OPERATORS`, :func:`compare` and
:func:`wildcard`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import partial
from operator import eq, ge, gt, le, lt
from typing import TYPE_CHECKING, Any

from .filters import Match, Predicate, Search, all_of, memo, none_of

if TYPE_CHECKING:
    from .query import Field

__all__ = ["OPERATORS", "compare", "wildcard"]


def wildcard(
    pattern: str, *, any_chars: str, one_char: str | None = None, fold: bool
) -> Callable[[str], bool]:
    """A test that a whole text matches the LIKE-style *pattern*.

    *any_chars* stands for any run of characters (``%``; ``*`` in a glob), *one_char* for exactly
    one; everything else is literal, compared case-insensitively with *fold*.

    A regex translation (``.*`` per ``%``) backtracks exponentially on patterns such as
    ``%_%_%_%_%_%_x``. Instead the pattern splits at *any_chars* into fixed-width pieces: the
    first must start the text and the last end it, and each middle one is taken leftmost after
    the one before (a later choice never leaves more room), so a test is a few plain searches.
    """
    flags = re.DOTALL | (re.IGNORECASE if fold else 0)
    texts = pattern.split(any_chars)
    pieces = [
        re.compile("".join("." if ch == one_char else re.escape(ch) for ch in text), flags)
        for text in texts
    ]
    if len(pieces) == 1:
        whole = pieces[0]
        return lambda text: whole.fullmatch(text) is not None
    first, *middle, last = pieces
    head, tail = len(texts[0]), len(texts[-1])  # one character per pattern character

    def test(text: str) -> bool:
        if first.match(text) is None:
            return False
        pos = head
        for piece in middle:
            found = piece.search(text, pos)
            if found is None:
                return False
            pos = found.end()
        end = len(text) - tail
        return end >= pos and last.fullmatch(text, end) is not None

    return test


def _text(value: Any) -> str:
    return "" if value is None else str(value).casefold()


def _between(a: Any, bounds: Sequence[Any]) -> bool:
    low, high = bounds
    return a is not None and low is not None and high is not None and low <= a <= high


def _present(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    """Ordering comparisons never match a missing value (SQL semantics of NULL)."""
    return lambda a, b: a is not None and b is not None and op(a, b)


def _like(pattern: Any) -> Callable[[str], bool]:
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
    "LIKE": (_like, lambda a, b: a is not None and b(str(a))),
    "BETWEEN": (tuple, _between),
    "NOT_BETWEEN": (tuple, lambda a, b: not _between(a, b)),
}

OPERATORS: tuple[str, ...] = tuple(_OPERATORS)
"""The comparison operators (ShopiMind's fifteen); text operators are case-insensitive."""

# ``a <op> b`` as the C-level ``partial(flipped, b)(a)``: ``a < b`` is ``b > a``.
_FLIPPED = {"EQUALS": eq, "LESS_THAN": gt, "LESS_THAN_OR_EQUAL_TO": ge, "GREATER_THAN": lt,
            "GREATER_THAN_OR_EQUAL_TO": le}  # fmt: skip


# Operators defined as ``not <the other>`` (see _OPERATORS), so they may reuse its fast path.
_COMPLEMENTS = {"NOT_IN": "IN", "NOT_BETWEEN": "BETWEEN"}
_SEARCHED = frozenset({"CONTAINS", "STARTS_WITH", "ENDS_WITH", "LIKE"})  # see Field.search


def compare(field: Field, operator: str, operand: Any) -> Predicate:
    """Build the predicate ``field <operator> operand`` for one of :data:`OPERATORS`.

    *operand* is already coerced to the field's kind (a sequence for ``IN``/``BETWEEN`` and
    their negations, two items for ``BETWEEN``). A field with a column gives a :class:`Match`.
    """
    if operator in _COMPLEMENTS:  # the mask of the operator it negates, flipped
        return none_of([compare(field, _COMPLEMENTS[operator], operand)])
    if operator == "NOT_CONTAINS" and field.search:
        return none_of([compare(field, "CONTAINS", operand)])
    prepare, test = _OPERATORS[operator]
    prepared = prepare(operand)
    column, get = field.column, field.get
    strict = not field.nullable  # ordering tests may then skip the None checks
    if operator == "BETWEEN" and column is not None and strict and None not in prepared:
        low, high = prepared
        both = all_of([Match(column, partial(le, low), get), Match(column, partial(ge, high), get)])
        assert both is not None
        return both
    check: Callable[[Any], bool]
    if operator == "IN":
        check = prepared.__contains__
    elif operator == "EQUALS" or (operator in _FLIPPED and strict and prepared is not None):
        check = partial(_FLIPPED[operator], prepared)
    else:
        check = memo(lambda value: test(value, prepared))
    if field.search and column is not None and operator in _SEARCHED:
        needle = str(operand) if operator == "LIKE" else prepared  # the text operand, as tested
        return Search(column, get, operator, needle, check)
    if column is not None:
        return Match(column, check, get)
    return lambda cart: check(get(cart))
