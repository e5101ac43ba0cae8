"""Judging a sort order: is one cart allowed before the next under the documented order?"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .paging import Violation
from .vendors import Cart, Order

__all__ = ["check_order", "show"]


def check_order(
    order: Order, previous: tuple[Cart, Any], cart: Cart, ident: Any, sent: Any
) -> None:
    """Raise a :class:`Violation` when *cart* may not follow *previous* under *order*."""
    before, _ = previous
    a, b = order.key(before), order.key(cart)
    first, second = f"{ident(before)!r} ({show(a)})", f"{ident(cart)!r} ({show(b)})"
    if a is None or b is None:
        if order.nulls is None or (a is None and b is None):
            return
        if (a is None) if order.nulls == "last" else (b is None):
            raise Violation(
                f"Sort order {order.name!r} broken",
                f"carts without a value {order.nulls}",
                f"{first} before {second}",
                sent,
            )
        return
    if (a < b) if order.descending else (a > b):
        raise Violation(
            f"Sort order {order.name!r} broken",
            f"{'descending' if order.descending else 'ascending'} {order.name.split(' ')[0]}",
            f"{first} before {second}",
            sent,
        )
    if a == b and order.tiebreak is not None and order.tiebreak(before) > order.tiebreak(cart):
        raise Violation(
            f"Tie-break of {order.name!r} broken",
            "equal keys in the documented tie-break order (by id)",
            f"{first} before {second}",
            sent,
        )


def show(value: Any) -> str:
    """A sort key as a reader wants it (datetimes in ISO 8601)."""
    if value is None:
        return "no value"
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return repr(value)
