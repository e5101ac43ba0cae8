"""``contracts.checks.refusals`` called directly: ``refusal`` sends a request with something
wrong and requires the documented status and error envelope (and what the oracle knows beyond
the schema); ``envelope`` requires a strict JSON body matching the documented response. The
server is ``FakeList`` (StateSet's envelopes) refusing a wrong token or page size."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cartkit.contracts.checks.refusals import envelope, refusal
from cartkit.contracts.errors import Violation
from cartkit.contracts.paging import Session
from cartkit.contracts.vendors.stateset import StateSet
from tests.contracts.fake_list import TOKEN, FakeList, error, session


class Coded(StateSet):
    """StateSet, expecting ``INVALID_API_KEY`` in every 401 (as a vendor's oracle may)."""

    def error_problems(self, body: Any, status: int) -> list[str]:
        code = body["error"]["code"]
        return [] if code == "INVALID_API_KEY" else [f"error.code {code!r}"]


def on(app: FakeList, made: list[Session]) -> Session:
    made.append(session(app))
    return made[-1]


# -- refusal --------------------------------------------------------------------------------


def test_a_request_without_credential_refused_as_documented_passes(made: list[Session]) -> None:
    app = FakeList(token=TOKEN)
    body = refusal(on(app, made), "no credential", 401, headers={})
    assert body["error"]["code"] == "MISSING_AUTH_HEADER"


def test_a_malformed_credential_refused_as_documented_passes(made: list[Session]) -> None:
    body = refusal(
        on(FakeList(token=TOKEN), made), "a wrong token", 401, headers={"Authorization": "Bearer x"}
    )
    assert body["error"]["code"] == "INVALID_API_KEY"


def test_a_refusal_at_another_url_is_sent_there(made: list[Session]) -> None:
    app = FakeList(bounds=(1, 100))
    s = on(app, made)
    body = refusal(s, "limit=500", 400, url=s.target.url + "?limit=500")
    assert app.seen == [{"limit": "500"}]
    assert body["error"]["details"] == {"parameter": "limit"}


def test_a_request_accepted_instead_of_refused_is_caught(made: list[Session]) -> None:
    with pytest.raises(Violation) as raised:
        refusal(on(FakeList(), made), "no credential", 401, headers={})
    assert raised.value.title == "Request with no credential not refused as documented"
    assert raised.value.expected == "401 with the vendor's error envelope"
    assert raised.value.received.startswith('200 {"data": ')
    assert raised.value.request is not None
    assert "authorization" not in raised.value.request.headers


def test_a_refusal_with_another_status_is_caught(made: list[Session]) -> None:
    s = on(FakeList(bounds=(1, 100)), made)
    with pytest.raises(Violation) as raised:
        refusal(s, "limit=500", 422, url=s.target.url + "?limit=500")
    assert raised.value.title == "Request with limit=500 not refused as documented"
    assert raised.value.received.startswith('400 {"error": {"code": "INVALID_PARAMETER"')


def test_a_refusal_without_json_is_caught(made: list[Session]) -> None:
    with pytest.raises(Violation) as raised:
        refusal(on(FakeList(status=401), made), "no credential", 401, headers={})
    assert raised.value.title == "401 without a JSON body"
    assert raised.value.expected == "the documented 401 envelope"
    assert raised.value.received == "401 <h1>down</h1>"


def test_a_refusal_in_another_envelope_is_caught(made: list[Session]) -> None:
    def untyped(query: dict[str, str], body: Any) -> None:
        body["error"].pop("type", None)

    with pytest.raises(Violation) as raised:
        refusal(on(FakeList(token=TOKEN, edit=untyped), made), "no credential", 401, headers={})
    assert raised.value.title == "Wrong 401 error envelope"
    assert raised.value.expected == "a body matching the documented 401 response"
    assert raised.value.received.startswith("error: 'type' is a required property in 401 {")


def test_what_the_oracle_knows_beyond_the_schema_is_checked(made: list[Session]) -> None:
    app = FakeList(token=TOKEN)
    target = session(app).target
    coded = Session(target, Coded(target.contract), max_pages=10)
    made.append(coded)
    # A wrong token: the code the oracle expects.
    refusal(coded, "a wrong token", 401, headers={"Authorization": "Bearer x"})
    # No token: a documented code, but not the one this oracle expects.
    with pytest.raises(Violation) as raised:
        refusal(coded, "no credential", 401, headers={})
    assert raised.value.title == "Wrong 401 error"
    assert raised.value.expected == "the documented error"
    assert raised.value.received == "error.code 'MISSING_AUTH_HEADER'"


# -- envelope -------------------------------------------------------------------------------

SENT = httpx.Request("GET", "http://testserver/v1/carts?limit=0")


def answer(status: int, raw: bytes, content_type: str = "application/json") -> httpx.Response:
    return httpx.Response(status, content=raw, headers={"content-type": content_type}, request=SENT)


def test_envelope_returns_the_documented_body(made: list[Session]) -> None:
    body = error("INVALID_PARAMETER", "invalid_request_error", parameter="limit")
    raw = httpx.Response(400, json=body).content
    s = on(FakeList(), made)
    assert envelope(s, answer(400, raw, "application/json; charset=utf-8"), 400) == body
    assert s.target.requests == 0  # judges the answer it is given


def test_envelope_reads_json_strictly(made: list[Session]) -> None:
    # A key twice in one object is no JSON the kit accepts.
    raw = b'{"error": {"code": "A"}, "error": {"code": "B"}}'
    with pytest.raises(Violation) as raised:
        envelope(on(FakeList(), made), answer(400, raw), 400)
    assert raised.value.title == "400 without a JSON body"
    assert raised.value.request is SENT


def test_envelope_of_an_undocumented_status_is_caught(made: list[Session]) -> None:
    raw = httpx.Response(418, json={"error": "teapot"}).content
    with pytest.raises(Violation) as raised:
        envelope(on(FakeList(), made), answer(418, raw), 418)
    assert raised.value.title == "Wrong 418 error envelope"
    assert "status 418 is not documented" in raised.value.received
