"""Request bodies (``mockserver/bodies.py``): read with a bound, form fields and JSON."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from starlette.requests import Request

from cartkit.mockserver.bodies import MAX_BODY, read_form, read_json
from cartkit.mockserver.errors import ApiError, Problem

FORM = "application/x-www-form-urlencoded"


class Sent:
    """A request whose body arrives in *chunks* (or forever, with *endless*); counts reads."""

    def __init__(
        self, chunks: list[bytes], content_type: str | None = FORM, *, endless: bool = False
    ) -> None:
        self.chunks, self.endless, self.reads = list(chunks), endless, 0
        headers = [] if content_type is None else [(b"content-type", content_type.encode())]
        scope = {
            "type": "http",
            "method": "POST",
            "path": "/",
            "query_string": b"",
            "headers": headers,
        }
        self.request = Request(scope, self.receive)

    async def receive(self) -> dict[str, Any]:
        self.reads += 1
        if self.endless:
            return {"type": "http.request", "body": b"x" * 1024, "more_body": True}
        body = self.chunks.pop(0) if self.chunks else b""
        return {"type": "http.request", "body": body, "more_body": bool(self.chunks)}


def read(reader: Callable[..., Awaitable[Any]], sent: Sent, **options: Any) -> Any:
    return asyncio.run(reader(sent.request, **options))


def refused(reader: Callable[..., Awaitable[Any]], sent: Sent, **options: Any) -> ApiError:
    with pytest.raises(ApiError) as caught:
        read(reader, sent, **options)
    assert caught.value.problem is Problem.BAD_PARAMETER
    return caught.value


def test_a_form_is_one_value_per_name_decoded() -> None:
    sent = Sent([b"grant_type=client_credentials&scope=&note=a+b%26c"])
    assert read(read_form, sent) == {
        "grant_type": "client_credentials",
        "scope": "",
        "note": "a b&c",
    }


def test_a_form_arriving_in_chunks_is_read_whole() -> None:
    assert read(read_form, Sent([b"client_", b"id=ab", b"c&x=1"])) == {"client_id": "abc", "x": "1"}


@pytest.mark.parametrize(
    "content_type", [FORM, f"{FORM}; charset=UTF-8", "Application/X-WWW-Form-Urlencoded"]
)
def test_the_form_media_type_is_matched_without_parameters_or_case(content_type: str) -> None:
    assert read(read_form, Sent([b"a=1"], content_type)) == {"a": "1"}


@pytest.mark.parametrize(
    ("content_type", "named"),
    [
        ("application/json", "'application/json'"),
        (None, "'no Content-Type'"),
        ("", "'no Content-Type'"),
    ],
)
def test_a_form_of_another_media_type_is_refused_naming_it(
    content_type: str | None, named: str
) -> None:
    error = refused(read_form, Sent([b'{"a": 1}'], content_type))
    assert error.param == "Content-Type" and named in error.message and FORM in error.message


def test_a_huge_media_type_is_clipped_in_the_message() -> None:
    error = refused(read_form, Sent([b"a=1"], "text/" + "x" * 500))
    assert len(error.message) < 200 and "…" in error.message


def test_a_form_field_given_twice_is_refused_naming_it() -> None:
    error = refused(read_form, Sent([b"client_id=a&client_id=b"]))
    assert error.param == "client_id" and "twice" in error.message


def test_a_form_of_too_many_fields_is_refused_not_crashed() -> None:
    error = refused(read_form, Sent([b"&".join(b"f%d=1" % n for n in range(101))]))
    assert "fields" in error.message


@pytest.mark.parametrize("reader", [read_form, read_json])
def test_a_body_of_exactly_the_bound_is_read_and_one_byte_more_is_refused(
    reader: Callable[..., Awaitable[Any]],
) -> None:
    if reader is read_form:
        within = b"a=" + b"x" * (MAX_BODY - 2)
    else:
        within = b'"' + b"x" * (MAX_BODY - 2) + b'"'
    assert len(read(reader, Sent([within[: MAX_BODY // 2], within[MAX_BODY // 2 :]])) or "") > 0
    error = refused(reader, Sent([within, b" "]))
    assert str(MAX_BODY) in error.message


def test_reading_stops_as_soon_as_the_bound_is_passed() -> None:
    sent = Sent([], endless=True)  # a client that never stops sending
    refused(read_json, sent)
    assert sent.reads == MAX_BODY // 1024 + 1


def test_a_json_body_may_have_a_bound_of_its_own() -> None:
    assert read(read_json, Sent([b"[1, 2]"], "application/json"), limit=6) == [1, 2]
    error = refused(read_json, Sent([b"[1, 2] "], "application/json"), limit=6)
    assert "6 bytes" in error.message


@pytest.mark.parametrize("body", [b"", b"{", b"{'a': 1}", b"NaN-ish", b"[1,]"])
def test_a_body_that_is_not_json_is_refused(body: bytes) -> None:
    assert "not valid JSON" in refused(read_json, Sent([body])).message


@pytest.mark.parametrize("reader", [read_form, read_json])
def test_a_body_that_is_not_utf8_is_refused(reader: Callable[..., Awaitable[Any]]) -> None:
    assert "not UTF-8" in refused(reader, Sent([b'"caf\xe9"'])).message


def test_any_json_value_is_returned_as_parsed() -> None:
    assert read(read_json, Sent([b'{"a": [1, 2.5, null, true, "\\u00e9"]}'])) == {
        "a": [1, 2.5, None, True, "é"]
    }
    assert read(read_json, Sent([b"  42 \n"])) == 42
