"""Credentials (``mockserver/auth.py``): read as the security scheme says, masked in logs."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cartkit import specs
from cartkit.mockserver.auth import SECRET_HEADERS, AuthScheme, masked, redact
from cartkit.mockserver.errors import ApiError, Problem

from .conftest import AUTH

BEARER = AuthScheme(header="Authorization", bearer=True, pattern=None)
API_KEY = AuthScheme(header="spm-api-key", bearer=False, pattern=re.compile(r"[a-z0-9-]{20,64}"))


def refusal(scheme: AuthScheme, headers: dict[str, str]) -> Problem:
    with pytest.raises(ApiError) as caught:
        scheme.authenticate(headers)
    return caught.value.problem


def scheme_of(vendor: str, expected: str | None = None) -> AuthScheme:
    spec = specs.load(vendor)
    _, _, operation = specs.operation(spec)
    return AuthScheme.from_spec(spec, operation, expected=expected)


@pytest.mark.parametrize("headers", [{}, {"Authorization": ""}, {"Authorization": " \t "}])
def test_an_absent_or_blank_header_is_missing_credentials(headers: dict[str, str]) -> None:
    assert refusal(BEARER, headers) is Problem.MISSING_CREDENTIALS


@pytest.mark.parametrize(
    "value", ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc", "Bearerabc", "abc"]
)
def test_a_bearer_header_without_a_bearer_token_is_invalid(value: str) -> None:
    assert refusal(BEARER, {"Authorization": value}) is Problem.INVALID_CREDENTIALS


@pytest.mark.parametrize(
    ("value", "token"),
    [
        ("Bearer abc", "abc"),
        ("bearer abc", "abc"),  # the scheme word is case-insensitive (RFC 7235)
        ("BEARER \t abc", "abc"),
        ("  Bearer abc  ", "abc"),  # surrounding whitespace is not part of the token
        ("Bearer a b", "a b"),  # inner whitespace is
    ],
)
def test_the_bearer_token_is_what_follows_the_scheme_word(value: str, token: str) -> None:
    assert BEARER.authenticate({"Authorization": value}) == token


def test_an_api_key_is_the_whole_header_value_and_must_match_the_pattern() -> None:
    key = "cartkit-test-key-0123456789"
    assert API_KEY.authenticate({"spm-api-key": f" {key} "}) == key
    assert refusal(API_KEY, {"spm-api-key": "short"}) is Problem.INVALID_CREDENTIALS
    # an api-key scheme does not read a Bearer prefix: the space breaks the pattern
    assert refusal(API_KEY, {"spm-api-key": f"Bearer {key}"}) is Problem.INVALID_CREDENTIALS


def test_a_pattern_on_the_token_is_matched_against_the_token_alone() -> None:
    scheme = AuthScheme("Authorization", True, re.compile(r"sk_\w+"))
    assert scheme.authenticate({"Authorization": "Bearer sk_live"}) == "sk_live"
    assert refusal(scheme, {"Authorization": "Bearer pk_live"}) is Problem.INVALID_CREDENTIALS


def test_a_pattern_spelling_the_scheme_word_is_matched_against_bearer_and_the_token() -> None:
    # ePages documents '^Bearer .+' on the whole header value: a lower-case scheme word is
    # still a bearer token, so the pattern sees the canonical "Bearer <token>".
    scheme = AuthScheme("Authorization", True, re.compile("^Bearer .+"))
    assert scheme.authenticate({"Authorization": "bearer tok"}) == "tok"
    narrow = AuthScheme("Authorization", True, re.compile("^Bearer x.+"))
    assert refusal(narrow, {"Authorization": "Bearer tok"}) is Problem.INVALID_CREDENTIALS


def test_a_configured_credential_is_the_only_one_accepted() -> None:
    scheme = AuthScheme("Authorization", True, None, expected="s3cret")
    assert scheme.authenticate({"Authorization": "Bearer s3cret"}) == "s3cret"
    for other in ("s3cre", "s3cret2", "S3CRET"):
        with pytest.raises(ApiError) as caught:
            scheme.authenticate({"Authorization": f"Bearer {other}"})
        assert caught.value.problem is Problem.INVALID_CREDENTIALS
        assert "s3cret" not in caught.value.message  # a refusal never reveals the credential


@pytest.mark.parametrize("vendor", specs.VENDORS)
def test_every_vendor_scheme_accepts_well_formed_credentials(vendor: str) -> None:
    scheme = scheme_of(vendor)
    headers = {name.lower(): value for name, value in AUTH[vendor].items()}
    lower = AuthScheme(scheme.header.lower(), scheme.bearer, scheme.pattern)
    credential = lower.authenticate(headers)
    assert credential and credential in headers[scheme.header.lower()]
    assert refusal(lower, {}) is Problem.MISSING_CREDENTIALS
    assert scheme.header.lower() in SECRET_HEADERS  # so logs and the journal mask it


def test_from_spec_reads_header_scheme_and_pattern() -> None:
    assert scheme_of("shopimind").header == "spm-api-key"
    assert not scheme_of("shopimind").bearer and scheme_of("shopimind").pattern is not None
    stateset = scheme_of("stateset", expected="tok")
    assert (stateset.header, stateset.bearer, stateset.pattern) == ("Authorization", True, None)
    assert stateset.expected == "tok"


@pytest.mark.parametrize(
    ("secret", "shown"),
    [
        (b"Bearer abc.def", b"Bearer ***"),
        (b"bearer abc", b"bearer ***"),  # the scheme word as sent
        (b"Basic dXNlcjpwYXNz", b"Basic ***"),
        (b"Digest username=x", b"***"),  # other words may carry the secret themselves
        (b"cartkit-test-key-0123456789", b"***"),
        (b"Bearer", b"***"),
        (b"", b"***"),
    ],
)
def test_masked_keeps_only_a_bearer_or_basic_scheme_word(secret: bytes, shown: bytes) -> None:
    assert masked(secret) == shown


def test_redact_masks_only_secret_headers_whatever_their_case() -> None:
    assert redact("Accept", "application/json") == "application/json"
    assert redact("AUTHORIZATION", "Bearer tok") == "Bearer ***"
    assert redact("Spm-Api-Key", "k" * 30) == "***"
    assert redact("Cookie", "session=abc") == "***"
    assert redact("X-Moltin-Customer-Token", "eyJhbGciOi") == "***"


@given(
    name=st.sampled_from(sorted(SECRET_HEADERS)),
    word=st.sampled_from(["", "Bearer ", "Basic ", "Token "]),
    secret=st.text("0123456789abcdef", min_size=8, max_size=40),
)
def test_a_secret_never_survives_redaction(name: str, word: str, secret: str) -> None:
    assert secret not in redact(name, word + secret)
