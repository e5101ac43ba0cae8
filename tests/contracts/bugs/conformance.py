"""Broken servers only a Schemathesis run can see: a crash, an undocumented status, content
type or header, a schema broken, invalid input accepted or valid input refused, a missing
header accepted, an unsupported method answered.

Where the change touches every path, one server proves the check for the list
(``conformance.*``) and for the token endpoints (``tokens.conformance.*``) at once.
"""

from __future__ import annotations

from typing import Any

from cartkit.mockserver import datasets
from tests.contracts import broken, changes

from . import Bug

_STATUSES = {"active", "abandoned", "converted", "expired"}
EP_ACCESS = r"/oauth/access_token$"


def _stateset_items(body: Any) -> list[Any]:
    return body["data"]


def _money_as_string(cart: dict[str, Any]) -> None:
    # The subtotal, which no semantic check reads: only the schema can tell.
    cart["subtotal"] = f"{cart['subtotal'] / 100:.2f}"


def _epages_money(cart: dict[str, Any]) -> None:
    total = cart["lineItemContainer"]["grandTotal"]
    total["amount"] = str(total["amount"])


def _allow_everything(status: int, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    # Every answer that lists the allowed methods lists every method.
    if "allow" in headers:
        headers = {**headers, "allow": "GET, HEAD, POST, PUT, PATCH, DELETE"}
    return status, headers


def _both(check: str) -> tuple[str, str]:
    return f"conformance.{check}", f"tokens.conformance.{check}"


def _unknown_session_refused(app: Any) -> Any:
    """A ``session_id`` no cart has (valid: any string is) refused as the server refuses a bad
    page size, with a 400 in the vendor's envelope, instead of an empty list."""
    known = {cart.session_id for cart in datasets(app)["stateset"].carts}

    def rewrite(pairs: changes.Pairs) -> changes.Pairs:
        if any(k == "session_id" and v not in known for k, v in pairs):
            return [*pairs, ("limit", "0")]
        return pairs

    return broken.Rewrite(app, query=rewrite)


BUGS = [
    # -- the list only ---------------------------------------------------------------------------
    Bug(
        "stateset-money-type-changed",
        "stateset",
        lambda app: broken.Rewrite(app, body=changes.on_items(_stateset_items, _money_as_string)),
        ("conformance.response_schema_conformance",),
    ),
    Bug(
        "stateset-required-field-missing",
        "stateset",
        lambda app: broken.Rewrite(
            app, body=changes.on_items(_stateset_items, lambda cart: cart.pop("currency"))
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
            app, body=changes.on_items(lambda b: b["items"], _epages_money), on=r"/carts$"
        ),
        ("conformance.response_schema_conformance",),
    ),
    Bug(
        "stateset-invalid-status-ignored",
        "stateset",
        lambda app: broken.Rewrite(
            app, query=changes.rewrite_value("status", lambda v: v if v in _STATUSES else None)
        ),
        ("conformance.negative_data_rejection",),
    ),
    Bug(
        "stateset-unknown-session-refused",
        "stateset",
        _unknown_session_refused,
        ("conformance.positive_data_acceptance",),
    ),
    Bug(
        "stateset-rate-limit-header-missing",
        "stateset",
        lambda app: broken.RewriteHeaders(
            app, changes.header_value("X-RateLimit-Remaining", None, 200)
        ),
        ("conformance.response_headers_conformance",),
    ),
    # -- every path: the list and the token endpoints ---------------------------------------------
    Bug(
        "elasticpath-unsupported-method-answered-404",
        "elasticpath",
        lambda app: broken.RewriteHeaders(app, changes.restatus(405, 404)),
        _both("unsupported_method"),
    ),
    Bug(
        "elasticpath-allow-lists-undocumented-methods",
        "elasticpath",
        lambda app: broken.RewriteHeaders(app, _allow_everything),
        _both("allow_header_conformance"),
    ),
    Bug(
        "elasticpath-json-served-as-text",
        "elasticpath",
        lambda app: broken.RewriteHeaders(
            app, changes.header_value("Content-Type", "text/plain; charset=utf-8", 200)
        ),
        _both("content_type_conformance"),
    ),
    Bug(
        "elasticpath-bad-request-answered-422",
        "elasticpath",
        lambda app: broken.RewriteHeaders(app, changes.restatus(400, 422)),
        _both("status_code_conformance"),
        # pagination.size_bounds asks for the documented 400 too.
        also=("pagination.size_bounds",),
    ),
    Bug(
        "elasticpath-credential-not-required",
        "elasticpath",
        lambda app: broken.Rewrite(
            app, headers=changes.always_authorised("authorization", "Bearer test-token")
        ),
        ("conformance.missing_required_header", "auth.missing"),
    ),
    Bug(
        "epages-media-type-header-wrong",
        "epages",
        lambda app: broken.RewriteHeaders(
            app, changes.header_value("X-epages-Media-Type", "application/vnd.epages.v2+json")
        ),
        _both("response_headers_conformance"),
    ),
    # -- the token endpoints only -----------------------------------------------------------------
    Bug(
        "elasticpath-unknown-grant-type-crashes",
        "elasticpath",
        lambda app: broken.Answer(
            app,
            EP_ACCESS,
            lambda fields, headers: (
                fields.get("grant_type") not in {"client_credentials", "implicit"}
            ),
            500,
            "Internal Server Error",
        ),
        ("tokens.conformance.not_a_server_error",),
    ),
    Bug(
        "elasticpath-token-form-refused",
        "elasticpath",
        # The documented form encoding refused as if only JSON were taken.
        lambda app: broken.Answer(
            app,
            EP_ACCESS,
            lambda fields, headers: headers.get("content-type", "").startswith(
                "application/x-www-form-urlencoded"
            ),
            415,
            {"errors": [{"status": 415, "title": "Unsupported Media Type"}]},
        ),
        ("tokens.conformance.positive_data_acceptance",),
    ),
    Bug(
        "elasticpath-login-without-bearer-answered-403",
        "elasticpath",
        # A missing credential is a 401 (RFC 9110 §15.5.2); 403 is for a known, narrower one.
        lambda app: broken.Answer(
            app,
            r"/(customers|account-members)/tokens$",
            lambda fields, headers: "authorization" not in headers,
            403,
            {"errors": [{"status": 403, "title": "Forbidden"}]},
        ),
        ("tokens.conformance.missing_required_header",),
    ),
]
