"""``contracts.checks.tokens`` called directly, its token oracle scripted: what the checks judge
themselves, apart from the vendors' token oracles (``test_oracles.py``) and the end-to-end runs
on the mock (``tests/contracts/test_tokens.py``). A listing token must list carts, a narrower
one must be refused 403 (its issuing failing is a skip: ``tokens.grant`` reports it), a token
request must get its documented status and error (a made-up client refused first is a skip),
and a customer login must list only that customer's carts. The list is ``FakeList`` (StateSet's
envelope) accepting the run's token."""

from __future__ import annotations

from typing import Any, ClassVar

import httpx
import pytest

from cartkit.contracts.checks.context import Context
from cartkit.contracts.checks.tokens import checks, errors, grant, scope, shopper
from cartkit.contracts.errors import Skip, Violation
from cartkit.contracts.oracle import Cart, Shopper
from cartkit.contracts.paging import Session
from cartkit.contracts.target import Target
from cartkit.contracts.vendors.stateset import StateSet
from cartkit.contracts.vendors.tokens import Issued, Login, Refusal
from tests.contracts import broken
from tests.contracts.fake_list import TOKEN, FakeList, carts, error

DATA: Any = None  # the token checks draw nothing
NO_GRANT = Refusal("no grant_type", "/oauth/token", 400, form={})
OAUTH_ERROR = {"error": "invalid_request", "error_description": "grant_type is required"}


class Shopped(StateSet):
    """StateSet with a customer token whose carts carry a ``customer``."""

    def shoppers(self) -> list[Shopper]:
        return [
            Shopper(
                "customer_token",
                "X-Customer-Token",
                "customer",
                lambda cart: {cart["customer"]},
                lambda token: None,
            )
        ]


class Exchange:
    """The token requests' side: each route answers as scripted (status, JSON body)."""

    def __init__(self, ctx: Context, answers: dict[str, tuple[int, Any]], made_up: bool) -> None:
        self.ctx = ctx
        self.answers = answers
        self.client_made_up = made_up
        self.sent: list[tuple[str, str, dict[str, str] | None]] = []

    def list_with(self, token: str) -> httpx.Response:
        target = self.ctx.session.target
        with target.acting_as(token=token):
            return self.ctx.session.fetch({})

    def send(
        self, method: str, route: str, *, form: dict[str, str] | None, shop_id: str | None
    ) -> httpx.Response:
        self.sent.append((method, route, form))
        status, body = self.answers[route]
        request = httpx.Request(method.upper(), f"http://testserver{route}", data=form)
        return httpx.Response(status, json=body, request=request)

    def made_up(self, *, secret: bool) -> bool:
        return self.client_made_up

    def operation(self, route: str, method: str) -> Any:
        return (route, method)

    def body(self, response: httpx.Response, operation: Any, status: int) -> Any:
        return response.json()


class Tokens:
    """A scripted token oracle: what each of its calls returns (or raises)."""

    client_refusal: ClassVar[int] = 401

    def __init__(
        self,
        ctx: Context,
        *,
        issued: list[Issued] | None = None,
        narrower: list[Issued] | Exception | None = None,
        refusals: list[Refusal] | None = None,
        answers: dict[str, tuple[int, Any]] | None = None,
        made_up: bool = False,
        problems: list[str] | None = None,
        login: Login | Exception | None = None,
        narrows: bool = False,
        logs_in: bool = False,
    ) -> None:
        self.exchange = Exchange(ctx, answers or {}, made_up)
        self.issued = issued or []
        self.narrowed = narrower or []
        self.cases = refusals or []
        self.problems = problems or []
        self.login = login
        self.narrows, self.logs_in = narrows, logs_in

    def grants(self) -> list[Issued]:
        return self.issued

    def narrower(self) -> list[Issued]:
        if isinstance(self.narrowed, Exception):
            raise self.narrowed
        return self.narrowed

    def refusals(self) -> list[Refusal]:
        return self.cases

    def refusal_problems(self, refusal: Refusal, body: Any) -> list[str]:
        return self.problems

    def customer_login(self) -> Login:
        if isinstance(self.login, Exception):
            raise self.login
        assert self.login is not None
        return self.login


def forbidding(app: Any) -> Any:
    """*app* answering 403 with StateSet's envelope wherever it refused a credential (401)."""

    def body(pairs: Any, status: int, answer: Any) -> tuple[int, Any]:
        if status == 401:
            return 403, error("INSUFFICIENT_PERMISSIONS", "permission_error")
        return status, answer

    return broken.Rewrite(app, body=body)


def owned(*owners: str) -> list[Cart]:
    return [{**c, "customer": o} for c, o in zip(carts(len(owners)), owners, strict=True)]


def on(app: Any, made: list[Context], **script: Any) -> tuple[Context, Tokens]:
    """A context on *app* whose token oracle is scripted by *script*."""
    target = Target("stateset", app=app, auth={"token": TOKEN})
    ctx = Context(
        Session(target, Shopped(target.contract), max_pages=10), max_examples=10, seed=None
    )
    tokens = Tokens(ctx, **script)
    ctx.__dict__["tokens"] = tokens  # what the cached property would hold
    made.append(ctx)
    return ctx, tokens


# -- registration -----------------------------------------------------------------------------


def test_no_token_check_is_planned_without_a_token_document(made: list[Context]) -> None:
    target = Target("stateset", app=FakeList(), auth={"token": TOKEN})
    ctx = Context(
        Session(target, StateSet(target.contract), max_pages=10), max_examples=10, seed=None
    )
    made.append(ctx)
    assert ctx.tokens is None
    assert list(checks(ctx)) == []


@pytest.mark.parametrize(
    ("narrows", "logs_in", "names"),
    [
        (False, False, ["tokens.grant", "tokens.errors"]),
        (True, False, ["tokens.grant", "tokens.scope", "tokens.errors"]),
        (True, True, ["tokens.grant", "tokens.scope", "tokens.errors", "tokens.shopper"]),
    ],
)
def test_scope_and_shopper_are_planned_only_where_documented(
    made: list[Context], narrows: bool, logs_in: bool, names: list[str]
) -> None:
    ctx, _ = on(FakeList(), made, narrows=narrows, logs_in=logs_in)
    planned = list(checks(ctx))
    assert [c.name for c in planned] == names
    assert {c.examples for c in planned} == {1}


# -- grant ------------------------------------------------------------------------------------


def test_a_listing_token_that_lists_carts_passes(made: list[Context]) -> None:
    app = FakeList(token="issued-token")
    ctx, _ = on(app, made, issued=[Issued("client_credentials", "issued-token")])
    grant(ctx, DATA)
    assert ctx.session.target.requests == 1
    assert ctx.session.last_request is not None
    assert ctx.session.last_request.headers["authorization"] == "Bearer issued-token"
    assert ctx.session.target.credentials.token == TOKEN  # restored after


def test_a_narrower_token_is_not_listed_by_grant(made: list[Context]) -> None:
    ctx, _ = on(FakeList(token=TOKEN), made, issued=[Issued("implicit", "narrow", lists=False)])
    grant(ctx, DATA)
    assert ctx.session.target.requests == 0


def test_a_listing_token_the_list_refuses_is_caught(made: list[Context]) -> None:
    issued = [Issued("client_credentials", "other-token")]
    ctx, _ = on(FakeList(token=TOKEN), made, issued=issued)
    with pytest.raises(Violation) as raised:
        grant(ctx, DATA)
    assert raised.value.title == "A client_credentials token does not list carts"
    assert raised.value.expected == "200 with a page of carts (the grant covers the list)"
    assert raised.value.received.startswith("401 ")
    assert raised.value.request is not None
    assert raised.value.request.headers["authorization"] == "Bearer other-token"


def test_a_listing_token_answered_with_another_envelope_is_caught(made: list[Context]) -> None:
    ctx, _ = on(FakeList(garbage=True), made, issued=[Issued("client_credentials", TOKEN)])
    with pytest.raises(Violation) as raised:
        grant(ctx, DATA)
    assert raised.value.title == "Unreadable list envelope"


# -- scope ------------------------------------------------------------------------------------


def test_a_narrower_token_refused_with_403_passes(made: list[Context]) -> None:
    narrower = [Issued("implicit", "narrow-token", lists=False)]
    ctx, _ = on(forbidding(FakeList(token=TOKEN)), made, narrower=narrower)
    scope(ctx, DATA)
    assert ctx.session.last_request is not None
    assert ctx.session.last_request.headers["authorization"] == "Bearer narrow-token"


def test_a_narrower_token_listing_carts_is_caught(made: list[Context]) -> None:
    narrower = [Issued("implicit", "narrow-token", lists=False)]
    ctx, _ = on(FakeList(), made, narrower=narrower)  # any bearer lists
    with pytest.raises(Violation) as raised:
        scope(ctx, DATA)
    assert raised.value.title == "Request with a implicit token alone not refused as documented"
    assert raised.value.expected == "403 with the vendor's error envelope"
    assert raised.value.received.startswith("200 ")


def test_a_narrower_token_refused_401_is_caught(made: list[Context]) -> None:
    narrower = [Issued("implicit", "narrow-token", lists=False)]
    ctx, _ = on(FakeList(token=TOKEN), made, narrower=narrower)
    with pytest.raises(Violation) as raised:
        scope(ctx, DATA)
    assert raised.value.received.startswith("401 ")


def test_no_narrower_token_issued_is_a_skip_left_to_grant(made: list[Context]) -> None:
    failed = Violation("Token answer without access_token", "an access_token", "{}")
    ctx, _ = on(FakeList(), made, narrower=failed)
    with pytest.raises(Skip) as raised:
        scope(ctx, DATA)
    assert str(raised.value) == (
        "no narrower token to try: Token answer without access_token (tokens.grant reports it)"
    )
    assert ctx.session.target.requests == 0


# -- errors -----------------------------------------------------------------------------------


def test_a_token_request_refused_as_documented_passes(made: list[Context]) -> None:
    answers = {"/oauth/token": (400, OAUTH_ERROR)}
    ctx, tokens = on(FakeList(), made, refusals=[NO_GRANT], answers=answers)
    errors(ctx, DATA)
    assert tokens.exchange.sent == [("post", "/oauth/token", {})]


def test_a_token_request_answered_200_is_caught(made: list[Context]) -> None:
    answers = {"/oauth/token": (200, {"access_token": "t"})}
    ctx, _ = on(FakeList(), made, refusals=[NO_GRANT], answers=answers)
    with pytest.raises(Violation) as raised:
        errors(ctx, DATA)
    assert raised.value.title == "Token request with no grant_type not refused as documented"
    assert raised.value.expected == "400 with the documented error body"
    assert raised.value.received.startswith("200 ")


def test_a_refusal_naming_the_wrong_thing_is_caught(made: list[Context]) -> None:
    answers = {"/oauth/token": (400, OAUTH_ERROR)}
    problems = ["error 'invalid_request', expected 'unsupported_grant_type'"]
    ctx, _ = on(FakeList(), made, refusals=[NO_GRANT], answers=answers, problems=problems)
    with pytest.raises(Violation) as raised:
        errors(ctx, DATA)
    assert raised.value.title == "Wrong 400 error for no grant_type"
    assert raised.value.received == problems[0]


def test_a_made_up_client_refused_first_is_a_skip(made: list[Context]) -> None:
    answers = {"/oauth/token": (401, {"error": "invalid_client"})}
    ctx, _ = on(FakeList(), made, refusals=[NO_GRANT], answers=answers, made_up=True)
    with pytest.raises(Skip) as raised:
        errors(ctx, DATA)
    assert str(raised.value) == (
        "the server refused the made-up client (401) before judging no grant_type: pass "
        "--client-id and --client-secret of a client it knows"
    )


def test_the_users_own_client_refused_first_is_a_failure(made: list[Context]) -> None:
    answers = {"/oauth/token": (401, {"error": "invalid_client"})}
    ctx, _ = on(FakeList(), made, refusals=[NO_GRANT], answers=answers, made_up=False)
    with pytest.raises(Violation) as raised:
        errors(ctx, DATA)
    assert raised.value.received.startswith("401 ")


def test_every_refusal_is_sent_until_one_fails(made: list[Context]) -> None:
    other = Refusal("an unknown grant_type", "/oauth/other", 400, form={"grant_type": "x"})
    answers = {"/oauth/token": (400, OAUTH_ERROR), "/oauth/other": (200, {})}
    ctx, tokens = on(FakeList(), made, refusals=[NO_GRANT, other], answers=answers)
    with pytest.raises(Violation, match="an unknown grant_type"):
        errors(ctx, DATA)
    assert [route for _, route, _ in tokens.exchange.sent] == ["/oauth/token", "/oauth/other"]


# -- shopper ----------------------------------------------------------------------------------


def test_a_customer_login_listing_only_its_carts_passes(made: list[Context]) -> None:
    app = FakeList(token=TOKEN, carts=owned("alice", "alice", "alice"))
    login = Login("customer_token", "cust-token", "Alice")
    ctx, _ = on(app, made, login=login)
    shopper(ctx, DATA)
    assert len(app.seen) >= 1
    assert ctx.session.target.credentials.customer_token is None  # restored after


def test_a_customer_login_listing_another_customers_cart_is_caught(made: list[Context]) -> None:
    app = FakeList(token=TOKEN, carts=owned("alice", "bob"))
    ctx, _ = on(app, made, login=Login("customer_token", "cust-token", "ALICE"))
    with pytest.raises(Violation) as raised:
        shopper(ctx, DATA)
    # The login's owner id is compared lower-cased.
    assert raised.value.expected == "only carts of customer 'alice' (the token's)"
    assert raised.value.received == "cart 'c01' of customers ['bob']"


def test_the_shopper_check_walks_anew_with_the_customer_token(made: list[Context]) -> None:
    app = FakeList(token=TOKEN, carts=owned("alice", "bob"))
    ctx, _ = on(app, made, login=Login("customer_token", "cust-token", "alice"))
    ctx.session.universe()  # the run's own walk, of every customer's carts, is cached
    walked = len(app.seen)
    with pytest.raises(Violation):
        shopper(ctx, DATA)
    assert len(app.seen) > walked


def test_no_customer_login_is_a_skip(made: list[Context]) -> None:
    ctx, _ = on(FakeList(), made, login=Skip("no customer login given"))
    with pytest.raises(Skip, match="no customer login given"):
        shopper(ctx, DATA)
    assert ctx.session.target.requests == 0
