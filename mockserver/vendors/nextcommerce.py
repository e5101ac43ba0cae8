"""Next Commerce (29 Next) ``GET /api/admin/carts/`` (``cartsList``, API version 2023-02-10).

Docs: https://developers.nextcommerce.com/docs/admin-api/reference/2023-02-10/carts/cartsList
(the contract is ``specs/nextcommerce.yaml``). A Django REST Framework API: cursor pagination
(``{next, previous, results}``), django-filter query filters, DRF error bodies (``{"detail"}``,
or a field-keyed object for invalid query values). Money is a decimal string (``"19.99"``).

Decisions where the vendor is silent (recorded in the spec's ``x-cartkit-decision``s and here):

- "Retrieve a list of all open carts": only ``active`` and ``abandoned`` carts are listed
  (converted carts became orders, expired carts are gone); ``status`` is always ``"Open"`` and
  ``abandoned`` is true exactly for abandoned carts.
- Guests have no customer record, yet ``user.id`` is required: a guest's user gets the
  synthetic id ``GUEST_USER_BASE + cart id`` (never a customer's id), names from the billing
  address when there is one, no phone, ``accepts_marketing`` false.
- ``attribution.agent`` is required: POS carts carry one of a few store agents, every other
  cart the system agent ``{"id": 1, "email": null, "first_name": "", "last_name": ""}``.
- 20 carts per page, newest first (``date_created`` desc, then ``id`` desc).
- Cursors are signed keyset positions (see :mod:`.nextcommerce_cursors`).
- Empty string filters are ignored, as django-filter skips empty values.
"""

from __future__ import annotations

import re
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from functools import cached_property, partial
from operator import eq, gt, le
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..config import MockConfig
from ..dataset import Dataset, Market
from ..errors import ApiError, Problem
from ..faults import FORCE_STATUS_HEADER
from ..model import Attribution, Cart, Line, Product, iso
from ..query import Field, Mask, Match, Predicate, QueryError, SortKey, all_of, find, scan
from ..vendor import FilterKey, Vendor, json_response
from .nextcommerce_cursors import Cursors
from .nextcommerce_tokens import OTHER, SCOPES, NextCommerceTokens

MARKET = Market(
    name="nextcommerce",
    faker_locale="en_US",
    locales=(("en_US", 85.0), ("es_US", 10.0), ("fr_CA", 5.0)),
    currencies=(("USD", 78.0), ("EUR", 7.0), ("GBP", 6.0), ("CAD", 5.0), ("AUD", 4.0)),
    countries=("US", "US", "US", "CA", "GB", "AU", "DE"),
    tax_rate=0.07,
    tax_included=False,
    shipping_fee=695,
    free_shipping_from=7500,
    email_domains=("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "example.com"),
)

STORE = "https://example.29next.store"  # the spec's default store host
PAGE_SIZE = 20
VERSION_HEADER = "X-29next-API-Version"
GUEST_USER_BASE = 10_000_000
OPEN_STATUSES = frozenset({"active", "abandoned"})

DATE_CREATED = Field("date_created", lambda c: c.created_at, "datetime")
ORDER = (SortKey(DATE_CREATED, descending=True),)  # ties: id desc (select's index fallback)

SYSTEM_AGENT: dict[str, Any] = {"id": 1, "email": None, "first_name": "", "last_name": ""}
STORE_AGENTS: tuple[dict[str, Any], ...] = tuple(
    {"id": n, "email": f"{first.lower()}@example.29next.store", "first_name": first,
     "last_name": last}
    for n, (first, last) in enumerate(
        (("Maya", "Patel"), ("Lucas", "Reed"), ("Grace", "Kim"), ("Omar", "Haddad")), start=2
    )
)  # fmt: skip
SIZED = frozenset({"T-Shirt", "Hoodie", "Jacket", "Sneakers", "Scarf"})
SIZES = ("XS", "S", "M", "L", "XL")


def _subaffiliate(n: int) -> Callable[[Attribution], str | None]:
    return lambda a: a.subaffiliates[n - 1]


STRING_FILTERS: dict[str, Callable[[Attribution], str | None]] = {
    "utm_source": lambda a: a.utm_source,
    "utm_campaign": lambda a: a.utm_campaign,
    "utm_term": lambda a: a.utm_term,
    "utm_content": lambda a: a.utm_content,
    "affiliate": lambda a: a.affiliate,
    **{f"subaffiliate{n}": _subaffiliate(n) for n in range(1, 6)},
}

_DETAIL = {
    Problem.MISSING_CREDENTIALS: "Authentication credentials were not provided.",
    Problem.FORBIDDEN: "You do not have permission to perform this action.",
    Problem.NOT_FOUND: "Invalid cursor",
    Problem.NOT_ACCEPTABLE: "Could not satisfy the request Accept header.",
    Problem.RATE_LIMITED: "Request was throttled. Expected available in 1 second.",
    Problem.SERVER_ERROR: "A server error occurred.",
    Problem.UNAVAILABLE: "Service temporarily unavailable, try again later.",
}
# The query parameters that filter (the cache key of a filter's mask).
_FILTERS = ("abandoned", "currency", "date_created_from", "date_created_to", "product",
            "funnels", *STRING_FILTERS)  # fmt: skip


def money(minor: int) -> str:
    """Minor units as the vendor's decimal string: ``1999`` -> ``"19.99"``."""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    return f"{sign}{whole}.{cents:02d}"


class NextCommerce(Vendor[None]):
    """Next Commerce Admin API carts list."""

    name = "nextcommerce"
    market = MARKET

    def __init__(self, dataset: Dataset, config: MockConfig) -> None:
        super().__init__(dataset, config)
        self.cursors = Cursors(self.name, dataset)

    def token_endpoints(self) -> NextCommerceTokens:
        return NextCommerceTokens(self)

    # -- request -----------------------------------------------------------------------------

    def query(self, request: Request) -> Mapping[str, list[str]]:
        """Also accept comma lists for ``product``/``funnels`` and Django's boolean spellings."""
        out = dict(super().query(request))
        for name in ("product", "funnels"):
            if name in out:
                out[name] = [part for value in out[name] for part in value.split(",")]
        if "abandoned" in out:
            # Django's BooleanWidget reads True/False/1/0 as well as true/false.
            spellings = {"true": "true", "1": "true", "false": "false", "0": "false"}
            out["abandoned"] = [spellings.get(v.lower(), v) for v in out["abandoned"]]
        return out

    def precheck(self, request: Request, credential: str) -> None:
        """403 for a token the OAuth flow issued without ``carts:read`` (or ``admin:read``)."""
        if self.issuer.kind_of(credential, SCOPES) == OTHER:
            raise ApiError(Problem.FORBIDDEN, "The token's scope does not cover carts:read")

    # -- listing -----------------------------------------------------------------------------

    def list_carts(self, request: Request, params: dict[str, Any], context: None) -> Response:
        key = tuple(tuple(v) if isinstance(v, list) else v for v in map(params.get, _FILTERS))
        hits = find(self.dataset, mask=self.filtered(key), order=ORDER)
        cursor = self.cursors.decode(params["cursor"])
        # One cart more than a page tells whether there is a page beyond it.
        if cursor is None or not cursor[0]:  # the first page, or the carts after the boundary
            position = (
                0 if cursor is None else bisect_right(hits.ordered, _rank(cursor[1]), key=_rank)
            )
            items = hits.after(position, PAGE_SIZE + 1)
            has_previous = bool(hits.before(position, 1))
            has_next, items = len(items) > PAGE_SIZE, items[:PAGE_SIZE]
        else:  # the carts before the boundary
            position = bisect_left(hits.ordered, _rank(cursor[1]), key=_rank)
            items = hits.before(position, PAGE_SIZE + 1)
            has_next = bool(hits.after(position, 1))
            has_previous, items = len(items) > PAGE_SIZE, items[-PAGE_SIZE:]
        # An empty page (a cursor reused with other filters) links around the cursor itself.
        first = items[0] if items else cursor[1] if cursor else None
        last = items[-1] if items else first
        body = {
            "next": self._link(request, False, last) if has_next and last else None,
            "previous": self._link(request, True, first) if has_previous and first else None,
            "results": self.carts_json(items),
        }
        return json_response(body)

    def mask(self, key: FilterKey) -> Mask:
        """The mask of the open carts the filter *key* keeps (values of :data:`_FILTERS`)."""
        params = dict(zip(_FILTERS, key, strict=True))
        where = all_of([Match("status", OPEN_STATUSES.__contains__), *self._predicates(params)])
        assert where is not None
        return scan(self.dataset, where)

    def _predicates(self, params: dict[str, Any]) -> list[Predicate]:
        preds: list[Predicate] = []
        # Match(attribute, C-level test): select scans the column, no Python call per cart.
        if (abandoned := params["abandoned"]) is not None:
            wanted = "abandoned" if abandoned else "active"  # open carts are one or the other
            preds.append(Match("status", partial(eq, wanted)))
        if currency := params["currency"]:
            preds.append(Match("currency", partial(eq, currency)))
        if day := params["date_created_from"]:
            since = _day_start(day, "date_created_from")
            preds.append(Match("created_at", partial(le, since)))
        if day := params["date_created_to"]:
            until = _day_start(day, "date_created_to") + 86_400  # the whole UTC day
            preds.append(Match("created_at", partial(gt, until)))
        # Baskets and attributions are pooled: these tests run once per pool entry.
        if products := frozenset(params["product"] or ()):
            preds.append(Match("basket", lambda b: any(p.number in products for p, _ in b)))
        if funnels := frozenset(f for f in params["funnels"] or () if f):
            preds.append(Match("attribution", lambda a: a is not None and a.funnel in funnels))
        for name, get in STRING_FILTERS.items():
            if value := params[name]:  # django-filter skips empty values
                preds.append(_attribution_is(get, value))
        return preds

    def _link(self, request: Request, reverse: bool, boundary: Cart) -> str:
        """Absolute URL with every query parameter kept and ``cursor`` replaced (DRF sorts keys)."""
        merged: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            if key != "cursor":
                merged.setdefault(key, []).append(value)
        merged["cursor"] = [self.cursors.encode(reverse, boundary)]
        return self.url(request, dict(sorted(merged.items())))

    # -- rendering ---------------------------------------------------------------------------

    def render(self, cart: Cart) -> dict[str, Any]:
        return {
            "id": cart.number,
            "abandoned": cart.status == "abandoned",
            "attribution": self._attribution(cart),
            "checkout_url": f"{STORE}/checkout/c/{cart.uid.replace('-', '')}/",
            "currency": cart.currency,
            "date_created": iso(cart.created_at),
            "lines": [self._line(cart, n, line) for n, line in enumerate(cart.lines)],
            "metadata": {},
            "status": "Open",
            "user": self._user(cart),
        }

    @staticmethod
    def _attribution(cart: Cart) -> dict[str, Any]:
        agent = STORE_AGENTS[cart.number % len(STORE_AGENTS)] if cart.channel == "pos" else None
        a = cart.attribution
        fields = {
            "affiliate": a and a.affiliate,
            "funnel": a and a.funnel,
            "gclid": a and a.gclid,
            **{f"subaffiliate{n}": a and a.subaffiliates[n - 1] for n in range(1, 6)},
            "utm_campaign": a and a.utm_campaign,
            "utm_content": a and a.utm_content,
            "utm_medium": a and a.utm_medium,
            "utm_source": a and a.utm_source,
            "utm_term": a and a.utm_term,
        }
        return {"agent": agent or SYSTEM_AGENT, "metadata": None, **fields}

    @staticmethod
    def _user(cart: Cart) -> dict[str, Any]:
        """The cart's user; guests get a synthetic id (29 Next keys every cart to a user)."""
        customer = cart.customer
        common = {"ip": cart.ip, "user_agent": cart.user_agent}
        if customer is not None:
            return {
                "id": customer.number,
                "accepts_marketing": customer.accepts_marketing,
                "email": customer.email,
                "first_name": customer.first_name,
                "last_name": customer.last_name,
                "language": customer.language,
                "phone_number": customer.phone,
                **common,
            }
        address = cart.billing_address
        return {
            "id": GUEST_USER_BASE + cart.number,
            "accepts_marketing": False,
            "email": cart.email,
            "first_name": address.first_name if address else "",
            "last_name": address.last_name if address else "",
            "language": cart.locale[:2],
            "phone_number": None,
            **common,
        }

    def _line(self, cart: Cart, n: int, line: Line) -> dict[str, Any]:
        product = line.product
        noun = product.title.split(" ", 1)[-1]
        funnel = cart.attribution.funnel if cart.attribution else None
        currency_index = [c for c, _ in MARKET.currencies].index(cart.currency)
        return {
            "id": line.number,
            "attributes": [{"option": "Size", "value": SIZES[line.number % len(SIZES)]}]
            if noun in SIZED
            else [],
            "is_upsell": n > 0 and funnel == "upsell",
            "metadata": {},
            "price_currency": cart.currency,
            "product": self._product(product, noun),
            "quantity": line.quantity,
            "stockrecord": {
                "id": product.number * 10 + currency_index,
                "low_stock_threshold": 5,
                "num_allocated": product.number * 7 % 13,
                "num_in_stock": product.number * 37 % 240,
                "partner_sku": product.sku,
                "price": money(product.price),
                "price_currency": cart.currency,
                "price_retail": None if product.number % 3 == 0 else money(product.price * 5 // 4),
            },
        }

    @staticmethod
    def _product(product: Product, noun: str) -> dict[str, Any]:
        # A title with no ASCII letter or digit (CJK, emoji) still gets a slug the spec accepts.
        slug = _slug(product.title) or f"product-{product.number}"
        category_slug = _slug(noun) or f"category-{zlib.crc32(noun.encode()) % 9973}"
        return {
            "id": product.number,
            "categories": [
                {"id": 1 + zlib.crc32(noun.encode()) % 9973, "name": noun, "slug": category_slug}
            ],
            "images": [
                {
                    "id": product.number * 10 + 1,
                    "attachment": None,
                    "caption": product.title,
                    "display_order": 0,
                    "file_name": product.image.rsplit("/", 1)[-1],
                    "src": product.image,
                }
            ],
            "title": product.title,
            "upc": _upc(product.number),
            "url": f"{STORE}/catalogue/{slug}_{product.number}/",
        }

    # -- errors ------------------------------------------------------------------------------

    def error(self, error: ApiError) -> Response:
        """DRF bodies: field-keyed 400 for query values, ``{"detail"}`` for everything else."""
        problem, headers = error.problem, dict(error.headers)
        if problem is Problem.BAD_PARAMETER:
            if error.param is None or error.param in {VERSION_HEADER, FORCE_STATUS_HEADER}:
                detail = error.message
                if error.param == VERSION_HEADER:
                    detail += f"; supported versions: {self._versions}."
                body: dict[str, Any] = {"detail": detail}
            else:
                body = {error.param: [error.message]}
        elif problem is Problem.INVALID_CREDENTIALS:
            message = error.message
            body = {"detail": message if message.startswith("Malformed") else "Invalid token."}
        else:
            body = {"detail": _DETAIL[problem]}
            if problem is Problem.NOT_FOUND and error.param != "cursor":
                body = {"detail": "Not found."}
        if problem in {Problem.MISSING_CREDENTIALS, Problem.INVALID_CREDENTIALS}:
            headers["WWW-Authenticate"] = 'Bearer realm="api"'
        if problem is Problem.RATE_LIMITED:
            headers["Retry-After"] = "1"  # documented: 4 requests/second per token
        return json_response(body, problem.status, headers=headers)

    @cached_property
    def _versions(self) -> str:
        """The supported API versions, as the spec's header enum lists them."""
        schema = self.spec["components"]["parameters"][VERSION_HEADER]["schema"]
        return ", ".join(schema["enum"])


def _rank(cart: Cart) -> tuple[int, int]:
    """Ascending key of the listing order (date_created desc, id desc), for bisection."""
    return (-cart.created_at, -cart.number)


def _day_start(day: str, param: str) -> int:
    try:
        moment = date.fromisoformat(day)
    except ValueError:
        raise QueryError(param, f"Invalid parameter {param!r}: enter a valid date.") from None
    return int(datetime(moment.year, moment.month, moment.day, tzinfo=UTC).timestamp())


def _attribution_is(get: Callable[[Attribution], str | None], value: str) -> Predicate:
    """Exact match on one attribution field; carts without attribution never match.

    Attributions are pooled, so the test runs once per pool entry, not once per cart.
    """
    return Match("attribution", lambda a: a is not None and get(a) == value)


def _upc(number: int) -> str:
    """A UPC-A code (11 digits + check digit) for a product id."""
    digits = f"{number % 10**11:011d}"
    odd = sum(int(d) for d in digits[0::2])
    even = sum(int(d) for d in digits[1::2])
    return digits + str((10 - (odd * 3 + even) % 10) % 10)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


VENDOR = NextCommerce
