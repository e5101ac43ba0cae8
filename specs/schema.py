"""Reading the OpenAPI 3.0 documents: local ``$ref`` pointers, JSON Schema translation, and
what an operation declares (its parameters, its security scheme).

Both the mock (to validate requests) and the contract kit (to judge responses) need these, and
they share nothing but ``specs``, so the one implementation lives here. Reading is shared;
what each side makes of what it reads stays its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "SecurityScheme",
    "json_schema",
    "parameters",
    "resolve",
    "response_headers",
    "security_scheme",
]

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


def parameters(spec: Mapping[str, Any], route: str, method: str) -> list[dict[str, Any]]:
    """The parameters of ``method route`` in *spec*, ``$ref`` resolved, in document order.

    Those of the path item come first and apply to every operation on the path; an
    operation-level parameter of the same name and location replaces one of them, in its place
    (OpenAPI 3.0, Path Item Object ``parameters``).
    """
    item = spec["paths"][route]
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*item.get("parameters", []), *item[method].get("parameters", [])]:
        param = resolve(spec, raw)
        merged[(param["in"], param["name"])] = param
    return list(merged.values())


@dataclass(frozen=True, slots=True)
class SecurityScheme:
    """How an operation's credential travels.

    *header* carries it; with *bearer* its value is ``Bearer <token>``, else the raw key;
    *pattern* is the shape the spec documents for it (``x-cartkit-pattern``), if any.
    """

    header: str
    bearer: bool
    pattern: str | None


def security_scheme(spec: Mapping[str, Any], operation: Mapping[str, Any]) -> SecurityScheme:
    """The scheme of *operation*'s first security requirement (else the document's).

    Raises:
        ValueError: an ``apiKey`` scheme sent elsewhere than in a header.
    """
    requirements = operation.get("security", spec.get("security", []))
    (name,) = requirements[0]
    scheme = spec["components"]["securitySchemes"][name]
    pattern = scheme.get("x-cartkit-pattern")
    if scheme["type"] == "apiKey":
        if scheme["in"] != "header":
            raise ValueError(f"unsupported apiKey location {scheme['in']!r}")
        return SecurityScheme(scheme["name"], False, pattern)
    # http bearer and oauth2 both send "Authorization: Bearer <token>"
    return SecurityScheme("Authorization", True, pattern)
