"""Broken variants of one page: a projection ignored, a field changing between two identical
requests, a summary that disagrees with its carts, ``include`` ignored or incomplete, prices
converted by ``locale``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.contracts import broken, changes

from . import Bug
from .ordering import LIST


def _inflate_abandoned_value(body: dict[str, Any]) -> None:
    body["summary"]["total_abandoned_value"] += 100


def _drop_one_included_discount(body: dict[str, Any]) -> None:
    included = body.get("included", {}).get("custom_discounts")
    if included:
        included.pop()


def _dollars(body: dict[str, Any]) -> None:
    # A server converting prices to the locale's currency instead of only formatting them.
    for cart in body["items"]:
        total = cart["lineItemContainer"]["grandTotal"]
        total["amount"], total["currency"] = round(total["amount"] * 1.08, 2), "USD"


# -- consistency.repeat: a field no other check reads, changed on every other answer ----------


def _recovery_status(pairs: changes.Pairs, body: Any) -> None:
    for cart in body["data"][:1]:
        cart["recovery_status"] = (
            "email_sent" if cart["recovery_status"] == "not_attempted" else "not_attempted"
        )


def _customer_on_small_pages(pairs: changes.Pairs, body: Any) -> None:
    # Pages of fewer than 100 carts (those the walks of whole sets never ask for) lose the
    # first cart's customer: a stale cache.
    if any(k == "limit" and v.isdigit() and int(v) < 100 for k, v in pairs):
        for cart in body["data"][:1]:
            cart["customer_id"] = None if cart["customer_id"] else "1"


def _checkout_url(pairs: changes.Pairs, body: Any) -> None:
    for cart in body["results"][:1]:
        cart["checkout_url"] = cart["checkout_url"].rstrip("/") + "-renewed/"


def _expiry(pairs: changes.Pairs, body: Any) -> None:
    for cart in body["data"][:1]:
        stamps = cart["meta"]["timestamps"]
        later = datetime.fromisoformat(stamps["expires_at"].replace("Z", "+00:00"))
        stamps["expires_at"] = (later + timedelta(seconds=1)).isoformat().replace("+00:00", "Z")


def _pickup_token(pairs: changes.Pairs, body: Any) -> None:
    for cart in body["items"][:1]:
        cart["pickupToken"] = (cart.get("pickupToken") or "") + "0"


def _changing(vendor: str, what: str, change: Any) -> Bug:
    return Bug(
        f"{vendor}-{what}-changes-between-identical-requests",
        vendor,
        lambda app: broken.Rewrite(app, body=changes.every_other(change), on=LIST.get(vendor)),
        ("consistency.repeat",),
    )


BUGS = [
    Bug(
        "shopimind-projection-ignored",
        "shopimind",
        lambda app: broken.Rewrite(app, query=changes.drop("fields")),
        ("projection.fields",),
    ),
    _changing("stateset", "recovery-status", _recovery_status),
    _changing("shopimind", "customer", _customer_on_small_pages),
    _changing("nextcommerce", "checkout-url", _checkout_url),
    _changing("elasticpath", "expiry", _expiry),
    _changing("epages", "pickup-token", _pickup_token),
    Bug(
        "stateset-summary-disagrees",
        "stateset",
        lambda app: broken.Rewrite(app, body=changes.on_envelope(_inflate_abandoned_value)),
        ("consistency.summary",),
    ),
    Bug(
        "elasticpath-include-ignored",
        "elasticpath",
        lambda app: broken.Rewrite(app, query=changes.drop("include")),
        ("consistency.include",),
    ),
    Bug(
        "elasticpath-linked-discount-not-included",
        "elasticpath",
        lambda app: broken.Rewrite(app, body=changes.on_envelope(_drop_one_included_discount)),
        ("consistency.include",),
    ),
    Bug(
        "epages-locale-converts-amounts",
        "epages",
        lambda app: broken.Rewrite(app, body=changes.on_query(("locale", "en_US"), _dollars)),
        ("consistency.locale",),
    ),
]
