"""The ``tokens`` group: the endpoints that issue the list's credentials, used as a client uses
them and judged against the vendor's token document.

- ``tokens.grant``: every documented grant answers the documented fields, and a token issued for
  listing lists carts;
- ``tokens.scope``: a token of narrower reach (Elastic Path's implicit grant alone, a 29 Next
  scope without ``carts:read``) is refused by the list with 403 and the list's error envelope;
- ``tokens.errors``: a token request missing or misnaming what it needs gets the documented
  status and error body (the token document's schema, and what the refusal must name);
- ``tokens.shopper``: a customer login (Elastic Path) narrows the list to that customer.

They are planned only for vendors with a token document, each skipped with the reason when it
cannot run meaningfully (a made-up client refused, a flow that needs a person, no login given).
``tokens.conformance.*``, Schemathesis over the token document, is run by :mod:`.conformance`.
"""

from __future__ import annotations

from collections.abc import Iterator

from hypothesis import strategies as st

from ..errors import Skip, Violation
from ..paging import Session, snippet
from ..vendors.tokens import TokenOracle
from .auth import owned_only
from .context import Check, Context
from .refusals import refusal

__all__ = ["checks", "errors", "grant", "scope", "shopper"]


def checks(ctx: Context) -> Iterator[Check]:
    """The group's checks for *ctx*'s vendor, in report order (none without a token document).

    Each is a fixed handful of requests: one example, no input to draw.
    """
    tokens = ctx.tokens
    if tokens is None:
        return
    yield Check("tokens.grant", grant, 1)
    if tokens.narrows:
        yield Check("tokens.scope", scope, 1)
    yield Check("tokens.errors", errors, 1)
    if tokens.logs_in:
        yield Check("tokens.shopper", shopper, 1)


def grant(ctx: Context, data: st.DataObject) -> None:
    """Every documented grant answers as documented; a listing token lists carts."""
    tokens = _tokens(ctx)
    for issued in tokens.grants():
        if not issued.lists:
            continue
        response = tokens.exchange.list_with(issued.token)
        if response.status_code != 200:
            raise Violation(
                f"A {issued.grant} token does not list carts",
                "200 with a page of carts (the grant covers the list)",
                snippet(response),
                response.request,
            )
        ctx.session.read(response, None, 0)


def scope(ctx: Context, data: st.DataObject) -> None:
    """A token of narrower reach is refused by the list: 403 with its envelope."""
    target = ctx.session.target
    try:
        narrower = _tokens(ctx).narrower()
    except Violation as exc:
        # Issuing is `tokens.grant`'s to judge: here it only leaves nothing to try.
        raise Skip(f"no narrower token to try: {exc.title} (tokens.grant reports it)") from None
    for issued in narrower:
        with target.acting_as(token=issued.token, customer_token=None, account_token=None):
            headers = target.headers()
        refusal(ctx.session, f"a {issued.grant} token alone", 403, headers=headers)


def errors(ctx: Context, data: st.DataObject) -> None:
    """Token requests missing or misnaming what they need get the documented refusal."""
    tokens = _tokens(ctx)
    exchange = tokens.exchange
    for case in tokens.refusals():
        response = exchange.send(case.method, case.route, form=case.form, shop_id=case.shop_id)
        status = response.status_code
        if status == tokens.client_refusal != case.status and exchange.made_up(secret=True):
            raise Skip(
                f"the server refused the made-up client ({status}) before judging "
                f"{case.what}: pass --client-id and --client-secret of a client it knows"
            )
        if status != case.status:
            raise Violation(
                f"Token request with {case.what} not refused as documented",
                f"{case.status} with the documented error body",
                snippet(response),
                response.request,
            )
        body = exchange.body(response, exchange.operation(case.route, case.method), status)
        if problems := tokens.refusal_problems(case, body):
            raise Violation(
                f"Wrong {status} error for {case.what}",
                "the documented error",
                "; ".join(problems),
                response.request,
            )


def shopper(ctx: Context, data: st.DataObject) -> None:
    """The token a customer login issues lists only that customer's carts."""
    login = _tokens(ctx).customer_login()
    session = ctx.session
    target, oracle = session.target, session.oracle
    owner = next(s for s in oracle.shoppers() if s.credential == login.credential)
    others = {s.credential: None for s in oracle.shoppers()}
    with target.acting_as(**{**others, login.credential: login.token}):
        scoped = Session(target, oracle, max_pages=session.max_pages)
        owned_only(scoped, owner, login.owner.lower())


def _tokens(ctx: Context) -> TokenOracle:
    tokens = ctx.tokens
    assert tokens is not None  # planned only then
    return tokens
