"""Broken sort orders: every requested direction inverted, the default order ascending, pages
listed backwards."""

from __future__ import annotations

import functools
import json
from typing import Any

from cartkit.mockserver import create_app
from tests.contracts import broken, changes
from tests.contracts.conftest import CARTS

from . import Bug

_STATESET_ORDERS = ("created_at", "updated_at", "total", "abandoned_at")
_SHOPIMIND_ORDERS = (
    "amount",
    "amount_without_tax",
    "created_at",
    "updated_at",
    "status",
    "currency",
)


def _explicit(fields: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"ordering.{f}_{d}" for f in fields for d in ("asc", "desc"))


def _inverted(value: str) -> str:
    """ShopiMind's ``order``, its direction inverted."""
    try:
        order = json.loads(value)
    except ValueError:
        return value
    if isinstance(order, dict) and order.get("type") in ("asc", "desc"):
        order = {**order, "type": "desc" if order["type"] == "asc" else "asc"}
    return json.dumps(order)


def _items(key: str) -> Any:
    return lambda body: body[key]


@functools.cache
def shopimind_currencies() -> Any:
    """ShopiMind's mock with a few carts in other currencies than the French market's euro, so
    an order by currency has something to order."""
    data = [{"currency": currency} for currency in ("USD", "GBP", "CHF") * 2]
    return create_app(vendors=("shopimind",), carts=CARTS, data=data)


# The list endpoint's path, where a vendor also serves token endpoints.
LIST = {
    "nextcommerce": r"/api/admin/carts/$",
    "elasticpath": r"/v2/carts$",
    "epages": r"/carts$",
}


BUGS = [
    Bug(
        "stateset-sort-direction-inverted",
        "stateset",
        lambda app: broken.Rewrite(app, query=changes.swap("sort_order", "asc", "desc")),
        _explicit(_STATESET_ORDERS),
    ),
    Bug(
        "stateset-default-order-ascending",
        "stateset",
        lambda app: broken.Rewrite(app, query=changes.default("sort_order", "asc")),
        ("ordering.default",),
    ),
    Bug(
        "shopimind-sort-direction-inverted",
        "shopimind",
        lambda app: broken.Rewrite(app, query=changes.rewrite_value("order", _inverted)),
        _explicit(_SHOPIMIND_ORDERS),
        base=shopimind_currencies,
    ),
    Bug(
        "shopimind-default-order-ascending",
        "shopimind",
        lambda app: broken.Rewrite(
            app,
            query=changes.default("order", json.dumps({"field": "created_at", "type": "asc"})),
        ),
        ("ordering.default",),
    ),
    Bug(
        "nextcommerce-pages-listed-backwards",
        "nextcommerce",
        lambda app: broken.Rewrite(
            app, body=changes.reverse_items(_items("results")), on=LIST["nextcommerce"]
        ),
        ("ordering.default",),
    ),
    Bug(
        "elasticpath-pages-listed-backwards",
        "elasticpath",
        lambda app: broken.Rewrite(
            app, body=changes.reverse_items(_items("data")), on=LIST["elasticpath"]
        ),
        ("ordering.default",),
    ),
    Bug(
        "epages-pages-listed-backwards",
        "epages",
        lambda app: broken.Rewrite(
            app, body=changes.reverse_items(_items("items")), on=LIST["epages"]
        ),
        ("ordering.default",),
    ),
]
