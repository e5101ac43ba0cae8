"""StateSet ``GET /v1/carts``: ``limit``/``offset``, ``has_more``/``total_count``, a ``summary``.

Docs: https://docs.stateset.com/api-reference/cart/list; the parameter names the docs do not show
(``channel``, ``created_after``, ``sort_order``, ...) are cartkit's, marked in the spec.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from hypothesis import strategies as st

from ..oracle import Cart, Filter, Oracle, Order, Page, optional_instant, parse_instant, sample_of

_STATUSES = ("active", "abandoned", "converted", "expired")


def _instants(field: str, shift: int) -> Any:
    """Instants at (and one second around) the *field* values of the sample."""

    def values(carts: Sequence[Cart]) -> st.SearchStrategy[str] | None:
        seen = sample_of([c.get(field) for c in carts])
        if seen is None:
            return None
        return st.tuples(seen, st.sampled_from((-shift, 0, shift))).map(
            lambda pair: _iso(parse_instant(pair[0]) + timedelta(seconds=pair[1]))
        )

    return values


def _or_nothing(strategy: st.SearchStrategy[Any] | None) -> st.SearchStrategy[Any]:
    return st.nothing() if strategy is None else strategy


def _iso(moment: Any) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _after(field: str) -> Any:
    return lambda cart, value: (
        cart.get(field) is not None and parse_instant(cart[field]) > parse_instant(value)
    )


def _before(field: str) -> Any:
    return lambda cart, value: (
        cart.get(field) is not None and parse_instant(cart[field]) < parse_instant(value)
    )


class StateSet(Oracle):
    """StateSet list carts."""

    vendor = "stateset"
    paging = "offset"
    size_param = "limit"

    def page_params(self, size: int | None, index: int) -> dict[str, Any]:
        step = size or self.default_size or 10
        return {"limit": size, "offset": index * step if index else None}

    def parse(self, body: Any, size: int | None, index: int) -> Page:
        carts = body["data"]
        if not isinstance(carts, list):
            raise TypeError(f"data is {type(carts).__name__}, not a list")
        return Page(carts=carts, total=body["total_count"], more=body["has_more"])

    def filters(self) -> list[Filter]:
        enum = self.contract.enum
        return [
            Filter(
                "status",
                lambda carts: st.sampled_from(enum("status") or _STATUSES),
                lambda v: {"status": v},
                lambda cart, v: cart["status"] == v,
            ),
            Filter(
                "has_email",
                lambda carts: st.booleans(),
                lambda v: {"has_email": v},
                lambda cart, v: (cart.get("email") is not None) is v,
            ),
            Filter(
                "customer_id",
                lambda carts: sample_of([c.get("customer_id") for c in carts]),
                lambda v: {"customer_id": v},
                lambda cart, v: cart.get("customer_id") == v,
            ),
            Filter(
                "session_id",
                lambda carts: sample_of([c.get("session_id") for c in carts]),
                lambda v: {"session_id": v},
                lambda cart, v: cart.get("session_id") == v,
            ),
            Filter(
                "channel",
                lambda carts: st.sampled_from(enum("channel")),
                lambda v: {"channel": v},
                lambda cart, v: cart["channel"] == v,
            ),
            Filter(
                "created_after",
                _instants("created_at", 1),
                lambda v: {"created_after": v},
                _after("created_at"),
            ),
            Filter(
                "created_before",
                _instants("created_at", 1),
                lambda v: {"created_before": v},
                _before("created_at"),
            ),
            Filter(
                "updated_after",
                _instants("updated_at", 1),
                lambda v: {"updated_after": v},
                _after("updated_at"),
            ),
            Filter(
                "min_value",
                lambda carts: st.one_of(
                    st.integers(0, 10**6), _or_nothing(sample_of([c.get("total") for c in carts]))
                ),
                lambda v: {"min_value": v},
                lambda cart, v: cart["total"] >= v,
            ),
        ]

    def orders(self) -> list[Order]:
        keys = {
            "created_at": lambda c: optional_instant(c["created_at"]),
            "updated_at": lambda c: optional_instant(c.get("updated_at", c["last_activity"])),
            "total": lambda c: c["total"],
            "abandoned_at": lambda c: optional_instant(c["abandoned_at"]),
        }
        default_by = self.contract.default("sort_by") or "updated_at"
        default_order = self.contract.default("sort_order") or "desc"
        # The spec: null abandoned_at sorts last in both directions; ties broken by id ascending.
        orders = [
            Order(
                f"default ({default_by} {default_order})",
                {},
                keys[default_by],
                default_order == "desc",
                tiebreak=self.cart_id,
            )
        ]
        for by in self.contract.enum("sort_by") or list(keys):
            for direction in ("asc", "desc"):
                orders.append(
                    Order(
                        f"{by}_{direction}",
                        {"sort_by": by, "sort_order": direction},
                        keys[by],
                        direction == "desc",
                        tiebreak=self.cart_id,
                    )
                )
        return orders

    def summary_problems(self, body: Any, carts: Sequence[Cart]) -> list[str] | None:
        summary = body.get("summary")
        if not isinstance(summary, dict):
            return ["summary is missing"]
        problems = []
        counts = {status: 0 for status in _STATUSES}
        for cart in carts:
            counts[cart["status"]] = counts.get(cart["status"], 0) + 1
        breakdown = summary.get("status_breakdown", {})
        if breakdown != counts:
            problems.append(f"status_breakdown {breakdown} but the carts count {counts}")
        abandoned = sum(c["total"] for c in carts if c["status"] == "abandoned")
        if summary.get("total_abandoned_value") != abandoned:
            problems.append(
                f"total_abandoned_value {summary.get('total_abandoned_value')!r} but the abandoned "
                f"carts total {abandoned}"
            )
        average = sum(c["total"] for c in carts) // len(carts) if carts else 0
        if summary.get("average_cart_value") != average:
            problems.append(
                f"average_cart_value {summary.get('average_cart_value')!r} but the carts average "
                f"{average} (floor)"
            )
        closed = counts["abandoned"] + counts["converted"]
        rate = counts["converted"] / closed if closed else 0.0
        got = summary.get("recovery_rate")
        if not isinstance(got, int | float) or not math.isclose(got, rate, abs_tol=1e-3):
            problems.append(
                f"recovery_rate {got!r} but converted/(abandoned+converted) = {rate:.4f}"
            )
        return problems

    def auth_problems(self, body: Any, *, missing: bool) -> list[str]:
        # Documented codes: no header -> MISSING_AUTH_HEADER; malformed key -> INVALID_API_KEY.
        code = body.get("error", {}).get("code") if isinstance(body, dict) else None
        allowed = (
            {"MISSING_AUTH_HEADER"} if missing else {"INVALID_API_KEY", "INVALID_TOKEN_FORMAT"}
        )
        return (
            [] if code in allowed else [f"error.code {code!r}, expected one of {sorted(allowed)}"]
        )


ORACLE = StateSet
