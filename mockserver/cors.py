"""Cross-origin requests: browser apps on another origin can call the mock and read its answers.

A page on ``http://localhost:3000`` calling ``http://127.0.0.1:8000`` is cross-origin. Any call
carrying a credential header (``Authorization``, ``spm-api-key``, ``X-29next-API-Version``, ...)
is *preflighted*: the browser first sends an ``OPTIONS`` with ``Origin`` and
``Access-Control-Request-Method`` and gives up unless the answer allows the call. Then it hides
the real response from the page unless that carries ``Access-Control-Allow-Origin``, and hides
every non-safelisted response header unless ``Access-Control-Expose-Headers`` names it.

So, for an allowed origin (any origin by default):

- :class:`Preflights` answers a preflight to a served path with 204: it is not an API call, so it
  never reaches credential checks, fault injection or the answer memory. It allows the path's
  own methods and whatever headers the browser asks for, cached by the browser for
  :data:`MAX_AGE` seconds. An ``OPTIONS`` that is not a preflight goes on to the routes, which
  answer 405 with ``Allow``;
- every other answer, errors and injected faults included, gets :meth:`CorsPolicy.apply`: the
  origin echoed (with ``Vary: Origin`` and ``Access-Control-Allow-Credentials: true``, so
  ``credentials: 'include'`` works: browsers refuse the wildcard ``*`` for credentialed calls),
  and every response header the vendor's spec documents exposed (rate-limit headers,
  ``Retry-After``, ...).

The policy is applied where answers are made (the vendor pipeline, before an answer is
remembered, and each other endpoint), not by a middleware wrapping every response: a
remembered answer then already carries its origin's headers, so CORS costs a repeated request
nothing. Starlette's ``CORSMiddleware`` is not used for the same reason, and because it answers
preflights 200 for any path (served or not), with one list of methods and one of exposed headers
for the whole app; these differ per path and per vendor here.

Fetch standard, CORS protocol: https://fetch.spec.whatwg.org/#http-cors-protocol
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, MutableMapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match

__all__ = ["MAX_AGE", "CorsPolicy", "Preflights", "origin_error"]

MAX_AGE = 600
"""Seconds a browser may reuse a preflight answer (Chromium caps this at 7200)."""

_REMEMBERED = 1024  # origins whose headers a policy keeps ready

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]
Headers = tuple[tuple[bytes, bytes], ...]
Endpoint = Callable[[Request], Awaitable[Response]]


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


class CorsPolicy:
    """Which origins may read answers, and the headers an answer then carries.

    Args:
        origins: the allowed origins; empty allows any origin.
        exposed: the response headers a page may read (those the vendor's spec documents).
    """

    def __init__(self, origins: Iterable[str] = (), exposed: Iterable[str] = ()) -> None:
        self.origins = frozenset(o.rstrip("/") for o in origins)
        names = ", ".join(sorted(set(exposed), key=str.lower))
        self._expose: Headers = (
            ((b"access-control-expose-headers", names.encode()),) if names else ()
        )
        self._ready: dict[bytes, Headers | None] = {}

    def allowed(self, origin: bytes) -> bool:
        """True when a page on *origin* may read the answers."""
        return not self.origins or origin.decode("latin-1").rstrip("/") in self.origins

    def headers(self, origin: bytes) -> Headers | None:
        """What an answer to *origin* carries (``Vary`` first); ``None`` for an origin not
        allowed, whose page then cannot read the answer. Built once per origin."""
        if origin in self._ready:
            return self._ready[origin]
        found: Headers | None = None
        if self.allowed(origin):
            found = (
                (b"vary", b"Origin"),
                (b"access-control-allow-origin", origin),
                (b"access-control-allow-credentials", b"true"),
                *self._expose,
            )
        if len(self._ready) >= _REMEMBERED:  # bounded: origins come from requests
            self._ready.clear()
        self._ready[origin] = found
        return found

    def apply(self, request: Request, response: Response) -> Response:
        """*response* (a fresh one, not yet shared) marked readable by the request's origin."""
        origin = request.headers.get("origin")
        if origin is None:  # not a cross-origin call from a browser
            return response
        extra = self.headers(origin.encode("latin-1"))
        if extra is not None:
            headers = response.raw_headers
            vary = next((i for i, (name, _) in enumerate(headers) if name == b"vary"), None)
            if vary is None:
                headers.extend(extra)
            else:  # the answer already varies on something: it now varies on Origin too
                name, value = headers[vary]
                if b"origin" not in value.lower():
                    headers[vary] = (name, value + b", Origin")
                headers.extend(extra[1:])
        return response

    def endpoint(self, endpoint: Endpoint) -> Endpoint:
        """*endpoint* with :meth:`apply` on every answer it makes."""

        async def readable(request: Request) -> Response:
            return self.apply(request, await endpoint(request))

        return readable


class Preflights:
    """ASGI middleware answering CORS preflights; every other request passes untouched.

    Args:
        app: the application behind it.
        routes: the app's routes; a preflight is answered only for a path one of them serves,
            allowing that route's methods.
        policy: which origins are allowed.
    """

    def __init__(self, app: ASGIApp, *, routes: Sequence[BaseRoute], policy: CorsPolicy) -> None:
        self.app = app
        self.routes = routes
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "OPTIONS":
            requested = dict(scope["headers"])
            origin = requested.get(b"origin")
            if origin is not None and b"access-control-request-method" in requested:
                methods = self._methods(scope)
                if methods is not None:
                    await self._preflight(send, origin, requested, methods)
                    return
        await self.app(scope, receive, send)

    def _methods(self, scope: Scope) -> list[str] | None:
        """The methods of the route serving this path; ``None`` when no route serves it."""
        for route in self.routes:
            match, _ = route.matches(scope)
            if match is not Match.NONE:
                return sorted(getattr(route, "methods", None) or ())
        return None

    async def _preflight(
        self, send: Any, origin: bytes, requested: dict[bytes, bytes], methods: list[str]
    ) -> None:
        headers = [
            (b"vary", b"Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
        ]
        if not self.policy.allowed(origin):
            # No Access-Control-Allow-Origin: the browser refuses the call; the body says why
            # (Chromium shows it in the network panel).
            body = (
                f"cartkit: origin {origin.decode('latin-1')!r} is not allowed; the mock allows "
                f"{', '.join(sorted(self.policy.origins))} (--cors-origin)"
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


async def _respond(send: Any, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
