"""Reading the OpenAPI 3.0 documents: local ``$ref`` pointers and JSON Schema translation.

Both the mock (to validate requests) and the contract kit (to judge responses) need these, and
they share nothing but ``specs``, so the one implementation lives here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["json_schema", "resolve", "response_headers"]

_NOT_JSON_SCHEMA = frozenset({"nullable", "example", "discriminator", "xml"})


def resolve(spec: Mapping[str, Any], node: Any) -> Any:
    """Follow local ``$ref`` pointers in *spec* until *node* is not a reference."""
    while isinstance(node, Mapping) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def json_schema(node: Any) -> Any:
    """Translate an OpenAPI 3.0 schema into plain JSON Schema (``nullable`` -> a ``null`` type).

    ``$ref`` pointers are kept: validate with the spec's ``components`` beside the schema.
    """
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, Mapping):
        return node
    out = {
        key: json_schema(value)
        for key, value in node.items()
        if not key.startswith("x-") and key not in _NOT_JSON_SCHEMA
    }
    if node.get("nullable") is True:
        if "type" in out:
            kind = out["type"]
            out["type"] = [kind, "null"] if isinstance(kind, str) else [*kind, "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        if "$ref" in out or any(k in out for k in ("allOf", "anyOf", "oneOf")):
            out = {"anyOf": [{"type": "null"}, out]}
    return out


def response_headers(spec: Mapping[str, Any]) -> set[str]:
    """Every response header *spec* documents, on any response of any operation."""
    names: set[str] = set()
    for item in spec.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, Mapping):
                continue
            for response in operation.get("responses", {}).values():
                names.update(resolve(spec, response).get("headers", {}))
    return names
