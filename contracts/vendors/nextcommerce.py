"""29 Next (Next Commerce) ``GET /api/admin/carts/``: DRF cursor pagination with absolute
``next``/``previous`` links, a fixed page size, and exact-match filters.

Docs: https://developers.nextcommerce.com/docs/admin-api/reference/2023-02-10/carts/cartsList.
Page size 20, ``date_created`` descending with ties by ``id`` descending, and inclusive UTC-day
date bounds are cartkit's decisions, stated in the spec's operation description.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, timedelta
from typing import Any

from hypothesis import strategies as st

from ..oracle import Cart, Filter, Oracle, Order, Page, optional_instant, parse_instant, sample_of

_ATTRIBUTION = (
    "utm_source",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "affiliate",
    "subaffiliate1",
    "subaffiliate2",
    "subaffiliate3",
    "subaffiliate4",
    "subaffiliate5",
)
PAGE_SIZE = 20  # spec: "Page size 20 (fixed; there is no page-size parameter)"


def _day(cart: Cart) -> date:
    """The UTC day *cart* was created on: the filters take whole UTC days, whatever offset the
    server writes ``date_created`` with."""
    return parse_instant(cart["date_created"]).astimezone(UTC).date()


def _days(carts: Sequence[Cart]) -> st.SearchStrategy[str] | None:
    seen = sample_of([_day(c) for c in carts])
    if seen is None:
        return None
    shifted = st.tuples(seen, st.sampled_from((-1, 0, 1)))
    return shifted.map(lambda pair: (pair[0] + timedelta(days=pair[1])).isoformat())


def _products(cart: Cart) -> set[int]:
    return {line["product"]["id"] for line in cart.get("lines") or []}


def _attribution(carts: Sequence[Cart]) -> st.SearchStrategy[tuple[str, str]] | None:
    pairs = sorted(
        {(f, c["attribution"][f]) for c in carts for f in _ATTRIBUTION if c["attribution"].get(f)}
    )
    return st.sampled_from(pairs) if pairs else None


class NextCommerce(Oracle):
    """29 Next list carts."""

    vendor = "nextcommerce"
    paging = "cursor"
    size_param = None
    opaque = ("cursor",)

    @property
    def default_size(self) -> int | None:
        return PAGE_SIZE

    def page_params(self, size: int | None, index: int) -> dict[str, Any]:
        return {}  # only the first page can be asked for; the rest is linked

    def parse(self, body: Any, size: int | None, index: int) -> Page:
        carts = body["results"]
        if not isinstance(carts, list):
            raise TypeError(f"results is {type(carts).__name__}, not a list")
        return Page(
            carts=carts,
            more=body["next"] is not None,
            next_url=body["next"],
            previous_url=body["previous"],
        )

    def filters(self) -> list[Filter]:
        return [
            Filter(
                "abandoned",
                lambda carts: st.booleans(),
                lambda v: {"abandoned": v},
                lambda cart, v: bool(cart.get("abandoned")) is v,
            ),
            Filter(
                "currency",
                lambda carts: sample_of([c.get("currency") for c in carts]),
                lambda v: {"currency": v},
                lambda cart, v: cart["currency"] == v,
            ),
            Filter(
                "date_created_from",
                _days,
                lambda v: {"date_created_from": v},
                lambda cart, v: _day(cart) >= date.fromisoformat(v),
            ),
            Filter(
                "date_created_to",
                _days,
                lambda v: {"date_created_to": v},
                lambda cart, v: _day(cart) <= date.fromisoformat(v),
            ),
            Filter(
                "product",
                lambda carts: _listed(sorted({p for c in carts for p in _products(c)})),
                lambda v: {"product": v},
                lambda cart, v: bool(_products(cart) & set(v)),
            ),
            Filter(
                "funnels",
                lambda carts: _listed(
                    sorted(
                        {
                            c["attribution"]["funnel"]
                            for c in carts
                            if c["attribution"].get("funnel")
                        }
                    )
                ),
                lambda v: {"funnels": v},
                lambda cart, v: cart["attribution"].get("funnel") in v,
            ),
            Filter(
                "attribution",
                _attribution,
                lambda v: {v[0]: v[1]},
                lambda cart, v: cart["attribution"].get(v[0]) == v[1],
            ),
        ]

    def orders(self) -> list[Order]:
        return [
            Order(
                "default (date_created desc)",
                {},
                lambda c: optional_instant(c["date_created"]),
                True,
                tiebreak=lambda c: -c["id"],
            )
        ]


def _listed(values: list[Any]) -> st.SearchStrategy[list[Any]] | None:
    return (
        st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True) if values else None
    )


ORACLE = NextCommerce
