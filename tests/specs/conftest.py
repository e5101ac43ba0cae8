"""Helpers for reading one parameter of a vendor spec in table tests."""

from __future__ import annotations

from typing import Any

from cartkit import specs
from cartkit.specs import resolve

__all__ = ["parameters", "resolve"]


def parameters(vendor: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Return the list-carts operation's parameters keyed by ``(in, name)``, refs resolved.

    Path-level and operation-level parameters are merged, the operation winning.
    """
    spec = specs.load(vendor)
    route, method, _ = specs.operation(spec)
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for param in specs.parameters(spec, route, method):
        if "schema" in param:
            param = {**param, "schema": resolve(spec, param["schema"])}
        merged[(param["in"], param["name"])] = param
    return merged
