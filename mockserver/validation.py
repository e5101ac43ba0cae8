"""Request parameters checked against the vendor's spec, which is the single source of truth.

At start-up every parameter of the operation is compiled once: how to read it off the request
(query, header or path; repeated keys or comma lists; JSON content) and a JSON Schema validator
for its value. Per request, :meth:`Parameters.parse` turns raw strings into typed values or raises
an :class:`~cartkit.mockserver.errors.ApiError` naming the parameter; nothing here restates a rule the
spec already holds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

from cartkit.specs import json_schema, parameters, resolve

from .errors import ApiError, Problem

__all__ = ["Body", "Parameter", "Parameters"]

# Any integer the schema can judge (Python refuses int() beyond 4300 digits); longer digit runs
# stay strings and fail the type check.
_INTEGER = re.compile(r"[+-]?\d{1,4000}", re.ASCII)
_NUMBER = re.compile(r"[+-]?(\d{1,300}(\.\d{0,300})?|\.\d{1,300})([eE][+-]?\d{1,3})?", re.ASCII)


def _scalar(kind: str) -> Callable[[str], Any]:
    def integer(raw: str) -> Any:
        return int(raw) if _INTEGER.fullmatch(raw) else raw

    def number(raw: str) -> Any:
        if not _NUMBER.fullmatch(raw):
            return raw
        value = float(raw)
        return (
            int(value)
            if value.is_integer() and "." not in raw and "e" not in raw.lower()
            else value
        )

    def boolean(raw: str) -> Any:
        return {"true": True, "false": False}.get(raw, raw)

    # Values that do not convert stay strings, and the schema then reports a type error.
    return {"integer": integer, "number": number, "boolean": boolean}.get(kind, str)


@dataclass(frozen=True, slots=True)
class Parameter:
    """One operation parameter, ready to read and validate."""

    name: str
    location: str  # query | header | path
    required: bool
    default: Any
    reader: Callable[[list[str]], Any]
    validator: jsonschema_rs.Validator

    def read(self, raw: list[str]) -> Any:
        """Typed value of the raw strings; raises :class:`ApiError` naming the parameter."""
        try:
            value = self.reader(raw)
        except _Unreadable as exc:
            raise self._error(str(exc)) from None
        if not self.validator.is_valid(value):
            error = next(iter(self.validator.iter_errors(value)))
            reason = error.message
            instance = error.instance
            shown = (
                json.dumps(instance, ensure_ascii=False) if isinstance(instance, str | int) else ""
            )
            if len(shown) > 60:
                # Name the value, but do not echo a megabyte of it back.
                reason = reason.replace(shown, _clip(shown))
            raise self._error(reason)
        return value

    def _error(self, reason: str) -> ApiError:
        where = {"header": "header", "path": "path parameter"}.get(self.location, "parameter")
        if len(reason) > 300:
            reason = reason[:300] + "…"
        return ApiError(
            Problem.BAD_PARAMETER, f"Invalid {where} {self.name!r}: {reason}", param=self.name
        )


class _Unreadable(ValueError):
    pass


def _reader(param: Mapping[str, Any], schema: Mapping[str, Any]) -> Callable[[list[str]], Any]:
    if "content" in param:

        def from_json(raw: list[str]) -> Any:
            if len(raw) != 1:
                raise _Unreadable("expected a single JSON value")
            try:
                return json.loads(raw[0])
            except (ValueError, RecursionError):
                raise _Unreadable(f"{_clip(raw[0])!r} is not valid JSON") from None

        return from_json
    if schema.get("type") == "array":
        item = _scalar(schema.get("items", {}).get("type", "string"))
        explode = param.get("explode", param.get("style", "form") == "form")

        def array(raw: list[str]) -> Any:
            values = raw if explode else [part for value in raw for part in value.split(",")]
            return [item(value) for value in values]

        return array
    scalar = _scalar(schema.get("type", "string"))

    def single(raw: list[str]) -> Any:
        if len(raw) != 1:
            raise _Unreadable(f"expected a single value, got {len(raw)}")
        return scalar(raw[0])

    return single


def _clip(text: str, size: int = 60) -> str:
    return text if len(text) <= size else text[:size] + "…"


class Parameters:
    """All parameters of one operation, compiled from the spec."""

    def __init__(self, params: Sequence[Parameter]) -> None:
        self._params = tuple(params)
        self.by_name = {p.name: p for p in self._params}

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any], route: str, method: str = "get") -> Parameters:
        """Compile the parameters of ``method route`` in *spec* (path- and operation-level)."""
        components = json_schema(spec.get("components", {}))
        compiled = []
        for param in parameters(spec, route, method):
            location, name = param["in"], param["name"]
            if location == "cookie":
                continue
            schema = resolve(spec, param.get("schema") or _content_schema(param))
            validator = jsonschema_rs.Draft4Validator(
                {**json_schema(schema), "components": components}, validate_formats=True
            )
            compiled.append(
                Parameter(
                    name=name,
                    location=location,
                    required=bool(param.get("required")),
                    default=schema.get("default"),
                    reader=_reader(param, schema),
                    validator=validator,
                )
            )
        return cls(compiled)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._params)

    def parse(
        self,
        query: Mapping[str, list[str]],
        headers: Mapping[str, str],
        path: Mapping[str, str],
    ) -> dict[str, Any]:
        """Read every declared parameter: typed values, defaults for absent ones.

        Header names are matched case-insensitively (pass a case-insensitive mapping such as
        Starlette's ``Headers``). Undeclared query parameters are ignored, as real APIs do.

        Raises:
            ApiError: ``BAD_PARAMETER`` naming the first missing or invalid parameter.
        """
        values: dict[str, Any] = {}
        for param in self._params:
            if param.location == "query":
                raw = query.get(param.name)
            elif param.location == "header":
                header = headers.get(param.name)
                raw = None if header is None else [header]
            else:
                raw = [path[param.name]] if param.name in path else None
            if raw is None or raw == []:
                if param.required:
                    where = "header" if param.location == "header" else "parameter"
                    raise ApiError(
                        Problem.BAD_PARAMETER,
                        f"Missing required {where} {param.name!r}",
                        param=param.name,
                    )
                values[param.name] = param.default
                continue
            values[param.name] = param.read(raw)
        return values


def _content_schema(param: Mapping[str, Any]) -> Any:
    content = param["content"]
    media = content.get("application/json") or next(iter(content.values()))
    return media["schema"]


class Body:
    """An operation's request body schema from the spec, compiled once.

    >>> spec = {"paths": {"/t": {"post": {"requestBody": {"content": {"application/json": {
    ...     "schema": {"type": "object", "required": ["grant_type"]}}}}}}}}
    >>> Body.from_spec(spec, "/t").check({})
    Traceback (most recent call last):
    ...
    cartkit.mockserver.errors.ApiError: Missing required field 'grant_type'
    """

    def __init__(self, validator: jsonschema_rs.Validator) -> None:
        self._validator = validator

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any], route: str, method: str = "post") -> Body:
        """Compile the (first media type's) body schema of ``method route`` in *spec*."""
        body = resolve(spec, spec["paths"][route][method]["requestBody"])
        schema = resolve(spec, next(iter(body["content"].values()))["schema"])
        components = json_schema(spec.get("components", {}))
        return cls(
            jsonschema_rs.Draft4Validator(
                {**json_schema(schema), "components": components}, validate_formats=True
            )
        )

    def check(self, value: Any) -> None:
        """Raise an :class:`ApiError` naming the first field of *value* the schema refuses."""
        error = next(iter(self._validator.iter_errors(value)), None)
        if error is None:
            return
        path = [str(part) for part in error.instance_path]
        missing = getattr(error.kind, "property", None)
        if isinstance(error.kind, jsonschema_rs.ValidationErrorKind.Required) and missing:
            field = ".".join([*path, missing])
            message = f"Missing required field {field!r}"
        else:
            field = ".".join(path) or "body"
            message = f"Invalid field {field!r}: {_clip(error.message, 200)}"
        raise ApiError(Problem.BAD_PARAMETER, message, param=field.rsplit(".", 1)[-1])
