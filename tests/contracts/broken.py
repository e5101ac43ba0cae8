"""Deliberately broken servers: ASGI wrappers around the mock.

Each wrapper rewrites the request the mock sees and/or the response it sends with one targeted
change (:mod:`tests.contracts.changes`), so the bug is the only difference from a server that
honours the contract. They live in ``tests/``, never in the shipped packages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from tests.contracts.changes import Pairs

Scope = dict[str, Any]
Message = dict[str, Any]


class Rewrite:
    """Wrap *app*: rewrite the query and headers going in, the status and JSON body coming out.

    Args:
        path: ``path -> path`` on the request path.
        query: ``pairs -> pairs`` on the decoded query string.
        headers: ``{name: value} -> {name: value}`` on the request headers (lower-case names).
        body: ``(query pairs, status, decoded JSON) -> (status, JSON)`` on the response.
        on: a regular expression the request path must contain for any rewrite to apply (the
            token endpoints only, say); every path when ``None``.
    """

    def __init__(
        self,
        app: Any,
        *,
        path: Callable[[str], str] | None = None,
        query: Callable[[Pairs], Pairs] | None = None,
        headers: Callable[[dict[str, str]], dict[str, str]] | None = None,
        body: Callable[[Pairs, int, Any], tuple[int, Any]] | None = None,
        on: str | None = None,
    ) -> None:
        self.app = app
        self.path, self.query, self.headers, self.body = path, query, headers, body
        self.on = re.compile(on) if on is not None else None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or (self.on is not None and not self.on.search(scope["path"])):
            await self.app(scope, receive, send)
            return
        scope = dict(scope)
        if self.path is not None:
            scope["path"] = self.path(scope["path"])
            scope["raw_path"] = scope["path"].encode("latin-1")
        pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        if self.query is not None:
            scope["query_string"] = urlencode(self.query(list(pairs))).encode("latin-1")
        if self.headers is not None:
            current = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            scope["headers"] = [
                (k.encode("latin-1"), v.encode("latin-1")) for k, v in self.headers(current).items()
            ]
        if self.body is None:
            await self.app(scope, receive, send)
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        status, raw = start["status"], b"".join(chunks)
        try:
            decoded = json.loads(raw)
        except ValueError:
            new_status, payload = status, raw
        else:
            new_status, decoded = self.body(list(pairs), status, decoded)
            payload = json.dumps(decoded).encode()
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(payload)).encode()))
        await send({"type": "http.response.start", "status": new_status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


class RewriteForm:
    """Wrap *app*: rewrite the form-encoded body of requests whose path contains *on*.

    Args:
        on: a regular expression the request path must contain.
        change: ``{field: value} -> {field: value}`` on the decoded form.
    """

    def __init__(
        self, app: Any, on: str, change: Callable[[dict[str, str]], dict[str, str]]
    ) -> None:
        self.app, self.on, self.change = app, re.compile(on), change

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not self.on.search(scope["path"]):
            await self.app(scope, receive, send)
            return
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        form = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        body = urlencode(self.change(form)).encode()
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
        scope = {**scope, "headers": [*headers, (b"content-length", str(len(body)).encode())]}
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


class FailOn:
    """Answer 500 (plain text, as a crashing framework would) when *param* equals *value*."""

    def __init__(self, app: Any, param: str, value: str) -> None:
        self.app, self.param, self.value = app, param, value

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"))
        if scope["type"] == "http" and (self.param, self.value) in pairs:
            body = b"Internal Server Error"
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"content-type", b"text/plain"), (b"content-length", b"21")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


class RewriteHeaders:
    """Wrap *app*: rewrite the status and headers of its answers; the body passes unchanged.

    Args:
        change: ``(status, headers) -> (status, headers)``, header names in lower case.
        on: a regular expression the request path must contain (every path when ``None``).
    """

    def __init__(
        self,
        app: Any,
        change: Callable[[int, dict[str, str]], tuple[int, dict[str, str]]],
        on: str | None = None,
    ) -> None:
        self.app, self.change = app, change
        self.on = re.compile(on) if on is not None else None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or (self.on is not None and not self.on.search(scope["path"])):
            await self.app(scope, receive, send)
            return

        async def rewritten(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = {
                    k.decode("latin-1").lower(): v.decode("latin-1")
                    for k, v in message.get("headers", [])
                }
                status, headers = self.change(message["status"], headers)
                message = {
                    **message,
                    "status": status,
                    "headers": [
                        (k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()
                    ],
                }
            await send(message)

        await self.app(scope, receive, rewritten)


class Answer:
    """Wrap *app*: answer *status* with *body* (JSON, or text when a string) when *when* holds
    for the request's fields (its query, and for a form request its form too).

    Args:
        on: a regular expression the request path must contain.
        when: ``(fields, headers) -> bool``; ``fields`` maps each query and form field to its
            (last) value, ``headers`` each request header (lower-case names) to its value.
    """

    def __init__(
        self,
        app: Any,
        on: str,
        when: Callable[[dict[str, str], dict[str, str]], bool],
        status: int,
        body: Any,
    ) -> None:
        self.app, self.on, self.when = app, re.compile(on), when
        self.status, self.body = status, body

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not self.on.search(scope["path"]):
            await self.app(scope, receive, send)
            return
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        kind = headers.get("content-type", "")
        fields = dict(
            parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        )
        if kind.startswith("application/x-www-form-urlencoded"):
            fields |= dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        if self.when(fields, headers):
            text = isinstance(self.body, str)
            payload = self.body.encode() if text else json.dumps(self.body).encode()
            media = b"text/plain" if text else b"application/json"
            await send(
                {
                    "type": "http.response.start",
                    "status": self.status,
                    "headers": [
                        (b"content-type", media),
                        (b"content-length", str(len(payload)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": payload})
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}

        await self.app(scope, replay, send)
