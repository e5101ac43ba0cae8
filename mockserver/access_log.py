"""The access log: one line per request, with credentials kept out of it."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

__all__ = ["AccessLog", "redact_query"]

logger = logging.getLogger("cartkit.access")

_SECRET_QUERY_WORDS = ("token", "key", "secret", "password", "signature", "auth")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]


def redact_query(query: str) -> str:
    """*query* with the values of credential-like parameters masked."""
    if not query:
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode(
        [(k, "***" if any(w in k.lower() for w in _SECRET_QUERY_WORDS) else v) for k, v in pairs],
        safe='[]*,:|"()',
    )


class AccessLog:
    """ASGI middleware: one line per request (method, path, status, duration); no secrets."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

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
            if logger.isEnabledFor(logging.INFO):
                self._log(scope, status, (time.perf_counter() - start) * 1000)

    @staticmethod
    def _log(scope: Scope, status: int, elapsed: float) -> None:
        query = redact_query(scope.get("query_string", b"").decode("latin-1"))
        target = scope["path"] + (f"?{query}" if query else "")
        logger.info("%s %s %d %.1fms", scope["method"], target, status, elapsed)
