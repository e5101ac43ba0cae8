"""The target: base URLs, credentials and required headers from the spec, rate limiting."""

from __future__ import annotations

import asyncio
import time

import pytest

from cartkit.contracts import ConfigError, Target
from cartkit.contracts.credentials import masked_url
from tests.contracts.conftest import mock_app


def test_headers_come_from_each_vendors_security_scheme() -> None:
    shopimind = Target("shopimind", base_url="http://h/", auth={"api_key": "k" * 24})
    assert shopimind.headers()["spm-api-key"] == "k" * 24
    assert shopimind.url == "http://h/v1/carts"
    nextcommerce = Target("nextcommerce", base_url="http://h/p", auth={"token": "t"})
    assert nextcommerce.headers()["Authorization"] == "Bearer t"
    assert nextcommerce.headers()["X-29next-API-Version"] == "2023-02-10"
    assert nextcommerce.url == "http://h/p/api/admin/carts/"
    epages = Target("epages", base_url="http://h", auth={"token": "t"})
    assert epages.url == "http://h/rs/shops/DemoShop/carts"
    assert "application/vnd.epages.v1+json" in epages.headers()["Accept"]
    other = Target("epages", base_url="http://h", auth={"token": "t", "shop_id": "My Shop"})
    assert other.path == "/rs/shops/My%20Shop/carts"
    elasticpath = Target(
        "elasticpath", base_url="http://h", auth={"token": "t", "customer_token": "c"}
    )
    assert elasticpath.headers()["X-Moltin-Customer-Token"] == "c"
    assert epages.url_for("Other") == "http://h/rs/shops/Other/carts"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"base_url": "127.0.0.1:8000", "auth": {"token": "t"}}, "scheme://host"),
        pytest.param({"auth": {"token": "t"}}, "base URL"),
        pytest.param({"base_url": "http://h"}, "--token"),
        pytest.param({"base_url": "http://h", "auth": {"tokn": "t"}}, "unknown credential"),
        pytest.param(
            {"base_url": "http://h", "auth": {"token": "t"}, "rate_limit": 0}, "rate limit"
        ),
    ],
)
def test_configuration_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Target("stateset", **kwargs)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        pytest.param("http://ada:s3cret@h:8000/stateset", "http://ada:***@h:8000/stateset"),
        pytest.param("https://sk_live_s3cret@h/x", "https://***@h/x", id="user-alone"),
        pytest.param("http://ada:s3c@r/t@h/stateset", "http://ada:***@h/stateset", id="raw-@-/"),
        pytest.param("http://ada:s3cret@h:port/x", "http://ada:***@h:port/x", id="bad-port"),
        pytest.param("ftp://ada:s3cret@h/x", "ftp://ada:***@h/x", id="bad-scheme"),
        pytest.param("http://ada:s3cret@h/x?q=1", "http://ada:***@h/x?q=***", id="query"),
    ],
)
def test_a_url_with_credentials_is_refused_without_showing_them(url: str, shown: str) -> None:
    # httpx and requests would send user:password@ as `Authorization: Basic`, in place of the
    # bearer: refused, and the refusal never shows the password.
    assert masked_url(url) == shown
    with pytest.raises(ConfigError) as caught:
        Target("stateset", base_url=url, auth={"token": "t"})
    assert "s3cret" not in str(caught.value) and "***" in str(caught.value)


def test_both_shopper_tokens_are_a_configuration_error() -> None:
    # Elastic Path refuses every request carrying both (403), so nothing could be checked.
    auth = {"token": "t", "customer_token": "c", "account_token": "a"}
    with pytest.raises(ConfigError, match="one shopper token"):
        Target("elasticpath", base_url="http://h", auth=auth)


def test_a_customer_login_needs_both_halves() -> None:
    with pytest.raises(ConfigError, match="--customer-email and --customer-password"):
        Target("elasticpath", base_url="http://h", auth={"token": "t", "customer_email": "a@b"})


def test_token_credentials_are_masked_and_token_routes_resolved() -> None:
    auth = {"token": "tok-123", "client_id": "app-1", "client_secret": "s3cret", "auth_code": "c"}
    target = Target("epages", base_url="http://h/p", auth=auth)
    # Too short to mask without masking by accident ("c"); the others show their variable.
    assert target.variables() == {
        "tok-123": "$CARTKIT_TOKEN",
        "app-1": "$CARTKIT_CLIENT_ID",
        "s3cret": "$CARTKIT_CLIENT_SECRET",
    }
    target.remember("issued-token", "ISSUED_TOKEN")
    assert target.variables()["issued-token"] == "$ISSUED_TOKEN"
    assert "issued-token" in target.secrets()
    assert target.url_of("/rs/shops/{shopId}/token") == "http://h/p/rs/shops/DemoShop/token"
    assert target.tokens is not None and target.tokens.path_parameters() == ["shopId"]
    with target.acting_as(token="other"):
        assert target.headers()["Authorization"] == "Bearer other"
    assert target.headers()["Authorization"] == "Bearer tok-123"
    assert Target("stateset", base_url="http://h", auth={"token": "t"}).tokens is None


def test_unknown_vendor() -> None:
    with pytest.raises(ConfigError, match="did you mean 'epages'"):
        Target("epage", base_url="http://h", auth={"token": "t"})


def test_rate_limit_spaces_requests() -> None:
    with Target(
        "stateset",
        app=mock_app("stateset"),
        base_url="http://testserver/stateset",
        auth={"token": "t"},
        rate_limit=20,
    ) as target:
        started = time.monotonic()
        for _ in range(5):
            assert target.get({"limit": 1}).status_code == 200
        assert time.monotonic() - started >= 0.19
        assert target.requests == 5


def test_an_app_can_be_checked_from_async_code() -> None:
    # pytest-asyncio tests and notebooks call from inside a running loop.
    async def from_a_coroutine() -> int:
        with Target(
            "stateset",
            app=mock_app("stateset"),
            base_url="http://testserver/stateset",
            auth={"token": "t"},
        ) as target:
            return target.get({"limit": 1}).status_code

    assert asyncio.run(from_a_coroutine()) == 200
