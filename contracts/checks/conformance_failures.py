"""How Schemathesis's findings become the report's :class:`~cartkit.contracts.report.Failure` records:
what each built-in check expected, what the server sent, and the reproducing ``curl``, with every
credential masked (a run that could not be made at all is one too).
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from ..report import Failure, redact
from ..target import Target

__all__ = ["error_failure", "failure_of", "unanswered_failure"]

# What each built-in check expects, for failures whose message does not say.
_EXPECTED = {
    "not_a_server_error": "a status below 500",
    "status_code_conformance": "a status documented for the operation",
    "content_type_conformance": "a documented Content-Type",
    "response_headers_conformance": "the documented response headers",
    "response_schema_conformance": "a body matching the documented schema",
    "negative_data_rejection": "invalid input rejected with a 4xx",
    "positive_data_acceptance": "valid input accepted with a 2xx",
    "missing_required_header": "a 4xx when a required header is missing",
    "unsupported_method": "405 Method Not Allowed with an Allow header",
    "allow_header_conformance": "an Allow header listing the documented methods",
}


def failure_of(
    prefix: str,
    check: str,
    failure: Any,
    response: Any,
    code_sample: str,
    target: Target,
    shape: str | None,
) -> Failure:
    """A Schemathesis *failure* of *check* as a report's failure: expected and received told
    apart where the message says them, the answer's start, secrets masked in all of it."""
    message = failure.message or ""
    expected = _field(message, ("Expected:", "Documented:")) or _EXPECTED.get(check, "no failure")
    received = _field(message, ("Received:",)) or message.strip().split("\n", 1)[0] or failure.title
    where = getattr(failure, "instance_path", None)
    if where is not None:
        received = f"{received} at /{'/'.join(map(str, where))}"
    if response is not None:
        received = f"{received} (HTTP {response.status_code}: {_snippet(response.content)})"
    placeholders = target.placeholders()
    secrets = target.secrets()
    return Failure(
        check=f"{prefix}.{check}",
        title=failure.title,
        expected=redact(expected, secrets, placeholders),
        received=redact(received, secrets, placeholders),
        curl=redact(code_sample, secrets, placeholders),
        code=getattr(failure, "code", None),
        shape=shape,
    )


def unanswered_failure(prefix: str, target: Target, error: httpx.TransportError) -> Failure:
    """Why Schemathesis was not run: the *error* the first request met."""
    try:
        sample: str | None = target.curl(error.request)
    except RuntimeError:  # httpx raises when no request is attached
        sample = None
    return Failure(
        check=f"{prefix}.run",
        title="Schemathesis not run: the first request got no usable answer",
        expected="an answer to an authenticated list request, within the limits",
        received=redact(f"{type(error).__name__}: {error}", target.secrets()),
        curl=sample,
    )


def error_failure(prefix: str, event: Any, target: Target) -> Failure:
    """A test Schemathesis could not complete (no answer, say), its curl apart from the message."""
    error = getattr(event, "value", None) or getattr(event, "exception", None)
    if isinstance(error, BaseException):
        message = f"{type(error).__name__}: {error}"
    else:
        message = str(getattr(event, "info", None) or event)
    sample = getattr(getattr(event, "info", None), "code_sample", None)
    for note in getattr(error, "__notes__", ()):  # where Case.call leaves it, when it does
        if sample is None and "Reproduce with:" in note:
            sample = note.split("Reproduce with:", 1)[1].strip()
    placeholders, secrets = target.placeholders(), target.secrets()
    return Failure(
        check=f"{prefix}.run",
        title="Schemathesis could not complete a test",
        expected="every generated request to get a response",
        received=redact(message, secrets, placeholders)[:2000],
        curl=redact(sample, secrets, placeholders) if sample else None,
    )


def _field(message: str, labels: tuple[str, ...]) -> str | None:
    for line in message.splitlines():
        for label in labels:
            if line.strip().startswith(label):
                return line.strip()[len(label) :].strip()
    return None


def _snippet(content: bytes, limit: int = 300) -> str:
    text = content.decode("utf-8", "replace")
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[:limit] + "..."
