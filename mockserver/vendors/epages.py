"""ePages REST API v1 ``GET /rs/shops/{shopId}/carts``: paged, creation-date filters, gross prices.

Docs: github.com/ePages-de/epages-docs (``_raml/apps/carts/carts.raml``, ``apps/data-types.md``,
``apps/response-codes.md``, ``apps/response-headers.md``), https://developer.epages.com/apps/;
the contract is ``specs/epages.yaml``.
Money is ``{taxType, formatted, amount, currency}`` with a decimal ``amount``; ``locale`` only
changes how prices and names are written. Errors use ``{"message", "status": "<code>"}``.

Rendered carts are cached per language with placeholders for the shop's origin and id, which
each response fills in from the request (links point at the host and shop that were asked for).
"""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from operator import eq, gt, lt
from typing import Any
from urllib.parse import quote

import orjson
from starlette.requests import Request
from starlette.responses import Response

from ..config import MockConfig
from ..dataset import Dataset, Market
from ..errors import ApiError, Problem
from ..model import Address, Cart, Line, iso
from ..query import Field, Mask, Match, Predicate, QueryError, SortKey, all_of, scan, select
from ..site import site
from ..vendor import Vendor, json_response
from .epages_tokens import EPagesTokens

MARKET = Market(
    name="epages",
    faker_locale="de_DE",
    locales=(("de_DE", 85.0), ("en_GB", 10.0), ("fr_FR", 5.0)),
    currencies=(("EUR", 1.0),),
    countries=("DE",) * 16 + ("AT",) * 3 + ("CH",),
    tax_rate=0.19,
    tax_included=True,  # German shops show gross prices (PAngV)
    shipping_fee=490,
    free_shipping_from=5000,
    email_domains=("web.de", "gmx.de", "t-online.de", "gmail.com", "outlook.de", "posteo.de"),
)

VENDOR_TYPE = "application/vnd.epages.v1+json"
JSON_TYPE = "application/json"
DEMO_SHOP = "DemoShop"  # the docs' example shop
ORDER = (SortKey(Field("creationDate", lambda c: c.created_at, "datetime"), descending=True),)
RATE_LIMIT = 6000  # calls per hour and token (apps/api-call-limit.md)

# Placeholders in the rendered cart JSON, filled once per (language, host, shop) (see _items).
_ORIGIN, _SHOP = "@@origin@@", "@@shop@@"
_API = f"{_ORIGIN}/rs/shops/{_SHOP}"
_FILLED_VARIANTS = 8  # (language, host, shop) combinations kept filled


def _guid(name: str) -> str:
    """A stable ePages-style id (uppercase GUID) for a shop-wide object such as a tax class."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"cartkit:epages:{name}")).upper()


_TAX_CLASS = {"taxClassId": _guid("tax-class/standard"), "name": "standard", "percentage": 19}
_SHIPPING_ID = _guid("shipping/standard")
_PAYMENTS = tuple(  # (id, providerName); the names are per language
    (_guid(f"payment/{provider}"), provider)
    for provider in ("PayPal PLUS", "Stripe", "Klarna", "Bank transfer")
)


@dataclass(frozen=True, slots=True)
class _Language:
    """How the shop writes prices and names things in one language (CLDR number patterns)."""

    code: str
    decimal: str
    group: str
    symbol_first: bool  # "€12.99" (en) rather than "12,99 €" (de, fr)
    unit: str
    shipping: tuple[str, str, str]  # standard, express, pickup
    payments: tuple[str, str, str, str]  # in _PAYMENTS order
    discount: str

    def price(self, cents: int, currency: str) -> str:
        units, rest = divmod(abs(cents), 100)
        number = f"{units:,}".replace(",", self.group) + f"{self.decimal}{rest:02d}"
        symbol = {"EUR": "€"}.get(currency, currency)
        sign = "-" if cents < 0 else ""
        return f"{sign}{symbol}{number}" if self.symbol_first else f"{sign}{number} {symbol}"


_GERMAN = _Language(
    "de", ",", ".", False, "Stück",
    ("Standardversand", "Expressversand", "Abholung im Laden"),
    ("PayPal", "Kreditkarte", "Rechnung", "Vorkasse"),
    "Warenkorbrabatt",
)  # fmt: skip
_LANGUAGES = {
    "de": _GERMAN,
    "en": _Language(
        "en", ".", ",", True, "piece(s)",
        ("Standard delivery", "Express delivery", "Customer pickup"),
        ("PayPal", "Credit card", "Invoice", "Prepayment"),
        "Cart discount",
    ),
    "fr": _Language(
        "fr", ",", " ", False, "pièce(s)",
        ("Livraison standard", "Livraison express", "Retrait en magasin"),
        ("PayPal", "Carte bancaire", "Facture", "Virement anticipé"),
        "Remise panier",
    ),
}  # fmt: skip
# Locales the demo shop is translated into; a bare language picks its main country.
_LOCALES = {
    "de_DE": "de", "de_AT": "de", "en_US": "en", "en_GB": "en", "fr_FR": "fr", "fr_BE": "fr",
}  # fmt: skip


def _language(locale: str | None) -> _Language:
    """The shop language for a ``locale`` value; others fall back to the shop default, de_DE.

    The seed: "If not provided, the shop's default language is used". A locale the shop is not
    translated into is answered in the default language too (cartkit decision).
    """
    if locale is None:
        return _GERMAN
    code = _LOCALES.get(locale.replace("-", "_"), locale if len(locale) == 2 else "")
    return _LANGUAGES.get(code, _GERMAN)


_RFC3339 = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:[Zz]|([+-])(\d\d):(\d\d))",
    re.ASCII,
)


def _instant_bounds(param: str, value: str) -> tuple[int, int]:
    """``(floor, ceil)`` Unix seconds of an RFC 3339 date-time, exactly.

    The spec models "ISO 8601" as ``format: date-time``, which admits lowercase ``t``/``z``,
    leap seconds, year 0000 and any number of fraction digits; ``datetime`` and
    :func:`~mockserver.query.parse_instant` reject some of those, and truncating a fraction would
    misplace carts created in the very second named.
    """
    match = _RFC3339.fullmatch(value)
    if match is None:
        raise QueryError(param, f"Invalid parameter {param!r}: {value[:60]!r} is not ISO 8601")
    y, mo, d, h, mi, s = (int(g) for g in match.groups()[:6])
    y -= mo <= 2  # days from civil (H. Hinnant), valid for year 0 as well
    era, yoe = divmod(y, 400)
    doy = (153 * (mo + (-3 if mo > 2 else 9)) + 2) // 5 + d - 1
    days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
    seconds = days * 86400 + h * 3600 + mi * 60 + s
    if match[8]:
        offset = int(match[9]) * 3600 + int(match[10]) * 60
        seconds -= offset if match[8] == "+" else -offset
    return seconds, seconds + bool((match[7] or "").strip("0"))


_QVALUE = re.compile(r"0(\.\d{0,3})?|1(\.0{0,3})?")  # RFC 9110 §12.4.2


def _negotiate(accept: str | None) -> str | None:
    """The media type to answer *accept* with, or ``None`` for 406.

    The docs require ``Accept: application/vnd.epages.v1+json`` (406 otherwise); cartkit also
    serves ``application/json`` and wildcards (spec, NotAcceptable), answering with the vendor
    type when the client prefers or names it.
    """
    if accept is None or not accept.strip():
        return JSON_TYPE
    ranges: dict[str, float] = {}  # media range -> q; an unreadable q counts as 0
    for item in accept.lower().split(","):
        media, *params = item.split(";")
        q = next(
            (v.strip() for k, _, v in (p.partition("=") for p in params) if k.strip() == "q"), "1"
        )
        ranges.setdefault(media.strip(), float(q) if _QVALUE.fullmatch(q) else 0.0)

    def quality(media: str) -> float:
        for candidate in (media, media.split("/")[0] + "/*", "*/*"):
            if candidate in ranges:
                return ranges[candidate]
        return 0.0

    vendor, plain = quality(VENDOR_TYPE), quality(JSON_TYPE)
    if vendor <= 0.0 and plain <= 0.0:
        return None
    return (
        VENDOR_TYPE if vendor > plain or (vendor == plain and VENDOR_TYPE in ranges) else JSON_TYPE
    )


class EPages(Vendor):
    """ePages list carts."""

    name = "epages"
    market = MARKET

    def __init__(self, dataset: Dataset, config: MockConfig) -> None:
        super().__init__(dataset, config)
        self.shops = frozenset({DEMO_SHOP, *self.config.shops})
        self._address_keys = tuple(self.spec["components"]["schemas"]["Address"]["required"])
        self._localized: dict[str, list[bytes | None]] = {}
        self._filled: dict[tuple[str, str, str], list[bytes | None]] = {}

    def token_endpoints(self) -> EPagesTokens:
        return EPagesTokens(self)

    # -- request checks --------------------------------------------------------------------------

    def precheck(self, request: Request, credential: str) -> None:
        """406 for an ``Accept`` that excludes JSON; 400 for a malformed, 404 for an unknown shop."""
        media = _negotiate(request.headers.get("accept"))
        if media is None:
            raise ApiError(
                Problem.NOT_ACCEPTABLE,
                f"Header 'Accept' must allow {VENDOR_TYPE} or {JSON_TYPE}",
                param="Accept",
            )
        request.state.media_type = media
        self.check_shop(request.path_params.get("shopId", ""))

    def check_shop(self, shop: str) -> None:
        """400 for a malformed shop id (the spec's shape), 404 for one this mock does not know."""
        self.params.by_name["shopId"].read([shop])
        if shop not in self.shops:
            raise ApiError(Problem.NOT_FOUND, f"Shop {shop!r} (shopId) not found", param="shopId")

    # -- listing ---------------------------------------------------------------------------------

    def list_carts(self, request: Request, params: dict[str, Any], credential: str) -> Response:
        after, before = params["createdAfter"], params["createdBefore"]
        mask = self._filtered(
            None if after is None else _instant_bounds("createdAfter", after)[0],
            None if before is None else _instant_bounds("createdBefore", before)[1],
            params["hasAddressData"],
        )
        page, size = params["page"], params["resultsPerPage"]
        found = select(self.dataset, mask=mask, order=ORDER, offset=(page - 1) * size, limit=size)
        body = {
            "results": found.total,
            "page": orjson.Fragment(str(page).encode()),  # may exceed 64 bits; JSON allows it
            "resultsPerPage": size,
            "items": self._items(
                found.items,
                _language(params["locale"]),
                f"{site(request)}{self.prefix}",
                request.path_params["shopId"],
            ),
        }
        media = getattr(request.state, "media_type", JSON_TYPE)
        headers = self._rate_headers() | {"X-epages-Media-Type": VENDOR_TYPE}
        return Response(orjson.dumps(body), headers=headers, media_type=media)

    def _filter(self, after: int | None, before: int | None, address: bool | None) -> Mask | None:
        """The mask of the carts created in ``(after, before)`` with or without addresses.

        "Filters carts created after/before this timestamp": both bounds are exclusive. The
        docs' 30-day maximum window is not enforced (spec decision): filters apply literally.
        ``None`` keeps every cart. Cached by ``Vendor``: paging through one filter scans
        the carts once.
        """
        preds: list[Predicate] = []
        if after is not None:
            preds.append(Match("created_at", partial(lt, after)))
        if before is not None:
            preds.append(Match("created_at", partial(gt, before)))
        if address is not None:
            preds.append(Match("has_address", partial(eq, address)))
        where = all_of(preds)
        return None if where is None else scan(self.dataset, where)

    def _items(
        self, carts: list[Cart], lang: _Language, origin: str, shop: str
    ) -> list[orjson.Fragment]:
        """The carts' JSON for this language, host and shop, each rendered and filled once."""
        key = (lang.code, origin, shop)
        filled = self._filled.pop(key, None)  # re-inserted below: the dict keeps LRU order
        if filled is None:
            if len(self._filled) >= _FILLED_VARIANTS:  # Host headers are client-controlled
                del self._filled[next(iter(self._filled))]
            filled = [None] * len(self.dataset)
        self._filled[key] = filled
        placeholders = (
            (_ORIGIN.encode(), orjson.dumps(origin)[1:-1]),
            (_SHOP.encode(), shop.encode()),
        )
        out = []
        for cart in carts:
            cached = filled[cart.index]
            if cached is None:
                cached = self._localized_json(cart, lang)
                for placeholder, value in placeholders:
                    cached = cached.replace(placeholder, value)
                filled[cart.index] = cached
            out.append(orjson.Fragment(cached))
        return out

    def _localized_json(self, cart: Cart, lang: _Language) -> bytes:
        cache = self._localized.setdefault(lang.code, [None] * len(self.dataset))
        cached = cache[cart.index]
        if cached is None:
            cached = cache[cart.index] = bytes(memoryview(orjson.dumps(self._render(cart, lang))))
        return cached

    def _rate_headers(self, remaining: int = RATE_LIMIT - 1) -> dict[str, str]:
        # apps/response-headers.md: the reset instant is ISO 8601; quotas reset every full hour.
        reset = (self.dataset.now // 3600 + 1) * 3600
        return {
            "X-RateLimit-Limit": str(RATE_LIMIT),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": iso(reset),
        }

    # -- rendering -------------------------------------------------------------------------------

    def render(self, cart: Cart) -> dict[str, Any]:
        return self._render(cart, _GERMAN)

    def _render(self, cart: Cart, lang: _Language) -> dict[str, Any]:
        def money(cents: int, tax_type: str = "GROSS") -> dict[str, Any]:
            amount = cents // 100 if cents % 100 == 0 else round(cents / 100, 2)
            return {
                "taxType": tax_type,
                "formatted": lang.price(cents, cart.currency),
                "amount": amount,
                "currency": cart.currency,
            }

        cart_id = cart.uid.upper()
        shipping_tax = cart.shipping - round(cart.shipping / (1 + self.market.tax_rate))
        payment_id, provider = _PAYMENTS[cart.number % len(_PAYMENTS)]
        token = _token(cart.uid, cart.created_at)
        owner = f"Users/{cart.customer.number}" if cart.customer else "AnonymousUsers/1"
        basket = (
            f"{_ORIGIN}/epages/{_SHOP}.sf/?ObjectPath=/Shops/{_SHOP}/{owner}/Baskets/{cart.number}"
        )
        discount: dict[str, Any] = {"links": []}  # an older docs example: no discount applies
        if cart.discount:
            discount |= {"name": lang.discount, "lineItemPrice": money(-cart.discount)}
        return {
            "cartId": cart_id,
            "billingAddress": self._address(cart.billing_address),
            "shippingAddress": self._address(cart.shipping_address),
            "lineItemContainer": {
                "grandTotal": money(cart.total),
                "totalBeforeTax": money(cart.total - cart.tax, "NET"),
                "totalTax": money(cart.tax, "NONE"),
                "lineItemsSubTotal": money(cart.subtotal),
                "productLineItems": [_line(line, lang, money) for line in cart.lines],
                "couponLineItem": None,
                "shippingPrice": money(cart.shipping),
                "deposits": [],
                "ecoParticipations": [],
                "shippingOptions": [],
                "basketDiscount": discount,
            },
            "shippingData": {
                "shippingMethod": {"id": _SHIPPING_ID, "name": lang.shipping[0]},
                "price": money(cart.shipping),
                "taxes": [{"taxClass": _TAX_CLASS, "price": money(shipping_tax, "NONE")}],
            },
            "paymentData": {
                "paymentMethod": {
                    "id": payment_id,
                    "name": lang.payments[cart.number % len(_PAYMENTS)],
                    "providerName": provider,
                },
                "transactionId": hashlib.sha1(cart.uid.encode()).hexdigest()[:17].upper()
                if cart.status == "converted"
                else None,
                "price": money(0),
                "status": "CANCELED" if cart.status == "expired" else None,
                "taxes": None,
            },
            "minimumCart": {"status": True, "code": "SumProduct", "amount": None},
            "pickupToken": token,
            "creationDate": iso(cart.created_at),
            "checkoutUrl": f"{basket}&ChangeAction=PickupBasket&PickupToken={token}",
            "registerSessionUrl": f"{basket}&ChangeAction=PickupBasket&PickupToken="
            + _token(cart.session_id, cart.updated_at),
            "cartValidation": {"possibleShippingMethods": list(lang.shipping)},
            "potentialBasketDiscounts": [],
            "links": [
                {"rel": "self", "href": f"{_API}/carts/{cart_id}"},
                {"rel": "shipping-method", "href": f"{_API}/shipping-methods/{_SHIPPING_ID}"},
                {"rel": "add-coupon", "href": f"{_API}/carts/{cart_id}/coupon"},
            ],
        }

    def _address(self, address: Address | None) -> dict[str, Any] | None:
        """data-types.md ``address``: every documented key present, unknown ones null."""
        if address is None:
            return None
        out: dict[str, Any] = dict.fromkeys(self._address_keys)
        out |= {
            "company": address.company,
            "firstName": address.first_name,
            "lastName": address.last_name,
            "displayName": f"{address.first_name} {address.last_name}",
            "street": address.street,
            "zipCode": address.zip_code,
            "city": address.city,
            "country": address.country,
            "emailAddress": address.email,
        }
        return out

    # -- errors ----------------------------------------------------------------------------------

    def error(self, error: ApiError) -> Response:
        """Every refusal as ``{"message", "status": "<code>"}`` (the documented 500 body)."""
        # ePages answers auth failures with 403, not 401 (apps/response-codes.md has no 401).
        status = 403 if error.problem.status == 401 else error.problem.status
        body = {"message": f"{HTTPStatus(status).phrase}: {error.message}", "status": str(status)}
        headers = dict(error.headers)
        if status == 429:
            headers |= self._rate_headers(remaining=0)
        return json_response(body, status, headers=headers)


def _line(line: Line, lang: _Language, money: Callable[[int], Any]) -> dict[str, Any]:
    product = line.product
    product_id = product.uid.upper()
    folder = "/".join(product_id.replace("-", "")[i : i + 4] for i in range(0, 32, 4))
    stem = quote(product.image.rsplit("/", 1)[-1].removesuffix(".jpg"))  # umlauts in the slug
    images = f"{_ORIGIN}/WebRoot/Store/Shops/{_SHOP}/{folder}/{stem}"
    return {
        "lineItemId": line.uid.upper(),
        "sku": product.sku,
        "name": product.title,
        "productId": product_id,
        "quantity": {"amount": line.quantity, "unit": lang.unit},
        "lineItemPrice": money(line.total),
        "singleItemPrice": money(product.price),
        "images": [
            {"url": f"{images}{suffix}.jpg", "classifier": classifier}
            for suffix, classifier in (("", "Large"), ("_m", "Medium"), ("_s", "Small"))
        ],
        "links": [
            {"rel": "product", "href": f"{_API}/products/{product_id}"},
            {"rel": "taxClass", "href": f"{_API}/tax-classes/{_TAX_CLASS['taxClassId']}"},
        ],
        "intervalOrder": "1",
        "minOrder": "1",
        "orderUnitShort": lang.unit,
        "orderUnit": lang.unit,
        "priceQuantity": "1",
        "quantityPrice": money(product.price),
        "variationString": None,
        "essentialFeatures": None,
        "taxClass": _TAX_CLASS,
        "deliveryWeight": {"amount": 100 + product.number * 37 % 900, "unit": "g"},
    }


def _token(secret: str, instant: int) -> str:
    """A pickup token shaped like the docs' one: base64 of a SHA-256 hex digest and a timestamp."""
    digest = hashlib.sha256(secret.encode()).hexdigest()
    return base64.urlsafe_b64encode(f"{digest}_{instant}".encode()).decode()  # URL-safe


VENDOR = EPages
