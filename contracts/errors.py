"""The kit's exceptions, under two roots that never mix.

- :class:`ConfigError`: *you used cartkit wrongly* (a bad option, vendor or target). It is the
  only exception a user of ``cartkit check`` or :func:`cartkit.contracts.check` sees.
- :class:`Violation` (and :class:`PagingViolation`) and :class:`Skip`: *the server broke its
  contract*, or left a check nothing to judge. They are internal signals, raised inside a check
  and caught by :mod:`.execution`, which turns them into a
  :class:`~cartkit.contracts.report.Failure` or a skip reason in the :class:`~cartkit.contracts.report.Report`;
  they never escape :func:`cartkit.contracts.check`.
"""

from __future__ import annotations

import httpx

__all__ = ["ConfigError", "PagingViolation", "Skip", "Violation"]


class ConfigError(Exception):
    """``cartkit check`` was used wrongly (unknown vendor, unreachable URL, missing credential).

    The CLI prints the message and exits with status 2; the message names the offending value
    and, where possible, the fix. Nothing the server under test answers raises it (beyond the
    first request, which tells an unreachable or misaddressed server early).
    """


class Violation(AssertionError):
    """The server broke the contract: what was expected, what was received, and the request
    that shows it (an internal signal; the report records it as a failure)."""

    def __init__(
        self, title: str, expected: str, received: str, request: httpx.Request | None = None
    ) -> None:
        super().__init__(f"{title}: expected {expected}, received {received}")
        self.title = title
        self.expected = expected
        self.received = received
        self.request = request


class PagingViolation(Violation):
    """The pages themselves broke the contract (a cart twice, totals that disagree, a link that
    leads nowhere): the pagination checks report it; a check that only walked the pages to judge
    something else is skipped instead, naming them."""


class Skip(Exception):
    """The check cannot run meaningfully against this server (an internal signal; the report
    records the reason as a skip)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
