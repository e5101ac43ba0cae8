"""Refusals: a missing or malformed credential, or an out-of-range value, must be refused with the
vendor's documented status and error envelope (the spec's response schema for that status, plus
what the oracle knows beyond it, such as StateSet's error codes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from .paging import Session, Violation, snippet

__all__ = ["envelope", "refused"]


def refused(session: Session, headers: Mapping[str, str], *, missing: bool) -> None:
    """Send *headers* (no or a malformed credential) and require the documented refusal."""
    what = "no credential" if missing else "a malformed credential"
    status = session.oracle.auth_status
    response = session.fetch({}, headers=headers)
    if response.status_code != status:
        raise Violation(
            f"Request with {what} not refused as documented",
            f"{status} with the vendor's error envelope",
            snippet(response),
            response.request,
        )
    body = envelope(session, response, status)
    if problems := session.oracle.auth_problems(body, missing=missing):
        raise Violation(
            "Wrong auth error", "the documented error", "; ".join(problems), response.request
        )


def envelope(session: Session, response: httpx.Response, status: int) -> Any:
    """The JSON body of *response*, required to match the documented *status* response."""
    try:
        body = response.json()
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
