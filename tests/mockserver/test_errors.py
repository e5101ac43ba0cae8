"""Refusal kinds (``mockserver/errors.py``): their statuses and the error every refusal is."""

from __future__ import annotations

import pytest

from cartkit.mockserver.errors import ApiError, Problem
from cartkit.mockserver.faults import FORCEABLE


@pytest.mark.parametrize(
    ("problem", "status"),
    [
        (Problem.BAD_PARAMETER, 400),
        (Problem.MISSING_CREDENTIALS, 401),
        (Problem.INVALID_CREDENTIALS, 401),
        (Problem.FORBIDDEN, 403),
        (Problem.NOT_FOUND, 404),
        (Problem.NOT_ACCEPTABLE, 406),
        (Problem.RATE_LIMITED, 429),
        (Problem.SERVER_ERROR, 500),
        (Problem.UNAVAILABLE, 503),
    ],
)
def test_each_problem_has_the_status_most_vendors_use(problem: Problem, status: int) -> None:
    assert problem.status == status


def test_every_problem_has_a_status_of_an_error() -> None:
    assert all(400 <= problem.status <= 599 for problem in Problem)


@pytest.mark.parametrize("problem", list(Problem))
def test_for_status_finds_a_problem_of_that_status(problem: Problem) -> None:
    assert Problem.for_status(problem.status).status == problem.status


def test_a_forced_401_is_missing_credentials() -> None:
    # Two kinds share 401: a forced one stands for the first, a request without credentials.
    assert Problem.for_status(401) is Problem.MISSING_CREDENTIALS


def test_every_forceable_status_names_a_problem() -> None:
    assert [Problem.for_status(status).status for status in FORCEABLE] == list(FORCEABLE)


@pytest.mark.parametrize("status", [200, 302, 402, 418, 502, 0, -400])
def test_a_status_no_problem_has_is_refused(status: int) -> None:
    with pytest.raises(ValueError, match=str(status)):
        Problem.for_status(status)


def test_an_api_error_carries_its_problem_message_and_parameter() -> None:
    error = ApiError(Problem.BAD_PARAMETER, "Invalid query parameter 'limit'", param="limit")
    assert isinstance(error, Exception)
    assert str(error) == error.message == "Invalid query parameter 'limit'"
    assert (error.problem, error.param, error.headers) == (Problem.BAD_PARAMETER, "limit", {})
    assert (
        repr(error) == "ApiError(BAD_PARAMETER, \"Invalid query parameter 'limit'\", param='limit')"
    )


def test_an_api_errors_headers_are_its_own_copy() -> None:
    given = {"Retry-After": "30"}
    error = ApiError(Problem.RATE_LIMITED, "slow down", headers=given)
    given["Retry-After"] = "0"
    assert error.headers == {"Retry-After": "30"}
    other = ApiError(Problem.RATE_LIMITED, "again")
    other.headers["X-Extra"] = "1"
    assert ApiError(Problem.RATE_LIMITED, "third").headers == {}  # no default shared


def test_an_api_error_is_raised_and_caught_like_any_exception() -> None:
    with pytest.raises(ApiError, match="gone") as caught:
        raise ApiError(Problem.NOT_FOUND, "Shop gone")
    assert caught.value.problem.status == 404 and caught.value.param is None
