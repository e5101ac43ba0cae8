"""Driving an ASGI app from the synchronous checks, in memory, as if it were a server.

The checks are synchronous (Hypothesis properties, Schemathesis's engine); an app under test is
async. :class:`ASGIBridge` is the :mod:`httpx` transport between them.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio
import httpx

from .reading import BodyTooLarge, Limits

__all__ = ["ASGIBridge"]


class ASGIBridge(httpx.BaseTransport):
    """Drive an ASGI app from synchronous code, in memory, one short event loop per request.

    A loop per request (about half a millisecond) rather than a long-lived loop thread: a
    forgotten :meth:`Target.close` then cannot keep the interpreter from exiting. The answer is
    held to the same *limits* as a server's: an app still sending after the size limit is
    stopped, one still running after the timeout is cancelled.
    """

    def __init__(self, app: Any, limits: Limits) -> None:
        self._app = app
        self._limits = limits

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return anyio.run(self._send, request)
        # Called from async code (an async test, a notebook): this thread's loop is busy
        # waiting on us, so the request gets a loop of its own on another thread.
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(anyio.run, self._send, request).result()

    async def _send(self, request: httpx.Request) -> httpx.Response:
        app = _Capped(self._app, self._limits.max_body)
        # A crashing app answers 500, as a real server would, instead of raising into the check.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        try:
            with anyio.fail_after(self._limits.timeout):
                response = await transport.handle_async_request(request)
                body = await response.aread()
        except TimeoutError:
            message = self._limits.too_slow("no answer")
            raise httpx.ReadTimeout(message, request=request) from None
        if app.exceeded:
            detail = f"more than {self._limits.max_body:,} bytes and still coming"
            raise BodyTooLarge(self._limits.too_large(detail), request=request)
        return httpx.Response(
            response.status_code, headers=response.headers, stream=httpx.ByteStream(body)
        )


class _Stop(Exception):
    """Raised into an app that went over the size limit, to end it."""


class _Capped:
    """*app*, stopped once its response body passes *limit* bytes."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.exceeded = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        size = 0

        async def capped(message: Any) -> None:
            nonlocal size
            if message["type"] == "http.response.body":
                size += len(message.get("body", b""))
                if size > self.limit:
                    self.exceeded = True
                    raise _Stop
            await send(message)

        await self.app(scope, receive, capped)
