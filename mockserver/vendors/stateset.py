"""StateSet ``GET /v1/carts``: offset paging, scalar filters, sort_by/sort_order and a summary.

Docs: https://docs.stateset.com/api-reference/cart/list; the contract is ``specs/stateset.yaml``.
Money is integer cents; errors use the UPPER_SNAKE ``{"error": {...}}`` envelope.
"""

from __future__ import annotations

import hashlib
import re
from functools import cached_property, partial
from itertools import compress
from operator import attrgetter, eq, gt, is_, is_not, le, lt
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..dataset import Market
from ..errors import ApiError, Problem
from ..model import STATUSES, Cart, Customer, iso
from ..query import Field, Key, Mask, Match, SortKey, all_of, parse_instant, scan, select
from ..vendor import Vendor, json_response

MARKET = Market(
    name="stateset",
    faker_locale="en_US",
    locales=(("en_US", 1.0),),
    currencies=(("USD", 90.0), ("CAD", 6.0), ("EUR", 4.0)),
    countries=("US",),
    tax_rate=0.0825,
    tax_included=False,
    shipping_fee=599,
    free_shipping_from=7500,
    email_domains=("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "example.com"),
)

SORTS = {
    "created_at": Field("created_at", lambda c: c.created_at, "datetime"),
    "updated_at": Field("updated_at", lambda c: c.updated_at, "datetime"),
    "total": Field("total", lambda c: c.total, "integer"),
    "abandoned_at": Field("abandoned_at", lambda c: c.abandoned_at, "datetime"),
}

_ID = Field("id", lambda c: c.uid_int)  # orders as f"cart_{c.uid}" does, without formatting

_CODES = {
    Problem.BAD_PARAMETER: ("INVALID_PARAMETER", "invalid_request_error"),
    Problem.MISSING_CREDENTIALS: ("MISSING_AUTH_HEADER", "authentication_error"),
    Problem.INVALID_CREDENTIALS: ("INVALID_API_KEY", "authentication_error"),
    Problem.FORBIDDEN: ("INSUFFICIENT_PERMISSIONS", "permission_error"),
    Problem.NOT_FOUND: ("RESOURCE_NOT_FOUND", "invalid_request_error"),
    Problem.NOT_ACCEPTABLE: ("NOT_ACCEPTABLE", "invalid_request_error"),
    Problem.RATE_LIMITED: ("RATE_LIMIT_EXCEEDED", "rate_limit_error"),
    Problem.SERVER_ERROR: ("INTERNAL_SERVER_ERROR", "api_error"),
    Problem.UNAVAILABLE: ("SERVICE_UNAVAILABLE", "api_error"),
}
_FILTERS = ("status", "has_email", "customer_id", "session_id", "channel", "created_after",
            "created_before", "updated_after", "min_value")  # fmt: skip
_SESSION = re.compile(r"sess_[0-9a-f]{24}", re.ASCII)  # as Cart.session_id spells them
_RATE_LIMIT = 1000  # requests per minute (a Growth plan); the mock never runs out


class StateSet(Vendor):
    """StateSet list carts."""

    name = "stateset"
    market = MARKET
    demo_credential = "sk_test_demo"  # StateSet test keys start sk_test_

    def render(self, cart: Cart) -> dict[str, Any]:
        return {
            "id": f"cart_{cart.uid}",
            "object": "cart",
            "customer_id": _customer_id(cart.customer),
            "email": cart.email,
            "status": cart.status,
            "channel": cart.channel,
            "currency": cart.currency,
            "item_count": cart.item_count,
            "subtotal": cart.subtotal,
            "total": cart.total,
            "abandoned_at": iso(cart.abandoned_at) if cart.abandoned_at is not None else None,
            "last_activity": iso(cart.updated_at),
            "created_at": iso(cart.created_at),
            "recovery_status": cart.recovery_status,
            "session_id": cart.session_id,
            "updated_at": iso(cart.updated_at),
        }

    def list_carts(self, request: Request, params: dict[str, Any], credential: str) -> Response:
        mask, summary = self._filtered(tuple(params[name] for name in _FILTERS))
        # The spec's decisions: missing abandoned_at sort last both ways; ties by id ascending.
        descending = params["sort_order"] == "desc"
        order = (SortKey(SORTS[params["sort_by"]], descending=descending, nulls_last=True),)
        offset, limit = params["offset"], params["limit"]
        page = select(self.dataset, mask=mask, order=order, tiebreak=_ID, offset=offset,
                      limit=limit)  # fmt: skip
        body = {
            "object": "list",
            "data": self.carts_json(page.items),
            "has_more": page.has_more,
            "total_count": page.total,
            "url": "/v1/carts",
            "summary": summary,
        }
        return json_response(body, headers=self._rate_headers())

    def _filter(self, values: tuple[Any, ...]) -> tuple[Mask | None, dict[str, Any]]:
        """The mask of the carts the filter *values* keep (``None``: all) and their summary.

        Cached by ``Vendor``: paging through one filter scans the carts once.
        """
        where = all_of(self._filters(dict(zip(_FILTERS, values, strict=True))))
        mask = None if where is None else scan(self.dataset, where)
        return mask, self._summary(mask)

    def _filters(self, params: dict[str, Any]) -> list[Any]:
        # Match(column, C-level test): the scan reads the column, no Python call per cart.
        preds: list[Any] = []
        if (status := params["status"]) is not None:
            preds.append(Match("status", partial(eq, status)))
        if (has_email := params["has_email"]) is not None:
            preds.append(Match("email", partial(is_not if has_email else is_, None)))
        if (customer := params["customer_id"]) is not None:
            # cust_<first 14 hex digits of the uid>: compare uid prefixes, without formatting.
            wellformed = len(customer) == 19 and customer.startswith("cust_")
            hexa = customer[5:]
            prefix = f"{hexa[:8]}-{hexa[8:12]}-{hexa[12:]}" if wellformed else "?"
            uids = frozenset(c.uid for c in self.dataset.customers if c.uid.startswith(prefix))
            preds.append(Match("customer_uid", uids.__contains__))
        if (session := params["session_id"]) is not None:
            # sess_<24 hex digits>: the cart key's session bits, looked up packed (12 bytes).
            wellformed = _SESSION.fullmatch(session)
            bits = int(session[5:], 16) if wellformed else -1  # -1: no cart's
            preds.append(Key("session", attrgetter("session_bits"), bits, 12))
        if (channel := params["channel"]) is not None:
            preds.append(Match("channel", partial(eq, channel)))
        if (after := params["created_after"]) is not None:
            preds.append(Match("created_at", partial(lt, parse_instant(after))))
        if (before := params["created_before"]) is not None:
            preds.append(Match("created_at", partial(gt, parse_instant(before))))
        if (updated := params["updated_after"]) is not None:
            preds.append(Match("updated_at", partial(lt, parse_instant(updated))))
        if (minimum := params["min_value"]) is not None:
            preds.append(Match("total", partial(le, minimum)))
        return preds

    @cached_property
    def _status_bits(self) -> dict[str, int]:
        """Per status, the mask of its carts as an integer (masks of 0/1 bytes AND as integers)."""
        column = self.dataset.column("status")
        return {s: int.from_bytes(bytearray(map(s.__eq__, column)), "little") for s in STATUSES}

    def _summary(self, mask: Mask | None) -> dict[str, Any]:
        """Figures over the carts *mask* keeps (every cart without one), as StateSet reports them.

        Computed on index-order columns and integer masks, never on the carts themselves: a
        filter may keep a million carts.
        """
        size, totals = len(self.dataset), self.dataset.column("total")
        kept = int.from_bytes(b"\x01" * size if mask is None else mask, "little")
        breakdown = {s: (kept & bits).bit_count() for s, bits in self._status_bits.items()}
        count = sum(breakdown.values())
        total_value = sum(totals) if mask is None else sum(compress(totals, mask))
        abandoned = (kept & self._status_bits["abandoned"]).to_bytes(size, "little")
        closed = breakdown["abandoned"] + breakdown["converted"]
        return {
            "total_abandoned_value": sum(compress(totals, abandoned)),
            "average_cart_value": total_value // count if count else 0,
            "recovery_rate": round(breakdown["converted"] / closed, 4) if closed else 0,
            "status_breakdown": breakdown,
        }

    def _rate_headers(self) -> dict[str, str]:
        reset = self.dataset.now + 60
        return {
            "X-RateLimit-Limit": str(_RATE_LIMIT),
            "X-RateLimit-Remaining": str(_RATE_LIMIT - 1),
            "X-RateLimit-Reset": str(reset),
        }

    def error(self, error: ApiError) -> Response:
        code, kind = _CODES[error.problem]
        details: dict[str, Any] = {}
        if error.param is not None:
            details["parameter"] = error.param
        request_id = "req_" + hashlib.blake2b(error.message.encode(), digest_size=8).hexdigest()
        body = {
            "error": {
                "code": code,
                "message": error.message,
                "type": kind,
                **({"details": details} if details else {}),
                "request_id": request_id,
                "timestamp": iso(self.dataset.now),
                "documentation_url": f"https://docs.stateset.com/api-reference/errors#{code.lower()}",
            }
        }
        headers = dict(error.headers)
        if error.problem is Problem.RATE_LIMITED:
            headers |= self._rate_headers() | {
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Retry-After": "60",
            }
        return json_response(body, error.problem.status, headers=headers)


def _customer_id(customer: Customer | None) -> str | None:
    return f"cust_{customer.uid.replace('-', '')[:14]}" if customer else None


VENDOR = StateSet
