"""Broken token endpoints: a grant answering the wrong body or redeeming a code it should
refuse, a narrower token listing every cart, token errors naming nothing or the wrong thing, a
customer login that does not narrow the list."""

from __future__ import annotations

from typing import Any

from tests.contracts import broken, changes
from tests.contracts.conftest import customer_login

from . import Bug

CUSTOMER_TOKEN = "X-Moltin-Customer-Token"
ACCOUNT_TOKEN = "EP-Account-Management-Authentication-Token"
EP_ACCESS, EP_CARTS = r"/oauth/access_token$", r"/v2/carts$"
NC_TOKEN, NC_CARTS = r"/oauth2/token/$", r"/api/admin/carts/$"
EPAGES_TOKEN = r"/token$"


def _wrapped(body: Any) -> Any:
    return {"data": body}


def _wrong_identifier(body: Any) -> Any:
    return {**body, "identifier": "client_credentials"}


def _no_source(body: Any) -> Any:
    return {"errors": [{k: v for k, v in e.items() if k != "source"} for e in body["errors"]]}


def _renamed_error(body: Any) -> Any:
    # An unsupported grant type answered as a generic invalid request.
    if body.get("error") == "unsupported_grant_type":
        return {**body, "error": "invalid_request"}
    return body


def _implicit_by_default(form: dict[str, str]) -> dict[str, str]:
    return {"grant_type": "implicit", **form}


def _any_redirect_uri(form: dict[str, str]) -> dict[str, str]:
    # The server redeems the code with whatever redirect URI it was issued for.
    return {k: v for k, v in form.items() if k != "redirect_uri"} | {
        "redirect_uri": "https://cartkit.example/callback"
    }


def _ep(id: str, wrap: Any, *proves: str) -> Bug:
    return Bug(id, "elasticpath", wrap, proves, auth=customer_login)


EP_FULL_REACH = changes.full_reach("test-token", CUSTOMER_TOKEN, ACCOUNT_TOKEN)

BUGS = [
    _ep(
        "elasticpath-token-wrapped-in-data",
        lambda app: broken.Rewrite(app, body=changes.on_success(_wrapped), on=EP_ACCESS),
        "tokens.grant",
        "tokens.conformance.response_schema_conformance",
    ),
    _ep(
        "elasticpath-identifier-wrong",
        lambda app: broken.Rewrite(app, body=changes.on_success(_wrong_identifier), on=EP_ACCESS),
        "tokens.grant",
    ),
    _ep(
        "elasticpath-implicit-token-lists-every-cart",
        lambda app: broken.Rewrite(app, headers=EP_FULL_REACH, on=EP_CARTS),
        "tokens.scope",
    ),
    _ep(
        "elasticpath-missing-grant-type-answered-200",
        lambda app: broken.RewriteForm(app, EP_ACCESS, _implicit_by_default),
        "tokens.errors",
        "tokens.conformance.negative_data_rejection",
    ),
    _ep(
        "elasticpath-400-not-json-api",
        lambda app: broken.Rewrite(
            app, body=changes.on_status(400, {"error": "invalid_request"}), on=EP_ACCESS
        ),
        "tokens.errors",
    ),
    _ep(
        "elasticpath-400-names-no-field",
        lambda app: broken.Rewrite(app, body=changes.on_error(400, _no_source), on=EP_ACCESS),
        "tokens.errors",
    ),
    _ep(
        "elasticpath-customer-login-does-not-narrow",
        lambda app: broken.Rewrite(app, headers=changes.without_header(CUSTOMER_TOKEN)),
        "tokens.shopper",
    ),
    Bug(
        "nextcommerce-code-redeemed-with-another-redirect-uri",
        "nextcommerce",
        lambda app: broken.RewriteForm(app, NC_TOKEN, _any_redirect_uri),
        ("tokens.grant",),
    ),
    Bug(
        "nextcommerce-scope-ignored",
        "nextcommerce",
        lambda app: broken.Rewrite(app, headers=changes.full_reach("test-token"), on=NC_CARTS),
        ("tokens.scope",),
    ),
    Bug(
        "nextcommerce-wrong-oauth-error-code",
        "nextcommerce",
        lambda app: broken.Rewrite(app, body=changes.on_error(400, _renamed_error), on=NC_TOKEN),
        ("tokens.errors",),
    ),
    Bug(
        "epages-token-answered-201",
        "epages",
        lambda app: broken.Rewrite(app, body=changes.on_success(dict, 201), on=EPAGES_TOKEN),
        ("tokens.grant",),
    ),
    Bug(
        "epages-error-without-status",
        "epages",
        lambda app: broken.Rewrite(
            app, body=changes.on_error(400, lambda b: {"message": b["message"]}), on=EPAGES_TOKEN
        ),
        ("tokens.errors",),
    ),
    Bug(
        "epages-token-for-an-unknown-shop",
        "epages",
        lambda app: broken.Rewrite(app, path=changes.any_shop("DemoShop"), on=EPAGES_TOKEN),
        ("tokens.errors",),
    ),
]
