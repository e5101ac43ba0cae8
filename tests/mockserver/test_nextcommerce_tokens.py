"""Next Commerce's OAuth authorization-code flow, end to end against the carts list."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient

from cartkit.mockserver import create_app

from .conftest import assert_conforms

AUTHORIZE, TOKEN, CARTS = "/oauth2/authorize/", "/oauth2/token/", "/api/admin/carts/"
APP = {"client_id": "app-1", "redirect_uri": "http://localhost:3000/callback"}
VERSION = {"X-29next-API-Version": "2023-02-10"}


def fresh(**config: Any) -> TestClient:
    app = create_app(vendors=("nextcommerce",), at_root=True, carts=60, **config)
    return TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False)


@pytest.fixture(scope="module")
def client() -> TestClient:
    return fresh()


def authorize(client: TestClient, **params: str) -> Any:
    query = {"response_type": "code", "scope": "carts:read", **APP, **params}
    response = client.get(AUTHORIZE, params=query)
    assert_conforms("nextcommerce", response, token_path=AUTHORIZE)
    return response


def redirected(response: Any) -> dict[str, str]:
    assert response.status_code == 302
    target = urlsplit(response.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == APP["redirect_uri"]
    return {key: values[0] for key, values in parse_qs(target.query).items()}


def exchange(client: TestClient, **fields: str) -> Any:
    response = client.post(TOKEN, data={"client_secret": "s", **APP, **fields})
    assert_conforms("nextcommerce", response, token_path=TOKEN)
    return response


def code_for(client: TestClient, scope: str = "carts:read") -> str:
    return redirected(authorize(client, scope=scope))["code"]


def test_the_flow_ends_in_a_token_that_lists_carts(client: TestClient) -> None:
    answer = redirected(authorize(client, state="xyz"))
    assert answer["store"] == "127.0.0.1:8000" and answer["state"] == "xyz"
    token = exchange(client, grant_type="authorization_code", code=answer["code"]).json()
    assert token["token_type"] == "Bearer" and token["scope"] == "carts:read"
    assert token["expires_in"] == 15_778_476_000  # the docs' example
    listed = client.get(
        CARTS, headers={"Authorization": f"Bearer {token['access_token']}", **VERSION}
    )
    assert listed.status_code == 200 and len(listed.json()["results"]) == 20


@pytest.mark.parametrize("scope", ["admin:read", "orders:read carts:read"])
def test_any_scope_covering_carts_lists_them(client: TestClient, scope: str) -> None:
    token = exchange(client, grant_type="authorization_code", code=code_for(client, scope))
    headers = {"Authorization": f"Bearer {token.json()['access_token']}", **VERSION}
    assert client.get(CARTS, headers=headers).status_code == 200


def test_a_token_without_the_carts_scope_is_forbidden(client: TestClient) -> None:
    token = exchange(client, grant_type="authorization_code", code=code_for(client, "orders:read"))
    headers = {"Authorization": f"Bearer {token.json()['access_token']}", **VERSION}
    response = client.get(CARTS, headers=headers)
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to perform this action."}
    assert_conforms("nextcommerce", response)


def test_a_refresh_token_gives_a_token_with_the_same_scope(client: TestClient) -> None:
    first = exchange(client, grant_type="authorization_code", code=code_for(client)).json()
    again = exchange(client, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert again.status_code == 200
    assert again.json()["scope"] == first["scope"]
    assert again.json()["access_token"] == first["access_token"]


@pytest.mark.parametrize(
    ("fields", "status", "error"),
    [
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({}, 400, "invalid_request"),
        ({"grant_type": "authorization_code"}, 400, "invalid_request"),
        ({"grant_type": "authorization_code", "code": "forged"}, 400, "invalid_grant"),
        ({"grant_type": "refresh_token", "refresh_token": "forged"}, 400, "invalid_grant"),
    ],
)
def test_a_bad_exchange_gets_the_oauth_error(
    client: TestClient, fields: dict[str, str], status: int, error: str
) -> None:
    response = exchange(client, **fields)
    assert response.status_code == status and response.json()["error"] == error
    assert response.json()["error_description"]


def test_a_code_is_bound_to_its_client_and_redirect_uri(client: TestClient) -> None:
    code = code_for(client)
    other_client = exchange(client, grant_type="authorization_code", code=code, client_id="app-2")
    assert other_client.json()["error"] == "invalid_grant"
    elsewhere = exchange(
        client, grant_type="authorization_code", code=code, redirect_uri="http://evil.test/cb"
    )
    assert elsewhere.json() == {
        "error": "invalid_grant",
        "error_description": "Mismatching redirect URI.",
    }


def test_a_configured_client_is_checked() -> None:
    client = fresh(client_id="app-1", client_secret="right")
    code = code_for(client)
    wrong = exchange(client, grant_type="authorization_code", code=code, client_secret="wrong")
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    right = exchange(client, grant_type="authorization_code", code=code, client_secret="right")
    assert right.status_code == 200
    page = authorize(client, client_id="stranger")
    assert page.status_code == 400 and "invalid_client" in page.text


def test_a_mock_started_with_a_token_hands_it_out() -> None:
    client = fresh(token="T0k3n")
    answer = exchange(client, grant_type="authorization_code", code=code_for(client)).json()
    assert answer["access_token"] == "T0k3n"


def test_an_unsupported_response_type_is_sent_back(client: TestClient) -> None:
    answer = redirected(authorize(client, response_type="token", state="s1"))
    assert answer == {"error": "unsupported_response_type", "state": "s1"}


@pytest.mark.parametrize(
    "change",
    [{"redirect_uri": "not a uri"}, {"redirect_uri": "javascript:alert(1)"}, {"client_id": ""}],
)
def test_nothing_is_redirected_to_an_untrusted_place(
    client: TestClient, change: dict[str, str]
) -> None:
    page = authorize(client, **change)
    assert page.status_code == 400 and "location" not in page.headers
    assert "<script" not in page.text and "invalid_request" in page.text


@pytest.mark.parametrize(
    ("change", "state"),
    [({"scope": ""}, "s1"), ({"scope": "x" * 3000}, "s1"), ({"state": "y" * 3000}, None)],
)
def test_other_bad_parameters_are_sent_back_to_the_app(
    client: TestClient, change: dict[str, str], state: str | None
) -> None:
    answer = redirected(authorize(client, **{"state": "s1", **change}))
    assert answer.pop("error") == "invalid_request" and answer.pop("error_description")
    assert answer == ({"state": state} if state else {})


def test_a_redirect_uri_with_a_query_keeps_it(client: TestClient) -> None:
    query = {"response_type": "code", "scope": "carts:read", "client_id": "a"}
    response = client.get(
        AUTHORIZE, params={**query, "redirect_uri": "http://localhost:3000/cb?tenant=7"}
    )
    assert response.headers["location"].startswith("http://localhost:3000/cb?tenant=7&store=")
