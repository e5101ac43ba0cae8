"""Limits on what one request may hold, checked before anything parses it.

Every limit lies well above what any vendor's docs allow (the longest documented value is
Elastic Path's 1,000-character ``filter``; ShopiMind's SDK spells ten filters of ten values in
about 130 bracket keys; 29 Next's ``product`` filter on a whole catalogue takes a few hundred
keys), so no client the vendors support meets one. They exist so that no
request, whatever it holds, makes the mock work longer than its size warrants: parsers whose
cost grows faster than their input (nested JSON, nested bracket keys, the validator's
recursion) only ever see input within them. A request over a limit gets the vendor's 400,
naming the parameter or header.
"""

from __future__ import annotations

from collections.abc import Iterable

from .errors import ApiError, Problem

__all__ = [
    "MAX_DEPTH",
    "MAX_HEADER",
    "MAX_KEY",
    "MAX_LIST_ITEMS",
    "MAX_PARAMS",
    "MAX_QUERY",
    "check_headers",
    "check_pairs",
    "check_query",
]

MAX_QUERY = 64 * 1024
"""Bytes of the raw query string."""
MAX_PARAMS = 1000
"""``name=value`` pairs in the query string (repeated names count each time)."""
MAX_KEY = 256
"""Characters of one parameter name (bracket segments included)."""
MAX_DEPTH = 16
"""Nesting of brackets in a name (``filters[0][values][0]``: 3) and of ``[``, ``{`` and ``(``
in a value (JSON, filter expressions)."""
MAX_HEADER = 8 * 1024
"""Bytes of one request header's value."""
MAX_LIST_ITEMS = 64
"""Comma-separated items of a negotiated header (``Accept``, ``Accept-Language``)."""

_LISTS = (b"accept", b"accept-language")
_OPEN, _CLOSE = frozenset("[{("), frozenset("]})")


def check_headers(headers: Iterable[tuple[bytes, bytes]]) -> None:
    """Refuse a header value longer than :data:`MAX_HEADER`, or a negotiated header of more
    than :data:`MAX_LIST_ITEMS` items.

    Raises:
        ApiError: ``BAD_PARAMETER`` naming the header.
    """
    for name, value in headers:
        if len(value) > MAX_HEADER:
            raise _refused(_title(name), f"longer than {MAX_HEADER} bytes", "header")
        if name in _LISTS and value.count(b",") >= MAX_LIST_ITEMS:
            raise _refused(_title(name), f"more than {MAX_LIST_ITEMS} items", "header")


def check_query(raw: bytes) -> None:
    """Refuse a raw query string longer than :data:`MAX_QUERY` or of more than
    :data:`MAX_PARAMS` pairs (before anything decodes it).

    Raises:
        ApiError: ``BAD_PARAMETER``.
    """
    if len(raw) > MAX_QUERY:
        raise _refused(None, f"the query string is longer than {MAX_QUERY} bytes")
    if raw.count(b"&") >= MAX_PARAMS:
        raise _refused(None, f"the query string holds more than {MAX_PARAMS} parameters")


def check_pairs(pairs: Iterable[tuple[str, str]]) -> None:
    """Refuse a decoded ``(name, value)`` pair whose name is too long or nests too deep, or
    whose value nests too deep.

    Raises:
        ApiError: ``BAD_PARAMETER`` naming the parameter.
    """
    for name, value in pairs:
        base = name.partition("[")[0] or name
        if len(name) > MAX_KEY:
            raise _refused(base[:40], f"the name is longer than {MAX_KEY} characters")
        if name.count("[") > MAX_DEPTH:
            raise _refused(base, f"the name nests more than {MAX_DEPTH} levels")
        if _depth(value) > MAX_DEPTH:
            raise _refused(base, f"the value nests more than {MAX_DEPTH} levels")


def _depth(text: str) -> int:
    """The deepest nesting of brackets, braces and parentheses in *text* (one pass)."""
    if "[" not in text and "{" not in text and "(" not in text:
        return 0
    depth = deepest = 0
    for ch in text:
        if ch in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif ch in _CLOSE and depth:
            depth -= 1
    return deepest


def _title(name: bytes) -> str:
    return "-".join(part.capitalize() for part in name.decode("latin-1").split("-"))


def _refused(param: str | None, reason: str, kind: str = "parameter") -> ApiError:
    if param is None:  # the query string as a whole: envelopes that name a parameter say so
        return ApiError(Problem.BAD_PARAMETER, f"Invalid request: {reason}", param="query string")
    return ApiError(Problem.BAD_PARAMETER, f"Invalid {kind} {param!r}: {reason}", param=param)
