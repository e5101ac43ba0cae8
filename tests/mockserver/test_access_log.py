"""The access log: one line per request, nothing a request sends can forge a line or leak."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from starlette.testclient import TestClient

from cartkit.mockserver import create_app
from cartkit.mockserver.access_log import printable, redact_query, secret_param

from .conftest import AUTH


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("token", True), ("access_token", True), ("api_key", True), ("client_secret", True),
        ("password", True), ("signature", True), ("sig", True), ("code", True), ("SIG", True),
        ("X-Auth", True), ("credentials", True), ("status", False), ("zip_code", False),
        ("limit", False), ("session_id", False),
    ],
)  # fmt: skip
def test_credential_like_names(name: str, secret: bool) -> None:
    assert secret_param(name) is secret


def test_redacted_queries_keep_everything_else() -> None:
    redacted = redact_query("code=abc&state=xyz&sig=s1&limit=5&client_secret=pw")
    assert redacted == "code=***&state=xyz&sig=***&limit=5&client_secret=***"


def test_control_characters_and_line_separators_are_escaped() -> None:
    assert (
        printable("/a\nb\rc\x00d\x1b[31m\u2028e\x85")
        == "/a\\x0ab\\x0dc\\x00d\\x1b[31m\\u2028e\\x85"
    )
    assert printable("/stateset/v1/carts?status=ok") == "/stateset/v1/carts?status=ok"


def test_a_request_cannot_write_a_line_of_its_own(caplog: Any) -> None:
    client = TestClient(create_app(vendors=("stateset",), carts=5))
    forged = "/stateset/v1/carts%0A2026-01-01 INFO GET /admin 200"
    with caplog.at_level(logging.INFO, logger="cartkit.access"):
        client.get(forged + "?code=oauth-code-123&note=%0D%0Afake", headers=AUTH["stateset"])
    (line,) = [r.getMessage() for r in caplog.records if r.name == "cartkit.access"]
    assert "\n" not in line and "\r" not in line
    assert "\\x0a2026-01-01 INFO" in line and "oauth-code-123" not in line
