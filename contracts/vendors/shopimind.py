"""ShopiMind ``GET /v1/carts``: ``limit``/``offset``, ``meta.pagination``, JSON ``filters`` with
fifteen operators, JSON ``order``, and the ``fields`` projection with opt-in customer joins.

Docs: https://developers.shopimind.com/en/api-reference/listCarts; cartkit's decisions (operator
typing, inclusive BETWEEN, case-insensitive text operators) are in the spec.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import strategies as st

from ..oracle import Cart, Filter, Oracle, Order, Page, optional_instant, sample_of

_TEXT = ("id", "status", "customer_id", "currency")
_MONEY = ("amount", "amount_without_tax")
_DATES = ("created_at", "updated_at")
_BASE = ("id", "status", "customer_id", "amount", "amount_without_tax", "currency")
_JOINS = ["customer_first_name", "customer_last_name", "customer_email"]
_NEGATED = {"NOT_EQUALS", "NOT_CONTAINS", "NOT_IN", "NOT_BETWEEN"}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _comparable(field: str, value: Any) -> Any:
    if field in _DATES:
        return optional_instant(value)
    if field in _MONEY:
        return float(value)
    return _text(value)


def _like(pattern: str) -> re.Pattern[str]:
    parts = [".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern]
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def holds(cart: Cart, flt: dict[str, Any]) -> bool:
    """Whether *cart* satisfies one ShopiMind filter (the semantics the spec documents)."""
    field, operator, values = flt["field"], flt["operator"], flt["values"]
    raw = cart.get(field)
    if raw is None:
        # A missing value matches no positive comparison; a negated one may go either way.
        return operator in _NEGATED
    value = _comparable(field, raw)
    if operator in {"BETWEEN", "NOT_BETWEEN"}:
        low, high = (_comparable(field, v) for v in values)
        inside = low <= value <= high
        return inside if operator == "BETWEEN" else not inside
    operands = [_comparable(field, v) for v in (values if isinstance(values, list) else [values])]
    folded = str(value).casefold()
    tests: dict[str, Callable[[Any], bool]] = {
        "EQUALS": lambda o: value == o,
        "IN": lambda o: value == o,
        "CONTAINS": lambda o: str(o).casefold() in folded,
        "STARTS_WITH": lambda o: folded.startswith(str(o).casefold()),
        "ENDS_WITH": lambda o: folded.endswith(str(o).casefold()),
        "LIKE": lambda o: _like(str(o)).fullmatch(str(value)) is not None,
        "LESS_THAN": lambda o: value < o,
        "LESS_THAN_OR_EQUAL_TO": lambda o: value <= o,
        "GREATER_THAN": lambda o: value > o,
        "GREATER_THAN_OR_EQUAL_TO": lambda o: value >= o,
    }
    positive = {"NOT_EQUALS": "EQUALS", "NOT_IN": "IN", "NOT_CONTAINS": "CONTAINS"}
    if operator in positive:
        return not any(tests[positive[operator]](o) for o in operands)
    return any(tests[operator](o) for o in operands)


def _filters(fields: Sequence[str], operators: Sequence[str]) -> Callable[..., Any]:
    """Filters on *fields* with *operators*, operands taken from the returned carts."""

    def values(carts: Sequence[Cart]) -> st.SearchStrategy[dict[str, Any]] | None:
        present = [f for f in fields if any(c.get(f) is not None for c in carts)]
        if not present:
            return None

        @st.composite
        def build(draw: st.DrawFn) -> dict[str, Any]:
            field = draw(st.sampled_from(present))
            operator = draw(st.sampled_from(operators))
            seen = sample_of([c.get(field) for c in carts])
            assert seen is not None
            if operator in {"BETWEEN", "NOT_BETWEEN"}:
                low, high = sorted(draw(st.lists(seen, min_size=2, max_size=2)), key=_key(field))
                return {"field": field, "operator": operator, "values": [low, high]}
            value = draw(seen)
            if operator in {"CONTAINS", "NOT_CONTAINS", "STARTS_WITH", "ENDS_WITH", "LIKE"}:
                text = _text(value)
                cut = draw(st.integers(1, max(1, len(text))))
                value = {
                    "STARTS_WITH": text[:cut],
                    "ENDS_WITH": text[-cut:],
                    "LIKE": text[: cut - 1] + "%" if cut > 1 else "%" + text[-1:],
                }.get(operator, text[cut // 2 : cut])
                value = value.upper() if draw(st.booleans()) else value
            if operator in {"IN", "NOT_IN"}:
                return {
                    "field": field,
                    "operator": operator,
                    "values": draw(st.lists(seen, min_size=1, max_size=3)),
                }
            return {"field": field, "operator": operator, "values": value}

        return build()

    return values


def _key(field: str) -> Callable[[Any], Any]:
    return lambda v: _comparable(field, v)


def _param(flt: dict[str, Any]) -> dict[str, Any]:
    return {"filters": json.dumps([flt])}


class ShopiMind(Oracle):
    """ShopiMind list carts."""

    vendor = "shopimind"
    paging = "offset"
    size_param = "limit"
    volatile = (("meta", "generated_at"),)

    def page_params(self, size: int | None, index: int) -> dict[str, Any]:
        step = size or self.default_size or 10
        return {"limit": size, "offset": index * step if index else None}

    def parse(self, body: Any, size: int | None, index: int) -> Page:
        carts, pagination = body["data"], body["meta"]["pagination"]
        if not isinstance(carts, list):
            raise TypeError(f"data is {type(carts).__name__}, not a list")
        total, per_page = pagination["total_items"], pagination["items_per_page"]
        offset = index * (size or self.default_size or 10)
        expected = {
            "items_per_page": min(size, 100) if size is not None else self.default_size,
            "offset": offset,
            "total_pages": math.ceil(total / per_page) if per_page else 0,
            "current_page": offset // per_page + 1 if per_page else 1,
            "has_previous_page": offset > 0,
            "has_next_page": offset + len(carts) < total,
        }
        current = expected["current_page"]
        expected["next_page"] = current + 1 if expected["has_next_page"] else None
        expected["previous_page"] = current - 1 if current > 1 else None
        problems = [
            f"meta.pagination.{key} is {pagination.get(key)!r}, expected {value!r}"
            for key, value in expected.items()
            if pagination.get(key) != value
        ]
        return Page(carts=carts, total=total, more=pagination["has_next_page"], problems=problems)

    def filters(self) -> list[Filter]:
        text_ops = ["CONTAINS", "NOT_CONTAINS", "STARTS_WITH", "ENDS_WITH", "LIKE"]
        compare = ["LESS_THAN", "LESS_THAN_OR_EQUAL_TO", "GREATER_THAN", "GREATER_THAN_OR_EQUAL_TO"]
        ranges = ["BETWEEN", "NOT_BETWEEN"]
        return [
            Filter(
                "equality", _filters(_TEXT, ["EQUALS", "NOT_EQUALS", "IN", "NOT_IN"]), _param, holds
            ),
            Filter("text", _filters(_TEXT, text_ops), _param, holds),
            Filter("amount", _filters(_MONEY, ["EQUALS", *compare, *ranges]), _param, holds),
            Filter("dates", _filters(_DATES, compare + ranges), _param, holds),
        ]

    def combine(self, parts: Sequence[dict[str, Any]]) -> dict[str, Any]:
        # One `filters` array, AND-combined (the spec).
        return {"filters": json.dumps([f for part in parts for f in json.loads(part["filters"])])}

    def orders(self) -> list[Order]:
        keys: dict[str, Callable[[Cart], Any]] = {
            "amount": lambda c: c["amount"],
            "amount_without_tax": lambda c: c["amount_without_tax"],
            "created_at": lambda c: optional_instant(c["created_at"]),
            "updated_at": lambda c: optional_instant(c["updated_at"]),
            "status": lambda c: c["status"],
            "currency": lambda c: c["currency"],
        }
        # Spec `order`: default created_at descending. `id` and `customer_id` are strings whose
        # sort (text or numeric) the docs leave open, so they are not judged.
        orders = [Order("default (created_at desc)", {}, keys["created_at"], True)]
        for name, key in keys.items():
            for direction in ("asc", "desc"):
                order = json.dumps({"field": name, "type": direction})
                orders.append(
                    Order(f"{name}_{direction}", {"order": order}, key, direction == "desc")
                )
        return orders

    def projection(self) -> Callable[[Sequence[str]], dict[str, Any]] | None:
        return lambda fields: {"fields": ",".join(fields)}

    def projectable(self) -> tuple[list[str], list[str]]:
        return [*_BASE, *_DATES], list(_JOINS)

    def auth_problems(self, body: Any, *, missing: bool) -> list[str]:
        code = body.get("statusCode") if isinstance(body, dict) else None
        return [] if code == 401 else [f"statusCode {code!r} in the body, expected 401"]


ORACLE = ShopiMind
