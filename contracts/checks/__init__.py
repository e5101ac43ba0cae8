"""The check groups: one module per group, every check registered the same way.

Each group module but ``conformance`` defines its checks as plain functions
``check(ctx, data) -> None`` (see :mod:`.context`) and registers them in one place, a
module-level ``checks(ctx) -> Iterator[Check]`` yielding the group's :class:`Check` records in
report order, only those the vendor's documents give something to judge (a check planned but
left nothing to judge carries its ``skip`` reason). :func:`plan` collects them in
:data:`GROUPS` order. ``conformance`` is Schemathesis's own built-in checks, one run per
document (:mod:`.conformance`), which the runner starts before them (and, for the token
document, before the other ``tokens`` checks).
"""

from __future__ import annotations

from collections.abc import Iterator

from . import auth, consistency, errors, filters, ordering, pagination, projection, tokens
from .context import Check, CheckFunction, Context

__all__ = ["GROUPS", "MODULES", "Check", "CheckFunction", "Context", "plan"]

GROUPS: tuple[str, ...] = (
    "conformance",
    "pagination",
    "filters",
    "ordering",
    "projection",
    "auth",
    "errors",
    "consistency",
    "tokens",
)
"""The check groups, in run order (``--only``/``--skip`` take these, or full check names).

``tokens`` (the token endpoints: their conformance, grants, scopes, errors and logins) is
planned only for vendors with a token document (``specs.tokens``)."""

MODULES = (pagination, filters, ordering, projection, auth, errors, consistency, tokens)
"""The modules registering the checks of every group after ``conformance``, in run order."""


def plan(ctx: Context) -> Iterator[Check]:
    """Every registered check for *ctx*'s vendor, group by group in :data:`GROUPS` order."""
    for module in MODULES:
        yield from module.checks(ctx)
