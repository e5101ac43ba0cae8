"""Shared helpers for the Elastic Path mock tests: spec-checked GETs and full listings."""

from __future__ import annotations

import functools
import json
from typing import Any

import httpx
from starlette.testclient import TestClient

from cartkit.mockserver.model import Cart

from .conftest import AUTH, assert_conforms, client_for, vendor_of

VENDOR = "elasticpath"
ROUTE = "/v2/carts"
HEADERS = AUTH[VENDOR]
CUSTOMER = "X-Moltin-Customer-Token"
ACCOUNT = "EP-Account-Management-Authentication-Token"


def _client() -> TestClient:
    return client_for(VENDOR)


def _carts() -> list[Cart]:
    return vendor_of(_client(), VENDOR).dataset.carts


_VALIDATED: set[bytes] = set()


def _conforms(response: httpx.Response) -> None:
    """``assert_conforms`` with each distinct cart validated once per session.

    The ``Cart`` schema applies to each item of ``data`` on its own, so validating the envelope
    with only the carts not seen before is equivalent and keeps page walks fast.
    """
    if response.status_code != 200:
        assert_conforms(VENDOR, response)
        return
    body = response.json()
    fresh = []
    for cart in body.get("data", []):
        key = json.dumps(cart, sort_keys=True).encode()
        if key not in _VALIDATED:
            fresh.append(cart)
            _VALIDATED.add(key)
    slim = httpx.Response(
        200,
        headers={"content-type": response.headers["content-type"]},
        json={**body, "data": fresh},
    )
    assert_conforms(VENDOR, slim)


def _get(params: Any = None, headers: dict[str, str] | None = None, client: Any = None):
    response = (client or _client()).get(ROUTE, params=params, headers=headers or HEADERS)
    _conforms(response)
    return response


def _ok(params: Any = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
    response = _get(params, headers)
    assert response.status_code == 200, response.text
    return response.json()


@functools.cache
def _everything() -> tuple[dict[str, Any], ...]:
    """All 300 carts as listed without filter or token (computed once; do not mutate)."""
    return tuple(_all())


def _all(params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> list[dict]:
    """Every cart the request matches, walking ``page[offset]`` 100 at a time."""
    out: list[dict] = []
    offset = 0
    while True:
        body = _ok({**(params or {}), "page[limit]": 100, "page[offset]": offset}, headers)
        out += body["data"]
        offset += 100
        if offset >= body["meta"]["results"]["total"]:
            assert len(out) == body["meta"]["results"]["total"]
            return out


def _bad(params: Any, source: str, status: int = 400, headers: dict[str, str] | None = None):
    response = _get(params, headers)
    assert response.status_code == status, response.text
    (error,) = response.json()["errors"]
    assert error["status"] == status
    assert error.get("source") == source, error
    return error
