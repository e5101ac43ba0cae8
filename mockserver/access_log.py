"""The access log: one line per request, with credentials kept out of it."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

if TYPE_CHECKING:
    from .journal import Journal

__all__ = ["SECRET_NAMES", "SECRET_QUERY", "AccessLog", "printable", "redact_query", "secret_param"]

logger = logging.getLogger("cartkit.access")

SECRET_QUERY = (
    "token",
    "key",
    "secret",
    "password",
    "signature",
    "auth",
    "credential",
    "assertion",
)
"""Query parameter names holding one of these words are credentials: their values are masked."""
SECRET_NAMES = frozenset({"sig", "code", "hmac", "jwt", "otp", "pin"})
"""Query parameter names that are credentials themselves (an OAuth ``code``, a URL ``sig``)."""
# Control characters, C1 controls and Unicode line separators, shown escaped: a request cannot
# write a line of its own into the log (``%0A`` in a path is a newline once decoded).
_CONTROLS = {
    code: f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}"
    for code in (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029)
}


def secret_param(name: str) -> bool:
    """Whether the query parameter *name* holds a credential (its value is masked)."""
    lowered = name.lower()
    return lowered in SECRET_NAMES or any(word in lowered for word in SECRET_QUERY)


def printable(text: str) -> str:
    """*text* with control characters and line separators escaped (``\\x0a``)."""
    return text.translate(_CONTROLS)


_ADMIN = "/__cartkit/"
_PREFLIGHT = b"access-control-request-method"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]


def redact_query(query: str) -> str:
    """*query* with the values of credential-like parameters masked."""
    if not query:
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode(
        [(k, "***" if secret_param(k) else v) for k, v in pairs],
        safe='[]*,:|"()',
    )


class AccessLog:
    """ASGI middleware: one line per request (method, path, status, duration); no secrets.

    With a *journal*, every request to a vendor's endpoints (not the admin API's, not a CORS
    preflight) is also kept there, for ``GET /__cartkit/requests``.

    Args:
        app: the application behind it.
        journal: where to keep requests (``None``: nowhere).
        vendor_of: the vendor a path belongs to (``None``: no vendor's).
    """

    def __init__(
        self,
        app: ASGIApp,
        journal: Journal | None = None,
        vendor_of: Callable[[str], str | None] = lambda path: None,
    ) -> None:
        self.app = app
        self.journal = journal
        self.vendor_of = vendor_of

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 0

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            elapsed = (time.perf_counter() - start) * 1000
            if self.journal is not None:
                self._keep(scope, status, elapsed)
            if logger.isEnabledFor(logging.INFO):
                self._log(scope, status, elapsed)

    def _keep(self, scope: Scope, status: int, elapsed: float) -> None:
        path = scope["path"]
        if path.startswith(_ADMIN):
            return
        headers = scope["headers"]
        if scope["method"] == "OPTIONS" and any(n == _PREFLIGHT for n, _ in headers):
            return
        assert self.journal is not None
        self.journal.record(
            (
                time.time(),
                scope["method"],
                path,
                scope.get("query_string", b""),
                status,
                elapsed,
                self.vendor_of(path),
                scope.get("cartkit.scenario"),
                headers,
            )
        )

    @staticmethod
    def _log(scope: Scope, status: int, elapsed: float) -> None:
        query = redact_query(scope.get("query_string", b"").decode("latin-1"))
        target = printable(scope["path"] + (f"?{query}" if query else ""))
        logger.info("%s %s %d %.1fms", printable(scope["method"]), target, status, elapsed)
