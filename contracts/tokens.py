"""The token checks (group ``tokens``): the endpoints that issue the list's credentials, used as
a client uses them and judged against the vendor's token document.

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

import functools
from collections.abc import Callable, Iterator

from hypothesis import strategies as st

from .execution import run_property
from .paging import Session, Skip, Violation, snippet
from .refusals import refusal
from .report import CheckResult
from .spec import TokenDocument
from .variants import owned_only
from .vendors.tokens import token_oracle_for

__all__ = ["TokenChecks"]


class TokenChecks:
    """The token checks of one run, by name, each runnable on its own.

    Args:
        session: the run's session (the target and the vendor's list oracle).
        document: the vendor's token document.
        seed: the run's seed.
    """

    def __init__(self, session: Session, document: TokenDocument, *, seed: int | None) -> None:
        self.session = session
        self.target = session.target
        self.tokens = token_oracle_for(session, document)
        self.exchange = self.tokens.exchange
        self.seed = seed

    def plan(self) -> Iterator[tuple[str, Callable[[], CheckResult]]]:
        """``(check name, run it)`` for every token check the vendor documents."""
        checks: list[tuple[str, Callable[[], None]]] = [("tokens.grant", self.grant)]
        if self.tokens.narrows:
            checks.append(("tokens.scope", self.scope))
        checks.append(("tokens.errors", self.errors))
        if self.tokens.logs_in:
            checks.append(("tokens.shopper", self.shopper))
        for name, check in checks:
            yield name, functools.partial(self._run, name, check)

    def _run(self, name: str, check: Callable[[], None]) -> CheckResult:
        # Each check is a fixed handful of requests: one example, no input to draw.
        def body(data: st.DataObject) -> None:
            check()

        return run_property(self.session, name, body, examples=1, seed=self.seed)

    # -- the checks ------------------------------------------------------------------------

    def grant(self) -> None:
        """Every documented grant answers as documented; a listing token lists carts."""
        for issued in self.tokens.grants():
            if not issued.lists:
                continue
            response = self.exchange.list_with(issued.token)
            if response.status_code != 200:
                raise Violation(
                    f"A {issued.grant} token does not list carts",
                    "200 with a page of carts (the grant covers the list)",
                    snippet(response),
                    response.request,
                )
            self.session.read(response, None, 0)

    def scope(self) -> None:
        """A token of narrower reach is refused by the list: 403 with its envelope."""
        try:
            narrower = self.tokens.narrower()
        except Violation as exc:
            # Issuing is `tokens.grant`'s to judge: here it only leaves nothing to try.
            raise Skip(f"no narrower token to try: {exc.title} (tokens.grant reports it)") from None
        for issued in narrower:
            with self.target.acting_as(token=issued.token, customer_token=None, account_token=None):
                headers = self.target.headers()
            refusal(self.session, f"a {issued.grant} token alone", 403, headers=headers)

    def errors(self) -> None:
        """Token requests missing or misnaming what they need get the documented refusal."""
        exchange = self.exchange
        for case in self.tokens.refusals():
            response = exchange.send(case.method, case.route, form=case.form, shop_id=case.shop_id)
            status = response.status_code
            if status == self.tokens.client_refusal != case.status and exchange.made_up(
                secret=True
            ):
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
            if problems := self.tokens.refusal_problems(case, body):
                raise Violation(
                    f"Wrong {status} error for {case.what}",
                    "the documented error",
                    "; ".join(problems),
                    response.request,
                )

    def shopper(self) -> None:
        """The token a customer login issues lists only that customer's carts."""
        login = self.tokens.customer_login()
        oracle = self.session.oracle
        shopper = next(s for s in oracle.shoppers() if s.credential == login.credential)
        others = {s.credential: None for s in oracle.shoppers()}
        with self.target.acting_as(**{**others, login.credential: login.token}):
            scoped = Session(self.target, oracle, max_pages=self.session.max_pages)
            owned_only(scoped, shopper, login.owner.lower())
