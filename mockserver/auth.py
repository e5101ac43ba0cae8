"""Credentials read as the spec's security scheme says, checked as the mock was told to.

By default any well-formed credential is accepted (a front-end developer's token of choice
works); ``--token``/``--api-key`` make the mock accept only that value. Vendors decide what a
refusal looks like; this module only says which refusal it is.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cartkit import specs

from .errors import ApiError, Problem

__all__ = ["SECRET_HEADERS", "AuthScheme", "masked", "redact"]

_BEARER = re.compile(r"bearer[ \t]+(\S(?:.*\S)?)", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True, slots=True)
class AuthScheme:
    """How one vendor's credential travels and what shape it must have."""

    header: str  # the header carrying the credential
    bearer: bool  # ``Authorization: Bearer <token>`` rather than a raw key
    pattern: re.Pattern[str] | None  # shape the credential must match, from x-cartkit-pattern
    expected: str | None = None  # the only credential accepted, when configured

    @classmethod
    def from_spec(
        cls, spec: Mapping[str, Any], operation: Mapping[str, Any], *, expected: str | None = None
    ) -> AuthScheme:
        """Read the operation's (first) security requirement from *spec*."""
        scheme = specs.security_scheme(spec, operation)
        return cls(
            header=scheme.header,
            bearer=scheme.bearer,
            pattern=re.compile(scheme.pattern) if scheme.pattern else None,
            expected=expected,
        )

    def authenticate(self, headers: Mapping[str, str]) -> str:
        """Return the credential carried by *headers*.

        Raises:
            ApiError: ``MISSING_CREDENTIALS`` when absent, ``INVALID_CREDENTIALS`` when malformed
                or not the configured value.
        """
        raw = headers.get(self.header)
        if raw is None or not raw.strip():
            raise ApiError(
                Problem.MISSING_CREDENTIALS, f"Missing credentials: send the {self.header} header"
            )
        credential = raw.strip()
        if self.bearer:
            match = _BEARER.fullmatch(credential)
            if match is None:
                raise ApiError(
                    Problem.INVALID_CREDENTIALS,
                    f"Malformed {self.header} header: expected 'Bearer <token>'",
                )
            credential = match.group(1)
        shape = f"Bearer {credential}" if self.bearer and self._pattern_has_scheme else credential
        if self.pattern is not None and not self.pattern.fullmatch(shape):
            raise ApiError(
                Problem.INVALID_CREDENTIALS,
                f"Malformed credentials in {self.header}: expected {self.pattern.pattern}",
            )
        if self.expected is not None and not hmac.compare_digest(
            credential.encode(), self.expected.encode()
        ):
            raise ApiError(Problem.INVALID_CREDENTIALS, "Invalid credentials")
        return credential

    @property
    def _pattern_has_scheme(self) -> bool:
        # ePages documents its pattern on the whole header value ('^Bearer .+').
        return self.pattern is not None and self.pattern.pattern.lstrip("^").startswith("Bearer")


SECRET_HEADERS: frozenset[str] = frozenset(
    {
        "authorization",
        "spm-api-key",
        "ep-account-management-authentication-token",
        "x-moltin-customer-token",
        "cookie",
        "proxy-authorization",
    }
)


def redact(name: str, value: str) -> str:
    """*value* with any secret masked, for logs and reports (keeps the scheme word)."""
    if name.lower() not in SECRET_HEADERS:
        return value
    return masked(value.encode("latin-1")).decode("latin-1")


def masked(secret: bytes) -> bytes:
    """A secret header's value masked: ``Bearer ***`` (the scheme word kept), else ``***``."""
    scheme, _, rest = secret.partition(b" ")
    if rest and scheme.lower() in (b"bearer", b"basic"):
        return scheme + b" ***"
    return b"***"
