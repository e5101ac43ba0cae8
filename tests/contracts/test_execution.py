"""``run_property``: a check's body run as a Hypothesis property against a tiny in-process
server, and what each way it ends becomes in the report (passed, skipped, failed with a curl)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import strategies as st

from cartkit.contracts.errors import PagingViolation, Skip, Violation
from cartkit.contracts.execution import run_property
from cartkit.contracts.paging import Session
from cartkit.contracts.report import Outcome
from tests.contracts.fake_list import TOKEN, FakeList, session


@pytest.fixture
def fake() -> Iterator[Session]:
    """A session on a well-behaved fake list server."""
    s = session(FakeList())
    yield s
    s.target.close()


def test_a_body_that_passes_runs_its_examples_and_counts_its_requests(fake: Session) -> None:
    drawn: list[int] = []

    def body(data: st.DataObject) -> None:
        drawn.append(data.draw(st.integers(0, 10**6)))
        fake.fetch({"limit": 1})

    result = run_property(fake, "consistency.repeat", body, examples=4, seed=None)
    assert result.outcome is Outcome.PASSED
    assert result.examples == len(drawn) == 4
    assert result.requests == 4 == fake.target.requests


def test_derandomized_runs_draw_the_same_inputs(fake: Session) -> None:
    runs: list[list[int]] = [[], []]
    for drawn in runs:
        run_property(
            fake,
            "x.y",
            lambda data, drawn=drawn: drawn.append(data.draw(st.integers(0, 10**6))),
            examples=3,
            seed=None,
        )
    assert runs[0] == runs[1]


def test_skip_is_reported_skipped_with_its_reason(fake: Session) -> None:
    def body(data: st.DataObject) -> None:
        raise Skip("nothing to judge here")

    result = run_property(fake, "consistency.summary", body, examples=3, seed=None)
    assert result.outcome is Outcome.SKIPPED
    assert result.skip_reason == "nothing to judge here"
    assert result.failures == []


def test_a_violation_is_a_failure_with_a_curl_that_hides_the_credential(fake: Session) -> None:
    def body(data: st.DataObject) -> None:
        response = fake.fetch({"status": "active"})
        raise Violation("Filter broken", "only active carts", "an abandoned one", response.request)

    result = run_property(fake, "filters.status", body, examples=3, seed=0)
    assert result.outcome is Outcome.FAILED
    [failure] = result.failures
    assert (failure.check, failure.title) == ("filters.status", "Filter broken")
    assert (failure.expected, failure.received) == ("only active carts", "an abandoned one")
    assert failure.curl is not None and failure.curl.startswith("curl ")
    assert "status=active" in failure.curl and "/v1/carts" in failure.curl
    assert TOKEN not in failure.curl and "$CARTKIT_TOKEN" in failure.curl
    assert failure.shape == "GET /v1/carts?status"


def test_a_violation_without_a_request_shows_the_last_one_sent(fake: Session) -> None:
    def body(data: st.DataObject) -> None:
        fake.fetch({"status": "abandoned"})
        raise Violation("Wrong", "right", "wrong")

    [failure] = run_property(fake, "filters.status", body, examples=1, seed=None).failures
    assert failure.curl is not None and "status=abandoned" in failure.curl


def test_a_secret_in_the_evidence_is_masked(fake: Session) -> None:
    def body(data: st.DataObject) -> None:
        raise Violation("Echoed", "no credential in the body", f"a body holding {TOKEN}")

    [failure] = run_property(fake, "auth.missing", body, examples=1, seed=None).failures
    assert TOKEN not in failure.received


def test_incoherent_pages_skip_a_check_that_does_not_judge_pages(fake: Session) -> None:
    def body(data: st.DataObject) -> None:
        raise PagingViolation("Cart repeated across pages", "once", "twice")

    result = run_property(fake, "filters.status", body, examples=2, seed=None)
    assert result.outcome is Outcome.SKIPPED
    assert result.failures == []
    assert result.skip_reason == (
        "the pages could not be walked: cart repeated across pages (pagination.walk reports it)"
    )


def test_incoherent_pages_fail_a_check_that_judges_pages(fake: Session) -> None:
    def body(data: st.DataObject) -> None:
        raise PagingViolation("Cart repeated across pages", "once", "twice")

    result = run_property(fake, "pagination.walk", body, examples=2, seed=None, judges_pages=True)
    assert result.outcome is Outcome.FAILED
    assert result.failures[0].title == "Cart repeated across pages"


def test_an_answer_the_oracle_cannot_read_is_a_failure_not_a_crash(fake: Session) -> None:
    def body(data: st.DataObject) -> None:
        fake.fetch()
        raise KeyError("total_count")

    [failure] = run_property(fake, "consistency.repeat", body, examples=1, seed=None).failures
    assert failure.title == "Response could not be interpreted"
    assert failure.received == "KeyError: 'total_count'"
    assert failure.curl is not None


def test_an_interrupt_is_not_swallowed(fake: Session) -> None:
    def body(data: st.DataObject) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_property(fake, "consistency.repeat", body, examples=1, seed=None)


def test_a_failing_example_sends_its_requests_once(fake: Session) -> None:
    # Hypothesis replays a failing example to report it: a check must not send its requests a
    # second time (a vendor's rate limit counts them), nor go on after the first failure.
    calls: list[int] = []

    def body(data: st.DataObject) -> None:
        calls.append(data.draw(st.integers(0, 3)))
        fake.fetch({"limit": 2})
        if len(calls) == 2:
            raise Violation("Broken", "expected", "received", None)

    result = run_property(fake, "consistency.repeat", body, examples=10, seed=None)
    assert result.outcome is Outcome.FAILED and result.failures[0].title == "Broken"
    assert len(calls) == 2 == result.examples
    assert result.requests == 2 == fake.target.requests


def test_an_unsatisfied_assumption_is_hypothesis_business_not_a_failure(fake: Session) -> None:
    from hypothesis import assume

    def body(data: st.DataObject) -> None:
        assume(data.draw(st.integers(0, 1)) == 1)
        fake.fetch({"limit": 1})

    result = run_property(fake, "consistency.repeat", body, examples=6, seed=None)
    assert result.outcome is Outcome.PASSED, [f.render() for f in result.failures]
    assert result.requests >= 1
