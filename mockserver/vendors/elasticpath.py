"""Elastic Path Commerce Cloud ``GET /v2/carts`` ("Get Carts"): JSON:API carts, offset paging.

Docs: https://elasticpath.dev/docs/api/carts/get-carts (spec 25.1204.6914283) and the older
"Get Shopper Carts" (spec 1.0.0); the contract is ``specs/elasticpath.yaml``.

- Money is ``{amount, currency, formatted}`` with ``amount`` in minor units (``10000`` is
  ``"$100.00"``); the store prices net (US-style: tax is added on top).
- ``page[limit]`` (default 20) / ``page[offset]``; ``links`` are absolute URLs, ``meta.page.total``
  is the page count and ``meta.results.total`` the number of matching carts.
- ``filter`` is the carts filter language: ``ilike(name,"*x*")`` and
  ``contains(account_ids,"<uuid>")`` joined by ``:`` (AND) and ``|`` (OR), left to right.
- Shopper headers narrow the list. The mock's tokens are ids from the data itself: the
  ``X-Moltin-Customer-Token`` *is* a customer id (``relationships.customers.data[].id``) and the
  ``EP-Account-Management-Authentication-Token`` *is* an account id
  (``relationships.accounts.data[].id``). Without either, every cart is listed (the store setting
  ``show_all_carts`` is true in the mock).
- Errors are JSON:API ``{"errors": [{status, title, detail, source}]}`` with integer ``status``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from functools import partial
from operator import eq
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from ..dataset import Market
from ..errors import ApiError, Problem
from ..model import Cart, iso
from ..query import (
    Field,
    Mask,
    Match,
    Predicate,
    QueryError,
    SortKey,
    all_of,
    any_of,
    memo,
    scan,
    select,
    wildcard,
)
from ..site import site
from ..vendor import FilterKey, Vendor, json_response
from .elasticpath_tokens import GRANTS, IMPLICIT, ElasticPathTokens

MARKET = Market(
    name="elasticpath",
    faker_locale="en_US",
    locales=(("en_US", 1.0),),
    currencies=(("USD", 80.0), ("GBP", 12.0), ("EUR", 8.0)),
    countries=("US",),
    tax_rate=0.08,
    tax_included=False,
    shipping_fee=695,
    free_shipping_from=10000,
    email_domains=("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "example.com"),
)

CUSTOMER_TOKEN = "X-Moltin-Customer-Token"
ACCOUNT_TOKEN = "EP-Account-Management-Authentication-Token"

_HOST = "https://useast.api.elasticpath.com"
_SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€"}
_DESCRIPTIONS = ("", "", "", "For holidays", "Birthday gifts", "Weekly shop", "Saved for later")
_CARTKIT_NS = uuid.UUID("5d0e5a7e-8f0b-4b9a-9d1c-3e2f7a6b4c10")
_MAX_OFFSET = 10_000  # page[offset] maximum in the spec; links never point past it

# Newest spec: "Carts are sorted in descending order by updated_date".
_NEWEST_UPDATED = (SortKey(Field("updated_at", lambda c: c.updated_at, "datetime"), True),)

# One filter term, exactly the spec's grammar: the account id as a UUID, the name as quoted text
# without '"', backslash or control characters (so ':' and '|' may occur inside the quotes).
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_TERM = re.compile(rf'contains\(account_ids,"({_UUID})"\)|ilike\(name,"([^"\\\x00-\x1f\x7f]+)"\)')

_TITLES = {
    Problem.BAD_PARAMETER: "Bad Request",
    Problem.MISSING_CREDENTIALS: "Unauthorized",
    Problem.INVALID_CREDENTIALS: "Unauthorized",
    Problem.FORBIDDEN: "Forbidden",
    Problem.NOT_FOUND: "Not Found",
    Problem.NOT_ACCEPTABLE: "Not Acceptable",
    Problem.RATE_LIMITED: "Too Many Requests",
    Problem.SERVER_ERROR: "Internal Server Error",
    Problem.UNAVAILABLE: "Service Unavailable",
}


def money(amount: int, currency: str) -> dict[str, Any]:
    """A ``FormattedPriceData``: minor units plus the store's display string (``-$10.00``)."""
    major, minor = divmod(abs(amount), 100)
    sign = "-" if amount < 0 else ""
    return {
        "amount": amount,
        "currency": currency,
        "formatted": f"{sign}{_SYMBOLS[currency]}{major:,}.{minor:02d}",
    }


def discount_id(cart: Cart) -> str:
    """The id of the custom discount of *cart* (only carts with ``discount > 0`` have one)."""
    return str(uuid.uuid5(_CARTKIT_NS, cart.uid))


def parse_filter(expression: str) -> Predicate:
    """Compile a carts ``filter`` expression into a predicate.

    Terms are combined left to right (``a:b|c`` is ``(a AND b) OR c``): the filtering guide
    gives no precedence and the language has no parentheses.

    Raises:
        QueryError: naming ``filter`` when *expression* is outside the grammar.
    """
    match = _TERM.match(expression)
    if match is None:
        raise QueryError("filter", f"Could not parse the supplied filter: {_clip(expression)!r}")
    result = _term(match)
    pos = match.end()
    while pos < len(expression):
        joiner = expression[pos]
        match = _TERM.match(expression, pos + 1)
        if joiner not in ":|" or match is None:
            raise QueryError(
                "filter",
                f"Could not parse the supplied filter at character {pos + 1}: "
                f'{_clip(expression[pos:])!r}; join ilike(name,"...") and '
                'contains(account_ids,"<uuid>") terms with ":" (and) or "|" (or)',
            )
        pair = (result, _term(match))
        combined = all_of(pair) if joiner == ":" else any_of(pair)
        assert combined is not None  # all_of only answers None for no predicates
        result, pos = combined, match.end()
    return result


class ElasticPath(Vendor[tuple[str, str]]):
    """Elastic Path Commerce Cloud "Get Carts"."""

    name = "elasticpath"
    market = MARKET

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._customers = frozenset(c.uid for c in self.dataset.customers)
        self._accounts = frozenset(self.dataset.accounts)
        self.tokens = ElasticPathTokens(self)

    def token_endpoints(self) -> ElasticPathTokens:
        return self.tokens

    def describe(self) -> dict[str, Any]:
        """Also a customer to log in as (the customer token endpoint takes any password)."""
        shopper = next((c.customer.email for c in self.dataset.carts if c.customer), None)
        return {**super().describe(), "shopper": shopper}

    # -- request -----------------------------------------------------------------------------

    def precheck(self, request: Request, credential: str) -> tuple[str, str] | None:
        """Resolve the shopper headers to the carts they may see: ``(cart column, the id it must
        equal)``, or ``None`` for every cart.

        The 1.0.0 reference ("Get Shopper Carts") requires "only one of" the two tokens, so both at once is 403; an unknown token
        is 403 as well ("Unauthorized call" in the newest spec), naming the header. A shopper
        token is one the token endpoints issued, or (simpler to try by hand) the customer or
        account id itself. An implicit token with neither header is 403: the implicit grant is
        the storefront's, and "Get Shopper Carts" requires one of the two with it.
        """
        headers = request.headers
        customer, account = headers.get(CUSTOMER_TOKEN), headers.get(ACCOUNT_TOKEN)
        scope: tuple[str, str] | None = None  # (cart column, the id it must equal)
        if customer is not None and account is not None:
            raise ApiError(
                Problem.FORBIDDEN,
                f"Send only one of {ACCOUNT_TOKEN} or {CUSTOMER_TOKEN}",
                param=CUSTOMER_TOKEN,
            )
        if customer is not None:
            uid = self.tokens.customer_of(customer) or customer.strip().lower()
            scope = ("customer_uid", self._known(uid, self._customers, CUSTOMER_TOKEN, "customer"))
        elif account is not None:
            uid = self.tokens.account_of(account) or account.strip().lower()
            scope = ("account_uid", self._known(uid, self._accounts, ACCOUNT_TOKEN, "account"))
        elif self.issuer.kind_of(credential, GRANTS) == IMPLICIT:
            raise ApiError(
                Problem.FORBIDDEN,
                f"An implicit token lists only a shopper's carts: send {CUSTOMER_TOKEN} or "
                f"{ACCOUNT_TOKEN} with it, or use a client_credentials token",
                param="Authorization",
            )
        return scope

    @staticmethod
    def _known(uid: str, known: frozenset[str], header: str, kind: str) -> str:
        if uid not in known:
            raise ApiError(
                Problem.FORBIDDEN,
                f"Invalid {header}: use a token from the {kind} token endpoint, or (in the "
                f"cartkit mock) a {kind} id (relationships.{kind}s.data[].id of a listed cart)",
                param=header,
            )
        return uid

    # -- listing -----------------------------------------------------------------------------

    def list_carts(
        self, request: Request, params: dict[str, Any], context: tuple[str, str] | None
    ) -> Response:
        """The page; *context* is the shopper's scope :meth:`precheck` resolved."""
        expression: str | None = params["filter"]
        mask = self.filtered((expression, context))
        offset, limit = params["page[offset]"], params["page[limit]"]
        page = select(self.dataset, mask=mask, order=_NEWEST_UPDATED, offset=offset, limit=limit)
        include = params["include"] or []
        body: dict[str, Any] = {"data": self.carts_json(page.items)}
        if "custom_discounts" in include:
            body["included"] = {
                "custom_discounts": [
                    self.custom_discount(cart) for cart in page.items if cart.discount > 0
                ]
            }
        extra = {"filter": expression, "include": ",".join(include) if include else None}
        body["links"] = _links(request, page.total, offset, limit, extra)
        body["meta"] = {
            "page": {
                "current": offset // limit + 1,
                "limit": limit,
                "offset": offset,
                "total": -(-page.total // limit),
            },
            "results": {"total": page.total},
        }
        return json_response(body)

    def mask(self, key: FilterKey) -> Mask | None:
        """The mask of the carts the shopper scope may see that the ``filter`` expression keeps,
        for *key* ``(expression, scope)``; ``None`` leaves one out."""
        expression, scope = key
        where = all_of(
            p
            for p in (
                None if scope is None else Match(scope[0], partial(eq, scope[1])),
                None if expression is None else parse_filter(expression),
            )
            if p is not None
        )
        return None if where is None else scan(self.dataset, where)

    # -- rendering ---------------------------------------------------------------------------

    def render(self, cart: Cart) -> dict[str, Any]:
        cur = cart.currency
        has_discount = cart.discount > 0
        body: dict[str, Any] = {
            "id": cart.uid,
            "type": "cart",
            "name": cart.name,
            "description": _DESCRIPTIONS[cart.number % len(_DESCRIPTIONS)],
        }
        if cart.customer is None and cart.email is not None:
            body["contact"] = {"email": cart.email}  # guest carts carry the checkout e-mail
        body["discount_settings"] = {
            "custom_discounts_enabled": has_discount,
            "use_rule_promotions": not has_discount,
        }
        body["inventory_settings"] = {"defer_inventory_check": False}
        if cart.status == "converted":
            body["payment_intent_id"] = f"pi_{cart.uid.replace('-', '')[:24]}"
        body["links"] = {"self": f"{_HOST}/v2/carts/{cart.uid}"}
        body["meta"] = {
            "display_price": {
                "with_tax": money(cart.total, cur),
                "without_tax": money(cart.total - cart.tax, cur),
                "tax": money(cart.tax, cur),
                "discount": money(-cart.discount, cur),  # the vendor shows discounts negative
                "without_discount": money(cart.total + cart.discount, cur),
                "shipping": money(cart.shipping, cur),
                "shipping_discount": money(0, cur),
            },
            "timestamps": {
                "created_at": iso(cart.created_at),
                "updated_at": iso(cart.updated_at),
                "expires_at": iso(cart.expires_at),  # 7 days after the last update (default)
            },
        }
        customers = cart.customer
        body["relationships"] = {
            "customers": {"data": [{"type": "customer", "id": customers.uid}]} if customers else {},
            "accounts": (
                {"data": [{"type": "account", "id": cart.account_uid}]} if cart.account_uid else {}
            ),
            "items": {"data": [{"type": "cart_item", "id": line.uid} for line in cart.lines]},
            "custom_discounts": {
                "data": [{"type": "custom_discount", "id": discount_id(cart)}]
                if has_discount
                else []
            },
            "promotions": {"data": []},
        }
        return body

    @staticmethod
    def custom_discount(cart: Cart) -> dict[str, Any]:
        """The ``CustomDiscountResponse`` behind ``cart.discount`` (a cart-level 10 % off)."""
        return {
            "type": "custom_discount",
            "id": discount_id(cart),
            "external_id": f"cd-{cart.number}",
            "discount_engine": "Custom Discount Engine",
            "amount": money(-cart.discount, cart.currency),
            "description": "10% off the cart",
            "discount_code": f"SAVE10-{cart.number}",
        }

    # -- errors ------------------------------------------------------------------------------

    def error(self, error: ApiError) -> Response:
        """One JSON:API error; integer ``status`` (the spec allows integer or string)."""
        item: dict[str, Any] = {
            "status": error.problem.status,
            "title": _TITLES[error.problem],
            "detail": error.message,
        }
        if error.param is not None:
            item["source"] = error.param
        if error.param == "filter" and " does not match " in error.message:
            # The spec's pattern rejected it: say what the grammar is rather than quote the regex
            # (the filtering guide's own message is "Could not parse the supplied filter").
            item["detail"] = (
                'Could not parse the supplied filter: use ilike(name,"<text>") (* is a wildcard) '
                'and contains(account_ids,"<uuid>") terms, at most 10, joined by ":" (and) or '
                '"|" (or); quoted text may not contain \'"\', backslashes or control characters'
            )
        if error.problem is Problem.SERVER_ERROR:
            # The errors guide's 500 example carries a request id to quote to support.
            item["request_id"] = str(uuid.uuid5(_CARTKIT_NS, f"{self.dataset.seed}:{error}"))
        headers = dict(error.headers)
        if error.problem is Problem.RATE_LIMITED:
            # rate-limits.md documents per-second limits and no headers; Retry-After is cartkit's.
            headers.setdefault("Retry-After", "1")
        return json_response({"errors": [item]}, error.problem.status, headers=headers)


def _term(match: re.Match[str]) -> Predicate:
    account, name = match.groups()
    if account is not None:
        wanted = account.lower()  # account ids are canonical lower-case UUIDs
        return Match("account_uid", partial(eq, wanted))
    # Cart names come from a small pool: the pattern runs once per distinct name.
    return Match("name", memo(wildcard(name, any_chars="*", fold=True)))


def _clip(text: str, size: int = 80) -> str:
    return text if len(text) <= size else text[:size] + "…"


def _links(
    request: Request, total: int, offset: int, limit: int, extra: Mapping[str, str | None]
) -> dict[str, str | None]:
    """``first``/``prev``/``next``/``last``/``current`` as the vendor shows them.

    Absolute URLs with literal ``page[...]`` brackets (as in the vendor's examples) that keep
    ``filter`` and ``include``; ``prev`` is null on the first page, ``next`` on the last, and
    ``last`` "If there is only one page" (``PageLinks.last``; the spec's example links it anyway,
    the description wins). No link goes past ``page[offset]=10000``, the largest offset the
    endpoint accepts.
    """
    base = site(request) + request.scope["path"]
    tail = "".join(
        f"&{key}={quote(value, safe='(),:*')}" for key, value in extra.items() if value is not None
    )

    def link(at: int) -> str:
        return f"{base}?page[offset]={at}&page[limit]={limit}{tail}"

    pages = -(-total // limit)
    last = min((pages - 1) * limit, _MAX_OFFSET // limit * limit)
    following = offset + limit
    return {
        "current": link(offset),
        "first": link(0),
        "last": link(last) if pages > 1 else None,
        "next": link(following) if following < total and following <= _MAX_OFFSET else None,
        "prev": link(max(0, offset - limit)) if offset > 0 else None,
    }


VENDOR = ElasticPath
