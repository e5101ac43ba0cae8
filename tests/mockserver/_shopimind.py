"""Shared helpers for the ShopiMind mock tests: the spec's vocabulary, GETs, expected rows."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

from starlette.testclient import TestClient

from cartkit.mockserver.model import Cart

from .conftest import AUTH, assert_conforms, client_for, vendor_of

VENDOR = "shopimind"
PATH = "/v1/carts"
HEADERS = AUTH[VENDOR]
BASE = ["id", "status", "customer_id", "amount", "amount_without_tax", "currency", "created_at",
        "updated_at"]  # fmt: skip
JOINS = ["customer_first_name", "customer_last_name", "customer_email"]
ALL_FIELDS = BASE + JOINS
TEXT = ["id", "status", "customer_id", "currency", *JOINS]
NUMBER = ["amount", "amount_without_tax"]
DATETIME = ["created_at", "updated_at"]
OPERATORS = ["EQUALS", "NOT_EQUALS", "CONTAINS", "NOT_CONTAINS", "STARTS_WITH", "ENDS_WITH",
             "LESS_THAN", "LESS_THAN_OR_EQUAL_TO", "GREATER_THAN", "GREATER_THAN_OR_EQUAL_TO",
             "IN", "NOT_IN", "LIKE", "BETWEEN", "NOT_BETWEEN"]  # fmt: skip
TEXT_OPS = {"CONTAINS", "NOT_CONTAINS", "STARTS_WITH", "ENDS_WITH", "LIKE"}
ORDERING_OPS = ["EQUALS", "NOT_EQUALS", "LESS_THAN", "LESS_THAN_OR_EQUAL_TO", "GREATER_THAN",
                "GREATER_THAN_OR_EQUAL_TO", "IN", "NOT_IN", "BETWEEN", "NOT_BETWEEN"]  # fmt: skip
STATUS = {"active": "in_progress", "abandoned": "abandoned", "converted": "converted",
          "expired": "abandoned"}  # fmt: skip


# -- helpers ------------------------------------------------------------------------------------


def client() -> TestClient:
    return client_for(VENDOR)


def get(params: Any = None, headers: dict[str, str] | None = None, c: TestClient | None = None):
    headers = HEADERS if headers is None else headers
    response = (c or client()).get(PATH, params=params, headers=headers)
    if "X-Cartkit-Force-Status" not in headers:
        assert response.status_code < 500, response.text
    assert_conforms(VENDOR, response)
    return response


def ok(params: Any = None) -> dict[str, Any]:
    response = get(params)
    assert response.status_code == 200, response.text
    return response.json()


def walk(params: dict[str, Any] | list[tuple[str, Any]], limit: int = 100) -> list[dict[str, Any]]:
    """Every cart the query matches, page by page; checks the pagination block on the way."""
    pairs = list(params.items()) if isinstance(params, dict) else list(params)
    seen: list[dict[str, Any]] = []
    offset, total = 0, None
    while True:
        body = ok([*pairs, ("limit", limit), ("offset", offset)])
        page = body["meta"]["pagination"]
        total = page["total_items"] if total is None else total
        assert page["total_items"] == total
        assert page["items_per_page"] == limit
        assert page["total_pages"] == -(-total // limit)
        assert page["current_page"] == offset // limit + 1
        assert page["offset"] == offset
        assert len(body["data"]) == min(limit, max(0, total - offset))
        assert page["has_next_page"] is (offset + limit < total)
        assert page["next_page"] == (page["current_page"] + 1 if page["has_next_page"] else None)
        assert page["has_previous_page"] is (offset > 0)
        assert page["previous_page"] == (page["current_page"] - 1 if offset else None)
        seen += body["data"]
        if not page["has_next_page"]:
            assert len(seen) == total
            return seen
        offset += limit


def stamp(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def expected_row(cart: Cart) -> dict[str, Any]:
    """The cart as this test reads the spec: strings ids, decimal euros, NestJS instants."""
    customer = cart.customer
    return {
        "id": str(cart.number),
        "status": STATUS[cart.status],
        "customer_id": str(customer.number) if customer else None,
        "amount": cart.total / 100,
        "amount_without_tax": (cart.total - cart.tax) / 100,
        "currency": cart.currency,
        "created_at": stamp(cart.created_at),
        "updated_at": stamp(cart.updated_at),
        "customer_first_name": customer.first_name if customer else None,
        "customer_last_name": customer.last_name if customer else None,
        "customer_email": customer.email if customer else None,
    }


@functools.cache
def rows() -> list[dict[str, Any]]:
    """All rows in the default order: created_at desc, ties by numeric id desc."""
    carts = vendor_of(client(), VENDOR).dataset.carts
    ordered = sorted(carts, key=lambda c: (c.created_at, c.number), reverse=True)
    return [expected_row(c) for c in ordered]


def ids(carts: list[dict[str, Any]]) -> list[str]:
    return [c["id"] for c in carts]
