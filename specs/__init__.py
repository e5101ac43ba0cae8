"""The five vendor OpenAPI documents cartkit is built on, shipped as package data.

>>> from cartkit import specs
>>> specs.VENDORS
('shopimind', 'nextcommerce', 'elasticpath', 'epages', 'stateset')
>>> specs.load("stateset")["paths"]["/v1/carts"]["get"]["operationId"]
'listCarts'
"""

from __future__ import annotations

import copy
import difflib
import functools
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .schema import (
    SecurityScheme,
    json_schema,
    parameters,
    resolve,
    response_headers,
    security_scheme,
)

__all__ = [
    "VENDORS",
    "SecurityScheme",
    "UnknownVendorError",
    "json_schema",
    "load",
    "operation",
    "parameters",
    "path",
    "resolve",
    "response_headers",
    "security_scheme",
    "tokens",
]

VENDORS: tuple[str, ...] = ("shopimind", "nextcommerce", "elasticpath", "epages", "stateset")


class UnknownVendorError(ValueError):
    """A vendor name that cartkit does not know; the message lists the known ones."""

    def __init__(self, name: str) -> None:
        self.name = name
        close = difflib.get_close_matches(name.lower(), VENDORS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        super().__init__(f"unknown vendor {name!r}{hint} (known vendors: {', '.join(VENDORS)})")


def _check(vendor: str) -> str:
    if vendor not in VENDORS:
        raise UnknownVendorError(vendor)
    return vendor


def path(vendor: str) -> Path:
    """Return the filesystem path of *vendor*'s OpenAPI YAML document.

    Raises:
        UnknownVendorError: *vendor* is not one of :data:`VENDORS`.
    """
    _check(vendor)
    return Path(str(resources.files(__name__).joinpath(f"{vendor}.yaml")))


@functools.cache
def _load(vendor: str) -> dict[str, Any]:
    with path(vendor).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load(vendor: str) -> dict[str, Any]:
    """Return *vendor*'s OpenAPI document as a fresh dict (safe to mutate).

    Raises:
        UnknownVendorError: *vendor* is not one of :data:`VENDORS`.
    """
    return copy.deepcopy(_load(_check(vendor)))


@functools.cache
def _load_tokens(vendor: str) -> dict[str, Any] | None:
    file = resources.files(__name__).joinpath("tokens", f"{vendor}.yaml")
    if not file.is_file():
        return None
    with file.open(encoding="utf-8") as fh:
        document: dict[str, Any] = yaml.safe_load(fh)
    return document


def tokens(vendor: str) -> dict[str, Any] | None:
    """Return *vendor*'s token-endpoint document as a fresh dict, or ``None`` when the vendor
    documents no token step a client takes before listing carts (a static key, a token issued
    out of band).

    Raises:
        UnknownVendorError: *vendor* is not one of :data:`VENDORS`.
    """
    return copy.deepcopy(_load_tokens(_check(vendor)))


def operation(spec: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """Return ``(path, method, operation)`` of the single list-carts operation in *spec*."""
    ((route, item),) = spec["paths"].items()
    ((method, op),) = ((m, o) for m, o in item.items() if m in _METHODS)
    return route, method, op


_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})
