"""Elastic Path's token endpoints (``specs/tokens/elasticpath.yaml``): ``POST /oauth/access_token``
by the ``implicit`` grant (a storefront) and the ``client_credentials`` grant (a back end), and
the customer login ``POST /v2/customers/tokens``.

An implicit token lists only a shopper's carts, so alone it is refused (403, the list spec's
x-cartkit-decision); a client-credentials token lists every cart; a customer token lists only
its customer's carts. Refusals are JSON:API errors whose ``source`` names the field.

Docs: https://elasticpath.dev/docs/api/authentication/create-an-access-token and
https://elasticpath.dev/docs/customer-management/customer-management-api/customer-tokens.
"""

from __future__ import annotations

import time
from typing import Any

from ..errors import Skip, Violation
from ..paging import snippet
from .tokens import Issued, Login, Refusal, TokenOracle

ACCESS = "/oauth/access_token"
CUSTOMERS = "/v2/customers/tokens"
IMPLICIT, CLIENT_CREDENTIALS = "implicit", "client_credentials"
# `expires` is "the epoch time at which the token expires", `expires_in` its lifetime: they may
# disagree by the time the answer took and the two clocks' skew, not more.
_CLOCK_SLACK = 300


class ElasticPathTokens(TokenOracle):
    """Elastic Path's grants, refusals and customer login."""

    vendor = "elasticpath"
    narrows = True
    logs_in = True

    def grants(self) -> list[Issued]:
        return [self._grant(CLIENT_CREDENTIALS), self._grant(IMPLICIT)]

    def narrower(self) -> list[Issued]:
        implicit = self._grant(IMPLICIT)
        if implicit.token == self.exchange.target.credentials.token:
            raise Skip(
                "the implicit grant handed out the --token credential itself (as cartkit's mock "
                "started with --token does for every grant), so its narrower reach cannot show"
            )
        return [implicit]

    def refusals(self) -> list[Refusal]:
        client = self.exchange.client_id
        return [
            Refusal("no grant_type", ACCESS, 400, {"client_id": client}, "grant_type"),
            Refusal(
                "an unsupported grant_type",
                ACCESS,
                400,
                {"grant_type": "password", "client_id": client},
                "grant_type",
            ),
            Refusal(
                "the implicit grant without client_id",
                ACCESS,
                400,
                {"grant_type": IMPLICIT},
                "client_id",
            ),
            Refusal(
                "the client_credentials grant without client_secret",
                ACCESS,
                400,
                {"grant_type": CLIENT_CREDENTIALS, "client_id": client},
                "client_secret",
            ),
        ]

    def refusal_problems(self, refusal: Refusal, body: Any) -> list[str]:
        problems = super().refusal_problems(refusal, body)
        field = refusal.names
        sources = [e.get("source") for e in body.get("errors") or [] if isinstance(e, dict)]
        if field is not None and field not in sources:
            # The document: "a missing or invalid field; `source` names it".
            problems.append(f"errors[].source {sources}, expected one naming {field!r}")
        return problems

    def customer_login(self) -> Login:
        creds, exchange = self.exchange.target.credentials, self.exchange
        if not creds.customer_email or not creds.customer_password:
            raise Skip(
                "no customer login given (--customer-email and --customer-password), so no "
                "customer token can be obtained"
            )
        login = {
            "type": "token",
            "email": creds.customer_email,
            "password": creds.customer_password,
            "authentication_mechanism": "password",
        }
        response = exchange.send("post", CUSTOMERS, json={"data": login}, bearer=True)
        if response.status_code == 401:
            raise Skip(
                f"the customer login was refused ({snippet(response, 120)}): check "
                "--customer-email and --customer-password"
            )
        data = exchange.answer(response, CUSTOMERS, "the customer login", secret=False)["data"]
        token = exchange.issued(data.get("token"), "ISSUED_CUSTOMER_TOKEN")
        return Login("customer_token", token, str(data["customer_id"]))

    def _grant(self, grant: str) -> Issued:
        exchange = self.exchange
        form = {"grant_type": grant, "client_id": exchange.client_id}
        if grant == CLIENT_CREDENTIALS:
            form["client_secret"] = exchange.client_secret
        sent = time.time()
        response = exchange.send("post", ACCESS, form=form)
        what = f"the {grant} grant"
        body = exchange.answer(response, ACCESS, what, secret=grant == CLIENT_CREDENTIALS)
        token = exchange.issued(body["access_token"], f"ISSUED_{grant.upper()}_TOKEN")
        problems = []
        if body["identifier"] != grant:
            problems.append(f"identifier {body['identifier']!r}, expected {grant!r}")
        if "client_id" in body and body["client_id"] != exchange.client_id:
            problems.append(f"client_id {body['client_id']!r}, expected {exchange.client_id!r}")
        expires = sent + body["expires_in"]
        if abs(body["expires"] - expires) > _CLOCK_SLACK:
            problems.append(
                f"expires {body['expires']} is not now + expires_in ({body['expires_in']}s), "
                f"~{int(expires)}"
            )
        if problems:
            raise Violation(
                f"Wrong answer to {what}",
                f"a token issued by {what} for client {exchange.client_id!r}",
                "; ".join(problems),
                response.request,
            )
        return Issued(grant, token, lists=grant == CLIENT_CREDENTIALS)


TOKENS = ElasticPathTokens
