"""The targeted changes a broken server makes: each function returns one rewrite for the
wrappers of :mod:`tests.contracts.broken` (a path, the query, the request headers, the response
body or the response's status and headers)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

Pairs = list[tuple[str, str]]


# -- path rewrites (Rewrite(path=...)) -------------------------------------------------------------


def any_shop(shop: str) -> Callable[[str], str]:
    """The server answers for *shop* whatever shop the path names (never a 404)."""
    return lambda path: re.sub(r"/shops/[^/]+/", f"/shops/{shop}/", path)


# -- query rewrites (Rewrite(query=...)) -----------------------------------------------------------


def drop(name: str) -> Callable[[Pairs], Pairs]:
    """The server ignores parameter *name*."""
    return lambda pairs: [(k, v) for k, v in pairs if k != name]


def drop_all(*names: str) -> Callable[[Pairs], Pairs]:
    """The server ignores every parameter of *names*."""
    return lambda pairs: [(k, v) for k, v in pairs if k not in names]


def drop_when(name: str, other: str) -> Callable[[Pairs], Pairs]:
    """The server ignores *name* when *other* is sent too (each alone works)."""

    def rewrite(pairs: Pairs) -> Pairs:
        if any(k == other for k, _ in pairs):
            return [(k, v) for k, v in pairs if k != name]
        return pairs

    return rewrite


def shift(name: str, by: int) -> Callable[[Pairs], Pairs]:
    """The server adds *by* to integer parameter *name* when it is > 0 (paging off by one)."""

    def rewrite(pairs: Pairs) -> Pairs:
        out = []
        for key, value in pairs:
            if key == name and value.isdigit() and int(value) > 0:
                value = str(max(0, int(value) + by))
            out.append((key, value))
        return out

    return rewrite


def default(name: str, value: str) -> Callable[[Pairs], Pairs]:
    """The server reads an absent *name* as *value* (a wrong default)."""
    return lambda pairs: pairs if any(k == name for k, _ in pairs) else [*pairs, (name, value)]


def clamp(name: str, low: int | None, high: int | None) -> Callable[[Pairs], Pairs]:
    """The server clamps integer *name* into ``low..high`` instead of refusing it."""

    def rewrite(pairs: Pairs) -> Pairs:
        out = []
        for key, value in pairs:
            if key == name and re.fullmatch(r"-?\d+", value):
                number = int(value)
                number = max(number, low) if low is not None else number
                number = min(number, high) if high is not None else number
                value = str(number)
            out.append((key, value))
        return out

    return rewrite


def swap(name: str, first: str, second: str) -> Callable[[Pairs], Pairs]:
    """The server reads *first* as *second* and back for parameter *name* (``asc``/``desc``)."""
    other = {first: second, second: first}
    return lambda pairs: [(k, other.get(v, v) if k == name else v) for k, v in pairs]


def rewrite_value(name: str, change: Callable[[str], str | None]) -> Callable[[Pairs], Pairs]:
    """The server reads parameter *name* as ``change(value)`` (``None``: as if not sent)."""

    def rewrite(pairs: Pairs) -> Pairs:
        out = []
        for key, value in pairs:
            if key == name:
                changed = change(value)
                if changed is None:
                    continue
                value = changed
            out.append((key, value))
        return out

    return rewrite


def json_items(name: str, keep: Callable[[int, Any], bool]) -> Callable[[Pairs], Pairs]:
    """The server reads JSON array parameter *name* keeping only the items *keep* accepts
    (``keep(position, item)``); an array left empty is as if not sent."""

    def change(value: str) -> str | None:
        try:
            items = json.loads(value)
        except ValueError:
            return value  # malformed: refused by the server as before
        if not isinstance(items, list):
            return value
        kept = [item for position, item in enumerate(items) if keep(position, item)]
        return json.dumps(kept) if kept else None

    return rewrite_value(name, change)


# -- request header rewrites (Rewrite(headers=...)) ------------------------------------------------


def always_authorised(header: str, value: str) -> Callable[[dict[str, str]], dict[str, str]]:
    """The server lets requests without a credential through (as if *value* had been sent)."""
    return lambda headers: {header.lower(): value, **headers}


def without_header(name: str) -> Callable[[dict[str, str]], dict[str, str]]:
    """The server ignores header *name*."""
    return lambda headers: {k: v for k, v in headers.items() if k != name.lower()}


def only_first_of(first: str, second: str) -> Callable[[dict[str, str]], dict[str, str]]:
    """The server drops header *second* when *first* is sent too (no refusal of both)."""

    def rewrite(headers: dict[str, str]) -> dict[str, str]:
        if first.lower() in headers:
            headers = {k: v for k, v in headers.items() if k != second.lower()}
        return headers

    return rewrite


def forced_header(name: str, value: str) -> Callable[[dict[str, str]], dict[str, str]]:
    """The server reads header *name* as *value* whatever was sent (e.g. ignores ``Accept``)."""
    return lambda headers: {**headers, name.lower(): value}


def full_reach(token: str, *shopper_headers: str) -> Callable[[dict[str, str]], dict[str, str]]:
    """The server lists every cart for any token it issued (40 hex characters, the mock's), as
    for *token*, ignoring the grant or scope it was issued for; shopper requests are left alone."""

    def rewrite(headers: dict[str, str]) -> dict[str, str]:
        issued = re.fullmatch(r"Bearer [0-9a-f]{40}", headers.get("authorization", ""))
        if issued and not any(h.lower() in headers for h in shopper_headers):
            headers = {**headers, "authorization": f"Bearer {token}"}
        return headers

    return rewrite


def accept_malformed(
    header: str, valid: str, pattern: str
) -> Callable[[dict[str, str]], dict[str, str]]:
    """The server accepts a malformed credential in *header* (one not matching *pattern*) as if
    *valid* had been sent; a missing one is still refused."""

    def rewrite(headers: dict[str, str]) -> dict[str, str]:
        sent = headers.get(header.lower())
        if sent is not None and not re.fullmatch(pattern, sent):
            headers = {**headers, header.lower(): valid}
        return headers

    return rewrite


# -- body rewrites (Rewrite(body=...)) -------------------------------------------------------------


def on_items(
    items: Callable[[Any], list[Any]], change: Callable[[dict[str, Any]], None]
) -> Callable[[Pairs, int, Any], tuple[int, Any]]:
    """Apply *change* to every cart of a 200 body (*items* finds the list in the envelope)."""

    def rewrite(pairs: Pairs, status: int, body: Any) -> tuple[int, Any]:
        if status == 200:
            for cart in items(body):
                change(cart)
        return status, body

    return rewrite


def on_envelope(change: Callable[[Any], None]) -> Callable[[Pairs, int, Any], tuple[int, Any]]:
    """Apply *change* to a 200 body."""

    def rewrite(pairs: Pairs, status: int, body: Any) -> tuple[int, Any]:
        if status == 200:
            change(body)
        return status, body

    return rewrite


def on_query(
    pair: tuple[str, str], change: Callable[[Any], None]
) -> Callable[[Pairs, int, Any], tuple[int, Any]]:
    """Apply *change* to a 200 body when the query holds *pair*."""

    def rewrite(pairs: Pairs, status: int, body: Any) -> tuple[int, Any]:
        if status == 200 and pair in pairs:
            change(body)
        return status, body

    return rewrite


def on_status(status_code: int, replacement: Any) -> Callable[[Pairs, int, Any], tuple[int, Any]]:
    """Replace the body of every *status_code* response with *replacement*."""
    return lambda pairs, status, body: (status, replacement if status == status_code else body)


def on_success(
    change: Callable[[Any], Any], status: int | None = None
) -> Callable[[Pairs, int, Any], tuple[int, Any]]:
    """Replace a 200 body by *change* of it (and its status by *status*, if given)."""

    def rewrite(pairs: Pairs, code: int, body: Any) -> tuple[int, Any]:
        if code != 200:
            return code, body
        return status or code, change(body)

    return rewrite


def on_error(
    status_code: int, change: Callable[[Any], Any]
) -> Callable[[Pairs, int, Any], tuple[int, Any]]:
    """Replace the body of every *status_code* response by *change* of it."""
    return lambda pairs, status, body: (status, change(body) if status == status_code else body)


def reverse_items(
    items: Callable[[Any], list[Any]], when: tuple[str, str] | None = None
) -> Callable[[Pairs, int, Any], tuple[int, Any]]:
    """Reverse each page's carts (when the query holds the pair *when*): a wrong sort order."""

    def rewrite(pairs: Pairs, status: int, body: Any) -> tuple[int, Any]:
        if status == 200 and (when is None or when in pairs):
            items(body).reverse()
        return status, body

    return rewrite


def every_other(
    change: Callable[[Pairs, Any], None],
) -> Callable[[Pairs, int, Any], tuple[int, Any]]:
    """Apply ``change(query pairs, body)`` to every other 200 body: the same request answered
    two ways in a row."""
    answers = 0

    def rewrite(pairs: Pairs, status: int, body: Any) -> tuple[int, Any]:
        nonlocal answers
        if status == 200:
            answers += 1
            if answers % 2 == 0:
                change(pairs, body)
        return status, body

    return rewrite


# -- response header rewrites (RewriteHeaders) -----------------------------------------------------


def restatus(old: int, new: int) -> Callable[[int, dict[str, str]], tuple[int, dict[str, str]]]:
    """Answer *new* where the server answers *old*."""
    return lambda status, headers: (new if status == old else status, headers)


def header_value(
    name: str, value: str | None, status: int | None = None
) -> Callable[[int, dict[str, str]], tuple[int, dict[str, str]]]:
    """Send response header *name* as *value* (``None``: leave it out), on every answer or only
    those of *status*."""

    def change(code: int, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
        if status is None or code == status:
            headers = {k: v for k, v in headers.items() if k != name.lower()}
            if value is not None:
                headers[name.lower()] = value
        return code, headers

    return change
