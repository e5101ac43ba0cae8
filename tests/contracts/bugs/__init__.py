"""The catalogue of broken servers: the mock with one targeted change each, and the checks
that must report it.

Each module holds the bugs of one kind of check (``paging``, ``filters``, ``ordering``,
``refusals``, ``variants``, ``tokens``, ``conformance``); :data:`BUGS` is all of them.
``tests/contracts/test_broken.py`` runs each against the checks and asserts that every check
``contracts.plan`` lists is proven by one of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BUGS", "Bug", "schemathesis_check"]

App = Any


@dataclass(frozen=True, slots=True)
class Bug:
    """A broken server and the checks that must report it.

    Attributes:
        id: a readable name (``stateset-status-filter-ignored``).
        vendor: the vendor the broken server claims to be.
        wrap: the one targeted change, applied to the mock (``broken.Rewrite(app, ...)``).
        proves: the checks that must report it, each with the default ``--max-examples``.
        also: checks of *other* groups allowed to report it too (a comment says why); checks
            of a proved check's own group always may.
        auth: credentials to add to the vendor's usual ones (a shopper token, a customer login),
            computed when the bug runs.
        base: the server the change is applied to, when the suite's mock of the vendor lacks
            the data the bug needs to show (``None``: that mock).
    """

    id: str
    vendor: str
    wrap: Callable[[App], App]
    proves: tuple[str, ...]
    also: tuple[str, ...] = ()
    auth: Callable[[], Mapping[str, str]] = field(default=dict)
    base: Callable[[], App] | None = None


def schemathesis_check(name: str) -> bool:
    """True for a Schemathesis check (``conformance.*``, ``tokens.conformance.*``)."""
    return name.startswith(("conformance.", "tokens.conformance."))


def _all() -> list[Bug]:
    from . import conformance, filters, ordering, paging, refusals, tokens, variants

    return [
        *paging.BUGS,
        *filters.BUGS,
        *ordering.BUGS,
        *refusals.BUGS,
        *variants.BUGS,
        *tokens.BUGS,
        *conformance.BUGS,
    ]


BUGS: list[Bug] = _all()
"""Every broken server of the catalogue."""
