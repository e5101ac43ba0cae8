"""ePages' app token step: the installation code exchanged for the shop's access token."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from cartkit.mockserver import create_app

from .conftest import assert_conforms

TOKEN = "/rs/shops/{shop}/token"
APP = {"code": "f32ddSbuff2IGAYvtiwYQiyHyuLJWbey", "client_id": "E43D", "client_secret": "s"}


def fresh(**config: Any) -> TestClient:
    return TestClient(create_app(vendors=("epages",), at_root=True, carts=30, **config))


@pytest.fixture(scope="module")
def client() -> TestClient:
    return fresh(shops=("OtherShop",))


def exchange(client: TestClient, shop: str = "DemoShop", **fields: str) -> Any:
    response = client.post(TOKEN.format(shop=shop), data={**APP, **fields})
    assert_conforms("epages", response, token_path="/rs/shops/{shopId}/token")
    return response


def test_the_code_is_exchanged_for_a_token_that_lists_carts(client: TestClient) -> None:
    response = exchange(client)
    assert response.status_code == 200
    assert response.headers["x-epages-media-type"] == "application/vnd.epages.v1+json"
    token = response.json()["access_token"]
    listed = client.get("/rs/shops/DemoShop/carts", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200 and listed.json()["results"] == 30


def test_the_token_is_per_shop_client_and_code(client: TestClient) -> None:
    token = exchange(client).json()["access_token"]
    assert exchange(client).json()["access_token"] == token  # the same exchange, the same token
    assert exchange(client, shop="OtherShop").json()["access_token"] != token
    assert exchange(client, code="another").json()["access_token"] != token


@pytest.mark.parametrize(
    ("shop", "fields", "status"),
    [
        ("NoSuchShop", {}, 404),
        ("Bad%20Shop", {}, 400),
        ("DemoShop", {"code": ""}, 400),
        ("DemoShop", {"client_secret": ""}, 400),
    ],
)
def test_a_bad_exchange_is_refused_in_the_vendor_shape(
    client: TestClient, shop: str, fields: dict[str, str], status: int
) -> None:
    response = exchange(client, shop, **fields)
    assert response.status_code == status
    assert response.json()["status"] == str(status)


def test_a_configured_client_is_checked_and_the_fixed_token_handed_out() -> None:
    client = fresh(token="T0k3n", client_id="E43D", client_secret="right")
    assert exchange(client, client_secret="right").json() == {"access_token": "T0k3n"}
    refused = exchange(client, client_secret="wrong")
    # ePages documents no 401: a refused client is 403.
    assert refused.status_code == 403 and refused.json()["status"] == "403"
