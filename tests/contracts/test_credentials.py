"""``contracts.credentials``: what a user may pass (``Credentials.coerce``), what each vendor's
scheme sends of it, the shell placeholders a reproducing ``curl`` shows instead, and
``masked_url``, which hides a ``user:password@`` in a URL shown in a message."""

from __future__ import annotations

import dataclasses
import shlex

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cartkit import specs
from cartkit.contracts.credentials import (
    MIN_SECRET,
    PLACEHOLDERS,
    SHOPPER_HEADERS,
    Credentials,
    masked_url,
)
from cartkit.contracts.errors import ConfigError
from cartkit.contracts.target import Target

FIELDS = [f.name for f in dataclasses.fields(Credentials)]

# -- coerce ---------------------------------------------------------------------------------


def test_coerce_none_is_no_credential_at_all() -> None:
    empty = Credentials.coerce(None)
    assert empty == Credentials()
    assert all(getattr(empty, name) is None for name in FIELDS)


def test_coerce_returns_a_credentials_as_it_is() -> None:
    given_ = Credentials(token="t0ken", shop_id="Shop")
    assert Credentials.coerce(given_) is given_


def test_coerce_reads_a_mapping_of_field_names() -> None:
    coerced = Credentials.coerce({"token": "t0ken", "customer_token": "cust", "api_key": None})
    assert coerced == Credentials(token="t0ken", customer_token="cust")
    assert coerced.api_key is None and coerced.account_token is None


@given(st.dictionaries(st.sampled_from(FIELDS), st.none() | st.text(max_size=8)))
def test_coerce_keeps_every_known_field_of_a_mapping(mapping: dict[str, str | None]) -> None:
    coerced = Credentials.coerce(mapping)
    for name in FIELDS:
        assert getattr(coerced, name) == mapping.get(name)


def test_coerce_refuses_an_unknown_field_naming_it_and_the_known_ones() -> None:
    with pytest.raises(ConfigError) as raised:
        Credentials.coerce({"token": "t0ken", "password": "x", "bearer": "y"})
    message = str(raised.value)
    # The first unknown one in sorted order, and every field it could have been.
    assert message.startswith("unknown credential 'bearer'; use one of ")
    assert all(repr(name) in message for name in FIELDS)
    assert "'password'" not in message


def test_credentials_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Credentials(token="a").token = "b"  # type: ignore[misc]


# -- what each scheme sends -----------------------------------------------------------------


def target(vendor: str, **auth: str) -> Target:
    """A target never contacted (nothing in these tests sends a request)."""
    return Target(vendor, base_url="http://127.0.0.1:9", auth=auth)


def test_shopimind_sends_its_api_key_in_its_own_header_and_no_bearer() -> None:
    t = target("shopimind", api_key="spm-key-0123456789abcdef", token="unused-token")
    assert t.auth_headers() == {"spm-api-key": "spm-key-0123456789abcdef"}
    assert "Authorization" not in t.headers()
    assert "unused-token" not in t.headers().values()


@pytest.mark.parametrize("vendor", [v for v in specs.VENDORS if v != "shopimind"])
def test_every_other_vendor_sends_a_bearer_token(vendor: str) -> None:
    t = target(vendor, token="t0ken-abc", api_key="unused-key")
    assert t.auth_headers() == {"Authorization": "Bearer t0ken-abc"}
    assert "unused-key" not in t.headers().values()


def test_a_vendor_refuses_to_start_without_the_credential_its_scheme_needs() -> None:
    with pytest.raises(ConfigError, match="CARTKIT_API_KEY"):
        target("shopimind", token="t0ken-abc")
    with pytest.raises(ConfigError, match="CARTKIT_TOKEN"):
        target("stateset", api_key="some-key-0123456789")


def test_elasticpath_sends_a_shopper_token_in_its_header() -> None:
    customer = target("elasticpath", token="t0ken", customer_token="cust-123")
    assert customer.headers()["X-Moltin-Customer-Token"] == "cust-123"
    assert "EP-Account-Management-Authentication-Token" not in customer.headers()
    account = target("elasticpath", token="t0ken", account_token="acct-456")
    assert account.headers()["EP-Account-Management-Authentication-Token"] == "acct-456"
    assert "X-Moltin-Customer-Token" not in account.headers()


def test_a_shopper_token_goes_only_to_a_vendor_that_documents_its_header() -> None:
    stateset = target("stateset", token="t0ken", customer_token="cust-123")
    assert not set(SHOPPER_HEADERS) & set(stateset.headers())


def test_the_epages_shop_id_goes_in_the_path_quoted() -> None:
    assert target("epages", token="t0ken").path == "/rs/shops/DemoShop/carts"  # the default
    assert target("epages", token="t0ken", shop_id="My Shop/2").path == (
        "/rs/shops/My%20Shop%2F2/carts"
    )
    assert "shop" not in " ".join(target("epages", token="t0ken", shop_id="X1").headers()).lower()


def test_shopper_headers_name_credential_fields() -> None:
    assert set(SHOPPER_HEADERS.values()) <= set(FIELDS)


# -- placeholders and curl ------------------------------------------------------------------


def test_every_placeholder_is_the_cartkit_variable_of_a_credential_field() -> None:
    for name, placeholder in PLACEHOLDERS.items():
        assert name in FIELDS
        assert placeholder == f"$CARTKIT_{name.upper()}"


def test_the_shop_id_is_no_secret() -> None:
    assert "shop_id" in FIELDS and "shop_id" not in PLACEHOLDERS
    t = target("epages", token="t0ken-abc", shop_id="MyShop")
    assert "MyShop" not in t.secrets()


def test_secrets_are_the_credentials_at_least_min_secret_long() -> None:
    short = "x" * (MIN_SECRET - 1)
    long_enough = "y" * MIN_SECRET
    t = target("elasticpath", token=long_enough, client_secret=short)
    assert t.variables() == {long_enough: "$CARTKIT_TOKEN"}
    assert short not in t.secrets()


def test_curl_shows_a_bearer_token_as_its_placeholder() -> None:
    t = target("stateset", token="s3cret-t0ken")
    request = httpx.Request("GET", t.url + "?limit=2", headers=t.headers())
    line = t.curl(request)
    assert "s3cret-t0ken" not in line
    assert '-H "Authorization: Bearer $CARTKIT_TOKEN"' in line
    assert line.startswith("curl -X GET ")


def test_curl_shows_an_api_key_as_its_placeholder() -> None:
    key = "spm-key-0123456789abcdef"
    t = target("shopimind", api_key=key)
    line = t.curl(httpx.Request("GET", t.url, headers=t.headers()))
    assert key not in line and '-H "spm-api-key: $CARTKIT_API_KEY"' in line


def test_curl_shows_a_shopper_token_as_its_placeholder() -> None:
    t = target("elasticpath", token="s3cret-t0ken", customer_token="cust-s3cret")
    line = t.curl(httpx.Request("GET", t.url, headers=t.headers()))
    assert "cust-s3cret" not in line
    assert '-H "X-Moltin-Customer-Token: $CARTKIT_CUSTOMER_TOKEN"' in line


def test_curl_shows_a_secret_in_the_query_as_its_variable() -> None:
    t = target("stateset", token="s3cret-t0ken")
    line = t.curl(httpx.Request("GET", t.url + "?q=s3cret-t0ken", headers=t.headers()))
    assert "s3cret-t0ken" not in line
    assert "q=$CARTKIT_TOKEN" in line


def test_curl_keeps_a_made_up_credential_a_check_sent_on_purpose() -> None:
    # auth.malformed sends "Basic ..." in place of the token: the curl must send that too.
    t = target("stateset", token="s3cret-t0ken")
    headers = {**t.headers(), "Authorization": "Basic Y2FydGtpdDpjYXJ0a2l0"}
    line = t.curl(httpx.Request("GET", t.url, headers=headers))
    words = shlex.split(line)
    assert words[words.index("Authorization: Basic Y2FydGtpdDpjYXJ0a2l0") - 1] == "-H"
    assert "$CARTKIT_TOKEN" not in line


# -- masked_url -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://ada:s3cret@api.example.com/v1", "https://ada:***@api.example.com/v1"),
        # A user alone may be an API key (sk_test_...@): hidden too.
        ("https://sk_test_abc123@api.example.com/v1", "https://***@api.example.com/v1"),
        # A password holding '@' or '/' unencoded: all of it, up to the last '@'.
        ("https://ada:p@ss/w0rd@api.example.com/v1", "https://ada:***@api.example.com/v1"),
        ("http://ada:@h:8000", "http://ada:***@h:8000"),
        # An '@' in the query or fragment is no user; query values are hidden (a key may be
        # one), the fragment is not.
        (
            "https://api.example.com/v1?email=ada@example.com",
            "https://api.example.com/v1?email=***",
        ),
        ("https://api.example.com/v1#ada@example.com", None),
        (
            "https://ada:s3cret@api.example.com/v1?token=abc@def&x=1#f",
            "https://ada:***@api.example.com/v1?token=***&x=***#f",
        ),
        # Without a scheme (refused, but shown in the refusal): the userinfo is still hidden.
        ("ada:s3cret@api.example.com/v1", "ada:***@api.example.com/v1"),
        ("//ada:s3cret@api.example.com", "//ada:***@api.example.com"),
        ("https://api.example.com/v1?api_key=sk_live_1", "https://api.example.com/v1?api_key=***"),
        ("http://127.0.0.1:8000/stateset", None),
    ],
)
def test_masked_url(url: str, shown: str | None) -> None:
    assert masked_url(url) == (url if shown is None else shown)


@given(
    user=st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True),
    password=st.from_regex(r"[A-Za-z0-9!$%&'()*+,;=:/@-]{3,16}", fullmatch=True),
    path=st.from_regex(r"(/[a-z0-9]{1,6}){0,3}", fullmatch=True),
)
def test_masked_url_never_shows_the_password(user: str, password: str, path: str) -> None:
    url = f"https://{user}:{password}@api.example.com{path}"
    shown = masked_url(url)
    assert shown == f"https://{user}:***@api.example.com{path}"


@pytest.mark.parametrize(
    "base_url", ["ada:s3cret@api.example.com/v1", "https://api.example.com/v1?api_key=s3cret"]
)
def test_a_malformed_base_url_is_refused_without_showing_its_secret(base_url: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Target("stateset", base_url=base_url, auth={"token": "t0k"})
    assert "s3cret" not in str(raised.value) and "***" in str(raised.value)


def test_a_base_url_with_credentials_is_refused_without_showing_them() -> None:
    with pytest.raises(ConfigError) as raised:
        Target("stateset", base_url="https://ada:s3cret@api.example.com", auth={"token": "t0k"})
    assert "s3cret" not in str(raised.value)
    assert "https://ada:***@api.example.com" in str(raised.value)
