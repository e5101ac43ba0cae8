"""A tiny in-process list server for the kit's unit tests: StateSet's envelope over a handful of
carts, honouring ``limit`` and ``offset``, with one knob per way of breaking the pagination
contract. Small enough to say exactly which requests a walk must send."""

from __future__ import annotations

import json
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
    """

    carts: list[Cart] = field(default_factory=lambda: carts(7))
    overlap: bool = False
    extra_total: int = 0
    always_more: bool = False
    fixed_size: int | None = None
    status: int = 200
    garbage: bool = False
    seen: list[dict[str, str]] = field(default_factory=list)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Answer one request."""
        assert scope["type"] == "http"
        query = dict(parse_qsl(scope["query_string"].decode()))
        self.seen.append(query)
        limit, offset = int(query.get("limit", 10)), int(query.get("offset", 0))
        limit = self.fixed_size or limit
        start = offset - 1 if self.overlap and offset else offset
        page = list(self.carts[start : start + limit])
        body: Any = {
            "data": page,
            "total_count": len(self.carts) + self.extra_total,
            "has_more": self.always_more or offset + limit < len(self.carts),
        }
        if self.garbage:
            body = {"carts": page}
        raw = json.dumps(body).encode() if self.status == 200 else b"<h1>down</h1>"
        content_type = b"application/json" if self.status == 200 else b"text/html"
        await send(
            {
                "type": "http.response.start",
                "status": self.status,
                "headers": [(b"content-type", content_type)],
            }
        )
        await send({"type": "http.response.body", "body": raw})


def session(app: Any, *, max_pages: int = 10) -> Session:
    """A StateSet :class:`Session` on *app*, in process."""
    target = Target("stateset", app=app, auth={"token": TOKEN})
    return Session(target, oracle_for(target.contract), max_pages=max_pages)
