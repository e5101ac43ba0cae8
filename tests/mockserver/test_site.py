"""Where the mock is reached (``mockserver/site.py``), read from the request's scope."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.requests import Request

from cartkit.mockserver.site import site


def request(headers: list[tuple[bytes, bytes]] | None = None, **scope: Any) -> Request:
    return Request({"type": "http", "headers": headers or [], "query_string": b"", **scope})


def test_the_host_header_wins_as_sent() -> None:
    sent = request([(b"accept", b"*/*"), (b"host", b"shop.example:8080")], server=("10.0.0.1", 80))
    assert site(sent) == "http://shop.example:8080"


def test_the_scheme_is_the_requests() -> None:
    assert site(request([(b"host", b"shop.example")], scheme="https")) == "https://shop.example"


@pytest.mark.parametrize(
    ("scheme", "server", "expected"),
    [
        ("http", ("127.0.0.1", 8000), "http://127.0.0.1:8000"),
        ("http", ("127.0.0.1", 80), "http://127.0.0.1"),  # the default port is left out
        ("https", ("mock.local", 443), "https://mock.local"),
        ("http", ("mock.local", 443), "http://mock.local:443"),  # only the scheme's own
        ("https", ("mock.local", 80), "https://mock.local:80"),
    ],
)
def test_without_a_host_header_the_servers_address(
    scheme: str, server: tuple[str, int], expected: str
) -> None:
    assert site(request(scheme=scheme, server=server)) == expected


def test_without_either_it_is_localhost_over_http() -> None:
    assert site(request()) == "http://localhost"


def test_a_query_of_any_bytes_is_never_read() -> None:
    sent = request([(b"host", b"mock:1")], query_string=b"q=\xff\xfe&x=%ZZ")
    assert site(sent) == "http://mock:1"


def test_a_host_of_latin1_bytes_is_kept() -> None:
    assert site(request([(b"host", "bücher.example".encode("latin-1"))])) == "http://bücher.example"
