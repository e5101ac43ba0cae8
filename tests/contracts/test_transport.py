"""The in-memory bridge to an ASGI app: an answer read as from a server, held to the same size
and time limits, from synchronous and from async code."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import anyio
import httpx
import pytest

from cartkit.contracts.reading import BodyTooLarge, Limits
from cartkit.contracts.transport import ASGIBridge

KIB = 1024
SMALL = Limits(max_body_mb=1 / 1024, timeout=0.5)  # 1 KiB, half a second


async def _start(
    send: Any, status: int = 200, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": headers or [(b"content-type", b"application/json")],
        }
    )


class Echo:
    """Answers 201 with what it received: method, path, query, a header and the body."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = dict(scope["headers"])
        answer = b"|".join(
            [
                scope["method"].encode(),
                scope["path"].encode(),
                scope["query_string"],
                headers.get(b"x-probe", b"-"),
                body,
            ]
        )
        await _start(send, 201, [(b"x-answer", b"yes"), (b"content-type", b"text/plain")])
        await send({"type": "http.response.body", "body": answer})


class Stream:
    """Sends *chunks* chunks of *size* bytes (forever when *chunks* is None); counts them."""

    def __init__(self, size: int, chunks: int | None) -> None:
        self.size, self.chunks = size, chunks
        self.sent = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await _start(send)
        while self.chunks is None or self.sent < self.chunks:
            self.sent += 1
            more = self.chunks is None or self.sent < self.chunks
            await send({"type": "http.response.body", "body": b"x" * self.size, "more_body": more})
            await anyio.sleep(0)


class Slow:
    """Starts its answer, then sleeps; records whether it was cancelled."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.cancelled = False
        self.finished = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await anyio.sleep(self.seconds)
            await _start(send)
            await send({"type": "http.response.body", "body": b"{}"})
            self.finished = True
        except anyio.get_cancelled_exc_class():
            self.cancelled = True
            raise


async def crash(scope: Any, receive: Any, send: Any) -> None:
    raise RuntimeError("the app broke")


def _client(app: Any, limits: Limits = SMALL) -> httpx.Client:
    return httpx.Client(transport=ASGIBridge(app, limits), base_url="http://testserver")


def test_the_request_reaches_the_app_and_its_answer_comes_back_whole() -> None:
    with _client(Echo()) as client:
        response = client.post(
            "/v1/carts", params={"limit": "2"}, headers={"X-Probe": "p"}, content=b"payload"
        )
    assert response.status_code == 201
    assert response.headers["x-answer"] == "yes"
    assert response.content == b"POST|/v1/carts|limit=2|p|payload"


def test_a_crashing_app_answers_500_as_a_server_would() -> None:
    with _client(crash) as client:
        response = client.get("/v1/carts")
    assert response.status_code == 500


def test_a_body_up_to_the_limit_is_read() -> None:
    app = Stream(256, 4)  # exactly 1 KiB
    with _client(app) as client:
        response = client.get("/")
    assert response.status_code == 200 and len(response.content) == KIB


def test_an_app_sending_past_the_limit_is_stopped() -> None:
    app = Stream(256, None)  # never ends
    with _client(app) as client, pytest.raises(BodyTooLarge) as caught:
        client.get("/")
    assert str(caught.value) == (
        "body larger than 0.000976562 MiB (--max-body-mb): more than 1,024 bytes and still coming"
    )
    # Stopped on the chunk that went over: the fifth.
    assert app.sent == 5
    assert caught.value.request.url == "http://testserver/"


def test_one_large_chunk_past_the_limit_is_too_large() -> None:
    with _client(Stream(KIB + 1, 1)) as client, pytest.raises(BodyTooLarge):
        client.get("/")


def test_an_app_that_does_not_answer_in_time_is_cancelled() -> None:
    app = Slow(30)
    started = time.monotonic()
    with _client(app) as client, pytest.raises(httpx.ReadTimeout) as caught:
        client.get("/")
    assert time.monotonic() - started < 10
    assert str(caught.value) == "no answer within 0.5s (--timeout)"
    assert app.cancelled and not app.finished


def test_an_app_answering_within_the_timeout_is_waited_for() -> None:
    app = Slow(0.05)
    with _client(app) as client:
        assert client.get("/").json() == {}
    assert app.finished and not app.cancelled


def test_each_request_gets_a_fresh_loop_so_the_bridge_can_be_reused() -> None:
    with _client(Echo()) as client:
        answers = [client.get(f"/{n}").content for n in range(3)]
    assert answers == [b"GET|/0||-|", b"GET|/1||-|", b"GET|/2||-|"]


def test_it_works_from_async_code_whose_loop_is_busy() -> None:
    async def main() -> bytes:
        # The calling thread's loop is running: the bridge must not try to run another on it.
        with _client(Echo()) as client:
            return client.get("/from-async").content

    assert asyncio.run(main()) == b"GET|/from-async||-|"


def test_limits_still_hold_from_async_code() -> None:
    async def main() -> None:
        with _client(Stream(512, None)) as client:
            client.get("/")

    with pytest.raises(BodyTooLarge):
        asyncio.run(main())
