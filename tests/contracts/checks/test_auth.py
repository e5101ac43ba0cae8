"""``contracts.checks.auth`` called directly: a missing or a malformed credential is refused
with the documented status and error (a server letting either through is caught, naming the
credential it accepted), a shopper token lists only its owner's carts, and both shopper tokens
at once are refused (Elastic Path). The list server is ``FakeList`` (StateSet's envelope and
error codes) under an oracle given a shopper credential of the test's own; the two shopper
headers are Elastic Path's, judged on the mock."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from cartkit.contracts.checks.auth import (
    both_shopper_tokens,
    checks,
    malformed,
    missing,
    owned_only,
    shopper_token,
)
from cartkit.contracts.checks.context import Context
from cartkit.contracts.errors import Skip, Violation
from cartkit.contracts.oracle import Cart, Oracle, Shopper
from cartkit.contracts.paging import Session
from cartkit.contracts.target import Target
from cartkit.contracts.vendors import oracle_for
from cartkit.contracts.vendors.stateset import StateSet
from tests.contracts import broken, changes
from tests.contracts.conftest import mock_app, shopper_tokens
from tests.contracts.fake_list import TOKEN, FakeList, carts

CUSTOMER = Shopper(
    "customer_token",
    "X-Customer-Token",
    "customer",
    lambda cart: {cart["customer"]} if cart.get("customer") else set(),
    lambda token: token.removeprefix("cust-") if token.startswith("cust-") else None,
)
EP_CUSTOMER = "X-Moltin-Customer-Token"
EP_ACCOUNT = "EP-Account-Management-Authentication-Token"
DATA: Any = None  # the auth checks draw nothing


class Shopped(StateSet):
    """StateSet with a customer token (``cust-<customer>``) that narrows the list."""

    shopper_conflict: ClassVar[int | None] = None

    def shoppers(self) -> list[Shopper]:
        return [CUSTOMER]


def owned(*owners: str) -> list[Cart]:
    """Carts of *owners* in turn."""
    return [
        {**cart, "customer": owner} for cart, owner in zip(carts(len(owners)), owners, strict=True)
    ]


def recode(code: str) -> Any:
    """An ``edit`` answering every error with *code*."""

    def edit(query: dict[str, str], body: Any) -> None:
        if "error" in body:
            body["error"]["code"] = code

    return edit


def on(app: Any, made: list[Context], oracle: type[Oracle] = StateSet, **auth: str) -> Context:
    target = Target("stateset", app=app, auth={"token": TOKEN, **auth})
    ctx = Context(
        Session(target, oracle(target.contract), max_pages=10), max_examples=10, seed=None
    )
    made.append(ctx)
    return ctx


def elasticpath(app: Any, made: list[Context], **auth: str) -> Context:
    target = Target(
        "elasticpath",
        app=app,
        base_url="http://testserver/elasticpath",
        auth={"token": TOKEN, **auth},
    )
    session = Session(target, oracle_for(target.contract), max_pages=10)
    ctx = Context(session, max_examples=10, seed=None)
    made.append(ctx)
    return ctx


# -- registration ---------------------------------------------------------------------------


def test_the_shopper_checks_are_planned_only_where_documented(made: list[Context]) -> None:
    assert [c.name for c in checks(on(FakeList(), made))] == ["auth.missing", "auth.malformed"]
    assert [c.name for c in checks(on(FakeList(), made, Shopped))][2:] == ["auth.shopper_token"]
    assert [c.name for c in checks(elasticpath(None, made))][2:] == [
        "auth.shopper_token",
        "auth.both_shopper_tokens",
    ]


# -- missing ---------------------------------------------------------------------------------


def test_a_missing_credential_refused_as_documented_passes(made: list[Context]) -> None:
    ctx = on(FakeList(token=TOKEN), made)
    missing(ctx, DATA)
    assert ctx.session.target.requests == 1
    assert ctx.session.last_request is not None
    assert "authorization" not in ctx.session.last_request.headers


def test_a_server_answering_without_a_credential_is_caught(made: list[Context]) -> None:
    with pytest.raises(Violation) as raised:
        missing(on(FakeList(), made), DATA)
    assert raised.value.title == "Request with no credential not refused as documented"
    assert raised.value.expected == "401 with the vendor's error envelope"
    assert raised.value.received.startswith('200 {"data": ')
    assert raised.value.request is not None
    assert "authorization" not in raised.value.request.headers


def test_a_missing_credential_refused_with_the_wrong_code_is_caught(made: list[Context]) -> None:
    with pytest.raises(Violation) as raised:
        missing(on(FakeList(token=TOKEN, edit=recode("INVALID_API_KEY")), made), DATA)
    assert raised.value.title == "Wrong auth error"
    assert raised.value.received == (
        "error.code 'INVALID_API_KEY', expected one of ['MISSING_AUTH_HEADER']"
    )


# -- malformed --------------------------------------------------------------------------------


def test_every_malformed_credential_refused_as_documented_passes(made: list[Context]) -> None:
    ctx = on(FakeList(token=TOKEN), made)
    malformed(ctx, DATA)
    # A wrong scheme and an empty bearer, StateSet's credential being a bearer token.
    assert ctx.session.target.requests == 2
    assert ctx.session.last_request is not None
    assert ctx.session.last_request.headers["authorization"] == "Bearer"


@pytest.mark.parametrize(
    ("accepted", "pattern"),
    [("Basic Y2FydGtpdDpjYXJ0a2l0", r"Bearer.*"), ("Bearer", r"(?!Bearer$).*")],
)
def test_a_server_accepting_a_malformed_credential_is_caught_naming_it(
    made: list[Context], accepted: str, pattern: str
) -> None:
    # The server takes credentials not matching *pattern* for the good token.
    lenient = broken.Rewrite(
        FakeList(token=TOKEN),
        headers=changes.accept_malformed("Authorization", f"Bearer {TOKEN}", pattern),
    )
    with pytest.raises(Violation) as raised:
        malformed(on(lenient, made), DATA)
    assert raised.value.title == "Request with a malformed credential not refused as documented"
    assert raised.value.received.startswith("200 ")
    assert raised.value.request is not None
    assert raised.value.request.headers["authorization"] == accepted


def test_a_malformed_credential_refused_as_missing_is_caught(made: list[Context]) -> None:
    with pytest.raises(Violation) as raised:
        malformed(on(FakeList(token=TOKEN, edit=recode("MISSING_AUTH_HEADER")), made), DATA)
    assert raised.value.title == "Wrong auth error"
    assert raised.value.received == (
        "error.code 'MISSING_AUTH_HEADER', expected one of ['INVALID_API_KEY', "
        "'INVALID_TOKEN_FORMAT']"
    )


# -- shopper_token and owned_only ---------------------------------------------------------------


def test_a_shopper_token_listing_only_its_owners_carts_passes(made: list[Context]) -> None:
    ctx = on(
        FakeList(carts=owned("alice", "alice", "alice")), made, Shopped, customer_token="cust-alice"
    )
    shopper_token(ctx, DATA)
    assert ctx.session.target.requests >= 1


def test_a_shopper_token_listing_another_owners_cart_is_caught(made: list[Context]) -> None:
    app = FakeList(carts=owned("alice", "alice", "bob", "alice"))
    ctx = on(app, made, Shopped, customer_token="cust-alice")
    with pytest.raises(Violation) as raised:
        shopper_token(ctx, DATA)
    assert raised.value.title == "Carts of another customer listed for its X-Customer-Token"
    assert raised.value.expected == "only carts of customer 'alice' (the token's)"
    assert raised.value.received == "cart 'c02' of customers ['bob']"


def test_an_opaque_token_must_list_the_carts_of_one_owner(made: list[Context]) -> None:
    ctx = on(FakeList(carts=owned("alice", "alice")), made, Shopped, customer_token="opaque")
    shopper_token(ctx, DATA)  # whose they are cannot be read from the token: one owner suffices
    mixed = on(FakeList(carts=owned("alice", "bob")), made, Shopped, customer_token="opaque")
    with pytest.raises(Violation) as raised:
        shopper_token(mixed, DATA)
    assert raised.value.expected == "only carts of one customer (the token's)"
    assert raised.value.received == "cart 'c01' of customers ['bob']"


def test_a_shopper_token_not_given_is_a_skip_saying_which_to_pass(made: list[Context]) -> None:
    ctx = on(FakeList(), made, Shopped)
    with pytest.raises(Skip) as raised:
        shopper_token(ctx, DATA)
    assert str(raised.value) == (
        "no shopper token given (--customer-token), so the list is not one shopper's"
    )
    assert ctx.session.target.requests == 0


def test_owned_only_skips_an_empty_list(made: list[Context]) -> None:
    ctx = on(FakeList(carts=[]), made, Shopped, customer_token="cust-alice")
    with pytest.raises(Skip, match="the customer token lists no carts"):
        owned_only(ctx.session, CUSTOMER, "alice")


# -- both_shopper_tokens ------------------------------------------------------------------------


def test_both_shopper_tokens_refused_as_documented_passes(made: list[Context]) -> None:
    ctx = elasticpath(mock_app("elasticpath"), made)
    both_shopper_tokens(ctx, DATA)
    sent = ctx.session.last_request
    assert sent is not None and EP_CUSTOMER in sent.headers and EP_ACCOUNT in sent.headers


def test_a_server_answering_both_shopper_tokens_is_caught(made: list[Context]) -> None:
    # The server reads the customer token and ignores the account token beside it: with a
    # customer token it knows, it lists that customer's carts.
    app = broken.Rewrite(
        mock_app("elasticpath"), headers=changes.only_first_of(EP_CUSTOMER, EP_ACCOUNT)
    )
    token = shopper_tokens()["customer_token"]
    with pytest.raises(Violation) as raised:
        both_shopper_tokens(elasticpath(app, made, customer_token=token), DATA)
    assert raised.value.title == (
        f"Request with both {EP_CUSTOMER} and {EP_ACCOUNT} not refused as documented"
    )
    assert raised.value.expected == "403 with the vendor's error envelope"
    assert raised.value.received.startswith("200 ")


def test_both_shopper_tokens_is_a_skip_where_no_refusal_is_documented(
    made: list[Context],
) -> None:
    with pytest.raises(Skip, match="stateset documents no refusal of several shopper tokens"):
        both_shopper_tokens(on(FakeList(), made, Shopped), DATA)


def test_the_users_shopper_token_goes_in_its_header_beside_the_other(
    made: list[Context],
) -> None:
    token = shopper_tokens()["customer_token"]
    ctx = elasticpath(mock_app("elasticpath"), made, customer_token=token)
    both_shopper_tokens(ctx, DATA)  # a known customer's token beside another: still a 403
    sent = ctx.session.last_request
    assert sent is not None and sent.headers[EP_CUSTOMER] == token
    assert sent.headers[EP_ACCOUNT] not in ("", token)
