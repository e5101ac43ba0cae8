"""Refusals: a missing or malformed credential, an out-of-range value, two shopper tokens at once,
an unknown shop or an unacceptable ``Accept`` must be refused with the vendor's documented status
and error envelope (the spec's response schema for that status, plus what the oracle knows beyond
it, such as StateSet's error codes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import httpx

from .paging import Session, Skip, Violation, snippet
from .reading import json_body

__all__ = [
    "NOT_ACCEPTABLE",
    "both_shopper_tokens",
    "envelope",
    "not_acceptable",
    "refusal",
    "refused",
    "unknown_shop",
]

NOT_ACCEPTABLE = "text/html"
"""The ``Accept`` the 406 check sends: a browser's, which excludes every JSON type."""


def refusal(
    session: Session,
    what: str,
    status: int,
    *,
    headers: Mapping[str, str] | None = None,
    url: str | None = None,
) -> Any:
    """Send a request with *what* wrong and require *status* with the documented envelope.

    Returns:
        The decoded error body.
    """
    response = session.fetch({}, url=url, headers=headers)
    if response.status_code != status:
        raise Violation(
            f"Request with {what} not refused as documented",
            f"{status} with the vendor's error envelope",
            snippet(response),
            response.request,
        )
    body = envelope(session, response, status)
    if problems := session.oracle.error_problems(body, status):
        raise Violation(
            f"Wrong {status} error", "the documented error", "; ".join(problems), response.request
        )
    return body


def refused(session: Session, headers: Mapping[str, str], *, missing: bool) -> None:
    """Send *headers* (no or a malformed credential) and require the documented refusal."""
    what = "no credential" if missing else "a malformed credential"
    body = refusal(session, what, session.oracle.auth_status, headers=headers)
    if problems := session.oracle.auth_problems(body, missing=missing):
        raise Violation(
            "Wrong auth error",
            "the documented error",
            "; ".join(problems),
            session.last_request,
        )


def both_shopper_tokens(session: Session) -> None:
    """Both shopper headers at once get the documented refusal (Elastic Path: 403).

    The token the user gave goes in its header, the spec's example in the other. With no token
    given, both are made up, so a server refusing them as invalid passes as well.
    """
    target, oracle = session.target, session.oracle
    if oracle.shopper_conflict is None:
        raise Skip(f"{oracle.vendor} documents no refusal of several shopper tokens")
    headers = target.headers()
    for shopper in oracle.shoppers():
        # The user's own token where given, else the spec's example: the refusal must come
        # from sending both, whatever they hold.
        example = target.contract.parameters.get(shopper.header, {}).get("example")
        value = getattr(target.credentials, shopper.credential) or example or "cartkit"
        headers[shopper.header] = str(value)
    names = " and ".join(s.header for s in oracle.shoppers())
    refusal(session, f"both {names}", oracle.shopper_conflict, headers=headers)


def unknown_shop(session: Session) -> None:
    """A shop id that cannot exist answers the documented 404 (ePages)."""
    target = session.target
    if not target.contract.path_parameters() or not target.contract.documents(404):
        raise Skip(f"{target.vendor} has no shop in its path or documents no 404")
    # Derived from the real shop id, so it never is that shop; letters, digits and '-' only,
    # so it is well-formed (a malformed id would rightly be a 400).
    digest = hashlib.sha256(target.shop_id.encode()).hexdigest()[:12]
    shop = f"cartkit-no-such-shop-{digest}"
    refusal(session, f"the unknown shop {shop!r}", 404, url=target.url_for(shop))


def not_acceptable(session: Session) -> None:
    """An ``Accept`` that excludes every documented media type answers the documented 406."""
    contract = session.target.contract
    if not contract.documents(406):
        raise Skip(f"{contract.vendor} documents no 406")
    headers = {**session.target.headers(), "Accept": NOT_ACCEPTABLE}
    refusal(session, f"Accept: {NOT_ACCEPTABLE}", 406, headers=headers)


def envelope(session: Session, response: httpx.Response, status: int) -> Any:
    """The JSON body of *response*, required to match the documented *status* response."""
    try:
        body = json_body(response)
    except ValueError:
        raise Violation(
            f"{status} without a JSON body",
            f"the documented {status} envelope",
            snippet(response),
            response.request,
        ) from None
    media = response.headers.get("content-type", "").split(";")[0].strip()
    if problems := session.oracle.contract.validate(status, body, media):
        raise Violation(
            f"Wrong {status} error envelope",
            f"a body matching the documented {status} response",
            f"{'; '.join(problems)} in {snippet(response)}",
            response.request,
        )
    return body
