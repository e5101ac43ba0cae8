"""ShopiMind ``GET /v1/carts`` (listCarts): limit/offset, order, fields joins and 15-operator filters.

Docs: https://developers.shopimind.com/en/api-reference/listCarts and the vendor's JavaScript
SDK (github.com/shopimind/sdk-js); the contract is ``specs/shopimind.yaml``. French shops: EUR, prices
gross with 20 % VAT, money as decimal JSON numbers. The API is NestJS-generated, so errors use
NestJS's ``{statusCode, message, error}`` and instants print as JavaScript's ``toISOString()``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..dataset import Market
from ..errors import ApiError, Problem
from ..model import Cart, iso
from ..query import (
    Field,
    Mask,
    Predicate,
    SortKey,
    all_of,
    any_of,
    compare,
    none_of,
    scan,
    select,
)
from ..vendor import Vendor, json_response

MARKET = Market(
    name="shopimind",
    faker_locale="fr_FR",
    locales=(("fr_FR", 90.0), ("fr_BE", 6.0), ("en_GB", 4.0)),
    currencies=(("EUR", 1.0),),
    countries=("FR",),
    tax_rate=0.20,  # TVA, taux normal
    tax_included=True,  # French B2C prices are shown TTC
    shipping_fee=490,
    free_shipping_from=6000,
    email_domains=("orange.fr", "gmail.com", "free.fr", "laposte.net", "sfr.fr", "hotmail.fr"),
)

# ShopiMind knows three states (docs: "en cours, abandonnés, convertis"); an expired cart was
# left without an order, which is what ShopiMind calls abandoned.
STATUS = {"active": "in_progress", "abandoned": "abandoned", "converted": "converted",
          "expired": "abandoned"}  # fmt: skip

MAX_LIMIT = 100  # cartkit decision (spec `limit`): larger values are clamped, not refused


def _customer(attr: str) -> Callable[[Cart], Any]:
    return lambda c: getattr(c.customer, attr) if c.customer is not None else None


# Filterable fields as the client sees them; the kinds match the spec's Text/Number/DateTime
# FilterField enums (tested). Each has a dataset column, so filters on it scan at C speed.
FILTERS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("id", lambda c: str(c.number), column="shopimind.id", nullable=False,
              search=True),
        Field("status", lambda c: STATUS[c.status], column="shopimind.status", nullable=False),
        Field("customer_id", lambda c: str(c.customer.number) if c.customer else None,
              column="shopimind.customer_id"),
        Field("currency", lambda c: c.currency, column="currency", nullable=False),
        Field("customer_first_name", _customer("first_name"), column="shopimind.first_name"),
        Field("customer_last_name", _customer("last_name"), column="shopimind.last_name"),
        Field("customer_email", _customer("email"), column="shopimind.email"),
        Field("amount", lambda c: c.total / 100, "number", column="shopimind.amount",
              nullable=False),
        Field("amount_without_tax", lambda c: (c.total - c.tax) / 100, "number",
              column="shopimind.amount_without_tax", nullable=False),
        Field("created_at", lambda c: c.created_at, "datetime", column="created_at",
              nullable=False),
        Field("updated_at", lambda c: c.updated_at, "datetime", column="updated_at",
              nullable=False),
    )
}  # fmt: skip

# Sort keys: ids are numeric strings, so they sort as numbers (as the database column does).
SORTS: dict[str, Field] = {
    **{name: FILTERS[name] for name in ("status", "currency", "created_at", "updated_at")},
    "id": Field("id", lambda c: c.number, "integer"),
    "customer_id": Field("customer_id", lambda c: c.customer.number if c.customer else None),
    "amount": Field("amount", lambda c: c.total, "integer"),
    "amount_without_tax": Field("amount_without_tax", lambda c: c.total - c.tax, "integer"),
}
# Spec `order`: default created_at desc; the engine breaks ties by creation index, i.e. id desc.
DEFAULT_ORDER = (SortKey(SORTS["created_at"], descending=True),)

_TEXT_OPERATORS = frozenset({"CONTAINS", "NOT_CONTAINS", "STARTS_WITH", "ENDS_WITH", "LIKE"})
_LIST_OPERATORS = frozenset({"IN", "NOT_IN", "BETWEEN", "NOT_BETWEEN"})  # take all values at once
_NEGATED = {"NOT_EQUALS": "EQUALS", "NOT_CONTAINS": "CONTAINS"}
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_RFC3339 = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:[Zz]|([+-])(\d\d):(\d\d))",
    re.ASCII,
)
_KEY = re.compile(r"\[([^\[\]]*)\]")
_CANNED = {  # NestJS's own bodies for exceptions raised without a message
    Problem.RATE_LIMITED: "ThrottlerException: Too Many Requests",
    Problem.SERVER_ERROR: "Internal server error",
    Problem.UNAVAILABLE: "Service Unavailable",
}


def stamp(seconds: int) -> str:
    """An instant as NestJS prints a ``Date`` (``toISOString()``: milliseconds and ``Z``)."""
    return iso(seconds)[:-1] + ".000Z"


def js_text(value: Any) -> str:
    """*value* as JavaScript's ``String()`` prints it (``true``, ``84``, ``84.9``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


def instant(text: str) -> tuple[int, int]:
    """Parse an RFC 3339 date-time (as the spec's ``format: date-time`` admits) into
    ``(Unix seconds, nanoseconds)``, without ``datetime``'s year range."""
    match = _RFC3339.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not an RFC 3339 date-time")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction, sign, off_h, off_m = match.group(7, 8, 9, 10)
    # days_from_civil (H. Hinnant): proleptic Gregorian, any year.
    y = year - (month <= 2)
    era, yoe = divmod(y, 400)
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
    seconds = days * 86400 + hour * 3600 + minute * 60 + second
    if sign is not None:
        seconds -= (1 if sign == "+" else -1) * (int(off_h) * 3600 + int(off_m) * 60)
    return seconds, int(((fraction or "") + "000000000")[:9])


class ShopiMind(Vendor):
    """ShopiMind list carts."""

    name = "shopimind"
    market = MARKET
    demo_credential = "cartkit-demo-key-0123456789"  # any key of 20-64 letters, digits and dashes

    def expected_credential(self) -> str | None:
        """ShopiMind authenticates with an API key (``spm-api-key``), set by ``--api-key``."""
        return self.config.api_key

    def render(self, cart: Cart) -> dict[str, Any]:
        return {
            "id": str(cart.number),
            "status": STATUS[cart.status],
            "customer_id": str(cart.customer.number) if cart.customer else None,
            "amount": cart.total / 100,
            "amount_without_tax": (cart.total - cart.tax) / 100,
            "currency": cart.currency,
            "created_at": stamp(cart.created_at),
            "updated_at": stamp(cart.updated_at),
        }

    def row(self, cart: Cart) -> dict[str, Any]:
        """Every field ``fields`` may ask for: the cart plus the opt-in customer joins."""
        customer = cart.customer
        return self.render(cart) | {
            "customer_first_name": customer.first_name if customer else None,
            "customer_last_name": customer.last_name if customer else None,
            "customer_email": customer.email if customer else None,
        }

    # -- request ----------------------------------------------------------------------------

    def query(self, request: Request) -> Mapping[str, list[str]]:
        """Rewrite the SDK's notations into the spec's wire form before validation.

        The SDK (sdk-js, axios 1.x) sends ``fields[]=id``, ``order[0][field]=created_at`` and
        ``filters[0][values][0]=x``; listCustomers documents repeated ``fields=``; users send JSON.
        ``order``/``filters`` become one JSON string and ``fields`` one comma list, so the spec's
        validation applies to every notation alike.
        """
        out: dict[str, list[str]] = {}
        fields: list[str] = []
        nested: dict[str, list[tuple[list[str], str]]] = {"order": [], "filters": []}
        for key, value in request.query_params.multi_items():
            base, bracket, _ = key.partition("[")
            if base == "fields":
                if bracket and len(_path(key, base)) != 1:
                    raise _bad(base, f"unsupported key {key[:60]!r}")
                fields.extend(_field_names(value))
            elif bracket and base in nested:
                nested[base].append((_path(key, base), value))
            else:
                out.setdefault(key, []).append(value)
        if fields:
            out["fields"] = [",".join(fields)]
        for name, pairs in nested.items():
            plain = out.get(name, [])
            if not pairs and len(plain) <= 1:
                continue  # already the spec's wire form (or absent)
            items: list[Any] = []
            for text in plain:
                items.extend(_listed(_json(name, text)))
            if pairs:
                spelled = _listed(_nest(name, pairs))
                items.extend(map(_typed_filter, spelled) if name == "filters" else spelled)
            out[name] = [json.dumps(items)]
        return out

    def list_carts(self, request: Request, params: dict[str, Any], credential: str) -> Response:
        order = [SortKey(SORTS[o["field"]], o["type"] == "desc") for o in _listed(params["order"])]
        mask = self._filtered(json.dumps(params["filters"], sort_keys=True))
        limit = min(params["limit"], MAX_LIMIT)
        offset = params["offset"]
        page = select(self.dataset, mask=mask, order=order or DEFAULT_ORDER, offset=offset,
                      limit=limit)  # fmt: skip
        if params["fields"] is None:
            data: list[Any] = self.carts_json(page.items)
        else:
            names = dict.fromkeys(params["fields"])  # request order, duplicates ignored
            data = [{name: row[name] for name in names} for row in map(self.row, page.items)]
        body = {
            "statusCode": 200,
            "data": data,
            "meta": {
                "pagination": _pagination(page.total, limit, offset, len(page.items)),
                "generated_at": stamp(self.dataset.now),
            },
        }
        if offset >= 2**62:  # past any dataset, so data is []; orjson stops at 64-bit ints
            return Response(json.dumps(body, separators=(",", ":")), media_type="application/json")
        return json_response(body)

    def _filter(self, filters: str) -> Mask | None:
        """The mask of the carts the (JSON) *filters* keep; ``None`` keeps them all.

        Cached by ``Vendor``: paging through one filter scans the carts once.
        """
        where = all_of(_predicate(f) for f in _listed(json.loads(filters)))
        return None if where is None else scan(self.dataset, where)

    def error(self, error: ApiError) -> Response:
        """NestJS exception bodies: ValidationPipe's message list for 400, canned 429/5xx."""
        status = error.problem.status
        body: dict[str, Any] = {"statusCode": status}
        if error.problem in _CANNED:
            body["message"] = _CANNED[error.problem]
        elif error.problem is Problem.BAD_PARAMETER:
            body |= {"message": [error.message], "error": HTTPStatus(status).phrase}
        else:
            body |= {"message": error.message, "error": HTTPStatus(status).phrase}
        headers = dict(error.headers)
        if error.problem is Problem.RATE_LIMITED:
            headers.setdefault("Retry-After", "1")  # spec: integer seconds, which the SDK honours
        return json_response(body, status, headers=headers)


def _bad(param: str, reason: str) -> ApiError:
    return ApiError(Problem.BAD_PARAMETER, f"Invalid parameter {param!r}: {reason}", param=param)


def _path(key: str, base: str) -> list[str]:
    rest, segments = key[len(base) :], []
    while rest:
        match = _KEY.match(rest)
        if match is None:
            raise _bad(base, f"malformed key {key[:60]!r}")
        segments.append(match.group(1))
        rest = rest[match.end() :]
    return segments


def _json(param: str, text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise _bad(param, f"{text[:60]!r} is not valid JSON") from None


def _listed(value: Any) -> list[Any]:
    """One object or an array of them (spec: OrderParam, FiltersParam) as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _field_names(value: str) -> list[str]:
    """One ``fields`` value: a comma list, or a JSON array of names."""
    if value.startswith("["):
        try:
            names = json.loads(value)
        except (ValueError, RecursionError):
            names = None
        if isinstance(names, list) and all(isinstance(n, str) for n in names):
            return names
    return [value]


def _nest(param: str, pairs: Iterable[tuple[list[str], str]]) -> Any:
    """Bracket keys (``filters[0][values][]=x``) as the nested value they spell (qs rules:
    all-index objects become arrays, ``[]`` appends, a repeated leaf becomes an array)."""
    root: dict[str, Any] = {}
    indexed: dict[int, int] = {}  # id(node) -> index keys it holds (what the next ``[]`` is)
    for path, value in pairs:
        node = root
        for depth, segment in enumerate(path):
            key = segment or str(indexed.get(id(node), 0))
            if key not in node and _index(key):
                indexed[id(node)] = indexed.get(id(node), 0) + 1
            if depth == len(path) - 1:
                leaf = node.setdefault(key, [])
                if isinstance(leaf, dict):
                    raise _bad(param, f"{key!r} is both a value and an object")
                leaf.append(value)
            else:
                node = node.setdefault(key, {})
                if not isinstance(node, dict):
                    raise _bad(param, f"{key!r} is both a value and an object")
    return _finish(root)


def _finish(node: Any) -> Any:
    if isinstance(node, list):  # the leaf's values
        return node[0] if len(node) == 1 else node
    if node and all(_index(k) for k in node):
        return [_finish(node[k]) for k in sorted(node, key=int)]
    return {k: _finish(v) for k, v in node.items()}


def _index(key: str) -> bool:
    return key.isascii() and key.isdigit() and len(key) < 19


def _typed_filter(item: Any) -> Any:
    """Bracket values arrive as text: JSON-decode an encoded element or ``values`` array, and
    read numbers for the money fields (the spec types ``values`` by field kind)."""
    if isinstance(item, str) and item.startswith("{"):
        return _json("filters", item)  # filters[0]={"field": ...}: typed already
    if not isinstance(item, dict) or "values" not in item:
        return item
    values = item["values"]
    if isinstance(values, str) and values.startswith("["):
        decoded = _json("filters", values)
        values = decoded if isinstance(decoded, list) else values
    field = item.get("field")
    if isinstance(field, str) and field in FILTERS and FILTERS[field].kind == "number":
        values = [_number(v) for v in values] if isinstance(values, list) else _number(values)
    return {**item, "values": values}


def _number(value: Any) -> Any:
    match = _NUMBER.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return value  # not a number: the spec's validation refuses it
    if "." not in value and match.group(3) is None and len(value) < 300:
        return int(value)
    return float(value)


def _predicate(flt: dict[str, Any]) -> Predicate:
    """One schema-valid filter as a predicate.

    Text fields compare as strings (numbers and booleans as JavaScript prints them); money and
    timestamps compare as numbers and instants, except under the text operators (CONTAINS,
    STARTS_WITH, LIKE, ...), which match the value's printed text. Per the spec's Filter decision,
    IN/NOT_IN take a set, BETWEEN/NOT_BETWEEN ``[low, high]`` inclusive, and an array given to
    any other operator is a set of alternatives "like IN": the cart matches when the operator
    holds for any element, and for NOT_EQUALS/NOT_CONTAINS when EQUALS/CONTAINS holds for none
    (as NOT_IN negates IN; a literal "differs from any element" would match every cart).
    """
    field, operator = FILTERS[flt["field"]], flt["operator"]
    operands = _listed(flt["values"])
    textual = field.kind == "string" or operator in _TEXT_OPERATORS
    get = field.get
    if textual and field.kind == "datetime":  # the printed instants, searched as lines
        field = Field(field.name, lambda c: stamp(get(c)), column=f"{field.column}.stamp",
                      nullable=False, search=True)  # fmt: skip
        operands = [_instant_text(v) for v in operands]
    elif textual:  # text fields hold text or None already, and keep their column
        if field.kind != "string":  # money: few distinct amounts, tested once each (pooled)
            field = Field(field.name, lambda c: None if (v := get(c)) is None else js_text(v),
                          column=f"{field.column}.text")  # fmt: skip
        operands = [js_text(v) for v in operands]
    elif field.kind == "datetime":
        operands = [(s + n / 1e9) for s, n in map(instant, operands)]
    if operator in _LIST_OPERATORS:
        return compare(field, operator, operands)
    if operator in _NEGATED:  # same as the engine's NOT_* for one operand, nulls included
        return none_of(compare(field, _NEGATED[operator], v) for v in operands)
    return any_of(compare(field, operator, v) for v in operands)


def _instant_text(value: str) -> str:
    seconds, nanos = instant(value)
    try:
        return iso(seconds)[:-1] + f".{nanos // 1_000_000:03d}Z"
    except (ValueError, OverflowError, OSError):  # outside datetime's years: matches no cart
        return value


def _pagination(total: int, limit: int, offset: int, count: int) -> dict[str, Any]:
    """The nine keys of ``meta.pagination``, with the arithmetic the spec's Pagination states."""
    current = offset // limit + 1 if limit else 1
    has_next = limit > 0 and offset + count < total
    return {
        "total_items": total,
        "items_per_page": limit,
        "total_pages": math.ceil(total / limit) if limit else 0,
        "current_page": current,
        "offset": offset,
        "has_previous_page": offset > 0,
        "has_next_page": has_next,
        "next_page": current + 1 if has_next else None,
        "previous_page": current - 1 if current > 1 else None,  # page numbers: null on page 1
    }


VENDOR = ShopiMind
