"""Elastic Path's token endpoints: the bearer token, customer tokens and account tokens.

Docs: https://elasticpath.dev/docs/api/authentication/create-an-access-token,
https://elasticpath.dev/docs/customer-management/customer-management-api/customer-tokens,
https://elasticpath.dev/docs/api/accounts/post-v-2-account-members-tokens; the contract is
``specs/tokens/elasticpath.yaml``.

- ``POST /oauth/access_token`` (form-encoded): the ``implicit`` grant (a ``client_id``: a
  storefront) or the ``client_credentials`` grant (and a ``client_secret``: a back end) answers a
  flat ``{access_token, token_type, expires, expires_in, identifier}``, as the official SDK reads
  it. The token says which grant issued it, so ``GET /v2/carts`` treats it as the vendor does: an
  implicit token lists only a shopper's carts.
- ``POST /v2/customers/tokens`` (JSON, behind the bearer token): a customer's e-mail and a
  password answer a JWT whose subject is the customer (24 hours). The mock has no passwords:
  any password of a known customer is accepted.
- ``POST /v2/account-members/tokens`` (JSON, ``password`` mechanism): the mock's account members
  are its customers (username = e-mail); each is a member of the accounts their carts belong to
  (or of one account when none does) and gets one token per account.
"""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..bodies import read_form, read_json
from ..errors import ApiError, Problem
from ..model import Customer
from ..site import site
from ..tokens import TokenEndpoints, expires
from ..validation import Body
from ..vendor import json_response

if TYPE_CHECKING:
    from .elasticpath import ElasticPath

__all__ = ["ACCOUNT", "CLIENT_CREDENTIALS", "CUSTOMER", "GRANTS", "IMPLICIT", "ElasticPathTokens"]

IMPLICIT, CLIENT_CREDENTIALS = "implicit", "client_credentials"
GRANTS = (IMPLICIT, CLIENT_CREDENTIALS)
CUSTOMER, ACCOUNT = "customer_token", "account_management_authentication_token"
"""The kinds of shopper JWT the mock seals (the claim ``sub`` is the customer or account id)."""

_TOKEN_LIFETIME = 3600  # "expire within 1 hour"
_SHOPPER_LIFETIME = 86400  # customer tokens: 24 hours; account tokens: the store default
_PAGE = 25  # the account-token list's page size in the vendor's example
_NS = uuid.UUID("0b6f3c8e-2d47-4f5e-9a1b-7c3d2e1f0a95")


class ElasticPathTokens(TokenEndpoints):
    """The three token endpoints of one Elastic Path mock."""

    vendor: ElasticPath

    def __init__(self, vendor: ElasticPath) -> None:
        super().__init__(vendor)
        self._access = self.body("/oauth/access_token")
        self._customer = self.body("/v2/customers/tokens")
        self._account = self.body("/v2/account-members/tokens")
        self._by_email = {c.email.lower(): c for c in vendor.dataset.customers}

    def routes(self) -> list[Route]:
        return [
            self.route("/oauth/access_token", self.access_token),
            self.route("/v2/customers/tokens", self.customer_token),
            self.route("/v2/account-members/tokens", self.account_tokens),
        ]

    async def access_token(self, request: Request) -> Response:
        """``POST /oauth/access_token``: a bearer token for a client."""
        form = await read_form(request)
        self._access.check(form)
        grant, client_id = form["grant_type"], form["client_id"]
        if grant == CLIENT_CREDENTIALS and "client_secret" not in form:
            raise ApiError(
                Problem.BAD_PARAMETER,
                "Missing required field 'client_secret': the client_credentials grant needs it",
                param="client_secret",
            )
        self.issuer.check_client(
            client_id, form.get("client_secret"), secret=grant == CLIENT_CREDENTIALS
        )
        return json_response(
            {
                "access_token": self.issuer.access_token(grant, client_id),
                "token_type": "Bearer",
                "expires": expires(_TOKEN_LIFETIME),
                "expires_in": _TOKEN_LIFETIME,
                "identifier": grant,
                "client_id": client_id,
            }
        )

    async def customer_token(self, request: Request) -> Response:
        """``POST /v2/customers/tokens``: log a customer in."""
        customer = await self._login(request, self._customer, "email")
        token = self.issuer.seal(CUSTOMER, {"sub": customer.uid})
        return json_response(
            {
                "data": {
                    "type": "token",
                    "id": str(uuid.uuid5(_NS, token)),
                    "customer_id": customer.uid,
                    "token": token,
                    "expires": expires(_SHOPPER_LIFETIME),
                }
            }
        )

    async def account_tokens(self, request: Request) -> Response:
        """``POST /v2/account-members/tokens``: log a member in to each of their accounts."""
        member = await self._login(request, self._account, "username")
        stamp = datetime.fromtimestamp(expires(_SHOPPER_LIFETIME), UTC).isoformat(
            timespec="milliseconds"
        )
        accounts = self._memberships[member.uid]
        data = [
            {
                "type": ACCOUNT,
                "account_name": self._account_names[account],
                "account_id": account,
                "token": self.issuer.seal(ACCOUNT, {"sub": account, "member": member.uid}),
                "expires": stamp.replace("+00:00", "Z"),
            }
            for account in accounts
        ]
        url = site(request) + request.scope["path"]
        link = f"{url}?page[offset]=0&page[limit]={_PAGE}"
        envelope = {
            "data": data,
            "meta": {
                "account_member_id": member.uid,
                "page": {"limit": _PAGE, "current": 1, "offset": 0, "total": 1},
                "results": {"total": len(data)},
            },
            "links": {"current": link, "first": link, "last": link, "next": None, "prev": None},
        }
        return json_response(envelope, 201)

    def customer_of(self, token: str) -> str | None:
        """The customer id a customer token this mock issued logs in (``None``: not one)."""
        claims = self.issuer.unseal(token, CUSTOMER)
        return None if claims is None else str(claims["sub"])

    def account_of(self, token: str) -> str | None:
        """The account id an account token this mock issued stands for (``None``: not one)."""
        claims = self.issuer.unseal(token, ACCOUNT)
        return None if claims is None else str(claims["sub"])

    async def _login(self, request: Request, body: Body, field: str) -> Customer:
        """The customer a shopper log-in names in ``data.<field>`` (behind the bearer token)."""
        self.vendor.auth.authenticate(request.headers)
        login = await read_json(request)
        body.check(login)
        customer = self._by_email.get(login["data"][field].strip().lower())
        if customer is None:
            # The same answer for an unknown e-mail as for a wrong password would be: no hint.
            raise ApiError(Problem.INVALID_CREDENTIALS, "Invalid e-mail or password")
        return customer

    @functools.cached_property
    def _memberships(self) -> dict[str, list[str]]:
        """Customer id -> the accounts they are a member of (one pass over the carts, once)."""
        accounts = self.vendor.dataset.accounts
        found: dict[str, set[str]] = {}
        for cart in self.vendor.dataset.carts:
            if cart.customer is not None and cart.account_uid is not None:
                found.setdefault(cart.customer.uid, set()).add(cart.account_uid)
        return {
            c.uid: sorted(found.get(c.uid) or {accounts[c.number % len(accounts)]})
            for c in self.vendor.dataset.customers
        }

    @functools.cached_property
    def _account_names(self) -> dict[str, Any]:
        return {
            account: f"Account {n:04d}"
            for n, account in enumerate(self.vendor.dataset.accounts, start=1)
        }
