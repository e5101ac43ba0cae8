"""Stand-ins for a run's target and session, for unit tests of what talks through them (the token
:class:`~cartkit.contracts.exchange.Exchange`, the token oracles).

They offer only what those use (credentials, the URL of a route, sending, masking an issued
credential, acting with another token), answer from a handler of the test's own, and record what
was sent and remembered. They import nothing of the run's machinery, which is being moved.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

BASE = "http://sandbox.test/prefix"

Handler = Callable[[httpx.Request], httpx.Response]


@dataclasses.dataclass
class FakeCredentials:
    """The credential fields the token code reads (the run's ``Credentials`` has the same)."""

    token: str | None = "user-token-0123"
    api_key: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    auth_code: str | None = None
    customer_email: str | None = None
    customer_password: str | None = None
    customer_token: str | None = None
    account_token: str | None = None
    shop_id: str | None = None


class FakeTarget:
    """A target whose server is *handler*; ``sent`` holds every request, ``remembered`` every
    issued credential as ``(value, variable)``."""

    def __init__(
        self,
        handler: Handler,
        credentials: FakeCredentials | None = None,
        *,
        shop_id: str = "DemoShop",
        raises: Exception | None = None,
    ) -> None:
        self.credentials = credentials or FakeCredentials()
        self.shop_id = shop_id
        self.client = httpx.Client(transport=httpx.MockTransport(handler))
        self.raises = raises
        self.sent: list[httpx.Request] = []
        self.remembered: list[tuple[str, str]] = []
        self.acted: list[dict[str, str | None]] = []

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credentials.token}"}

    def url_of(self, route: str, shop_id: str | None = None) -> str:
        return BASE + route.replace("{shopId}", shop_id or self.shop_id)

    def send(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        if self.raises is not None:
            raise self.raises
        response = self.client.send(request)
        response.read()
        return response

    def remember(self, value: str, variable: str) -> None:
        self.remembered.append((value, variable))

    @contextmanager
    def acting_as(self, **changes: str | None) -> Iterator[FakeTarget]:
        self.acted.append(changes)
        saved = self.credentials
        self.credentials = dataclasses.replace(saved, **changes)
        try:
            yield self
        finally:
            self.credentials = saved


class FakeSession:
    """A session of *target*: the last request, and the list's first page by ``fetch``."""

    def __init__(self, target: FakeTarget, oracle: Any = None) -> None:
        self.target = target
        self.oracle = oracle
        self.last_request: httpx.Request | None = None
        self.fetched: list[tuple[dict[str, Any], str | None]] = []

    def fetch(self, params: Any = None, **_: Any) -> httpx.Response:
        token = self.target.credentials.token
        self.fetched.append((dict(params or {}), token))
        request = self.target.client.build_request(
            "GET", BASE + "/carts", headers=self.target.auth_headers()
        )
        return self.target.send(request)


def json_answer(status: int, body: Any, **headers: str) -> httpx.Response:
    """An answer with a JSON body."""
    return httpx.Response(status, json=body, headers=headers)
