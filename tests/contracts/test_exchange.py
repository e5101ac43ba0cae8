"""The token exchange: the client it sends, the requests it builds, the answers it requires (the
token document's statuses and bodies), and the credentials it masks once obtained.

The server is a handler of each test's (``tests/contracts/fakes.py``); the token documents are
the shipped ``specs/tokens`` ones. ``Skip`` and ``Violation`` are taken from ``contracts.exchange``,
the module that raises them.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from cartkit.contracts.exchange import (
    MADE_UP_CLIENT_ID,
    MADE_UP_CLIENT_SECRET,
    Exchange,
    Skip,
    Violation,
)
from cartkit.contracts.reading import GaveUp
from cartkit.contracts.spec import TokenDocument
from tests.contracts.fakes import BASE, FakeCredentials, FakeSession, FakeTarget, json_answer

EPAGES_TOKEN = "/rs/shops/{shopId}/token"
EP_ACCESS = "/oauth/access_token"
NC_AUTHORIZE, NC_TOKEN = "/oauth2/authorize/", "/oauth2/token/"


def _document(vendor: str) -> TokenDocument:
    document = TokenDocument.load(vendor)
    assert document is not None
    return document


def _exchange(
    vendor: str,
    handler: Any = None,
    *,
    refusal: int = 401,
    raises: Exception | None = None,
    oracle: Any = None,
    **credentials: Any,
) -> tuple[Exchange, FakeSession, FakeTarget]:
    target = FakeTarget(
        handler or (lambda request: json_answer(200, {})),
        FakeCredentials(**credentials),
        raises=raises,
    )
    session = FakeSession(target, oracle)
    return Exchange(session, _document(vendor), refusal), session, target  # type: ignore[arg-type]


# -- the client ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "client_id", "client_secret", "made_up_id", "made_up_with_secret"),
    [
        pytest.param({}, MADE_UP_CLIENT_ID, MADE_UP_CLIENT_SECRET, True, True, id="none"),
        pytest.param({"client_id": "app"}, "app", MADE_UP_CLIENT_SECRET, False, True, id="id"),
        pytest.param(
            {"client_id": "app", "client_secret": "s3cret"},
            "app",
            "s3cret",
            False,
            False,
            id="both",
        ),
        pytest.param(
            {"client_secret": "s3cret"}, MADE_UP_CLIENT_ID, "s3cret", True, True, id="secret-only"
        ),
    ],
)
def test_the_client_is_the_users_or_a_made_up_one(
    given: dict[str, str],
    client_id: str,
    client_secret: str,
    made_up_id: bool,
    made_up_with_secret: bool,
) -> None:
    exchange, _, _ = _exchange("elasticpath", **given)
    assert exchange.client_id == client_id
    assert exchange.client_secret == client_secret
    assert exchange.made_up(secret=False) is made_up_id
    assert exchange.made_up(secret=True) is made_up_with_secret


def test_the_made_up_client_is_named_as_documented() -> None:
    # Reports and the mock's docs name it; a rename would silently break both.
    assert MADE_UP_CLIENT_ID == "cartkit-made-up-client"
    assert MADE_UP_CLIENT_SECRET == "cartkit-made-up-secret"


# -- requests ------------------------------------------------------------------------------------


def test_a_form_goes_to_the_routes_url_with_the_shop_and_without_the_users_credential() -> None:
    exchange, session, target = _exchange("epages")
    form = {"code": "c0de", "client_id": "app", "client_secret": "s e&c"}
    response = exchange.send("post", EPAGES_TOKEN, form=form, shop_id="OtherShop")
    assert response.status_code == 200
    (request,) = target.sent
    assert request.method == "POST"
    assert str(request.url) == f"{BASE}/rs/shops/OtherShop/token"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "Authorization" not in request.headers
    assert {k: v[0] for k, v in parse_qs(request.content.decode()).items()} == form
    assert session.last_request is response.request


def test_the_configured_shop_is_the_default() -> None:
    exchange, _, target = _exchange("epages")
    exchange.send("post", EPAGES_TOKEN, form={})
    assert str(target.sent[0].url) == f"{BASE}/rs/shops/DemoShop/token"


def test_json_params_and_the_bearer_travel_when_asked_for() -> None:
    exchange, _, target = _exchange("nextcommerce", token="tok-42")
    exchange.send("GET", NC_AUTHORIZE, params={"response_type": "code", "scope": "carts:read"})
    exchange.send("post", "/v2/customers/tokens", json={"data": {"type": "token"}}, bearer=True)
    get, post = target.sent
    assert get.method == "GET" and get.url.params["scope"] == "carts:read"
    assert get.content == b"" and "Authorization" not in get.headers
    assert post.headers["Authorization"] == "Bearer tok-42"
    assert json.loads(post.content) == {"data": {"type": "token"}}


def test_a_server_given_up_on_is_a_skip_naming_why() -> None:
    reason = "not sent: the server's last 3 answers never came whole"
    exchange, _, _ = _exchange("epages", raises=GaveUp(reason))
    with pytest.raises(Skip) as caught:
        exchange.send("post", EPAGES_TOKEN, form={})
    assert caught.value.reason == reason


def test_a_failed_connection_is_a_violation_with_the_request() -> None:
    exchange, session, _ = _exchange("epages", raises=httpx.ConnectError("refused"))
    with pytest.raises(Violation) as caught:
        exchange.send("post", EPAGES_TOKEN, form={"code": "c"})
    assert caught.value.title == "Request failed"
    assert caught.value.received == "ConnectError: refused"
    assert caught.value.request is session.last_request
    assert caught.value.request is not None
    assert str(caught.value.request.url).endswith("/rs/shops/DemoShop/token")


# -- answers -------------------------------------------------------------------------------------


def _answer_of(vendor: str, route: str, response: httpx.Response, **credentials: Any) -> Any:
    exchange, _, _ = _exchange(vendor, lambda request: response, **credentials)
    sent = exchange.send("post", route, form={})
    return exchange, sent


def test_the_documented_body_is_returned() -> None:
    body = {"access_token": "4HZ9hriF6J3GOnd10JbFzdVehycOvAZf", "extra": 1}
    exchange, sent = _answer_of("epages", EPAGES_TOKEN, json_answer(200, body))
    assert exchange.answer(sent, EPAGES_TOKEN, "the code exchange", secret=True) == body


@pytest.mark.parametrize(
    ("credentials", "secret", "options"),
    [
        pytest.param({}, True, "--client-id and --client-secret", id="with-secret"),
        pytest.param({}, False, "--client-id", id="id-only"),
        pytest.param({"client_id": "app"}, True, "--client-id and --client-secret", id="no-secret"),
    ],
)
def test_a_made_up_client_refused_is_a_skip(
    credentials: dict[str, str], secret: bool, options: str
) -> None:
    refused = json_answer(403, {"message": "Forbidden", "status": "403"})
    exchange, _, _ = _exchange("epages", lambda r: refused, refusal=403, **credentials)
    sent = exchange.send("post", EPAGES_TOKEN, form={})
    with pytest.raises(Skip) as caught:
        exchange.answer(sent, EPAGES_TOKEN, "the code exchange", secret=secret)
    assert caught.value.reason == (
        f"the code exchange refused the made-up client {exchange.client_id!r} (403): "
        f"pass {options} of a client this server knows"
    )


def test_the_users_client_refused_is_a_violation() -> None:
    refused = json_answer(403, {"message": "Forbidden", "status": "403"})
    exchange, _, _ = _exchange(
        "epages", lambda r: refused, refusal=403, client_id="app", client_secret="s3cret"
    )
    sent = exchange.send("post", EPAGES_TOKEN, form={})
    with pytest.raises(Violation) as caught:
        exchange.answer(sent, EPAGES_TOKEN, "the code exchange", secret=True)
    assert caught.value.title == "The code exchange failed"
    assert caught.value.expected == "200 with the documented body"
    assert caught.value.received.startswith('403 {"message":')


def test_another_status_than_the_documented_one_is_a_violation_even_for_a_made_up_client() -> None:
    # 400 is not the refusal status (401): the made-up client does not excuse it.
    answer = json_answer(400, {"error": "invalid_request"})
    exchange, sent = _answer_of("nextcommerce", NC_TOKEN, answer)
    with pytest.raises(Violation) as caught:
        exchange.answer(sent, NC_TOKEN, "the authorization_code grant", secret=True)
    assert caught.value.title == "The authorization_code grant failed"


def test_an_expected_non_200_status_is_read_against_its_own_schema() -> None:
    answer = json_answer(400, {"error": "invalid_grant", "error_description": "Invalid code."})
    exchange, sent = _answer_of("nextcommerce", NC_TOKEN, answer)
    body = exchange.answer(sent, NC_TOKEN, "a forged code", status=400, secret=True)
    assert body["error"] == "invalid_grant"


@pytest.mark.parametrize(
    ("vendor", "route", "body", "problem"),
    [
        pytest.param(
            "epages", EPAGES_TOKEN, {"access_token": ""}, "access_token: '' should be non-empty"
        ),
        pytest.param("epages", EPAGES_TOKEN, {"token": "x"}, "'access_token' is a required"),
        pytest.param(
            "nextcommerce",
            NC_TOKEN,
            {
                "access_token": "a",
                "expires_in": 10,
                "token_type": "bearer",
                "scope": "carts:read",
                "refresh_token": "r",
            },
            "token_type: 'bearer' is not one of ['Bearer']",
        ),
        pytest.param(
            "elasticpath",
            EP_ACCESS,
            {
                "access_token": "a",
                "token_type": "Bearer",
                "expires": 1,
                "expires_in": 3600,
                "identifier": "password",
            },
            "identifier: 'password' is not one of",
        ),
    ],
)
def test_a_body_the_token_document_does_not_allow_is_a_violation(
    vendor: str, route: str, body: dict[str, Any], problem: str
) -> None:
    exchange, sent = _answer_of(vendor, route, json_answer(200, body))
    with pytest.raises(Violation) as caught:
        exchange.answer(sent, route, "the grant", secret=True)
    assert caught.value.title == "Wrong 200 body"
    assert caught.value.expected == (f"a body matching the documented 200 response of POST {route}")
    assert problem in caught.value.received


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"<html>Bad Gateway</html>", id="html"),
        pytest.param(b'{"access_token": "a", "access_token": "b"}', id="duplicate-key"),
        pytest.param(b"\xff\xfe", id="not-utf-8"),
    ],
)
def test_a_body_that_is_not_strict_json_is_a_violation(content: bytes) -> None:
    answer = httpx.Response(200, content=content, headers={"Content-Type": "application/json"})
    exchange, sent = _answer_of("epages", EPAGES_TOKEN, answer)
    with pytest.raises(Violation) as caught:
        exchange.answer(sent, EPAGES_TOKEN, "the code exchange", secret=True)
    assert caught.value.title == "200 without a JSON body"
    assert caught.value.expected == f"the documented 200 body of POST {EPAGES_TOKEN}"


def test_a_documented_body_that_is_no_object_is_unreadable() -> None:
    # Authorize's 302 documents no body, so any JSON passes the schema; the answer must still be
    # an object to be read.
    redirect = json_answer(302, ["code"], Location="https://cartkit.example/callback")
    exchange, _, _ = _exchange("nextcommerce", lambda request: redirect)
    sent = exchange.send("get", NC_AUTHORIZE)
    with pytest.raises(Violation) as caught:
        exchange.answer(sent, NC_AUTHORIZE, "authorize", status=302, secret=False)
    assert caught.value.title == "Unreadable answer to authorize"
    assert caught.value.expected == "a JSON object"


def test_body_checks_the_media_type_sent() -> None:
    exchange, sent = _answer_of("epages", EPAGES_TOKEN, json_answer(200, {"access_token": "t"}))
    operation = exchange.operation(EPAGES_TOKEN, "POST")
    assert (operation.route, operation.method) == (EPAGES_TOKEN, "post")
    assert exchange.body(sent, operation, 200) == {"access_token": "t"}


# -- issued credentials --------------------------------------------------------------------------


def test_an_issued_credential_is_remembered_for_masking() -> None:
    exchange, _, target = _exchange("epages")
    assert exchange.issued("tok-issued-9", "ISSUED_TOKEN") == "tok-issued-9"
    assert target.remembered == [("tok-issued-9", "ISSUED_TOKEN")]


@pytest.mark.parametrize("value", [None, "", 42, ["tok"], {"token": "t"}])
def test_no_credential_is_a_violation(value: Any) -> None:
    exchange, _, target = _exchange("epages")
    exchange.send("post", EPAGES_TOKEN, form={})
    with pytest.raises(Violation) as caught:
        exchange.issued(value, "ISSUED_TOKEN")
    assert caught.value.title == "No credential issued"
    assert caught.value.expected == "a non-empty string for issued_token"
    assert caught.value.received == repr(value)
    assert caught.value.request is exchange.session.last_request
    assert target.remembered == []


def test_the_list_is_fetched_with_the_issued_token_and_only_the_given_shopper_tokens() -> None:
    class Oracle:
        def page_params(self, size: int | None, index: int) -> dict[str, Any]:
            return {"limit": size, "offset": index}

    exchange, session, target = _exchange(
        "elasticpath", oracle=Oracle(), token="users-token", customer_token="users-customer"
    )
    response = exchange.list_with("issued-token", customer_token="login-token")
    assert response.status_code == 200
    assert target.acted == [
        {"token": "issued-token", "customer_token": "login-token", "account_token": None}
    ]
    assert session.fetched == [({"limit": None, "offset": 0}, "issued-token")]
    assert target.sent[-1].headers["Authorization"] == "Bearer issued-token"
    # The user's credentials are back afterwards.
    assert target.credentials.token == "users-token"
    assert target.credentials.customer_token == "users-customer"
