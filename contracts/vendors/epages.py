"""ePages REST v1 ``GET /rs/shops/{shopId}/carts``: ``page``/``resultsPerPage`` (page numbers),
``createdAfter``/``createdBefore``, ``hasAddressData``; auth failures are 403, never 401;
``locale`` changes only how prices are written.

Docs: github.com/ePages-de/epages-docs (carts.raml, data-types.md, response-codes.md). The
order (``creationDate`` descending) and the empty page past the end are cartkit's decisions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from hypothesis import strategies as st

from ..oracle import Cart, Filter, Oracle, Order, Page, Rendition, parse_instant, sample_of

# Two locales to compare: the spec's example and the demo shop's own language.
_LOCALES = ("en_US", "de_DE")


def _instants(carts: Sequence[Cart]) -> st.SearchStrategy[str] | None:
    # One second either side of real creation dates: the docs leave open whether the bounds
    # are inclusive, so no drawn bound equals a cart's own instant.
    seen = sample_of([c.get("creationDate") for c in carts])
    if seen is None:
        return None
    return st.tuples(seen, st.sampled_from((-1, 1))).map(
        lambda pair: (parse_instant(pair[0]) + timedelta(seconds=pair[1])).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
    )


def _created(cart: Cart) -> Any:
    return parse_instant(cart["creationDate"])


def _amounts(node: Any, path: str = "") -> dict[str, Any]:
    """Every price-like object of *node* (one with ``formatted``) without ``formatted``, by path.

    `locale` is a language and country, and a price's `formatted` is "the display string in the
    shop's locale" (spec, Money): the amount, currency and tax type stay. Names may be translated,
    so they are not compared.
    """
    out: dict[str, Any] = {}
    if isinstance(node, dict):
        if "formatted" in node:
            out[path] = {k: v for k, v in node.items() if k != "formatted"}
        for key, value in node.items():
            out |= _amounts(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out |= _amounts(value, f"{path}[{index}]")
    return out


class EPages(Oracle):
    """ePages list carts."""

    vendor = "epages"
    paging = "page"
    size_param = "resultsPerPage"
    auth_status = 403  # ePages documents no 401: every auth failure is 403

    def page_params(self, size: int | None, index: int) -> dict[str, Any]:
        return {"resultsPerPage": size, "page": index + 1 if index else None}

    def parse(self, body: Any, size: int | None, index: int) -> Page:
        carts = body["items"]
        if not isinstance(carts, list):
            raise TypeError(f"items is {type(carts).__name__}, not a list")
        expected = {"page": index + 1, "resultsPerPage": size or self.default_size}
        problems = [
            f"{key} is {body.get(key)!r}, expected {value!r}"
            for key, value in expected.items()
            if body.get(key) != value
        ]
        return Page(carts=carts, total=body["results"], problems=problems)

    @staticmethod
    def cart_id(cart: Cart) -> Any:
        return cart["cartId"]

    def filters(self) -> list[Filter]:
        return [
            Filter(
                "createdAfter",
                _instants,
                lambda v: {"createdAfter": v},
                lambda cart, v: _created(cart) > parse_instant(v),
            ),
            Filter(
                "createdBefore",
                _instants,
                lambda v: {"createdBefore": v},
                lambda cart, v: _created(cart) < parse_instant(v),
            ),
            Filter(
                "hasAddressData",
                lambda carts: st.booleans(),
                lambda v: {"hasAddressData": v},
                # The spec reads "holds address data" as: billing or shipping address not null.
                lambda cart, v: (
                    (
                        cart.get("billingAddress") is not None
                        or cart.get("shippingAddress") is not None
                    )
                    is v
                ),
            ),
        ]

    def orders(self) -> list[Order]:
        return [Order("default (creationDate desc)", {}, _created, True)]

    def rendition(self) -> Rendition | None:
        return Rendition("locale", _LOCALES, _amounts)

    def error_problems(self, body: Any, status: int) -> list[str]:
        got = body.get("status") if isinstance(body, dict) else None
        return [] if got == str(status) else [f"status {got!r} in the body, expected '{status}'"]


ORACLE = EPages
