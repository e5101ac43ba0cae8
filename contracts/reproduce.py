"""Text a report may hold: server excerpts made printable, and the ``curl`` line that
reproduces a request without showing a secret."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from urllib.parse import quote_plus, unquote_plus

import httpx

__all__ = ["MAX_CURL", "MAX_TEXT", "curl", "printable", "redact"]

# Headers httpx adds on its own: not part of what the check sent on purpose.
_TRANSPORT_HEADERS = frozenset(
    {"host", "accept-encoding", "connection", "user-agent", "content-length"}
)

# What a server's bytes may bring into a report and no report may hold: control characters
# (a terminal obeys them; XML 1.0 forbids them, so a JUnit file holding one does not parse),
# lone surrogates (no UTF-8 file can hold them) and the non-characters U+FFFE and U+FFFF.
# Tab and newline stay.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
MAX_TEXT = 4000  # characters of one failure field (an excerpt of a body, say)
MAX_CURL = 16000  # a curl line cut short reproduces nothing, so it may be longer


def printable(text: str, limit: int | None = MAX_TEXT) -> str:
    r"""*text* safe for a terminal, an XML and a JSON report: each character none of them may
    hold shown as its escape, and at most *limit* characters kept (``None``: all).

    >>> printable("cart\x00\x1b[31m\n")
    'cart\\x00\\x1b[31m\n'
    """
    text = _UNPRINTABLE.sub(_escape, text)
    if limit is not None and len(text) > limit:
        text = f"{text[:limit]}... ({len(text) - limit:,} more characters)"
    return text


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def curl(
    request: httpx.Request,
    placeholders: Mapping[str, str] | None = None,
    variables: Mapping[str, str] | None = None,
) -> str:
    """A ``curl`` command reproducing *request* (its body too) without showing a secret.

    A secret value in *variables* (value -> ``$VARIABLE``) is shown as its variable wherever it
    appears (URL, header, body); a header in *placeholders* holding none is shown as given there.
    A form field whose secret the form encoding changed (``a/b+c=``) is sent with
    ``--data-urlencode``, so that curl encodes the variable's value as the request did.

    >>> r = httpx.Request("GET", "http://h/v1/carts?limit=2", headers={"Authorization": "Bearer s"})
    >>> curl(r, {"Authorization": "Bearer $CARTKIT_TOKEN"})
    'curl -X GET -H "Authorization: Bearer $CARTKIT_TOKEN" \\'http://h/v1/carts?limit=2\\''
    >>> r = httpx.Request("POST", "http://h/token", data={"client_secret": "s3cret", "code": "c"})
    >>> curl(r, variables={"s3cret": "$CARTKIT_CLIENT_SECRET"}).split(" -d ")[1]
    '"client_secret=$CARTKIT_CLIENT_SECRET&code=c" http://h/token'
    """
    placeholders = {k.lower(): v for k, v in (placeholders or {}).items()}
    variables = {
        form: variable
        for value, variable in (variables or {}).items()
        for form in {value, quote_plus(value)}  # as sent, and as a form body encodes it
    }
    parts = ["curl", "-X", request.method]
    for raw_name, raw_value in request.headers.raw:
        name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
        if name.lower() in _TRANSPORT_HEADERS:
            continue
        header = f"{name}: {value}"
        if name.lower() in placeholders and _quoted(header, variables) == shlex.quote(header):
            # Double quotes so the shell expands the variable holding the secret.
            parts += ["-H", f'"{name}: {placeholders[name.lower()]}"']
        else:
            parts += ["-H", _quoted(header, variables)]
    if request.content:
        parts += _body(request, variables)
    parts.append(_quoted(str(request.url), variables))
    return " ".join(parts)


def _body(request: httpx.Request, variables: Mapping[str, str]) -> list[str]:
    """``-d`` options sending *request*'s body, secrets shown as their variables."""
    body = request.content.decode("utf-8", "replace")
    form = request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
    encoded = {s for s in variables if s and quote_plus(s) != s}  # secrets the encoding changes
    if not form or not any(quote_plus(s) in body for s in encoded):
        return ["-d", _quoted(body, variables)]
    options: list[str] = []
    for field in body.split("&"):
        name, _, value = field.partition("=")
        value = unquote_plus(value)
        if any(s in value for s in encoded):
            # curl encodes what follows the `=`; the name goes as it is (already encoded).
            options += ["--data-urlencode", _quoted(f"{name}={value}", variables)]
        else:
            options += ["-d", _quoted(field, variables)]
    return options


def _quoted(text: str, variables: Mapping[str, str]) -> str:
    """*text* quoted for a shell, each secret in *variables* replaced by its (expanded) variable."""
    secrets = sorted((s for s in variables if s and s in text), key=len, reverse=True)
    if not secrets:
        return shlex.quote(text)
    pieces = re.split(f"({'|'.join(map(re.escape, secrets))})", text)
    literal = pieces[::2]
    if not any(char in piece for piece in literal for char in '"\\`$!'):
        # One double-quoted word, as a person would type it; a variable followed by a letter,
        # digit or underscore is braced (`${CARTKIT_TOKEN}Shop`, not `$CARTKIT_TOKENShop`).
        return (
            '"'
            + "".join(
                _braced(variables[p], pieces[i + 1]) if i % 2 else p for i, p in enumerate(pieces)
            )
            + '"'
        )
    return "".join(
        f'"{variables[piece]}"' if index % 2 else shlex.quote(piece)
        for index, piece in enumerate(pieces)
        if index % 2 or piece
    )


def _braced(variable: str, after: str) -> str:
    """``$NAME`` as ``${NAME}`` when *after* would otherwise continue the name."""
    if after[:1].isalnum() or after[:1] == "_":
        return "${" + variable.removeprefix("$") + "}"
    return variable


def redact(text: str, secrets: Sequence[str], placeholders: Mapping[str, str] = {}) -> str:
    """Mask *secrets* in *text*; a Schemathesis ``[Filtered]`` header becomes its placeholder."""
    for name, value in placeholders.items():
        text = re.sub(
            rf"-H '{re.escape(name)}: \[Filtered\]'", f'-H "{name}: {value}"', text, flags=re.I
        )
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= 3:
            text = text.replace(secret, "***")
    return text
