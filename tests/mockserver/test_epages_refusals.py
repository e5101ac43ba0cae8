"""ePages ``GET /rs/shops/{shopId}/carts``: refusals and request handling.

Out-of-range paging, unknown shops, Accept negotiation, credentials, junk input and forced
faults; every response is checked against specs/epages.yaml.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from cartkit.mockserver import create_app
from cartkit.mockserver.faults import FORCE_STATUS_HEADER

from ._epages import PATH, VENDOR, assert_error, get
from .conftest import AUTH, assert_conforms, client_for

VENDOR_TYPE = "application/vnd.epages.v1+json"


# -- page / resultsPerPage --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("page", "0"),
        ("page", "-1"),
        ("page", "1.5"),
        ("page", "one"),
        ("page", ""),
        ("resultsPerPage", "0"),
        ("resultsPerPage", "101"),
        ("resultsPerPage", "-10"),
        ("resultsPerPage", "1e2"),
        ("resultsPerPage", "9" * 40),
    ],
)
def test_paging_values_out_of_bounds_are_400(name: str, value: str) -> None:
    assert_error(get(**{name: value}), 400, repr(name))


# -- shops, hosts, Accept ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shop", "status"),
    [("NoSuchShop", 404), ("demoshop", 404), ("bad.shop", 400), ("x" * 65, 400), ("Ümlaut", 400)],
)
def test_unknown_or_malformed_shop(shop: str, status: int) -> None:
    assert_error(get(path=f"/rs/shops/{shop}/carts"), status, "shopId")


def test_configured_shops_are_served_with_their_own_links() -> None:
    app = create_app(vendors=(VENDOR,), at_root=True, carts=20, shops=("MyShop",))
    client = TestClient(app, base_url="http://shop.test:8080")
    for shop in ("MyShop", "DemoShop"):
        cart = get(client, path=f"/rs/shops/{shop}/carts").json()["items"][0]
        hrefs = [link["href"] for link in cart["links"]]
        assert hrefs[0] == f"http://shop.test:8080/rs/shops/{shop}/carts/{cart['cartId']}"
        assert cart["checkoutUrl"].startswith(f"http://shop.test:8080/epages/{shop}.sf/")


def test_mounted_under_the_vendor_prefix(make_client: Any) -> None:
    client = make_client(VENDOR)
    cart = get(client, path=f"/epages{PATH}").json()["items"][0]
    assert cart["links"][0]["href"].startswith("http://testserver/epages/rs/shops/DemoShop/carts/")


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("", "application/json"),
        (VENDOR_TYPE, VENDOR_TYPE),
        ("application/json", "application/json"),
        ("APPLICATION/JSON", "application/json"),
        ("*/*", "application/json"),
        ("application/*", "application/json"),
        ("text/html, application/json;q=0.5", "application/json"),
        (f"application/json;q=0, {VENDOR_TYPE}", VENDOR_TYPE),
        ("application/json;q=0, */*", VENDOR_TYPE),
        (f"{VENDOR_TYPE};q=0.5, application/json", "application/json"),
        (f"application/json, {VENDOR_TYPE}", VENDOR_TYPE),
        ("text/html", None),
        ("application/xml", None),
        ("text/*", None),
        ("*/*;q=0", None),
        ("application/vnd.epages.v2+json", None),
        (f"{VENDOR_TYPE};q=0", None),
        ("application/json; q=0.8", "application/json"),
        ("application/json;q=abc", None),  # an unreadable q excludes the range
        ("application/json;q=1.5", None),
        (",;,", None),
    ],
)
def test_accept_negotiation(accept: str, media: str | None) -> None:
    response = get(headers={"Accept": accept})
    if media is None:
        assert_error(response, 406, "Accept")
    else:
        assert response.status_code == 200
        assert response.headers["content-type"] == media
        assert response.headers["X-epages-Media-Type"] == VENDOR_TYPE


@given(accept=st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60))
def test_any_accept_header_gets_200_or_406(accept: str) -> None:
    response = get(headers={"Accept": accept})
    assert response.status_code in {200, 406}


# -- auth --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer    ", "Basic dXNlcjpwYXNz", "Token abc", "test-token"],
)
def test_missing_or_malformed_credentials_are_403(authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client_for(VENDOR).get(PATH, headers=headers)
    assert_conforms(VENDOR, response)
    assert_error(response, 403, "Authorization" if authorization is None else None)


def test_auth_is_checked_before_accept_and_shop() -> None:
    response = client_for(VENDOR).get("/rs/shops/Nope/carts", headers={"Accept": "text/html"})
    assert_error(response, 403)


def test_configured_token_is_the_only_one_accepted(make_client: Any) -> None:
    client = make_client(VENDOR, at_root=True, token="s3cret")
    assert get(client, headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert_error(get(client, headers={"Authorization": "Bearer test-token"}), 403)


# -- bad input ---------------------------------------------------------------------------------

_PARAMS = ("page", "resultsPerPage", "createdAfter", "createdBefore", "hasAddressData", "locale")
_JUNK = [
    "",
    "\u0000",
    "😀🛒",
    "مرحبا بالعالم",  # RTL
    "a" * 10_000,
    "1; DROP TABLE carts",
    "2026-13-01T00:00:00Z",
    "2026-01-15",
    "TRUE",
    "de_de",
    "NaN",
    "{}",
]


@given(name=st.sampled_from(_PARAMS), value=st.sampled_from(_JUNK))
def test_junk_values_get_400_naming_the_parameter(name: str, value: str) -> None:
    assert_error(get(**{name: value}), 400, repr(name))


@given(name=st.sampled_from(_PARAMS), value=st.text(max_size=40))
def test_any_text_is_answered_without_a_server_error(name: str, value: str) -> None:
    response = get(**{name: value})
    assert response.status_code in {200, 400}
    if response.status_code == 400:
        assert_error(response, 400, repr(name))


def test_repeated_parameter_is_400() -> None:
    response = client_for(VENDOR).get(f"{PATH}?page=1&page=2", headers=AUTH[VENDOR])
    assert_conforms(VENDOR, response)
    assert_error(response, 400, "'page'")


# -- faults ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("forced", "status"), [(401, 403), (429, 429), (500, 500), (503, 503)])
def test_forced_statuses_use_the_vendor_envelope(forced: int, status: int) -> None:
    headers = AUTH[VENDOR] | {FORCE_STATUS_HEADER: str(forced)}
    response = client_for(VENDOR).get(PATH, headers=headers)
    assert_conforms(VENDOR, response)
    assert_error(response, status)
    if status == 429:
        assert response.headers["X-RateLimit-Remaining"] == "0"
        assert response.headers["X-RateLimit-Limit"] == "6000"
        assert "X-RateLimit-Reset" in response.headers
