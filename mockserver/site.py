"""Where this mock is reached: ``scheme://host[:port]``, as the request that reached it says.

Starlette's ``request.url`` decodes the whole query string as UTF-8 to build the URL, so a
request whose raw query holds other bytes (a client may send them unencoded) would fail there;
links and logs need the site and the path only, which are read here without touching the query.
"""

from __future__ import annotations

from starlette.requests import Request

__all__ = ["site"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


def site(request: Request) -> str:
    """``scheme://netloc`` of *request*: its ``Host`` header, else the server's address."""
    scope = request.scope
    scheme = scope.get("scheme", "http")
    for name, value in scope["headers"]:
        if name == b"host":
            return f"{scheme}://{value.decode('latin-1')}"
    server = scope.get("server")
    if server is None:
        return f"{scheme}://localhost"
    host, port = server
    netloc = host if port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    return f"{scheme}://{netloc}"
