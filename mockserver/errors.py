"""What can go wrong with a request, independent of how a vendor spells it.

Every refusal the mock makes is an :class:`ApiError` of one :class:`Problem` kind. Each vendor
module renders it, in one place, in its own envelope and with its own status code (ePages answers
authentication failures with 403, for instance), so no handler builds error responses by hand.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

__all__ = ["ApiError", "Problem"]


class Problem(enum.Enum):
    """The kinds of refusal; ``status`` is the code most vendors use for it."""

    BAD_PARAMETER = "bad_parameter"
    MISSING_CREDENTIALS = "missing_credentials"
    INVALID_CREDENTIALS = "invalid_credentials"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    NOT_ACCEPTABLE = "not_acceptable"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    UNAVAILABLE = "unavailable"

    @property
    def status(self) -> int:
        return _STATUS[self]

    @classmethod
    def for_status(cls, status: int) -> Problem:
        """The kind a forced *status* stands for (used by fault injection)."""
        for problem, code in _STATUS.items():
            if code == status:
                return problem
        raise ValueError(f"no problem kind for status {status!r}")


_STATUS = {
    Problem.BAD_PARAMETER: 400,
    Problem.MISSING_CREDENTIALS: 401,
    Problem.INVALID_CREDENTIALS: 401,
    Problem.FORBIDDEN: 403,
    Problem.NOT_FOUND: 404,
    Problem.NOT_ACCEPTABLE: 406,
    Problem.RATE_LIMITED: 429,
    Problem.SERVER_ERROR: 500,
    Problem.UNAVAILABLE: 503,
}


class ApiError(Exception):
    """A request the mock refuses, with a message that names what was wrong.

    Args:
        problem: the kind of refusal.
        message: human-readable, naming the parameter or header concerned.
        param: the offending query/path parameter or header, when there is one.
        headers: extra response headers (``Retry-After`` on 429, ...).
    """

    def __init__(
        self,
        problem: Problem,
        message: str,
        *,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.problem = problem
        self.message = message
        self.param = param
        self.headers = dict(headers or {})

    def __repr__(self) -> str:
        return f"ApiError({self.problem.name}, {self.message!r}, param={self.param!r})"
