"""The vendor's OpenAPI documents as the oracle reads them: parameters, security, response schemas.

Everything a check needs to know about what is *documented* (a page-size default, a bound, the
body of a 401) is read here from ``specs``, so vendor modules restate no number the spec holds.
:class:`Contract` is the list-carts operation of the vendor's spec; :class:`TokenDocument` holds
the operations of its token document (``specs.tokens``), each an :class:`Operation` as well.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import jsonschema

from cartkit import specs
from cartkit.specs import json_schema, resolve

from .errors import ConfigError

__all__ = ["Contract", "Operation", "Security", "TokenDocument"]


@dataclass(frozen=True, slots=True)
class Security:
    """How the credential travels: a header, and whether it is ``Bearer <token>``."""

    header: str
    bearer: bool
    pattern: str | None


class Operation:
    """One operation of one of the vendor's OpenAPI documents (*raw*), as documented there."""

    def __init__(
        self, vendor: str, raw: dict[str, Any], route: str, method: str, operation: dict[str, Any]
    ) -> None:
        self.vendor = vendor
        self.raw = raw
        self.route, self.method, self.operation = route, method, operation

    # -- parameters ------------------------------------------------------------------------

    @functools.cached_property
    def parameters(self) -> dict[str, dict[str, Any]]:
        """Every parameter of the operation by name (the path item's too), ``$ref`` resolved."""
        return {p["name"]: p for p in specs.parameters(self.raw, self.route, self.method)}

    def schema(self, name: str) -> dict[str, Any]:
        """The (resolved) schema of parameter *name*; ``{}`` for a ``content`` parameter."""
        return dict(self.resolve(self.parameters[name].get("schema", {})))

    def default(self, name: str) -> Any:
        """The documented default of parameter *name* (``None`` when none is documented)."""
        return self.schema(name).get("default")

    def bounds(self, name: str) -> tuple[int | None, int | None]:
        """``(minimum, maximum)`` of integer parameter *name*; ``None`` where unbounded."""
        schema = self.schema(name)
        return schema.get("minimum"), schema.get("maximum")

    def enum(self, name: str) -> list[Any]:
        """The allowed values of parameter *name* (``[]`` when not an enum)."""
        return list(self.schema(name).get("enum", []))

    def required_headers(self) -> dict[str, str]:
        """Required header parameters with their documented default (or only enum value)."""
        out = {}
        for name, param in self.parameters.items():
            if param["in"] != "header" or not param.get("required"):
                continue
            schema = self.schema(name)
            value = schema.get("default", (schema.get("enum") or [None])[0])
            if value is not None:
                out[name] = str(value)
        return out

    def path_parameters(self) -> list[str]:
        """Names of the path parameters, in route order."""
        return [name for name, param in self.parameters.items() if param["in"] == "path"]

    @property
    def secured(self) -> bool:
        """True when the operation requires a credential (``security: []`` opts out)."""
        return bool(self.operation.get("security", self.raw.get("security", [])))

    # -- responses -------------------------------------------------------------------------

    def response(self, status: int) -> dict[str, Any] | None:
        """The documented response for *status* (or ``default``), ``None`` if undocumented."""
        responses = self.operation.get("responses", {})
        found = responses.get(str(status), responses.get("default"))
        return None if found is None else dict(self.resolve(found))

    def documents(self, status: int) -> bool:
        """True when *status* itself is documented (a ``default`` response does not count)."""
        return str(status) in self.operation.get("responses", {})

    def media_types(self, status: int = 200) -> list[str]:
        """The media types documented for *status*."""
        return list((self.response(status) or {}).get("content", {}))

    def validate(self, status: int, body: Any, media_type: str | None = None) -> list[str]:
        """Why *body* is not a documented *status* response (``[]`` when it is)."""
        response = self.response(status)
        if response is None:
            return [f"status {status} is not documented for {self.method.upper()} {self.route}"]
        content = response.get("content", {})
        if not content:
            return []
        media = media_type if media_type in content else next(iter(content))
        schema = content[media].get("schema")
        if schema is None:
            return []
        validator = self._validator(_freeze(schema))
        return [
            f"{'/'.join(map(str, error.absolute_path)) or '(body)'}: {error.message}"
            for error in validator.iter_errors(body)
        ][:5]

    @functools.cache  # noqa: B019 - a few operations per run; the cache dies with them
    def _validator(self, frozen: str) -> jsonschema.protocols.Validator:
        import json

        root = {
            "allOf": [json_schema(json.loads(frozen))],
            "components": json_schema(self.raw.get("components", {})),
        }
        return jsonschema.Draft202012Validator(root)

    def resolve(self, node: Any) -> Any:
        """Follow local ``$ref`` pointers until *node* is not a reference."""
        return resolve(self.raw, node)


class Contract(Operation):
    """One vendor's list-carts operation, as documented by its bundled spec."""

    def __init__(self, vendor: str) -> None:
        try:
            raw = specs.load(vendor)
        except specs.UnknownVendorError as exc:
            raise ConfigError(str(exc)) from None
        super().__init__(vendor, raw, *specs.operation(raw))

    @functools.cached_property
    def security(self) -> Security:
        """The operation's (first) security requirement."""
        scheme = specs.security_scheme(self.raw, self.operation)
        return Security(scheme.header, scheme.bearer, scheme.pattern)


class TokenDocument:
    """The vendor's token document: the endpoints a client calls for the credentials the list
    takes (``specs.tokens``). :meth:`load` gives ``None`` for a vendor with static keys."""

    def __init__(self, vendor: str, raw: dict[str, Any]) -> None:
        self.vendor = vendor
        self.raw = raw
        self.operations = {
            (route, method): Operation(vendor, raw, route, method, operation)
            for route, item in raw.get("paths", {}).items()
            for method, operation in item.items()
            if method in _METHODS
        }

    @classmethod
    def load(cls, vendor: str) -> TokenDocument | None:
        """*vendor*'s token document, or ``None`` when it documents no token step."""
        raw = specs.tokens(vendor)
        return None if raw is None else cls(vendor, raw)

    def operation(self, route: str, method: str = "post") -> Operation:
        """The operation at *route* (the document's own path, e.g. ``/oauth/access_token``)."""
        return self.operations[(route, method)]

    def path_parameters(self) -> list[str]:
        """Names of the path parameters of every operation (ePages' ``shopId``), once each."""
        names = (name for op in self.operations.values() for name in op.path_parameters())
        return list(dict.fromkeys(names))


_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})


def _freeze(schema: Any) -> str:
    import json

    return json.dumps(schema, sort_keys=True, default=str)
