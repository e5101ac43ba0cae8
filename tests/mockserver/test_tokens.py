"""What every vendor's token endpoints share: stateless tokens, request bodies, client checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from cartkit import specs
from cartkit.mockserver import MockConfig, create_app
from cartkit.mockserver.bodies import MAX_BODY
from cartkit.mockserver.tokens import Issuer

KINDS = ("implicit", "client_credentials", "carts", "other")
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


def issuer(seed: int = 0, vendor: str = "elasticpath", **config: str) -> Issuer:
    return Issuer(MockConfig(seed=seed, **config), vendor)  # type: ignore[arg-type]


@given(kind=st.sampled_from(KINDS), parts=st.lists(TEXT, max_size=3))
def test_an_opaque_token_says_which_kind_it_is(kind: str, parts: list[str]) -> None:
    token = issuer().opaque(kind, *parts)
    assert len(token) == 40 and int(token, 16) >= 0
    assert issuer().kind_of(token, KINDS) == kind
    assert issuer().opaque(kind, *parts) == token  # another worker issues the same token


@given(kind=st.sampled_from(KINDS), parts=st.lists(TEXT, max_size=3))
def test_another_mock_does_not_recognise_the_token(kind: str, parts: list[str]) -> None:
    token = issuer().opaque(kind, *parts)
    assert issuer(seed=1).kind_of(token, KINDS) is None
    assert issuer(vendor="nextcommerce").kind_of(token, KINDS) is None


@given(token=st.text(max_size=60))
def test_arbitrary_strings_are_no_tokens_of_the_mock(token: str) -> None:
    assert issuer().kind_of(token, KINDS) is None
    assert issuer().unseal(token, "customer_token") is None


def test_a_flipped_character_unmakes_the_token() -> None:
    token = issuer().opaque("implicit", "client")
    for i in range(len(token)):
        flipped = token[:i] + ("0" if token[i] != "0" else "1") + token[i + 1 :]
        assert issuer().kind_of(flipped, KINDS) is None


@given(subject=TEXT)
def test_sealed_claims_come_back_only_for_their_kind(subject: str) -> None:
    sealed = issuer().seal("customer_token", {"sub": subject})
    assert issuer().unseal(sealed, "customer_token") == {
        "iss": "cartkit-elasticpath",
        "typ": "customer_token",
        "sub": subject,
    }
    assert issuer().unseal(sealed, "account_management_authentication_token") is None
    assert issuer(seed=2).unseal(sealed, "customer_token") is None
    head, payload, signature = sealed.split(".")
    assert issuer().unseal(f"{head}.{payload}.{signature[::-1]}", "customer_token") is None


def test_a_fixed_token_is_what_every_grant_hands_out() -> None:
    assert issuer(token="T").access_token("implicit", "client") == "T"
    assert issuer().access_token("implicit", "client") == issuer().opaque("implicit", "client")


def test_only_vendors_with_a_token_step_have_token_documents() -> None:
    with_tokens = {vendor for vendor in specs.VENDORS if specs.tokens(vendor) is not None}
    # ShopiMind (a static spm-api-key) and StateSet (API keys from the dashboard) have none.
    assert with_tokens == {"nextcommerce", "elasticpath", "epages"}


# -- request bodies, through a real endpoint --------------------------------------------------

TOKEN_URL = "/elasticpath/oauth/access_token"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(vendors=("elasticpath",), carts=20))


def test_a_field_given_twice_is_refused(client: TestClient) -> None:
    response = client.post(
        TOKEN_URL,
        content=b"grant_type=implicit&client_id=a&client_id=b",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["source"] == "client_id"


def test_an_oversized_body_is_refused_before_parsing(client: TestClient) -> None:
    response = client.post(
        TOKEN_URL,
        content=b"grant_type=implicit&client_id=" + b"x" * MAX_BODY,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert str(MAX_BODY) in response.json()["errors"][0]["detail"]


def test_a_body_that_is_not_utf8_is_refused(client: TestClient) -> None:
    response = client.post(
        TOKEN_URL,
        content=b"grant_type=implicit&client_id=\xff\xfe",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400 and "UTF-8" in response.json()["errors"][0]["detail"]


def test_the_wrong_content_type_is_named(client: TestClient) -> None:
    response = client.post(TOKEN_URL, json={"grant_type": "implicit", "client_id": "a"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["source"] == "Content-Type"


def test_a_token_endpoint_is_preflighted_for_post(client: TestClient) -> None:
    response = client.options(
        TOKEN_URL,
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-moltin-sdk-language, x-moltin-sdk-version",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-methods"] == "POST"
    assert client.get(TOKEN_URL).status_code == 405


@pytest.mark.parametrize("vendor", ["nextcommerce", "elasticpath", "epages"])
def test_the_token_document_is_served_with_this_mock_first(vendor: str) -> None:
    served = TestClient(create_app(vendors=(vendor,), carts=5))
    document = served.get(f"/{vendor}/tokens/openapi.json").json()
    assert document["servers"][0]["url"] == f"http://testserver/{vendor}"
    assert document["paths"] == specs.tokens(vendor)["paths"]  # type: ignore[index]


@pytest.mark.parametrize("vendor", ["shopimind", "stateset"])
def test_vendors_without_a_token_step_serve_no_token_routes(vendor: str) -> None:
    served = TestClient(create_app(vendors=(vendor,), carts=5))
    assert served.get(f"/{vendor}/tokens/openapi.json").status_code == 404
