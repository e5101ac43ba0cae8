"""The web console: a page at ``/__cartkit/`` to see and steer the mock from a browser.

The page is static (``mockserver/console/``: HTML, CSS, plain JavaScript modules and a vendored
Swagger UI, shipped as package data) and only a client: it reads and steers the mock through
the admin API (:mod:`.admin`) and calls the vendors' own endpoints, so a script can do all it
does. It is served from this package, and its Content-Security-Policy lets it reach only the
mock itself: no CDN, no web font, no request leaving the machine.

Where the admin API is off (a non-loopback ``--host`` without ``--admin-token``) the page is
still served and says so; with a token it asks for it. ``--no-console`` leaves the routes out.
The routes come after the vendors' and add no middleware, so the vendors' endpoints pay nothing
for them.
"""

from __future__ import annotations

import functools
from importlib import resources

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from .config import MockConfig

__all__ = ["ASSETS", "CONSOLE_PATH", "Console"]

CONSOLE_PATH = "/__cartkit/"
"""Where the page is served."""

ASSETS = "console"
"""The package folder holding the page's files, served under ``/__cartkit/console/``."""

_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",  # Swagger UI's icons are data: URIs
        "style-src 'self' 'unsafe-inline'",  # Swagger UI sets style attributes
        "script-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
"""The page may load and call only the mock (the origin it came from)."""


class Console:
    """The console's routes for one mock.

    Args:
        config: the mock's settings (``console`` turns it off; in all-vendor mode ``/``
            redirects to the page, as no vendor is served there).
    """

    def __init__(self, config: MockConfig) -> None:
        self.config = config

    def routes(self) -> list[BaseRoute]:
        """The page, its files and the ``/`` redirect; none with ``--no-console``."""
        if not self.config.console:
            return []
        routes: list[BaseRoute] = [
            Route(CONSOLE_PATH, self._page, methods=["GET"]),
            Mount(
                CONSOLE_PATH + ASSETS,
                app=StaticFiles(packages=[(__package__ or "cartkit.mockserver", ASSETS)]),
            ),
        ]
        if not self.config.at_root:
            routes.append(Route("/", self._home, methods=["GET"]))
        return routes

    async def _page(self, request: Request) -> Response:
        headers = {
            "Content-Security-Policy": _POLICY,
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        }
        return Response(_page(), media_type="text/html; charset=utf-8", headers=headers)

    async def _home(self, request: Request) -> Response:
        return RedirectResponse(CONSOLE_PATH, status_code=302)


@functools.cache
def _page() -> bytes:
    """The page's HTML (package data, read once)."""
    return resources.files(__package__).joinpath(ASSETS).joinpath("index.html").read_bytes()
