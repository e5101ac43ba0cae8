"""Cross-origin requests: browser apps on another origin can call the mock and read its answers.

A page on ``http://localhost:3000`` calling ``http://127.0.0.1:8000`` is cross-origin. Any call
carrying a credential header (``Authorization``, ``spm-api-key``, ``X-29next-API-Version``, ...)
is *preflighted*: the browser first sends an ``OPTIONS`` with ``Origin`` and
``Access-Control-Request-Method`` and gives up unless the answer allows the call. Then it hides
the real response from the page unless that carries ``Access-Control-Allow-Origin``, and hides
every non-safelisted response header unless ``Access-Control-Expose-Headers`` names it.

So, for an allowed origin (any origin by default):

- a preflight to a served path is answered here, with 204: it is not an API call, so it never
  reaches credential checks, fault injection or the answer memory. It allows the path's own
  methods and whatever headers the browser asks for, and is cached by the browser for
  :data:`MAX_AGE` seconds;
- every other response, errors and injected faults included, echoes the origin (with
  ``Vary: Origin`` and ``Access-Control-Allow-Credentials: true``, so ``credentials: 'include'``
  works: the wildcard ``*`` is refused by browsers for credentialed calls) and exposes every
  response header the vendor's spec documents (rate-limit headers, ``Retry-After``, ...).

An ``OPTIONS`` that is not a preflight goes on to the routes, which answer 405 with ``Allow``.
Starlette's ``CORSMiddleware`` is not used: it answers preflights 200 for any path (served or
not), with one list of methods and one of exposed headers for the whole app, and these differ
per path and per vendor here.

Fetch standard, CORS protocol: https://fetch.spec.whatwg.org/#http-cors-protocol
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from starlette.routing import BaseRoute, Match

__all__ = ["MAX_AGE", "Cors", "origin_error"]

MAX_AGE = 600
"""Seconds a browser may reuse a preflight answer (Chromium caps this at 7200)."""

_REMEMBERED = 1024  # (origin, prefix) pairs whose headers are kept

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]


def origin_error(origin: str) -> str | None:
    """Why *origin* is not a browser origin (``scheme://host[:port]``), or ``None`` if it is.

    >>> origin_error("http://localhost:3000") is None
    True
    >>> origin_error("localhost:3000")
    "'localhost:3000' is not an origin; did you mean 'http://localhost:3000'?"
    """
    parts = urlsplit(origin)
    extra = parts.path.strip("/") or parts.query or parts.fragment or parts.username
    if parts.scheme in {"http", "https"} and parts.netloc and not extra:
        return None
    if "://" not in origin:
        return f"{origin!r} is not an origin; did you mean {'http://' + origin.rstrip('/')!r}?"
    return f"{origin!r} is not an origin: give scheme://host[:port], with no path"


class Cors:
    """ASGI middleware answering preflights and marking responses readable cross-origin.

    Args:
        app: the application behind it.
        routes: the app's routes; a preflight is answered only for a path one of them serves,
            allowing that route's methods.
        exposed: path prefix (``"/elasticpath"``, or ``""`` for a single vendor at the root)
            -> the response headers to expose under it.
        origins: the allowed origins; empty allows any origin.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Sequence[BaseRoute],
        exposed: Mapping[str, Iterable[str]],
        origins: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.routes = routes
        self.origins = frozenset(o.rstrip("/") for o in origins)
        self.exposed = {
            prefix: ", ".join(sorted(set(names), key=str.lower)).encode("latin-1")
            for prefix, names in exposed.items()
        }
        self._root = self.exposed.get("")
        self._answers: dict[tuple[bytes, str], tuple[tuple[bytes, bytes], ...] | None] = {}

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin, preflight = None, False
        for name, value in scope["headers"]:
            if name == b"origin":
                origin = value
            elif name == b"access-control-request-method":
                preflight = True
        if origin is None:  # not a cross-origin call from a browser: nothing to do
            await self.app(scope, receive, send)
            return
        if preflight and scope["method"] == "OPTIONS":
            methods = self._methods(scope)
            if methods is not None:
                await self._preflight(scope, send, origin, self._allowed(origin), methods)
                return
        extra = self._headers(origin, scope["path"])
        if extra is None:  # an origin not allowed: answered, but unreadable by its page
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers") or []
                if any(name == b"vary" for name, _ in headers):  # Starlette's are lower case
                    headers = _vary_origin(list(headers))
                    message["headers"] = [*headers, *extra[1:]]
                else:  # a copy: a remembered answer's header list is shared between requests
                    message["headers"] = [*headers, *extra]
            await send(message)

        await self.app(scope, receive, send_with_cors)

    def _headers(self, origin: bytes, path: str) -> tuple[tuple[bytes, bytes], ...] | None:
        """The headers every answer to *origin* under *path* gets (``Vary`` first), ``None``
        when the origin is not allowed. Computed once per origin and prefix: this runs on
        every cross-origin request, remembered answers included."""
        prefix = ""
        if self._root is None:  # vendors under prefixes: "/elasticpath/v2/carts" -> "/elasticpath"
            end = path.find("/", 1)
            prefix = path if end < 0 else path[:end]
        key = (origin, prefix)
        if key in self._answers:
            return self._answers[key]
        headers: tuple[tuple[bytes, bytes], ...] | None = None
        if self._allowed(origin):
            exposed = self._root if self._root is not None else self.exposed.get(prefix)
            headers = (
                (b"vary", b"Origin"),
                (b"access-control-allow-origin", origin),
                (b"access-control-allow-credentials", b"true"),
                *(((b"access-control-expose-headers", exposed),) if exposed else ()),
            )
        if len(self._answers) >= _REMEMBERED:  # bounded: origins come from requests
            self._answers.clear()
        self._answers[key] = headers
        return headers

    def _allowed(self, origin: bytes) -> bool:
        return not self.origins or origin.decode("latin-1").rstrip("/") in self.origins

    def _methods(self, scope: Scope) -> list[str] | None:
        """The methods of the route serving this path; ``None`` when no route serves it."""
        for route in self.routes:
            match, _ = route.matches(scope)
            if match is not Match.NONE:
                return sorted(getattr(route, "methods", None) or ())
        return None

    async def _preflight(
        self, scope: Scope, send: Any, origin: bytes, allowed: bool, methods: list[str]
    ) -> None:
        requested = dict(scope["headers"])
        headers = [
            (b"vary", b"Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
        ]
        if not allowed:
            # No Access-Control-Allow-Origin: the browser refuses the call; the body says why
            # (Chromium shows it in the network panel).
            body = (
                f"cartkit: origin {origin.decode('latin-1')!r} is not allowed; the mock allows "
                f"{', '.join(sorted(self.origins))} (--cors-origin)"
            ).encode()
            headers += [(b"content-type", b"text/plain; charset=utf-8")]
            await _respond(send, 403, headers, body)
            return
        headers += [
            (b"access-control-allow-origin", origin),
            (b"access-control-allow-credentials", b"true"),
            (b"access-control-allow-methods", ", ".join(methods).encode()),
            (b"access-control-max-age", str(MAX_AGE).encode()),
        ]
        if wanted := requested.get(b"access-control-request-headers"):
            headers.append((b"access-control-allow-headers", wanted))
        if requested.get(b"access-control-request-private-network", b"").lower() == b"true":
            # Chrome's Private Network Access: a page on a public site calling a loopback mock.
            headers.append((b"access-control-allow-private-network", b"true"))
        await _respond(send, 204, headers, b"")


def _vary_origin(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """*headers* with ``Origin`` added to ``Vary`` (the answer now depends on it)."""
    for i, (name, value) in enumerate(headers):
        if name.lower() == b"vary":
            if b"origin" not in value.lower():
                headers[i] = (name, value + b", Origin")
            return headers
    headers.append((b"vary", b"Origin"))
    return headers


async def _respond(send: Any, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
