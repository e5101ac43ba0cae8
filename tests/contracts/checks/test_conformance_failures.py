"""``contracts.checks.conformance_failures``: how what Schemathesis reports becomes a report's
:class:`Failure`: a failed check (expected and received told apart, where in the body, the
start of the answer), a test it could not complete, and a run it could not start; in every one
the credentials are masked and a ``[Filtered]`` header of the curl becomes its placeholder.

Schemathesis's failure, response and event objects are stood in for by namespaces holding the
attributes the module reads."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from cartkit.contracts.checks.conformance_failures import (
    error_failure,
    failure_of,
    unanswered_failure,
)
from cartkit.contracts.target import Target

SECRET = "s3cret-t0ken-abc"
URL = "http://127.0.0.1:9/v1/carts"


@pytest.fixture
def target() -> Target:
    return Target("stateset", base_url="http://127.0.0.1:9", auth={"token": SECRET})


def failure(message: str | None, title: str = "Server error", **extra: Any) -> Any:
    return SimpleNamespace(message=message, title=title, **extra)


def response(status: int, content: bytes) -> Any:
    return SimpleNamespace(status_code=status, content=content)


def convert(target: Target, check: str, found: Any, answer: Any = None, sample: str = "") -> Any:
    return failure_of("conformance", check, found, answer, sample, target, "GET /v1/carts")


# -- failure_of -----------------------------------------------------------------------------


def test_expected_and_received_are_read_from_the_message(target: Target) -> None:
    message = "Undocumented Content-Type\n\nReceived: text/plain\nDocumented: application/json"
    made = convert(target, "content_type_conformance", failure(message, "Undocumented type"))
    assert (made.expected, made.received) == ("application/json", "text/plain")
    assert made.check == "conformance.content_type_conformance"
    assert made.title == "Undocumented type" and made.shape == "GET /v1/carts"


def test_an_expected_line_is_read_too(target: Target) -> None:
    message = "Response violates schema\n  Expected: an integer\n  Received: 'ten'"
    made = convert(target, "response_schema_conformance", failure(message))
    assert (made.expected, made.received) == ("an integer", "'ten'")


def test_without_labels_the_check_says_what_it_expects(target: Target) -> None:
    made = convert(target, "not_a_server_error", failure("Server error\nmore detail"))
    assert made.expected == "a status below 500"
    assert made.received == "Server error"  # the message's first line


def test_an_unknown_check_expects_no_failure(target: Target) -> None:
    made = convert(target, "some_new_check", failure("It broke"))
    assert made.expected == "no failure" and made.received == "It broke"


@pytest.mark.parametrize("message", [None, "", "  \n"])
def test_without_a_message_the_title_is_what_was_received(
    target: Target, message: str | None
) -> None:
    made = convert(target, "not_a_server_error", failure(message, "Server error"))
    assert made.received == "Server error"


def test_where_in_the_body_is_said(target: Target) -> None:
    found = failure("Received: null", instance_path=["data", 0, "total"])
    assert convert(target, "response_schema_conformance", found).received == (
        "null at /data/0/total"
    )
    root = failure("Received: []", instance_path=[])
    assert convert(target, "response_schema_conformance", root).received == "[] at /"


def test_the_start_of_the_answer_is_shown_on_one_line(target: Target) -> None:
    made = convert(
        target, "not_a_server_error", failure("Server error"), response(500, b"<h1>\n  Oops\n</h1>")
    )
    assert made.received == "Server error (HTTP 500: <h1> Oops </h1>)"


def test_a_long_answer_is_cut_at_300_characters(target: Target) -> None:
    made = convert(target, "not_a_server_error", failure("Server error"), response(502, b"x" * 301))
    assert made.received == f"Server error (HTTP 502: {'x' * 300}...)"
    exact = convert(
        target, "not_a_server_error", failure("Server error"), response(502, b"y" * 300)
    )
    assert exact.received == f"Server error (HTTP 502: {'y' * 300})"


def test_an_answer_that_is_not_utf8_is_still_shown(target: Target) -> None:
    made = convert(target, "not_a_server_error", failure("E"), response(500, b"caf\xe9"))
    assert made.received == "E (HTTP 500: caf\ufffd)"


def test_the_schemathesis_code_is_kept(target: Target) -> None:
    assert convert(target, "not_a_server_error", failure("E", code="ST108")).code == "ST108"
    assert convert(target, "not_a_server_error", failure("E")).code is None


def test_credentials_are_masked_everywhere(target: Target) -> None:
    message = f"Received: echoed {SECRET}\nExpected: never {SECRET}"
    sample = f"curl -X GET -H 'Authorization: [Filtered]' 'http://127.0.0.1:9/v1/carts?q={SECRET}'"
    made = convert(
        target,
        "not_a_server_error",
        failure(message),
        response(500, f"token {SECRET} is bad".encode()),
        sample,
    )
    text = " ".join([made.expected, made.received, made.curl])
    assert SECRET not in text
    assert made.expected == "never ***"
    assert made.received == "echoed *** (HTTP 500: token *** is bad)"
    # The filtered header becomes the variable a shell would fill in.
    assert made.curl == (
        'curl -X GET -H "Authorization: Bearer $CARTKIT_TOKEN" '
        "'http://127.0.0.1:9/v1/carts?q=***'"
    )


# -- unanswered_failure ---------------------------------------------------------------------


def test_a_run_that_got_no_answer_says_why_with_the_curl(target: Target) -> None:
    request = httpx.Request("GET", URL, headers=target.headers())
    error = httpx.ConnectError(f"refused while sending {SECRET}", request=request)
    made = unanswered_failure("conformance", target, error)
    assert made.check == "conformance.run"
    assert made.title == "Schemathesis not run: the first request got no usable answer"
    assert made.received == "ConnectError: refused while sending ***"
    assert made.curl is not None and SECRET not in made.curl
    assert "Bearer $CARTKIT_TOKEN" in made.curl and URL in made.curl


def test_a_run_that_got_no_answer_without_a_request_has_no_curl(target: Target) -> None:
    made = unanswered_failure("tokens.conformance", target, httpx.ReadTimeout("timed out"))
    assert made.check == "tokens.conformance.run"
    assert made.curl is None and made.received == "ReadTimeout: timed out"


# -- error_failure --------------------------------------------------------------------------


def test_an_error_event_names_the_exception_and_its_curl(target: Target) -> None:
    event = SimpleNamespace(
        value=ValueError(f"bad answer to {SECRET}"),
        info=SimpleNamespace(code_sample="curl -X GET -H 'Authorization: [Filtered]' " + URL),
    )
    made = error_failure("conformance", event, target)
    assert made.check == "conformance.run"
    assert made.title == "Schemathesis could not complete a test"
    assert made.expected == "every generated request to get a response"
    assert made.received == "ValueError: bad answer to ***"
    assert made.curl == f'curl -X GET -H "Authorization: Bearer $CARTKIT_TOKEN" {URL}'


def test_the_curl_is_taken_from_the_exception_notes_when_the_event_has_none(
    target: Target,
) -> None:
    error = httpx.ReadError("connection reset")
    error.add_note("something else")
    error.add_note(f"Reproduce with: \n\n    curl -X GET '{URL}?token={SECRET}'\n")
    made = error_failure("conformance", SimpleNamespace(exception=error, info=None), target)
    assert made.received == "ReadError: connection reset"
    assert made.curl == f"curl -X GET '{URL}?token=***'"


def test_an_event_without_exception_is_described_by_its_info(target: Target) -> None:
    made = error_failure("conformance", SimpleNamespace(info=f"no schema for {SECRET}"), target)
    assert made.received == "no schema for ***" and made.curl is None
    assert error_failure("conformance", "fatal: gave up", target).received == "fatal: gave up"


def test_an_error_message_is_cut_at_2000_characters(target: Target) -> None:
    made = error_failure("conformance", SimpleNamespace(value=RuntimeError("z" * 5000)), target)
    assert made.received == ("RuntimeError: " + "z" * 5000)[:2000]
