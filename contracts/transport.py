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

__all__ = ["ASGIBridge"]


class ASGIBridge(httpx.BaseTransport):
    """Drive an ASGI app from synchronous code, in memory, one short event loop per request.

    A loop per request (about half a millisecond) rather than a long-lived loop thread: a
    forgotten :meth:`Target.close` then cannot keep the interpreter from exiting.
    """

    def __init__(self, app: Any, timeout: float) -> None:
        # A crashing app answers 500, as a real server would, instead of raising into the check.
        self._transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self._timeout = timeout

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
        try:
            with anyio.fail_after(self._timeout):
                response = await self._transport.handle_async_request(request)
                body = await response.aread()
        except TimeoutError:
            raise httpx.ReadTimeout(f"no answer within {self._timeout}s", request=request) from None
        return httpx.Response(
            response.status_code, headers=response.headers, stream=httpx.ByteStream(body)
        )
