"""Elastic Path's token endpoints, and what each credential lists on ``GET /v2/carts``."""

from __future__ import annotations

import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from cartkit.mockserver import create_app
from cartkit.mockserver.model import Cart

from .conftest import assert_conforms

ACCESS, CUSTOMER, ACCOUNT = (
    "/oauth/access_token",
    "/v2/customers/tokens",
    "/v2/account-members/tokens",
)
CARTS = "/v2/carts"
PROFILE = "161292d3-c105-490f-8798-0ec71cd5a272"


def fresh(**config: Any) -> TestClient:
    return TestClient(create_app(vendors=("elasticpath",), at_root=True, carts=300, **config))


@pytest.fixture(scope="module")
def client() -> TestClient:
    return fresh()


def carts_of(client: TestClient) -> list[Cart]:
    return client.app.state.vendors["elasticpath"].dataset.carts  # type: ignore[attr-defined]


def grant(client: TestClient, kind: str = "implicit", **fields: str) -> Any:
    data = {"grant_type": kind, "client_id": "storefront", **fields}
    if kind == "client_credentials":
        data.setdefault("client_secret", "s3cret")
    response = client.post(ACCESS, data=data)
    assert_conforms("elasticpath", response, token_path=ACCESS)
    return response


def bearer(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def listed(client: TestClient, headers: dict[str, str]) -> list[str]:
    """Every cart id the credentials list, all pages walked."""
    ids: list[str] = []
    offset = 0
    while True:
        response = client.get(
            CARTS, headers=headers, params={"page[limit]": 100, "page[offset]": offset}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        ids += [cart["id"] for cart in body["data"]]
        if body["links"]["next"] is None:
            return ids
        offset += 100


def customer_login(client: TestClient, token: str, email: str, **extra: str) -> Any:
    body = {"data": {"type": "token", "email": email, "password": "any", **extra}}
    response = client.post(CUSTOMER, json=body, headers=bearer(token))
    assert_conforms("elasticpath", response, token_path=CUSTOMER)
    return response


# -- POST /oauth/access_token -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["implicit", "client_credentials"])
def test_a_grant_answers_the_fields_the_sdk_reads(client: TestClient, kind: str) -> None:
    before = int(time.time())
    body = grant(client, kind).json()
    assert body["identifier"] == kind and body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600 and before + 3600 <= body["expires"] <= time.time() + 3600
    assert body["client_id"] == "storefront" and len(body["access_token"]) == 40


def test_an_implicit_token_lists_only_a_shoppers_carts(client: TestClient) -> None:
    token = grant(client).json()["access_token"]
    refused = client.get(CARTS, headers=bearer(token))
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["source"] == "Authorization"
    assert_conforms("elasticpath", refused)


def test_a_client_credentials_token_lists_every_cart(client: TestClient) -> None:
    token = grant(client, "client_credentials").json()["access_token"]
    assert len(listed(client, bearer(token))) == len(carts_of(client))


@pytest.mark.parametrize(
    ("fields", "source"),
    [
        ({"client_id": "x"}, "grant_type"),
        ({"grant_type": "password", "client_id": "x"}, "grant_type"),
        ({"grant_type": "implicit"}, "client_id"),
        ({"grant_type": "client_credentials", "client_id": "x"}, "client_secret"),
        ({"grant_type": "implicit", "client_id": ""}, "client_id"),
    ],
)
def test_a_bad_grant_request_names_the_field(
    client: TestClient, fields: dict[str, str], source: str
) -> None:
    response = client.post(ACCESS, data=fields)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["status"], error["title"], error["source"]) == (400, "Bad Request", source)
    assert_conforms("elasticpath", response, token_path=ACCESS)


def test_a_mock_started_with_a_token_hands_it_out() -> None:
    client = fresh(token="T0k3n")
    for kind in ("implicit", "client_credentials"):
        assert grant(client, kind).json()["access_token"] == "T0k3n"
    # The mock cannot tell T's grant: it lists every cart, as any accepted token does.
    assert len(listed(client, bearer("T0k3n"))) == 300


def test_a_configured_client_is_checked() -> None:
    client = fresh(client_id="shop-app", client_secret="right")
    ok = grant(client, "client_credentials", client_id="shop-app", client_secret="right")
    assert ok.status_code == 200
    # The implicit grant sends no secret: only the id is checked.
    assert grant(client, "implicit", client_id="shop-app").status_code == 200
    for fields in ({"client_id": "other"}, {"client_id": "shop-app", "client_secret": "wrong"}):
        refused = grant(client, "client_credentials", **fields)
        assert refused.status_code == 401
        assert refused.json()["errors"][0]["title"] == "Unauthorized"
    assert grant(client, "implicit", client_id="other").status_code == 401


# -- POST /v2/customers/tokens ----------------------------------------------------------------


def test_a_customer_token_lists_exactly_that_customers_carts(client: TestClient) -> None:
    token = grant(client).json()["access_token"]
    customers = {c.customer.uid: c.customer for c in carts_of(client) if c.customer is not None}
    for customer in list(customers.values())[:5]:
        body = customer_login(client, token, customer.email.upper()).json()["data"]
        assert body["customer_id"] == customer.uid and body["type"] == "token"
        shopper = bearer(token, **{"X-Moltin-Customer-Token": body["token"]})
        expected = {
            c.uid for c in carts_of(client) if c.customer and c.customer.uid == customer.uid
        }
        assert set(listed(client, shopper)) == expected and expected


def test_a_customer_token_needs_a_known_email_and_a_bearer(client: TestClient) -> None:
    token = grant(client).json()["access_token"]
    unknown = customer_login(client, token, "nobody@example.invalid")
    assert unknown.status_code == 401
    empty = customer_login(client, token, carts_of(client)[0].email or "x", password="")
    assert empty.status_code == 400 and empty.json()["errors"][0]["source"] == "password"
    oidc = customer_login(client, token, "x@y.z", authentication_mechanism="oidc")
    assert oidc.status_code == 400
    assert client.post(CUSTOMER, json={"data": {}}).status_code == 401


def test_another_mocks_customer_token_is_refused(client: TestClient) -> None:
    other = fresh(seed=7)
    email = next(c.customer.email for c in carts_of(other) if c.customer)
    foreign = customer_login(other, "t", email).json()["data"]["token"]
    response = client.get(CARTS, headers=bearer("t", **{"X-Moltin-Customer-Token": foreign}))
    assert response.status_code == 403


def test_every_worker_accepts_every_workers_tokens() -> None:
    first, second = fresh(), fresh()  # two workers: same config, nothing shared
    implicit = grant(first).json()["access_token"]
    assert grant(second).json()["access_token"] == implicit
    email = next(c.customer.email for c in carts_of(first) if c.customer)
    shopper = customer_login(first, implicit, email).json()["data"]["token"]
    headers = bearer(implicit, **{"X-Moltin-Customer-Token": shopper})
    assert listed(first, headers) == listed(second, headers)
    assert second.get(CARTS, headers=bearer(implicit)).status_code == 403


# -- POST /v2/account-members/tokens ----------------------------------------------------------


def test_a_member_gets_a_token_per_account_each_listing_that_account(client: TestClient) -> None:
    carts = carts_of(client)
    member = next(c.customer for c in carts if c.customer and c.account_uid)
    body = {
        "data": {
            "type": "account_management_authentication_token",
            "authentication_mechanism": "password",
            "password_profile_id": PROFILE,
            "username": member.email,
            "password": "any",
        }
    }
    response = client.post(ACCOUNT, json=body, headers=bearer("t"))
    assert response.status_code == 201
    assert_conforms("elasticpath", response, token_path=ACCOUNT)
    answer = response.json()
    accounts = {c.account_uid for c in carts if c.customer == member and c.account_uid}
    assert {t["account_id"] for t in answer["data"]} == accounts
    assert answer["meta"]["results"]["total"] == len(accounts)
    assert answer["meta"]["account_member_id"] == member.uid
    for token in answer["data"]:
        headers = bearer("t", **{"EP-Account-Management-Authentication-Token": token["token"]})
        expected = {c.uid for c in carts if c.account_uid == token["account_id"]}
        assert set(listed(client, headers)) == expected


def test_a_member_without_carts_in_an_account_still_has_one(client: TestClient) -> None:
    vendor = client.app.state.vendors["elasticpath"]  # type: ignore[attr-defined]
    with_accounts = {c.customer.uid for c in carts_of(client) if c.customer and c.account_uid}
    loner = next(c for c in vendor.dataset.customers if c.uid not in with_accounts)
    body = {
        "data": {
            "type": "account_management_authentication_token",
            "authentication_mechanism": "password",
            "password_profile_id": PROFILE,
            "username": loner.email,
            "password": "any",
        }
    }
    response = client.post(ACCOUNT, json=body, headers=bearer("t"))
    assert response.status_code == 201 and len(response.json()["data"]) == 1


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"username": "nobody@example.invalid"}, 401),
        ({"authentication_mechanism": "passwordless"}, 400),
        ({"password_profile_id": "not-a-uuid"}, 400),
    ],
)
def test_a_bad_member_login_is_refused(
    client: TestClient, change: dict[str, str], status: int
) -> None:
    member = next(c.customer for c in carts_of(client) if c.customer)
    data = {
        "type": "account_management_authentication_token",
        "authentication_mechanism": "password",
        "password_profile_id": PROFILE,
        "username": member.email,
        "password": "any",
        **change,
    }
    response = client.post(ACCOUNT, json={"data": data}, headers=bearer("t"))
    assert response.status_code == status
    assert_conforms("elasticpath", response, token_path=ACCOUNT)
