"""Hostile requests: whatever a request holds, every vendor answers it in its own envelope, with
a status its spec documents and never a 5xx, and stays healthy.

The requests are sent to the ASGI app directly, as a server would hand them over (raw query
bytes, raw header bytes), so sizes no HTTP client would send still arrive.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cartkit import specs
from cartkit.mockserver import create_app, limits
from cartkit.mockserver.validation import Parameters

from .conftest import AUTH, assert_conforms
from .test_scenarios import path_of

APP = create_app(carts=300)
# A numeric parameter and a text parameter of each vendor, for values of every kind.
NUMBER = {"stateset": "limit", "shopimind": "limit", "nextcommerce": "product",
          "elasticpath": "page[limit]", "epages": "resultsPerPage"}  # fmt: skip
TEXT = {"stateset": "status", "shopimind": "filters", "nextcommerce": "utm_source",
        "elasticpath": "filter", "epages": "locale"}  # fmt: skip

DEEP = 200  # far beyond limits.MAX_DEPTH
QUERIES: dict[str, str] = {
    "query longer than the limit": "x=" + "a" * (limits.MAX_QUERY + 10),
    "more parameters than the limit": "&".join(f"p{n}=1" for n in range(limits.MAX_PARAMS + 5)),
    "a name longer than the limit": "k" * (limits.MAX_KEY + 10) + "=1",
    "bracket names nested deep": "{text}" + "[0]" * DEEP + "=1",
    "JSON arrays nested deep": "{text}=" + quote("[" * DEEP + "]" * DEEP),
    "JSON objects nested deep": "{text}=" + quote('{"a":' * DEEP + "1" + "}" * DEEP),
    "parentheses nested deep": "{text}=" + quote("eq(" * DEEP + "name,x" + ")" * DEEP),
    "a thousand [] keys": "&".join(f"filters[][field]=f{n}" for n in range(1000)),
    "invalid percent-encoding": "{number}=%ZZ&{text}=%",
    "invalid UTF-8": "{text}=%C3%28%FF",
    "NUL": "{text}=a%00b",
    "CR LF": "{text}=a%0D%0Ab",
    "right-to-left override": "{text}=%E2%80%AEabc",
    "emoji": "{text}=%F0%9F%9B%92",
    "400 digits": "{number}=" + "9" * 400,
    "5000 digits": "{number}=" + "9" * 5000,
    "1e400": "{number}=1e400",
    "NaN": "{number}=NaN",
    "Infinity": "{number}=Infinity",
    "-0": "{number}=-0",
    "negative": "{number}=-5",
    "a fraction": "{number}=1.5",
    "empty value": "{number}=",
    "repeated key": "&".join("{number}=5" for _ in range(100)),
    "array notation on a scalar": "{number}[]=1&{number}[a]=2",
    "a name of brackets only": "[]=1&[[[=2",
    "no name": "=x&&&=&",
    "semicolons": "{number}=1;{text}=2",
    "a long unknown parameter": "utm_x=" + "v" * 10_000,
    "an unknown cursor": "cursor=" + "A" * 500,
}
HEADERS: dict[str, dict[str, bytes]] = {
    "Authorization longer than the limit": {"authorization": b"Bearer " + b"x" * 20_000},
    "Authorization with control characters": {"authorization": b"Bearer a\x01\x7fb"},
    "Authorization of a scheme only": {"authorization": b"Bearer"},
    "credential of invalid UTF-8": {"authorization": b"Bearer \xff\xfe", "spm-api-key": b"\xff"},
    "Accept of hundreds of ranges": {"accept": b",".join(b"text/x%d;q=0.5" % n for n in range(300))},
    "Accept-Language of hundreds of items": {"accept-language": b",".join(b"x%d" % n for n in range(300))},
    "Accept-Language malformed": {"accept-language": b";;;q=xyz,,*;q=-1"},
    "unknown scenario": {"x-cartkit-scenario": b"nope"},
    "scenario of 5000 characters": {"x-cartkit-scenario": b"s" * 5000},
    "forced status not a number": {"x-cartkit-force-status": b"abc"},
    "forced status of 5000 digits": {"x-cartkit-force-status": b"9" * 5000},
    "forced status negative": {"x-cartkit-force-status": b"-1"},
}  # fmt: skip
SHOPS = ["9" * 5000, "a%2Fb", "a\nb", "\x00", "x" * 20_000, "%", "..", "DemoShop%00"]


def send(vendor: str, query: bytes = b"", headers: dict[str, bytes] | None = None,
         path: str | None = None) -> httpx.Response:  # fmt: skip
    """The app's answer to a GET of *vendor*'s list endpoint, as a server would pass it on."""
    raw = {k.lower(): v.encode() for k, v in AUTH[vendor].items()}
    raw.update(headers or {})
    path = path or path_of(vendor)
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode("utf-8", "surrogateescape"),
        "query_string": query, "root_path": "", "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "headers": [(b"host", b"127.0.0.1:8000"), *((k.encode(), v) for k, v in raw.items())],
    }  # fmt: skip
    sent: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def record(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            sent["status"], sent["headers"] = message["status"], message["headers"]
        else:
            sent["body"] += message.get("body", b"")

    asyncio.run(APP(scope, receive, record))
    return httpx.Response(sent["status"], headers=sent["headers"], content=sent["body"])


def holds_up(vendor: str, response: httpx.Response) -> None:
    assert response.status_code < 500, response.text[:300]
    assert_conforms(vendor, response)  # a status the spec documents, in the vendor's envelope


VENDORS = pytest.mark.parametrize("vendor", specs.VENDORS)


@VENDORS
@pytest.mark.parametrize("case", QUERIES)
def test_hostile_queries(vendor: str, case: str) -> None:
    query = QUERIES[case].format(number=quote(NUMBER[vendor]), text=quote(TEXT[vendor]))
    holds_up(vendor, send(vendor, query.encode()))


@VENDORS
@pytest.mark.parametrize("case", HEADERS)
def test_hostile_headers(vendor: str, case: str) -> None:
    holds_up(vendor, send(vendor, headers=HEADERS[case]))


@pytest.mark.parametrize("shop", SHOPS)
def test_hostile_shop_ids(shop: str) -> None:
    holds_up("epages", send("epages", path=f"/epages/rs/shops/{shop}/carts"))


@VENDORS
def test_over_the_limits_is_refused_before_anything_parses(
    vendor: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed a request over the limits")

    monkeypatch.setattr(Parameters, "parse", never)
    over = [
        QUERIES["query longer than the limit"],
        QUERIES["more parameters than the limit"],
        QUERIES["a name longer than the limit"],
        QUERIES["bracket names nested deep"].format(text=quote(TEXT[vendor])),
        QUERIES["JSON arrays nested deep"].format(text=quote(TEXT[vendor])),
    ]
    for query in over:
        response = send(vendor, query.encode())
        assert response.status_code == 400, response.text[:200]
        assert "more than" in response.text or "longer than" in response.text
    too_long = send(vendor, headers=HEADERS["Authorization longer than the limit"])
    assert too_long.status_code == 400 and "Authorization" in too_long.text


@VENDORS
def test_refusals_name_the_parameter(vendor: str) -> None:
    text = quote(TEXT[vendor])
    deep = send(vendor, QUERIES["JSON arrays nested deep"].format(text=text).encode())
    assert TEXT[vendor] in deep.text and f"more than {limits.MAX_DEPTH} levels" in deep.text


@VENDORS
def test_the_mock_is_healthy_after_the_corpus(vendor: str) -> None:
    for query in QUERIES.values():
        send(vendor, query.format(number=NUMBER[vendor], text=TEXT[vendor]).encode())
    assert send(vendor).status_code == 200


_QUERY_BYTES = st.binary(max_size=300) | st.text(max_size=200).map(lambda t: t.encode())
_NAMES = st.sampled_from([b"authorization", b"accept", b"accept-language", b"x-cartkit-scenario",
                          b"spm-api-key", b"x-29next-api-version", b"x-moltin-customer-token"])  # fmt: skip


@VENDORS
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=_QUERY_BYTES, headers=st.dictionaries(_NAMES, st.binary(max_size=120), max_size=3))
def test_any_query_and_header_values_get_a_documented_answer(
    vendor: str, query: bytes, headers: dict[bytes, bytes]
) -> None:
    holds_up(vendor, send(vendor, query, {k.decode(): v for k, v in headers.items()}))
