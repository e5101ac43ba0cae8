"""What a report may hold: printable excerpts of what a server sent, the ``curl`` line that
reproduces a request (quoted for a shell, secrets shown as shell variables), and masking."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from urllib.parse import parse_qs, quote, quote_plus

import httpx
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from cartkit.contracts.reproduce import MAX_CURL, MAX_TEXT, curl, printable, redact

SECRET = "sk-test-s3cret-0123"
TOKEN_VARIABLE = "$CARTKIT_TOKEN"

# What printable must never let through (the module's own list, restated from its comment:
# C0 but tab and newline, DEL, C1, lone surrogates, U+FFFE and U+FFFF).
UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

# Characters a shell treats specially, in or out of quotes, and text around them.
HOSTILE = "'\"`$!\\ \t\n;&|<>()*?[]{}~#=%,^"
shell_text = st.text(
    alphabet=st.sampled_from(HOSTILE) | st.characters(min_codepoint=0x21, max_codepoint=0x7E),
    max_size=30,
)
header_value = st.text(
    alphabet=st.sampled_from(HOSTILE.replace("\n", ""))
    | st.characters(min_codepoint=0x21, max_codepoint=0x7E),
    max_size=30,
)
url_path = st.text(alphabet="'\"`$!;&|<>()*[]{}~=,^@:+ab-_.", max_size=20)
any_text = st.text(max_size=30)  # any code point but lone surrogates (UTF-8 encodable)


# -- printable -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        pytest.param("\x00", "\\x00", id="nul"),
        pytest.param("\x1b[31m", "\\x1b[31m", id="escape-sequence"),
        pytest.param("a\rb", "a\\x0db", id="carriage-return"),
        pytest.param("\x0b\x0c", "\\x0b\\x0c", id="vt-ff"),
        pytest.param("\x7f", "\\x7f", id="del"),
        pytest.param("\x85\x9b\x9f", "\\x85\\x9b\\x9f", id="c1"),
        pytest.param("\ud800x\udfff", "\\ud800x\\udfff", id="lone-surrogates"),
        pytest.param("\ufffe\uffff", "\\ufffe\\uffff", id="non-characters"),
        pytest.param("tab\tnew\nline", "tab\tnew\nline", id="tab-and-newline-stay"),
        pytest.param("é ü 😀 \xa0 \u2028 <&>\"'", "é ü 😀 \xa0 \u2028 <&>\"'", id="text-stays"),
    ],
)
def test_printable_escapes_what_no_report_may_hold(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_printable_keeps_at_most_the_limit_and_says_how_much_more() -> None:
    assert printable("x" * 10, limit=10) == "x" * 10
    assert printable("x" * 11, limit=10) == "x" * 10 + "... (1 more characters)"
    assert printable("y" * 1244, limit=10) == "y" * 10 + "... (1,234 more characters)"
    assert printable("z" * (MAX_TEXT + 5)) == "z" * MAX_TEXT + "... (5 more characters)"
    assert printable("z" * (MAX_TEXT * 3), limit=None) == "z" * (MAX_TEXT * 3)


def test_the_limit_applies_to_the_text_as_shown() -> None:
    # Each NUL is shown as four characters: three of them make 12, over a limit of 8.
    assert printable("\x00\x00\x00", limit=8) == "\\x00\\x00... (4 more characters)"


def test_curl_lines_may_be_longer_than_excerpts() -> None:
    assert MAX_CURL > MAX_TEXT


def _unescape(text: str) -> str:
    return re.sub(
        r"\\x([0-9a-f]{2})|\\u([0-9a-f]{4})",
        lambda m: chr(int(m.group(1) or m.group(2), 16)),
        text,
    )


@given(st.text(alphabet=st.characters(codec=None, exclude_characters="\\"), max_size=60))
@example("\x00\x1b\x7f\x85\ud800\ufffe\uffff\t\n")
def test_printable_text_holds_nothing_unprintable_and_unescapes_to_the_original(
    text: str,
) -> None:
    shown = printable(text, limit=None)
    assert not UNPRINTABLE.search(shown)
    assert _unescape(shown) == text


# -- curl: quoting -------------------------------------------------------------------------------


def test_curl_leaves_out_the_headers_httpx_adds_on_its_own() -> None:
    with httpx.Client() as client:
        request = client.build_request(
            "POST", "http://h/v1/carts", headers={"X-Mine": "1"}, content=b"body"
        )
    assert {"user-agent", "accept-encoding", "connection", "host", "content-length"} <= {
        name.lower() for name in request.headers
    }
    assert shlex.split(curl(request)) == [
        "curl",
        "-X",
        "POST",
        "-H",
        "Accept: */*",
        "-H",
        "X-Mine: 1",
        "-d",
        "body",
        "http://h/v1/carts",
    ]


def test_a_request_without_a_body_has_no_data() -> None:
    command = curl(httpx.Request("GET", "http://h/v1/carts?limit=2"))
    assert command == "curl -X GET 'http://h/v1/carts?limit=2'"


@given(
    method=st.sampled_from(["GET", "POST", "DELETE"]),
    value=header_value,
    body=any_text,
    path=url_path,
    query=any_text,
)
@example(method="GET", value="it's", body="", path="", query="")
@example(method="POST", value='$HOME `id` "q" \\', body="a'b\"c$d\x00é\n", path="p'$!", query="!")
def test_every_word_of_a_curl_line_splits_back_to_what_was_sent(
    method: str, value: str, body: str, path: str, query: str
) -> None:
    request = httpx.Request(
        method,
        "http://h/" + path,
        params={"q": query},
        headers={"X-Test": value},
        content=body.encode(),
    )
    expected = ["curl", "-X", method, "-H", f"X-Test: {value}"]
    if body:
        expected += ["-d", body]
    expected.append(str(request.url))
    assert shlex.split(curl(request)) == expected


def test_a_body_that_is_not_utf_8_is_shown_with_replacement_characters() -> None:
    request = httpx.Request("POST", "http://h/", content=b"ok\xff")
    assert shlex.split(curl(request))[-2:] == ["ok\ufffd", "http://h/"]


# -- curl: secrets -------------------------------------------------------------------------------


def test_a_placeholder_header_is_shown_as_given_for_the_shell_to_expand() -> None:
    request = httpx.Request(
        "GET", "http://h/v1/carts", headers={"authorization": f"Bearer {SECRET}"}
    )
    command = curl(request, {"Authorization": f"Bearer {TOKEN_VARIABLE}"})
    assert SECRET not in command
    # The header's name as sent, double quotes so that the variable expands.
    assert f'-H "authorization: Bearer {TOKEN_VARIABLE}"' in command


def test_a_placeholder_header_holding_an_issued_token_shows_that_tokens_variable() -> None:
    # A check acting with an obtained token: the header carries it, not the user's credential,
    # so the line must name the issued token's variable, not the user's.
    issued = "issued-tok-777"
    request = httpx.Request(
        "GET", "http://h/v1/carts", headers={"Authorization": f"Bearer {issued}"}
    )
    command = curl(
        request, {"Authorization": f"Bearer {TOKEN_VARIABLE}"}, {issued: "$ISSUED_TOKEN"}
    )
    assert issued not in command and TOKEN_VARIABLE not in command
    assert '-H "Authorization: Bearer $ISSUED_TOKEN"' in command


def test_a_secret_is_masked_in_the_url_the_headers_and_the_body() -> None:
    request = httpx.Request(
        "POST",
        f"http://h/v1/carts?key={SECRET}",
        headers={"X-Key": SECRET},
        data={"client_secret": SECRET, "code": "c"},
    )
    command = curl(request, variables={SECRET: "$CARTKIT_CLIENT_SECRET"})
    assert SECRET not in command
    words = shlex.split(command)
    assert "X-Key: $CARTKIT_CLIENT_SECRET" in words
    assert "client_secret=$CARTKIT_CLIENT_SECRET&code=c" in words
    assert words[-1] == "http://h/v1/carts?key=$CARTKIT_CLIENT_SECRET"


def test_a_secret_is_masked_as_a_form_body_encodes_it_too() -> None:
    secret = "p@ss word+/="
    request = httpx.Request("POST", "http://h/token", data={"client_secret": secret})
    assert quote_plus(secret) in request.content.decode()
    command = curl(request, variables={secret: "$CARTKIT_CLIENT_SECRET"})
    assert quote_plus(secret) not in command and secret not in command
    assert "$CARTKIT_CLIENT_SECRET" in command


def test_the_longest_secret_is_masked_first() -> None:
    request = httpx.Request("GET", "http://h/", headers={"X-Key": "abcdef-abc"})
    command = curl(request, variables={"abc": "$SHORT", "abcdef": "$LONG"})
    assert "X-Key: $LONG-$SHORT" in shlex.split(command)


def test_an_empty_secret_masks_nothing() -> None:
    request = httpx.Request("GET", "http://h/", headers={"X-Key": "value"})
    assert curl(request, variables={"": "$EMPTY"}) == curl(request)


@given(prefix=shell_text, suffix=shell_text, body=any_text)
@example(prefix="", suffix="", body="")
@example(prefix="it's ", suffix=' "$x"', body=f"{SECRET}`")
def test_a_secret_never_shows_and_splits_back_as_its_variable(
    prefix: str, suffix: str, body: str
) -> None:
    value = prefix + SECRET + suffix
    request = httpx.Request(
        "POST",
        "http://h/v1/carts",
        headers={"X-Key": value.replace("\n", " ")},
        content=(body + SECRET + prefix).encode(),
    )
    command = curl(request, variables={SECRET: TOKEN_VARIABLE})
    assert SECRET not in command
    braced = "${" + TOKEN_VARIABLE[1:] + "}"  # where a letter, digit or _ follows the variable
    assert [w.replace(braced, TOKEN_VARIABLE) for w in shlex.split(command)] == [
        "curl",
        "-X",
        "POST",
        "-H",
        "X-Key: " + value.replace("\n", " ").replace(SECRET, TOKEN_VARIABLE),
        "-d",
        (body + SECRET + prefix).replace(SECRET, TOKEN_VARIABLE),
        "http://h/v1/carts",
    ]


# Bash itself runs the line (``curl`` a function printing its arguments), as typed at a prompt:
# what it passes is what was sent, the secret expanded back from its variable, also where a
# letter, digit or underscore follows it (which would otherwise continue the variable's name).
after_secret = st.text(
    alphabet=st.sampled_from(HOSTILE) | st.characters(min_codepoint=0x21, max_codepoint=0x7E),
    max_size=20,
)


@given(prefix=shell_text, suffix=after_secret)
@example(prefix="", suffix="")
@example(prefix="a'b", suffix="!$HOME")
@example(prefix="plain ", suffix=" text")
@example(prefix="/shops/", suffix="Shop/carts")
@example(prefix="x", suffix="_1")
def test_bash_runs_the_line_with_the_secret_back_in_place(prefix: str, suffix: str) -> None:
    value = prefix + SECRET + suffix
    # A line that starts with `^` is a history substitution even inside quotes: a quirk of
    # interactive bash no quoting avoids.
    assume("\n^" not in value)
    request = httpx.Request(
        "POST", "http://h/v1/carts", headers={"X-Key": value.replace("\n", " ")}, content=value
    )
    command = curl(request, variables={SECRET: TOKEN_VARIABLE})
    assert SECRET not in command
    ran = subprocess.run(
        ["bash"],
        # As typed at a prompt: with history expansion, so a `!` must be quoted against it too.
        input=f"set -o history -H\ncurl() {{ printf '%s\\0' \"$@\"; }}\n{command}\n".encode(),
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CARTKIT_TOKEN": SECRET},
        capture_output=True,
        check=True,
    )
    assert ran.stderr == b""
    assert ran.stdout.decode().split("\0")[:-1] == [
        "-X",
        "POST",
        "-H",
        "X-Key: " + value.replace("\n", " "),
        "-d",
        value,
        "http://h/v1/carts",
    ]


def _as_curl_sends(words: list[str]) -> str:
    """The body curl sends for its ``-d`` and ``--data-urlencode`` options (joined by ``&``)."""
    fields = []
    for option, value in zip(words[::2], words[1::2], strict=True):
        if option not in {"-d", "--data-urlencode"}:
            continue
        if option == "--data-urlencode":
            name, _, content = value.partition("=")
            value = f"{name}={quote(content, safe='')}"
        fields.append(value)
    return "&".join(fields)


@pytest.mark.parametrize("secret", ["a/b+c=", "s3cret&code=forged", "plain", "p@ss word"])
def test_bash_sends_a_form_body_with_the_secret_encoded_as_the_request_did(secret: str) -> None:
    data = {"grant_type": "client_credentials", "client_secret": secret, "code": "c"}
    request = httpx.Request("POST", "http://h/token", data=data)
    command = curl(request, variables={secret: "$CARTKIT_CLIENT_SECRET"})
    assert quote_plus(secret) not in command and secret not in command
    ran = subprocess.run(
        ["bash"],
        input=f"curl() {{ printf '%s\\0' \"$@\"; }}\n{command}\n".encode(),
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CARTKIT_CLIENT_SECRET": secret},
        capture_output=True,
        check=True,
    )
    words = ran.stdout.decode().split("\0")[:-1]
    assert words[:2] == ["-X", "POST"] and words[-1] == "http://h/token"
    assert parse_qs(_as_curl_sends(words[2:-1]), strict_parsing=True) == {
        name: [value] for name, value in data.items()
    }


# -- redact --------------------------------------------------------------------------------------


def test_redact_masks_every_secret_longest_first() -> None:
    text = f"token {SECRET} and again {SECRET}; key abcdef-abc"
    assert redact(text, ["abc", SECRET, "abcdef"]) == "token *** and again ***; key ***-***"


def test_redact_leaves_secrets_too_short_to_mask() -> None:
    assert redact("ab in a tab", ["ab", ""]) == "ab in a tab"
    assert redact("abc in a tabc", ["abc"]) == "*** in a t***"


def test_redact_turns_a_filtered_header_into_its_placeholder() -> None:
    sample = "curl -X GET -H 'authorization: [Filtered]' -H 'X-Other: [Filtered]' 'http://h/v1'"
    shown = redact(sample, [], {"Authorization": f"Bearer {TOKEN_VARIABLE}"})
    assert shown == (
        "curl -X GET -H \"Authorization: Bearer $CARTKIT_TOKEN\" -H 'X-Other: [Filtered]' "
        "'http://h/v1'"
    )


def test_redact_masks_what_a_placeholder_leaves() -> None:
    sample = f"curl -H 'spm-api-key: [Filtered]' 'http://h/v1/carts?key={SECRET}'"
    shown = redact(sample, [SECRET], {"spm-api-key": "$CARTKIT_API_KEY"})
    assert shown == "curl -H \"spm-api-key: $CARTKIT_API_KEY\" 'http://h/v1/carts?key=***'"
