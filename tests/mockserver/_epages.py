"""Shared helpers for the ePages mock tests: spec-checked GETs and the error envelope."""

from __future__ import annotations

import json
from typing import Any

import httpx
from starlette.testclient import TestClient

from .conftest import AUTH, assert_conforms, client_for

VENDOR = "epages"
PATH = "/rs/shops/DemoShop/carts"
ERROR_KEYS = {"message", "status"}
_VALIDATED: set[bytes] = set()


def conforms(response: httpx.Response) -> None:
    """:func:`assert_conforms`, validating each distinct cart once (items are independent)."""
    if response.status_code != 200:
        assert_conforms(VENDOR, response)
        return
    body = response.json()
    fresh = {}
    for item in body["items"]:
        key = json.dumps(item, sort_keys=True).encode()
        fresh.setdefault(key, item)
    body["items"] = [item for key, item in fresh.items() if key not in _VALIDATED]
    media = response.headers["content-type"]
    assert_conforms(VENDOR, httpx.Response(200, headers={"content-type": media}, json=body))
    _VALIDATED.update(fresh)


def get(
    client: TestClient | None = None,
    path: str = PATH,
    headers: dict[str, str] | None = None,
    **params: Any,
) -> httpx.Response:
    """GET with valid auth merged into *headers*; the response must conform to the spec."""
    client = client or client_for(VENDOR)
    response = client.get(path, params=params, headers={**AUTH[VENDOR], **(headers or {})})
    assert response.status_code < 500, response.text
    conforms(response)
    return response


def assert_error(response: httpx.Response, status: int, names: str | None = None) -> None:
    """The ePages error envelope with *status*, its message naming *names* when given."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == ERROR_KEYS and body["status"] == str(status)
    if names is not None:
        assert names in body["message"], body["message"]
