"""What a vendor may ask for, and how it is kept out of sight.

:class:`Credentials` holds every credential cartkit can send (each with a ``CARTKIT_*``
environment variable in the CLI); :data:`PLACEHOLDERS` are the shell variables a reproducing
``curl`` shows instead of their values, and :func:`masked_url` hides a ``user:password@`` in a
URL shown in a message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields

from .errors import ConfigError

__all__ = ["MIN_SECRET", "PLACEHOLDERS", "SHOPPER_HEADERS", "Credentials", "masked_url"]


@dataclass(frozen=True, slots=True)
class Credentials:
    """Everything a vendor may ask for; each field has a ``CARTKIT_*`` env-var in the CLI."""

    api_key: str | None = None  # ShopiMind spm-api-key
    token: str | None = None  # bearer token (every other vendor)
    account_token: str | None = None  # Elastic Path EP-Account-Management-Authentication-Token
    customer_token: str | None = None  # Elastic Path X-Moltin-Customer-Token
    shop_id: str | None = None  # ePages shopId path parameter
    # For the token checks (vendors with a token document); made up where not given.
    client_id: str | None = None  # the app's or storefront's OAuth client id
    client_secret: str | None = None  # its secret
    customer_email: str | None = None  # Elastic Path customer login (POST /v2/customers/tokens)
    customer_password: str | None = None
    auth_code: str | None = None  # ePages one-time installation code

    @classmethod
    def coerce(cls, auth: Credentials | Mapping[str, str | None] | None) -> Credentials:
        """Accept a :class:`Credentials`, a mapping of its field names, or ``None``."""
        if auth is None:
            return cls()
        if isinstance(auth, Credentials):
            return auth
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(auth) - known)
        if unknown:
            raise ConfigError(f"unknown credential {unknown[0]!r}; use one of {sorted(known)}")
        return cls(**dict(auth))


SHOPPER_HEADERS = {
    "X-Moltin-Customer-Token": "customer_token",
    "EP-Account-Management-Authentication-Token": "account_token",
}
"""Optional shopper headers (Elastic Path) -> the credential their value comes from."""

PLACEHOLDERS = {
    "api_key": "$CARTKIT_API_KEY",
    "token": "$CARTKIT_TOKEN",
    "account_token": "$CARTKIT_ACCOUNT_TOKEN",
    "customer_token": "$CARTKIT_CUSTOMER_TOKEN",
    "client_id": "$CARTKIT_CLIENT_ID",
    "client_secret": "$CARTKIT_CLIENT_SECRET",
    "customer_email": "$CARTKIT_CUSTOMER_EMAIL",
    "customer_password": "$CARTKIT_CUSTOMER_PASSWORD",
    "auth_code": "$CARTKIT_AUTH_CODE",
}
"""Credential -> the shell placeholder a reproducing ``curl`` shows instead of its value."""

MIN_SECRET = 3
"""Shorter values are not masked (nor replaced in curl lines): they would match by accident."""


def masked_url(url: str) -> str:
    """*url* fit to show: the password of a ``user:password@`` shown as ``***``, and a user
    without a password too (an API key may be sent that way: ``sk_test_...@``), also in a URL
    without a scheme; and every query value, which may be a key (``?api_key=...``).

    >>> masked_url("https://ada:s3cret@api.example.com/v1")
    'https://ada:***@api.example.com/v1'
    >>> masked_url("ada:s3cret@api.example.com/v1?api_key=k&limit=2")
    'ada:***@api.example.com/v1?api_key=***&limit=***'
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    # The last '@' before any query: a password may hold '/' or '@' unencoded. Only a base URL
    # the target refuses is ever shown this way, so an '@' in a path costs nothing.
    cut = re.search(r"[?#]", rest)
    head, tail = (rest[: cut.start()], rest[cut.start() :]) if cut else (rest, "")
    at = head.rfind("@")
    if at >= 0:
        user, colon, _ = head[:at].partition(":")
        head = f"{f'{user}:***' if colon else '***'}{head[at:]}"
    query, hash_, fragment = tail.partition("#")
    query = re.sub(r"([?&][^=&]*=)[^&]*", r"\1***", query)
    return f"{scheme}{sep}{head}{query}{hash_}{fragment}"
