"""Broken servers only a Schemathesis run can see: a crash, an undocumented status, content
type or header, a schema broken, invalid input accepted or valid input refused, a missing
header accepted, an unsupported method answered."""

from __future__ import annotations

from typing import Any

from tests.contracts import broken

from . import Bug


def _stateset_items(body: Any) -> list[Any]:
    return body["data"]


def _money_as_string(cart: dict[str, Any]) -> None:
    # The subtotal, which no semantic check reads: only the schema can tell.
    cart["subtotal"] = f"{cart['subtotal'] / 100:.2f}"


def _epages_money(cart: dict[str, Any]) -> None:
    total = cart["lineItemContainer"]["grandTotal"]
    total["amount"] = str(total["amount"])


BUGS = [
    Bug(
        "stateset-money-type-changed",
        "stateset",
        lambda app: broken.Rewrite(app, body=broken.on_items(_stateset_items, _money_as_string)),
        ("conformance.response_schema_conformance",),
    ),
    Bug(
        "stateset-required-field-missing",
        "stateset",
        lambda app: broken.Rewrite(
            app, body=broken.on_items(_stateset_items, lambda cart: cart.pop("currency"))
        ),
        ("conformance.response_schema_conformance",),
    ),
    Bug(
        "stateset-500-on-some-input",
        "stateset",
        # A negative offset, which only a Schemathesis run sends, crashes the server.
        lambda app: broken.FailOn(app, "offset", "-1"),
        ("conformance.not_a_server_error",),
    ),
    Bug(
        "epages-money-type-changed",
        "epages",
        lambda app: broken.Rewrite(
            app, body=broken.on_items(lambda b: b["items"], _epages_money), on=r"/carts$"
        ),
        ("conformance.response_schema_conformance",),
    ),
]
