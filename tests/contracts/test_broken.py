"""The checks bite: each deliberately broken server fails the check responsible for its bug."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.contracts import broken
from tests.contracts.conftest import mock_app, run, shopper_tokens

Wrap = Callable[[Any], Any]


def _stateset_items(body: Any) -> list[Any]:
    return body["data"]


def _money_as_string(cart: dict[str, Any]) -> None:
    cart["total"] = f"{cart['total'] / 100:.2f}"


def _more_total(body: dict[str, Any]) -> None:
    body["total_count"] += 1


def _always_more(body: dict[str, Any]) -> None:
    body["has_more"] = True


def _inflate_abandoned_value(body: dict[str, Any]) -> None:
    body["summary"]["total_abandoned_value"] += 100


def _next_links_to_first_page(body: dict[str, Any]) -> None:
    if body.get("next"):
        body["next"] = re.sub(r"([?&])cursor=[^&]*&?", r"\1", body["next"]).rstrip("?&")


def _epages_money(cart: dict[str, Any]) -> None:
    total = cart["lineItemContainer"]["grandTotal"]
    total["amount"] = str(total["amount"])


CUSTOMER_TOKEN = "X-Moltin-Customer-Token"
ACCOUNT_TOKEN = "EP-Account-Management-Authentication-Token"


def _drop_one_included_discount(body: dict[str, Any]) -> None:
    included = body.get("included", {}).get("custom_discounts")
    if included:
        included.pop()


def _dollars(body: dict[str, Any]) -> None:
    # A server converting prices to the locale's currency instead of only formatting them.
    for cart in body["items"]:
        total = cart["lineItemContainer"]["grandTotal"]
        total["amount"], total["currency"] = round(total["amount"] * 1.08, 2), "USD"


CASES = [
    # -- stateset: one variant per kind of bug ---------------------------------------------------
    pytest.param(
        "stateset",
        lambda app: broken.Rewrite(app, query=broken.drop("status")),
        "filters.status",
        id="stateset-filter-ignored",
    ),
    pytest.param(
        "stateset",
        lambda app: broken.Rewrite(app, query=broken.shift("offset", +1)),
        "pagination.walk",
        id="stateset-off-by-one-pagination",
    ),
    pytest.param(
        "stateset",
        lambda app: broken.Rewrite(app, query=broken.shift("offset", -1)),
        "pagination.walk",
        id="stateset-cart-repeated-across-pages",
    ),
    pytest.param(
        "stateset",
        lambda app: broken.Rewrite(app, body=broken.on_envelope(_more_total)),
        "pagination.walk",
        id="stateset-wrong-total",
    ),
    pytest.param(
        "stateset",
        lambda app: broken.Rewrite(app, body=broken.on_envelope(_always_more)),
        "pagination.walk",
        id="stateset-has-more-past-the-end",
    ),
    pytest.param(
        "stateset",
        lambda app: broken.Rewrite(
            app, body=broken.reverse_items(_stateset_items, ("sort_order", "asc"))
        ),
        "ordering.created_at_asc",
        id="stateset-wrong-sort-order",
    ),
    pytest.param(
        "stateset",
        lambda app: broken.Rewrite(
            app, headers=broken.always_authorised("authorization", "Bearer anything")
        ),
        "auth.missing",
        id="stateset-auth-not-enforced",
    ),
    pytest.param(
        "stateset",
        lambda app: broken.Rewrite(app, body=broken.on_status(401, {"message": "Unauthorized"})),
        "auth.missing",
        id="stateset-wrong-error-envelope",
    ),
    pytest.param(
        "stateset",
        lambda app: broken.Rewrite(app, body=broken.on_items(_stateset_items, _money_as_string)),
        "conformance.response_schema_conformance",
        id="stateset-money-type-changed",
    ),
    pytest.param(
        "stateset",
        lambda app: broken.Rewrite(
            app, body=broken.on_items(_stateset_items, lambda cart: cart.pop("currency"))
        ),
        "conformance.response_schema_conformance",
        id="stateset-required-field-missing",
    ),
    pytest.param(
        "stateset",
        lambda app: broken.FailOn(app, "channel", "pos"),
        "conformance.not_a_server_error",
        id="stateset-500-on-some-input",
    ),
    pytest.param(
        "stateset",
        lambda app: broken.Rewrite(app, body=broken.on_envelope(_inflate_abandoned_value)),
        "consistency.summary",
        id="stateset-summary-disagrees",
    ),
    # -- the other vendors -----------------------------------------------------------------------
    pytest.param(
        "shopimind",
        lambda app: broken.Rewrite(app, query=broken.drop("filters")),
        "filters.equality",
        id="shopimind-filters-ignored",
    ),
    pytest.param(
        "shopimind",
        lambda app: broken.Rewrite(app, query=broken.drop("fields")),
        "projection.fields",
        id="shopimind-projection-ignored",
    ),
    pytest.param(
        "shopimind",
        lambda app: broken.Rewrite(app, body=broken.on_status(401, {"error": "Unauthorized"})),
        "auth.missing",
        id="shopimind-wrong-error-envelope",
    ),
    pytest.param(
        "nextcommerce",
        lambda app: broken.Rewrite(app, body=broken.on_envelope(_next_links_to_first_page)),
        "pagination.walk",
        id="nextcommerce-next-link-repeats-carts",
    ),
    pytest.param(
        "nextcommerce",
        lambda app: broken.Rewrite(app, query=broken.drop("currency")),
        "filters.currency",
        id="nextcommerce-filter-ignored",
    ),
    pytest.param(
        "elasticpath",
        lambda app: broken.Rewrite(app, body=broken.reverse_items(lambda body: body["data"])),
        "ordering.default",
        id="elasticpath-wrong-sort-order",
    ),
    pytest.param(
        "elasticpath",
        lambda app: broken.Rewrite(
            app, headers=broken.always_authorised("authorization", "Bearer anything")
        ),
        "auth.missing",
        id="elasticpath-auth-not-enforced",
    ),
    pytest.param(
        "elasticpath",
        lambda app: broken.Rewrite(
            app, body=broken.on_status(403, {"errors": {"status": 403, "title": "Forbidden"}})
        ),
        "auth.both_shopper_tokens",
        id="elasticpath-403-errors-as-object",
    ),
    pytest.param(
        "elasticpath",
        lambda app: broken.Rewrite(app, query=broken.drop("include")),
        "consistency.include",
        id="elasticpath-include-ignored",
    ),
    pytest.param(
        "elasticpath",
        lambda app: broken.Rewrite(app, body=broken.on_envelope(_drop_one_included_discount)),
        "consistency.include",
        id="elasticpath-linked-discount-not-included",
    ),
    pytest.param(
        "epages",
        lambda app: broken.Rewrite(app, path=broken.any_shop("DemoShop")),
        "errors.unknown_shop",
        id="epages-unknown-shop-served",
    ),
    pytest.param(
        "epages",
        lambda app: broken.Rewrite(app, body=broken.on_status(404, {"error": "Not Found"})),
        "errors.unknown_shop",
        id="epages-wrong-404-envelope",
    ),
    pytest.param(
        "epages",
        lambda app: broken.Rewrite(app, headers=broken.forced_header("accept", "application/json")),
        "errors.not_acceptable",
        id="epages-accept-ignored",
    ),
    pytest.param(
        "epages",
        lambda app: broken.Rewrite(app, body=broken.on_query(("locale", "en_US"), _dollars)),
        "consistency.locale",
        id="epages-locale-converts-amounts",
    ),
    pytest.param(
        "epages",
        lambda app: broken.Rewrite(app, query=broken.shift("page", +1)),
        "pagination.walk",
        id="epages-off-by-one-page-numbers",
    ),
    pytest.param(
        "epages",
        lambda app: broken.Rewrite(app, query=broken.drop("hasAddressData")),
        "filters.hasAddressData",
        id="epages-filter-ignored",
    ),
    pytest.param(
        "epages",
        lambda app: broken.Rewrite(app, body=broken.on_items(lambda b: b["items"], _epages_money)),
        "conformance.response_schema_conformance",
        id="epages-money-type-changed",
    ),
]


@pytest.mark.parametrize(("vendor", "wrap", "responsible"), CASES)
def test_a_broken_server_fails_the_responsible_check(
    vendor: str, wrap: Wrap, responsible: str
) -> None:
    group = responsible.split(".", 1)[0]
    report = run(vendor, wrap(mock_app(vendor)), only=[group])
    assert responsible in report.failed, f"{responsible} passed; failed: {report.failed}"
    failure = next(f for f in report.failures if f.check == responsible)
    assert failure.expected and failure.received
    assert failure.curl and failure.curl.startswith("curl ")
    assert report.exit_code == 1


SHOPPER_CASES = [
    pytest.param(
        "customer_token",
        lambda app: broken.Rewrite(app, headers=broken.without_header(CUSTOMER_TOKEN)),
        "auth.shopper_token",
        id="elasticpath-customer-token-ignored",
    ),
    pytest.param(
        "account_token",
        lambda app: broken.Rewrite(app, headers=broken.without_header(ACCOUNT_TOKEN)),
        "auth.shopper_token",
        id="elasticpath-account-token-ignored",
    ),
    pytest.param(
        "customer_token",
        lambda app: broken.Rewrite(
            app, headers=broken.only_first_of(CUSTOMER_TOKEN, ACCOUNT_TOKEN)
        ),
        "auth.both_shopper_tokens",
        id="elasticpath-both-shopper-tokens-accepted",
    ),
]
"""Broken shopper handling, each checked with the mock's token for that kind of shopper."""


@pytest.mark.parametrize(("credential", "wrap", "responsible"), SHOPPER_CASES)
def test_broken_shopper_handling_fails_the_responsible_check(
    credential: str, wrap: Wrap, responsible: str
) -> None:
    auth = {credential: shopper_tokens()[credential]}
    report = run("elasticpath", wrap(mock_app("elasticpath")), only=[responsible], auth=auth)
    assert report.failed == [responsible]
    (failure,) = report.failures
    # The token is masked everywhere, the reproducing curl shows its shell variable.
    assert failure.curl and f"$CARTKIT_{credential.upper()}" in failure.curl
    assert shopper_tokens()[credential] not in failure.curl + failure.expected + failure.received
