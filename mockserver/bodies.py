"""Request bodies, read with a bound: form-encoded fields and JSON.

Bodies are read in chunks and refused once larger than :data:`MAX_BODY`, before any parsing, so
no request can make the mock hold or parse more than that.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from .errors import ApiError, Problem

__all__ = ["MAX_BODY", "read_form", "read_json"]

MAX_BODY = 16 * 1024
"""Largest request body read (bytes); larger ones are refused before parsing."""

_FORM = "application/x-www-form-urlencoded"
_MAX_FIELDS = 100  # a token request sends a handful


async def read_form(request: Request, *, source: str = "body") -> dict[str, str]:
    """The ``application/x-www-form-urlencoded`` body of *request*, one value per name.

    Raises:
        ApiError: a ``BAD_PARAMETER`` for another content type, an oversized or non-UTF-8 body,
            a body of more than 100 fields, or a parameter given twice (RFC 6749 §3.2: "MUST
            NOT be included more than once").
    """
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != _FORM:
        raise ApiError(
            Problem.BAD_PARAMETER,
            f"Send the request as {_FORM} (got {_clip(media) or 'no Content-Type'!r})",
            param="Content-Type",
        )
    text = await _read_text(request)
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=_MAX_FIELDS)
    except ValueError:  # more fields than max_num_fields
        raise ApiError(
            Problem.BAD_PARAMETER, f"The request body holds more than {_MAX_FIELDS} fields"
        ) from None
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            raise ApiError(
                Problem.BAD_PARAMETER, f"Parameter {_clip(name)!r} given twice", param=name
            )
        fields[name] = value
    return fields


async def read_json(request: Request, *, limit: int = MAX_BODY) -> Any:
    """The JSON body of *request*, at most *limit* bytes.

    Raises:
        ApiError: a ``BAD_PARAMETER`` for an oversized body or one that is not JSON.
    """
    text = await _read_text(request, limit)
    try:
        return json.loads(text)
    except ValueError:
        raise ApiError(Problem.BAD_PARAMETER, "The request body is not valid JSON") from None


async def _read_text(request: Request, limit: int = MAX_BODY) -> str:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ApiError(Problem.BAD_PARAMETER, f"The request body is larger than {limit} bytes")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(Problem.BAD_PARAMETER, "The request body is not UTF-8") from None


def _clip(text: str | None, size: int = 60) -> str:
    text = text or ""
    return text if len(text) <= size else text[:size] + "…"
