"""What a refusal must hold, shared by the groups that provoke one (``pagination``, ``auth``,
``errors``, ``tokens``): the vendor's documented status and error envelope (the spec's response
schema for that status, plus what the oracle knows beyond it, such as StateSet's error codes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from ..errors import Violation
from ..paging import Session, snippet
from ..reading import json_body

__all__ = ["envelope", "refusal"]


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
