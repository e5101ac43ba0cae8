"""The one error a user of ``cartkit check`` can cause: a bad option, vendor or target.

Contract failures of the server under test are not exceptions; they are
:class:`~contracts.report.Failure` records in the :class:`~contracts.report.Report`.
"""

from __future__ import annotations

__all__ = ["ConfigError"]


class ConfigError(Exception):
    """``cartkit check`` was used wrongly (unknown vendor, unreachable URL, missing credential).

    The CLI prints the message and exits with status 2; the message names the offending value
    and, where possible, the fix.
    """
