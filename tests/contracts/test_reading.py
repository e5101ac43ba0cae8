"""Reading answers: strict JSON, the size and time limits in process, giving up on a server."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from cartkit.contracts import Target
from cartkit.contracts.reading import (
    GIVE_UP_AFTER,
    BodyTooLarge,
    Breaker,
    GaveUp,
    Limits,
    NotJSON,
    json_body,
    receive,
)


def _answer(body: bytes, content_type: str = "application/json") -> httpx.Response:
    return httpx.Response(200, headers={"Content-Type": content_type}, content=body)


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        pytest.param(
            b'{"id": "\xffcart"}',
            "application/json",
            "not UTF-8 (RFC 8259 §8.1): byte 0xff at offset 8",
            id="invalid-utf-8",
        ),
        pytest.param(
            b'{"id": "\x1b[31mcart"}',
            "application/json",
            "raw control character '\\x1b' at offset 8",
            id="control-character",
        ),
        pytest.param(
            b'{"data": [{"id": 1, "id": 2}]}',
            "application/json",
            "key 'id' twice in one object",
            id="duplicate-key-nested",
        ),
        pytest.param(
            b"<html>Bad Gateway</html>",
            "text/html; charset=utf-8",
            "body is not JSON (text/html; charset=utf-8): Expecting value",
            id="html",
        ),
        pytest.param(b"", "application/json", "body is not JSON", id="empty"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, "application/json", "too deep", id="deep"),
        pytest.param(b'{"data": []} trailing', "application/json", "Extra data", id="trailing"),
    ],
)
def test_json_is_read_strictly(body: bytes, content_type: str, message: str) -> None:
    with pytest.raises(NotJSON) as caught:
        json_body(_answer(body, content_type))
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)  # what the checks already catch


def test_escaped_control_characters_and_unicode_are_json() -> None:
    body = '{"name": "\\u0000\\u001b é 😀", "n": [1, {"a": null}]}'.encode()
    assert json_body(_answer(body)) == {"name": "\x00\x1b é 😀", "n": [1, {"a": None}]}


def test_the_breaker_opens_after_costly_failures_in_a_row() -> None:
    breaker = Breaker()
    for _ in range(GIVE_UP_AFTER - 1):
        breaker.record("no answer within 1s (--timeout)")
    breaker.record(None)  # an answer read whole starts the count again
    for _ in range(GIVE_UP_AFTER - 1):
        breaker.record("no answer within 1s (--timeout)")
    assert breaker.reason is None
    breaker.record("body larger than 10 MiB (--max-body-mb): ...")
    assert breaker.reason is not None and "body larger than 10 MiB" in breaker.reason


def test_a_given_up_server_is_not_sent_anything() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    breaker = Breaker(limit=1)
    breaker.record("no answer within 1s (--timeout)")
    client = httpx.Client(transport=httpx.MockTransport(handler))
    with client, pytest.raises(GaveUp, match="not sent"):
        receive(client, client.build_request("GET", "http://h/"), Limits(), breaker)
    assert not sent


def test_a_declared_length_over_the_limit_is_not_read() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": str(2**40)}, content=b"")

    client = httpx.Client(transport=httpx.MockTransport(handler))
    with client, pytest.raises(BodyTooLarge, match=r"body larger than 1 MiB .*1,099,511,627,776"):
        receive(client, client.build_request("GET", "http://h/"), Limits(max_body_mb=1), Breaker())


# -- in process: an ASGI app is held to the same limits ----------------------------------------


async def _endless(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    while True:
        await send({"type": "http.response.body", "body": b"x" * 65536, "more_body": True})


async def _silent(scope: Any, receive: Any, send: Any) -> None:
    await asyncio.sleep(3600)


@pytest.mark.parametrize(
    ("app", "error", "message"),
    [
        pytest.param(_endless, BodyTooLarge, "body larger than 0.5 MiB", id="endless"),
        pytest.param(
            _silent, httpx.ReadTimeout, r"no answer within 0.2s \(--timeout\)", id="silent"
        ),
    ],
)
def test_an_app_in_process_is_held_to_the_limits(app: Any, error: type, message: str) -> None:
    target = Target("stateset", app=app, auth={"token": "t"}, timeout=0.2, max_body_mb=0.5)
    with target, pytest.raises(error, match=message):
        target.get()
