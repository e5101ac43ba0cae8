"""Broken refusals: credentials not required, malformed ones accepted, the wrong error
envelope, shopper tokens ignored or both accepted, an unknown shop or an HTML ``Accept`` served."""

from __future__ import annotations

from tests.contracts import broken, changes
from tests.contracts.conftest import CREDENTIALS, shopper_tokens

from . import Bug

CUSTOMER_TOKEN = "X-Moltin-Customer-Token"
ACCOUNT_TOKEN = "EP-Account-Management-Authentication-Token"
_BEARER = r"Bearer \S+"
_SHOPIMIND_KEY = r"[a-zA-Z0-9-]{20,64}"  # the spec's x-cartkit-pattern


def _not_enforced(vendor: str, header: str, value: str) -> Bug:
    return Bug(
        f"{vendor}-auth-not-enforced",
        vendor,
        lambda app: broken.Rewrite(app, headers=changes.always_authorised(header, value)),
        ("auth.missing",),
    )


def _malformed_accepted(vendor: str, header: str, value: str, pattern: str) -> Bug:
    return Bug(
        f"{vendor}-malformed-credential-accepted",
        vendor,
        lambda app: broken.Rewrite(app, headers=changes.accept_malformed(header, value, pattern)),
        ("auth.malformed",),
    )


def _shopper(credential: str) -> dict[str, str]:
    return {credential: shopper_tokens()[credential]}


_KEY = CREDENTIALS["shopimind"]["api_key"]

BUGS = [
    # -- auth.missing: no credential needed, or the wrong envelope ------------------------------
    _not_enforced("stateset", "authorization", "Bearer anything"),
    _not_enforced("nextcommerce", "authorization", "Bearer anything"),
    _not_enforced("elasticpath", "authorization", "Bearer anything"),
    _not_enforced("epages", "authorization", "Bearer anything"),
    _not_enforced("shopimind", "spm-api-key", _KEY),
    Bug(
        "stateset-wrong-error-envelope",
        "stateset",
        lambda app: broken.Rewrite(app, body=changes.on_status(401, {"message": "Unauthorized"})),
        ("auth.missing", "auth.malformed"),
    ),
    Bug(
        "shopimind-wrong-error-envelope",
        "shopimind",
        lambda app: broken.Rewrite(app, body=changes.on_status(401, {"error": "Unauthorized"})),
        ("auth.missing", "auth.malformed"),
    ),
    # -- auth.malformed: a malformed credential accepted ----------------------------------------
    _malformed_accepted("stateset", "authorization", "Bearer test-token", _BEARER),
    _malformed_accepted("nextcommerce", "authorization", "Bearer test-token", _BEARER),
    _malformed_accepted("elasticpath", "authorization", "Bearer test-token", _BEARER),
    _malformed_accepted("epages", "authorization", "Bearer test-token", _BEARER),
    _malformed_accepted("shopimind", "spm-api-key", _KEY, _SHOPIMIND_KEY),
    # -- Elastic Path shopper tokens --------------------------------------------------------------
    Bug(
        "elasticpath-customer-token-ignored",
        "elasticpath",
        lambda app: broken.Rewrite(app, headers=changes.without_header(CUSTOMER_TOKEN)),
        ("auth.shopper_token",),
        auth=lambda: _shopper("customer_token"),
    ),
    Bug(
        "elasticpath-account-token-ignored",
        "elasticpath",
        lambda app: broken.Rewrite(app, headers=changes.without_header(ACCOUNT_TOKEN)),
        ("auth.shopper_token",),
        auth=lambda: _shopper("account_token"),
    ),
    Bug(
        "elasticpath-both-shopper-tokens-accepted",
        "elasticpath",
        lambda app: broken.Rewrite(
            app, headers=changes.only_first_of(CUSTOMER_TOKEN, ACCOUNT_TOKEN)
        ),
        ("auth.both_shopper_tokens",),
        auth=lambda: _shopper("customer_token"),
    ),
    Bug(
        "elasticpath-403-errors-as-object",
        "elasticpath",
        lambda app: broken.Rewrite(
            app, body=changes.on_status(403, {"errors": {"status": 403, "title": "Forbidden"}})
        ),
        ("auth.both_shopper_tokens",),
        # The same 403 refuses a token of narrower reach, which tokens.scope sends.
        also=("tokens.scope",),
    ),
    # -- ePages: an unknown shop, an HTML Accept ---------------------------------------------------
    Bug(
        "epages-unknown-shop-served",
        "epages",
        lambda app: broken.Rewrite(app, path=changes.any_shop("DemoShop"), on=r"/carts$"),
        ("errors.unknown_shop",),
    ),
    Bug(
        "epages-wrong-404-envelope",
        "epages",
        lambda app: broken.Rewrite(
            app, body=changes.on_status(404, {"error": "Not Found"}), on=r"/carts$"
        ),
        ("errors.unknown_shop",),
    ),
    Bug(
        "epages-accept-ignored",
        "epages",
        lambda app: broken.Rewrite(
            app, headers=changes.forced_header("accept", "application/json")
        ),
        ("errors.not_acceptable",),
    ),
]
