"""Next Commerce (29 Next) ``GET /api/admin/carts/``: refusals and request handling.

Invalid cursors, the version header, credentials, bad parameter values and forced faults;
every response is checked against specs/nextcommerce.yaml.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from ._nextcommerce import HEADERS, PATH, VENDOR, _b64, get, walk
from .conftest import assert_conforms

# -- invalid cursors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cursor",
    [
        "abc",
        "!!!",
        "cD00ODY=",  # the docs' example, p=486
        _b64("p=10005"),  # forged, unsigned
        _b64("p=10005&s=0000000000000000"),  # forged signature
        _b64("r=1&p=99999999&s=0123456789abcdef"),
        _b64("o=0&p=2025-01-01"),
        "🛒",
        "\u0000",
        "x" * 10_000,
        base64.b64encode(bytes(range(256))).decode(),
    ],
)
def test_invalid_cursor_is_404(cursor: str) -> None:
    response = get([("cursor", cursor)])
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid cursor"}


def test_tampered_cursor_is_404() -> None:
    cursor = parse_qs(urlsplit(get().json()["next"]).query)["cursor"][0]
    text = base64.urlsafe_b64decode(cursor).decode()
    position = int(text.split("&")[0][2:])
    forged = _b64(text.replace(f"p={position}", f"p={position - 1}"))
    assert get([("cursor", forged)]).status_code == 404


def test_stale_cursor_from_another_dataset_is_404(make_client: Callable[..., TestClient]) -> None:
    other = make_client(VENDOR, at_root=True, seed=1)
    cursor = parse_qs(urlsplit(other.get(PATH, headers=HEADERS).json()["next"]).query)["cursor"]
    response = get([("cursor", cursor[0])])
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid cursor"}


# -- the version header -------------------------------------------------------------------------


def test_version_header_required() -> None:
    response = get(headers={"Authorization": HEADERS["Authorization"]})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "X-29next-API-Version" in detail and "2023-02-10" in detail


@pytest.mark.parametrize(
    "version", ["2024-04-01", "unstable", "", "2023-02-1", "2023-02-10,2024-04-01", "🛒"]
)
def test_version_header_unsupported(version: str) -> None:
    headers: Any = {**HEADERS, "X-29next-API-Version": version.encode()}
    response = get(headers=headers)
    assert response.status_code == 400
    assert set(response.json()) == {"detail"}
    assert "X-29next-API-Version" in response.json()["detail"]


def test_version_header_name_case_insensitive() -> None:
    headers = {"Authorization": "Bearer x", "X-29Next-Api-Version": "2023-02-10"}
    assert get(headers=headers).status_code == 200


# -- auth ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer   ", "Token abc", "Basic dXNlcjpwYXNz", "bearer"],
)
def test_missing_or_malformed_credentials(authorization: str | None) -> None:
    headers = {"X-29next-API-Version": "2023-02-10"}
    if authorization is not None:
        headers["Authorization"] = authorization
    response = get(headers=headers)
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_any_well_formed_token_accepted_by_default() -> None:
    for token in ("123", "a" * 200, "tok/with+chars="):
        assert get(headers={**HEADERS, "Authorization": f"Bearer {token}"}).status_code == 200


def test_configured_token_only(make_client: Callable[..., TestClient]) -> None:
    locked = make_client(VENDOR, at_root=True, token="s3cret")
    ok = locked.get(PATH, headers={**HEADERS, "Authorization": "Bearer s3cret"})
    assert ok.status_code == 200
    bad = locked.get(PATH, headers={**HEADERS, "Authorization": "Bearer other"})
    assert_conforms(VENDOR, bad)
    assert bad.status_code == 401 and bad.json() == {"detail": "Invalid token."}


def test_auth_comes_before_parameter_validation() -> None:
    response = get([("product", "abc")], headers={"X-29next-API-Version": "2023-02-10"})
    assert response.status_code == 401


# -- bad input ----------------------------------------------------------------------------------

BAD = [
    ("product", "abc"),
    ("product", "0"),
    ("product", "-5"),
    ("product", "2147483648"),
    ("product", "1.5"),
    ("product", "1,,2"),
    ("product", ""),
    ("product", "9" * 400),
    ("product", "🛒"),
    ("date_created_from", "2024-13-01"),
    ("date_created_from", "2024-02-30"),
    ("date_created_from", "yesterday"),
    ("date_created_to", "2024-05-01T00:00:00Z"),
    ("date_created_to", "\u0000"),
    ("date_created_to", ""),
    ("abandoned", "maybe"),
    ("abandoned", ""),
    ("abandoned", "yes"),
    ("currency", "usd"),
    ("currency", "US"),
    ("currency", "USDX"),
    ("currency", "USD\n"),
    ("currency", "€€€"),
    ("currency", "U" * 5000),
]


@given(case=st.sampled_from(BAD))
def test_bad_values_get_field_keyed_400(case: tuple[str, str]) -> None:
    name, value = case
    response = get([(name, value)])
    assert response.status_code == 400, response.text
    body = response.json()
    assert list(body) == [name]
    assert name in body[name][0]


def test_repeated_scalar_parameter_is_400() -> None:
    response = get([("currency", "USD"), ("currency", "EUR")])
    assert response.status_code == 400
    assert list(response.json()) == ["currency"]


def test_unknown_parameters_are_ignored() -> None:
    assert walk([("utm_medium", "email"), ("page_size", "5"), ("ordering", "id")]) == walk([])


# -- faults -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "detail"),
    [
        (429, "Request was throttled. Expected available in 1 second."),
        (500, "A server error occurred."),
        (503, "Service temporarily unavailable, try again later."),
        (403, "You do not have permission to perform this action."),
    ],
)
def test_forced_statuses(status: int, detail: str) -> None:
    response = get(headers={**HEADERS, "X-Cartkit-Force-Status": str(status)})
    assert response.status_code == status
    assert response.json() == {"detail": detail}
    if status == 429:
        assert response.headers["Retry-After"] == "1"


def test_random_faults_are_vendor_shaped(make_client: Callable[..., TestClient]) -> None:
    flaky = make_client(VENDOR, at_root=True, error_rate=1.0)
    statuses = set()
    for _ in range(20):
        response = flaky.get(PATH, headers=HEADERS)
        assert_conforms(VENDOR, response)
        statuses.add(response.status_code)
        assert set(response.json()) == {"detail"}
    assert statuses <= {429, 500, 503} and len(statuses) > 1
