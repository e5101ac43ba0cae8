"""The ``ordering`` group: each documented sort order (``ordering.<field>``) holds across pages,
read from anywhere in the set (the start, where missing values meet present ones, the end).

:func:`check_order` judges one pair of neighbouring carts: the key's direction, where carts
without a value must sort, and the documented tie-break among equal keys.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from hypothesis import strategies as st

from ..errors import Violation
from ..oracle import Cart, Order
from .context import Check, Context

__all__ = ["check_order", "checks", "show", "sorted_by"]


def checks(ctx: Context) -> Iterator[Check]:
    """The group's checks for *ctx*'s vendor, in report order."""
    for order in ctx.oracle.orders():
        name = f"ordering.{order.name.split(' ', 1)[0]}"
        yield Check(name, functools.partial(sorted_by, order=order), ctx.few)


def sorted_by(ctx: Context, data: st.DataObject, *, order: Order) -> None:
    """Two or three consecutive pages under *order*, from a drawn start, are in *order*."""
    session, oracle = ctx.session, ctx.oracle
    size = ctx.size(data, None)
    pages = data.draw(st.integers(2, 3), label="pages")
    start = 0
    if oracle.paging != "cursor":
        # Anywhere in the set: where missing values meet present ones, say, or the end.
        universe = session.universe()
        count = universe.total if universe.total is not None else len(universe.carts)
        last = max(0, -(-count // (size or 1)) - 1)
        start = data.draw(st.sampled_from([*sorted({0, last, max(0, last - 1)}), -1]))
        if start == -1:
            start = data.draw(st.integers(0, last), label="start page")
    walk = session.walk(order.params, size, max_pages=pages, start=start)
    previous: tuple[Cart, Any] | None = None
    for page, sent in walk.pages:
        for cart in page.carts:
            if previous is not None:
                check_order(order, previous, cart, oracle.cart_id, sent)
            previous = (cart, sent)


def check_order(
    order: Order, previous: tuple[Cart, Any], cart: Cart, ident: Any, sent: Any
) -> None:
    """Raise a :class:`~cartkit.contracts.errors.Violation` when *cart* may not follow *previous*
    under *order*."""
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
