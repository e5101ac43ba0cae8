"""Shared helpers for the Next Commerce mock tests: spec-checked GETs and cursor walks."""

from __future__ import annotations

import base64
from typing import Any

import httpx
from starlette.testclient import TestClient

from .conftest import AUTH, assert_conforms, client_for

VENDOR = "nextcommerce"
PATH = "/api/admin/carts/"
HEADERS = AUTH[VENDOR]
PAGE = 20

Params = list[tuple[str, str]]


def client() -> TestClient:
    return client_for(VENDOR)


def get(params: Params | None = None, headers: dict[str, str] | None = None) -> httpx.Response:
    response = client().get(
        PATH, params=params or [], headers=HEADERS if headers is None else headers
    )
    assert_conforms(VENDOR, response)
    return response


def follow(url: str, test_client: TestClient | None = None) -> httpx.Response:
    response = (test_client or client()).get(url, headers=HEADERS)
    assert_conforms(VENDOR, response)
    return response


def walk(params: Params) -> list[dict[str, Any]]:
    """Every cart of a listing, following ``next`` from the first page."""
    response = get(params)
    assert response.status_code == 200, response.text
    body = response.json()
    seen = list(body["results"])
    assert body["previous"] is None
    for _ in range(1000):
        if body["next"] is None:
            return seen
        body = follow(body["next"]).json()
        assert 0 < len(body["results"]) <= PAGE
        seen += body["results"]
    raise AssertionError("pagination did not terminate")


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()
