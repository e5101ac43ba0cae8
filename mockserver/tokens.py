"""What every vendor's token endpoints share: tokens, request bodies and client credentials.

The mock keeps no session state: a token it issues is *derived* from the request (an HMAC keyed
by the seed and vendor), so every worker of ``--workers N`` issues the same token for the same
request and recognises any token another worker issued, and nothing grows while the mock runs.

- :meth:`Issuer.opaque` mints the opaque access tokens vendors hand out (40 hex characters, as
  Elastic Path's look) that still say which *kind* they are (an implicit or a client-credentials
  token, a token with or without a scope), so the list endpoint can treat them as the vendor does;
- :meth:`Issuer.seal` signs claims into a JWT (PyJWT, HS256): shopper tokens (Elastic Path's
  customer tokens are JWTs) and authorization codes and refresh tokens that must carry what they
  were issued for (client, redirect URI, scope).

A mock started with ``--token T`` hands out ``T`` from every access-token grant, so the token an
app obtains is the one the list endpoint accepts; ``--client-id``/``--client-secret`` make the
grants check the client's credentials.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import jwt
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .config import MockConfig
from .errors import ApiError, Problem
from .validation import Body

if TYPE_CHECKING:
    from .vendor import Vendor

__all__ = ["Issuer", "TokenEndpoints", "expires"]

logger = logging.getLogger("cartkit.mock")

Handler = Callable[[Request], Awaitable[Response]]

_HALF = 10  # bytes in each half of an opaque token: 20 hex characters of head, 20 of tag


class Issuer:
    """Deterministic tokens for one vendor of one mock.

    Args:
        config: the mock's settings (seed, ``--token``, ``--client-id``, ``--client-secret``).
        vendor: the vendor's name; each vendor signs with its own key.
    """

    def __init__(self, config: MockConfig, vendor: str) -> None:
        self.key = hashlib.sha256(f"cartkit-tokens:{config.seed}:{vendor}".encode()).digest()
        self.fixed = config.token
        self.client_id = config.client_id
        self.client_secret = config.client_secret
        self.issuer = f"cartkit-{vendor}"

    # -- opaque access tokens ----------------------------------------------------------------

    def opaque(self, kind: str, *parts: str) -> str:
        """A 40-hex token for *parts* that :meth:`kind_of` recognises as *kind*."""
        head = self._mac("head", kind, *parts)[:_HALF]
        return (head + self._mac("kind", kind, head.hex())[:_HALF]).hex()

    def kind_of(self, token: str, kinds: Iterable[str]) -> str | None:
        """Which of *kinds* this mock issued *token* as (``None``: not one of its tokens)."""
        if len(token) != 4 * _HALF:
            return None
        try:
            raw = bytes.fromhex(token)
        except ValueError:
            return None
        head, tag = raw[:_HALF], raw[_HALF:]
        for kind in kinds:
            if hmac.compare_digest(self._mac("kind", kind, head.hex())[:_HALF], tag):
                return kind
        return None

    def access_token(self, kind: str, *parts: str) -> str:
        """The access token a grant hands out: ``--token`` when set, else :meth:`opaque`."""
        return self.fixed if self.fixed is not None else self.opaque(kind, *parts)

    # -- signed claims ---------------------------------------------------------------------

    def seal(self, kind: str, claims: Mapping[str, Any]) -> str:
        """*claims* signed as a JWT of type *kind* (deterministic: no time claims)."""
        return jwt.encode({"iss": self.issuer, "typ": kind, **claims}, self.key, algorithm="HS256")

    def unseal(self, token: str, kind: str) -> dict[str, Any] | None:
        """The claims of a JWT this mock sealed as *kind*; ``None`` for any other string."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token, self.key, algorithms=["HS256"], issuer=self.issuer
            )
        except jwt.PyJWTError:
            return None
        return claims if claims.get("typ") == kind else None

    # -- client credentials ----------------------------------------------------------------

    def check_client(
        self, client_id: str | None, client_secret: str | None = None, *, secret: bool = True
    ) -> None:
        """Refuse client credentials other than ``--client-id``/``--client-secret``, if given.

        Any client is accepted unless those were given. *secret* is false for grants that send
        no secret (a public client: Elastic Path's implicit grant).

        Raises:
            ApiError: ``INVALID_CREDENTIALS`` naming the refused field.
        """
        if self.client_id is not None and not _same(client_id, self.client_id):
            raise ApiError(
                Problem.INVALID_CREDENTIALS,
                f"Unknown client_id {_clip(client_id)!r}",
                param="client_id",
            )
        expected = self.client_secret if secret else None
        if expected is not None and not _same(client_secret, expected):
            raise ApiError(
                Problem.INVALID_CREDENTIALS, "Invalid client_secret", param="client_secret"
            )

    def _mac(self, *parts: str) -> bytes:
        return hmac.new(self.key, "\x00".join(parts).encode(), hashlib.sha256).digest()


class TokenEndpoints(ABC):
    """One vendor's token endpoints, served beside its list endpoint (under the same prefix).

    Subclasses list their routes in :meth:`routes`, built with :meth:`route`; each operation's
    request body is validated against the vendor's token document (``specs/tokens/``), so the
    mock and that document cannot drift apart. Refusals are :class:`ApiError` s rendered by
    :meth:`error` (the vendor's envelope unless overridden).
    """

    def __init__(self, vendor: Vendor) -> None:
        self.vendor = vendor
        self.issuer = vendor.issuer
        spec = vendor.token_spec
        assert spec is not None, f"{vendor.name} has no token document"
        self.spec = spec

    @abstractmethod
    def routes(self) -> list[Route]:
        """The token routes, with the vendor's prefix."""

    def error(self, error: ApiError) -> Response:
        """Render a refusal (the vendor's list-endpoint envelope by default)."""
        return self.vendor.error(error)

    def body(self, path: str) -> Body:
        """The compiled request-body schema of ``POST path`` in the token document."""
        return Body.from_spec(self.spec, path)

    def route(self, path: str, handler: Handler, method: str = "POST") -> Route:
        """A route for *handler* at the vendor's *path*, refusals rendered by :meth:`error`."""

        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request)
            except ApiError as exc:
                return self.error(exc)
            except Exception:
                logger.exception("unexpected error answering %s %s", method, request.scope["path"])
                return self.error(ApiError(Problem.SERVER_ERROR, "Internal server error"))

        return Route(self.vendor.prefix + path, self.vendor.readable(endpoint), methods=[method])


def expires(seconds: int) -> int:
    """The Unix time *seconds* from now, on the real clock: when a token issued now expires.

    Token lifetimes follow the wall clock, not ``--now``: SDKs compare ``expires`` with the
    browser's clock, and a token already expired on arrival would be fetched again per call.
    """
    return int(time.time()) + seconds


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def _clip(text: str | None, size: int = 60) -> str:
    text = text or ""
    return text if len(text) <= size else text[:size] + "…"
