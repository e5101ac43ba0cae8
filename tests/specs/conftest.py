"""Helpers for reading one parameter of a vendor spec in table tests."""

from __future__ import annotations

from typing import Any

import specs


def resolve(spec: dict[str, Any], node: Any) -> Any:
    """Follow local ``$ref`` pointers until *node* is not a reference."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def parameters(vendor: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Return the list-carts operation's parameters keyed by ``(in, name)``, refs resolved.

    Path-level and operation-level parameters are merged, the operation winning.
    """
    spec = specs.load(vendor)
    route, _, op = specs.operation(spec)
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*spec["paths"][route].get("parameters", []), *op.get("parameters", [])]:
        param = resolve(spec, raw)
        if "schema" in param:
            param = {**param, "schema": resolve(spec, param["schema"])}
        merged[(param["in"], param["name"])] = param
    return merged
