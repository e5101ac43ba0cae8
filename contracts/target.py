"""The system under test: a vendor's contract, where it is served, and the credentials to use.

A target is "a base URL or an ASGI app", nothing else: the oracle never looks inside the server,
so it checks a real vendor, a proxy or cartkit's mock unchanged. Both kinds are driven through
the same :class:`httpx.Client` (an ASGI app through an in-memory transport), rate-limited,
counted and read within the size and time limits (:mod:`.reading`), and the vendor's auth and
required headers are built from the spec's security scheme.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from .credentials import MIN_SECRET, PLACEHOLDERS, SHOPPER_HEADERS, Credentials, masked_url
from .errors import ConfigError
from .reading import DEFAULT_MAX_BODY_MB, Breaker, GaveUp, Limits, receive
from .report import curl
from .spec import Contract, TokenDocument
from .transport import ASGIBridge

__all__ = ["Target"]

Params = Mapping[str, Any] | Sequence[tuple[str, Any]]

ASGI_BASE_URL = "http://testserver"
DEFAULT_SHOP_ID = "DemoShop"  # the shop of the ePages docs' examples


class Target:
    """A server claiming to implement *vendor*'s list-carts endpoint.

    Args:
        vendor: one of ``specs.VENDORS``.
        base_url: ``scheme://host[/prefix]``; the vendor's own path (from the spec) is appended.
        app: an ASGI app to test in-process instead of a URL (``base_url`` then defaults to
            ``http://testserver``).
        auth: :class:`Credentials` or a mapping of its field names.
        rate_limit: at most this many requests per second (``None``: unlimited).
        timeout: seconds to wait for one response (for any read, and again for its whole body).
        max_body_mb: the largest body read, in MiB; a larger one fails the request.

    Raises:
        ConfigError: unknown vendor, neither or a malformed ``base_url``, missing credential.
    """

    def __init__(
        self,
        vendor: str,
        *,
        base_url: str | None = None,
        app: Any = None,
        auth: Credentials | Mapping[str, str | None] | None = None,
        rate_limit: float | None = None,
        timeout: float = 10.0,
        max_body_mb: float = DEFAULT_MAX_BODY_MB,
    ) -> None:
        self.contract = Contract(vendor)
        self.vendor = vendor
        self.app = app
        self.credentials = Credentials.coerce(auth)
        if base_url is None and app is None:
            raise ConfigError("give the server to check: a base URL (--url) or an ASGI app")
        self.base_url = _normalise(base_url or ASGI_BASE_URL)
        if rate_limit is not None and rate_limit <= 0:
            raise ConfigError(f"rate limit must be > 0 requests/s, got {rate_limit!r}")
        self.rate_limit = rate_limit
        if timeout <= 0 or max_body_mb <= 0:
            raise ConfigError(
                f"timeout and max_body_mb must be > 0, got {timeout!r} and {max_body_mb!r}"
            )
        self.timeout = timeout
        self.limits = Limits(max_body_mb=max_body_mb, timeout=timeout)
        self.breaker = Breaker()  # gives up on a server whose answers stop coming
        self.probe_error: httpx.TransportError | None = None  # what the first request met
        self._check_credentials()
        self._issued: dict[str, str] = {}  # credentials the checks obtained -> shell variable
        self.requests = 0
        self._lock = threading.Lock()
        self._next_slot = 0.0
        self._client: httpx.Client | None = None

    # -- what to send ----------------------------------------------------------------------

    @property
    def shop_id(self) -> str:
        """The ePages shop (``DemoShop`` unless given)."""
        return self.credentials.shop_id or DEFAULT_SHOP_ID

    @property
    def path(self) -> str:
        """The vendor's path with path parameters filled in (``/rs/shops/DemoShop/carts``)."""
        return self._path(self.shop_id)

    @property
    def url(self) -> str:
        """The absolute URL of the list-carts endpoint."""
        return self.base_url + self.path

    def url_for(self, shop_id: str) -> str:
        """The endpoint's URL for another shop (ePages), such as one that cannot exist."""
        return self.base_url + self._path(shop_id)

    def url_of(self, route: str, shop_id: str | None = None) -> str:
        """The absolute URL of another documented *route* on this server (a token endpoint),
        path parameters filled with the shop (or *shop_id*)."""
        # Every path parameter of cartkit's documents is the shop (ePages' shopId).
        shop = quote(shop_id or self.shop_id, safe="")
        return self.base_url + re.sub(r"\{[^}]+\}", shop, route)

    @functools.cached_property
    def tokens(self) -> TokenDocument | None:
        """The vendor's token document (``None``: static keys, no token step)."""
        return TokenDocument.load(self.vendor)

    def _path(self, shop_id: str) -> str:
        path = self.contract.route
        for name in self.contract.path_parameters():
            path = path.replace("{" + name + "}", quote(shop_id, safe=""))
        return path

    def auth_headers(self) -> dict[str, str]:
        """The credential header(s) of the vendor's security scheme."""
        security = self.contract.security
        if security.bearer:
            return {security.header: f"Bearer {self.credentials.token}"}
        return {security.header: str(self.credentials.api_key)}

    def extra_headers(self) -> dict[str, str]:
        """Required headers, optional shopper tokens and the documented ``Accept`` type."""
        headers = dict(self.contract.required_headers())
        for header, field in SHOPPER_HEADERS.items():
            value = getattr(self.credentials, field)
            if header in self.contract.parameters and value:
                headers[header] = value
        media = self.contract.media_types(200)
        if media:
            headers["Accept"] = ", ".join(media)
        return headers

    def headers(self) -> dict[str, str]:
        """Everything a well-formed, authenticated request carries."""
        return {**self.extra_headers(), **self.auth_headers()}

    def placeholders(self, request: httpx.Request | None = None) -> dict[str, str]:
        """Header name -> the value a reproducing ``curl`` shows instead of the secret.

        With *request*, only for the headers that carry the configured credential as it is: a
        value a check made up on purpose (``auth.malformed``'s ``Basic ...``, a spec's example
        shopper token) is no secret, and the curl must send what was sent.
        """
        out = {}
        security = self.contract.security
        if security.bearer:
            out[security.header] = f"Bearer {PLACEHOLDERS['token']}"
        else:
            out[security.header] = PLACEHOLDERS["api_key"]
        for header, field in SHOPPER_HEADERS.items():
            out[header] = PLACEHOLDERS[field]
        if request is None:
            return out
        real = {**self.auth_headers(), **self.extra_headers()}
        return {
            header: placeholder
            for header, placeholder in out.items()
            if header in real and request.headers.get(header) == real[header]
        }

    def curl(self, request: httpx.Request) -> str:
        """A ``curl`` command reproducing *request*, credentials shown as shell variables."""
        return curl(request, self.placeholders(request), self.variables())

    def secrets(self) -> list[str]:
        """Credential values to mask wherever they might show up (obtained ones included)."""
        return list(self.variables())

    def variables(self) -> dict[str, str]:
        """Secret value -> the shell variable a reproducing ``curl`` shows instead of it."""
        out = {}
        for name, placeholder in PLACEHOLDERS.items():
            value = getattr(self.credentials, name)
            if value and len(value) >= MIN_SECRET:
                out[value] = placeholder
        return {**out, **self._issued}

    def remember(self, value: str, variable: str) -> None:
        """Mask a credential a check obtained (an issued token); curl lines show ``$variable``."""
        if value and len(value) >= MIN_SECRET and value not in self.variables():
            self._issued[value] = f"${variable}"

    @contextmanager
    def acting_as(self, **changes: str | None) -> Iterator[Target]:
        """Send with other credentials for a while (a token a check obtained), then restore.

        The client, rate limit and request count stay shared, so the run's budget holds.
        """
        saved = self.credentials
        self.credentials = replace(saved, **changes)
        try:
            yield self
        finally:
            self.credentials = saved

    # -- sending ---------------------------------------------------------------------------

    @property
    def client(self) -> httpx.Client:
        """The HTTP client (created on first use)."""
        if self._client is None:
            transport = ASGIBridge(self.app, self.limits) if self.app is not None else None
            self._client = httpx.Client(
                transport=transport, timeout=self.timeout, follow_redirects=False
            )
        return self._client

    def get(
        self,
        params: Params = (),
        *,
        headers: Mapping[str, str] | None = None,
        url: str | None = None,
    ) -> httpx.Response:
        """GET the endpoint (or *url*, e.g. a next link) with *params* and *headers*.

        *headers* replaces :meth:`headers` entirely, so an auth check can drop the credential.
        """
        request = self.client.build_request(
            "GET",
            url or self.url,
            params=None if url else _pairs(params),
            headers=self.headers() if headers is None else dict(headers),
        )
        return self.send(request)

    def send(self, request: httpx.Request) -> httpx.Response:
        """Send *request*, honouring the rate limit, and count it; read the answer within
        :attr:`limits` (see :func:`~cartkit.contracts.reading.receive` for what it raises)."""
        if (reason := self.breaker.reason) is not None:
            raise GaveUp(reason, request=request)  # not sent, not counted
        self._wait_for_slot()
        with self._lock:
            self.requests += 1
        return receive(self.client, request, self.limits, self.breaker)

    def _wait_for_slot(self) -> None:
        if self.rate_limit is None:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot)
            self._next_slot = slot + 1.0 / self.rate_limit
        if slot > now:
            time.sleep(slot - now)

    def probe(self) -> httpx.Response | None:
        """One authenticated request, to fail early on a wrong URL, shop or credential.

        A server that accepts the connection but then answers nothing usable (closes it, times
        out, sends too much) is no usage error: the checks report it; ``None`` is returned and
        the error kept in :attr:`probe_error`.

        Raises:
            ConfigError: the server cannot be reached, or answers 404 / refuses the credential.
        """
        try:
            response = self.get()
        except _UNREACHABLE as exc:
            raise ConfigError(
                f"cannot reach {self.url!r}: {exc or type(exc).__name__}; is the server running "
                "and the base URL right?"
            ) from None
        except httpx.TransportError as exc:
            self.probe_error = exc
            return None
        if response.status_code == 404:
            hint = (
                f" (unknown shop {self.shop_id!r}? pass --shop-id)"
                if self.contract.path_parameters()
                else " (is the base URL right? cartkit's all-vendor mock needs the vendor prefix, "
                f"e.g. http://127.0.0.1:8000/{self.vendor})"
            )
            raise ConfigError(f"GET {self.url} answered 404{hint}")
        if response.status_code in (401, 403):
            option = "--token" if self.contract.security.bearer else "--api-key"
            raise ConfigError(
                f"GET {self.url} refused the credential ({response.status_code}); check {option}"
            )
        return response

    def close(self) -> None:
        """Release the HTTP client."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> Target:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_credentials(self) -> None:
        security = self.contract.security
        if security.bearer and not self.credentials.token:
            raise ConfigError(
                f"{self.vendor} needs a bearer token: pass --token or set CARTKIT_TOKEN"
            )
        if not security.bearer and not self.credentials.api_key:
            raise ConfigError(
                f"{self.vendor} needs an API key ({security.header}): pass --api-key or set "
                "CARTKIT_API_KEY"
            )
        login = (self.credentials.customer_email, self.credentials.customer_password)
        if any(login) and not all(login):
            raise ConfigError(
                "a customer login needs both --customer-email and --customer-password"
            )
        shoppers = [
            field
            for header, field in SHOPPER_HEADERS.items()
            if header in self.contract.parameters and getattr(self.credentials, field)
        ]
        if len(shoppers) > 1:
            # The vendor refuses both shopper headers at once (403), so no request could pass.
            raise ConfigError(
                f"{self.vendor} takes one shopper token: pass --customer-token or "
                "--account-token, not both"
            )


# Connection-level failures: nothing listens there (or TLS, a proxy, the scheme is wrong), a
# usage error. Anything after the connection was accepted is the server's doing.
_UNREACHABLE = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
)


def _normalise(base_url: str) -> str:
    shown = masked_url(base_url)
    try:
        parts = urlsplit(base_url)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        raise ConfigError(f"base URL {shown!r} has a malformed host or port") from None
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigError(
            f"base URL {shown!r} must be scheme://host[/prefix], "
            "e.g. http://127.0.0.1:8000/stateset"
        )
    if parts.query or parts.fragment:
        raise ConfigError(f"base URL {shown!r} must not carry a query or fragment")
    if "@" in parts.netloc:
        # httpx and requests would both send user:password@ as `Authorization: Basic ...`,
        # replacing a bearer credential; no vendor here takes Basic auth on its list.
        raise ConfigError(
            f"base URL {shown!r} must not carry credentials (user:password@): cartkit would "
            "send them as Basic auth in place of the vendor's credential; pass that with "
            "--token or --api-key"
        )
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def _pairs(params: Params) -> list[tuple[str, str | int | float | bool | None]]:
    items = params.items() if isinstance(params, Mapping) else params
    out: list[tuple[str, str | int | float | bool | None]] = []
    for key, value in items:
        for item in value if isinstance(value, list | tuple) else [value]:
            if item is None:
                continue
            out.append((key, _wire(item)))
    return out


def _wire(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
