"""A tiny in-process list server for the kit's unit tests: StateSet's envelope over a handful of
carts, honouring ``limit`` and ``offset``, with one knob per way of breaking the pagination
contract. Small enough to say exactly which requests a walk must send."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from cartkit.contracts.oracle import Cart
from cartkit.contracts.paging import Session
from cartkit.contracts.target import Target
from cartkit.contracts.vendors import oracle_for

TOKEN = "fake-token-0123"


def carts(count: int) -> list[dict[str, Any]]:
    """*count* StateSet-like carts, ids ``c00``, ``c01``, ... in list order."""
    return [
        {"id": f"c{i:02d}", "status": "abandoned" if i % 2 else "active", "total": 100 * i}
        for i in range(count)
    ]


@dataclass
class FakeList:
    """An ASGI app listing *carts* as StateSet does (``data``, ``total_count``, ``has_more``).

    Each knob breaks one thing: ``overlap`` repeats the previous page's last cart at the top of
    every later page, ``extra_total`` adds to the reported total, ``always_more`` says there are
    more carts on every page, ``fixed_size`` sends that many carts whatever the limit, ``status``
    answers every request with it (and a non-JSON body), ``garbage`` sends a body that is not
    the envelope.

    Off by default, so the list answers as above: ``bounds`` refuses a ``limit`` outside
    ``(low, high)`` with 400 and StateSet's error envelope, ``token`` refuses a request without
    ``Authorization: Bearer <token>`` with 401 and that envelope (``MISSING_AUTH_HEADER`` with
    no header, ``INVALID_API_KEY`` with another), and ``edit`` is called with the query and
    every JSON body before it is sent, to change it in place (a summary, a projection, a body
    that differs from call to call), and ``keep`` is called with the query and each cart to say
    whether the query lists it (a server that filters, honestly or not), the page, total and
    has-more then taken from the carts kept.
    """

    carts: list[Cart] = field(default_factory=lambda: carts(7))
    overlap: bool = False
    extra_total: int = 0
    always_more: bool = False
    fixed_size: int | None = None
    status: int = 200
    garbage: bool = False
    bounds: tuple[int, int] | None = None
    token: str | None = None
    edit: Callable[[dict[str, str], Any], None] | None = None
    keep: Callable[[dict[str, str], Cart], bool] | None = None
    seen: list[dict[str, str]] = field(default_factory=list)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Answer one request."""
        assert scope["type"] == "http"
        query = dict(parse_qsl(scope["query_string"].decode()))
        self.seen.append(query)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        sent = headers.get("authorization")
        if self.token is not None and sent != f"Bearer {self.token}":
            code = "MISSING_AUTH_HEADER" if sent is None else "INVALID_API_KEY"
            await self._send(query, 401, error(code, "authentication_error"), send)
            return
        limit, offset = int(query.get("limit", 10)), int(query.get("offset", 0))
        if self.bounds is not None and not self.bounds[0] <= limit <= self.bounds[1]:
            await self._send(
                query,
                400,
                error("INVALID_PARAMETER", "invalid_request_error", parameter="limit"),
                send,
            )
            return
        limit = self.fixed_size or limit
        start = offset - 1 if self.overlap and offset else offset
        listed = self.carts
        if self.keep is not None:
            listed = [cart for cart in self.carts if self.keep(query, cart)]
        page = list(listed[start : start + limit])
        body: Any = {
            "data": page,
            "total_count": len(listed) + self.extra_total,
            "has_more": self.always_more or offset + limit < len(listed),
        }
        if self.garbage:
            body = {"carts": page}
        if self.status == 200:
            await self._send(query, 200, body, send)
            return
        await self._answer(self.status, b"text/html", b"<h1>down</h1>", send)

    async def _send(self, query: dict[str, str], status: int, body: Any, send: Any) -> None:
        if self.edit is not None:
            self.edit(query, body)
        await self._answer(status, b"application/json", json.dumps(body).encode(), send)

    @staticmethod
    async def _answer(status: int, content_type: bytes, raw: bytes, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", content_type)],
            }
        )
        await send({"type": "http.response.body", "body": raw})


def error(code: str, kind: str, **details: str) -> dict[str, Any]:
    """StateSet's error envelope, every documented field present."""
    return {
        "error": {
            "code": code,
            "message": f"refused: {code}",
            "type": kind,
            "details": details,
            "request_id": "req_fake",
            "timestamp": "2026-01-15T12:00:00Z",
            "documentation_url": "https://docs.stateset.com/api-reference/errors",
        }
    }


def session(app: Any, *, max_pages: int = 10) -> Session:
    """A StateSet :class:`Session` on *app*, in process."""
    target = Target("stateset", app=app, auth={"token": TOKEN})
    return Session(target, oracle_for(target.contract), max_pages=max_pages)
