"""What every check shares: the :class:`Context` of a run and the :class:`Check` record.

A check is a plain function ``check(ctx, data) -> None``: it sends its requests through
``ctx.session``, draws its inputs from ``data`` (a Hypothesis data object), and raises a
:class:`~cartkit.contracts.errors.Violation` when the server breaks the contract or a
:class:`~cartkit.contracts.errors.Skip` when it leaves nothing to judge. A check that takes a parameter
(a filter, a sort order) takes it as a keyword bound with :func:`functools.partial`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from ..errors import Skip
from ..execution import run_property
from ..oracle import Cart, Filter, Oracle
from ..paging import Session
from ..report import CheckResult, Outcome
from ..vendors.tokens import TokenOracle, token_oracle_for

__all__ = ["Check", "CheckFunction", "Context", "applies", "excerpt"]

CheckFunction = Callable[["Context", st.DataObject], None]


class Context:
    """One run's checks' shared state: the session, the budget, and the draws they share.

    Args:
        session: the run's session (target, oracle, the cached walk of the whole set).
        max_examples: the run's budget; a drawn check takes a fifth of it (:attr:`few`).
        seed: the run's seed (``None``: derandomized).
    """

    def __init__(self, session: Session, *, max_examples: int, seed: int | None) -> None:
        self.session = session
        self.oracle: Oracle = session.oracle
        self.max_examples = max_examples
        self.seed = seed

    @property
    def few(self) -> int:
        """The examples of a check that draws its inputs: a fifth of the budget, at least 2."""
        return max(2, self.max_examples // 5)

    @functools.cached_property
    def tokens(self) -> TokenOracle | None:
        """The vendor's token oracle (``None``: the vendor has no token document)."""
        document = self.session.target.tokens
        return None if document is None else token_oracle_for(self.session, document)

    def size(self, data: st.DataObject, total: int | None) -> int | None:
        """A page size within the documented bounds that walks *total* in the page limit."""
        low, high = self.oracle.size_bounds()
        if not high:
            return None
        if total:
            low = min(high, max(low, -(-total // self.session.max_pages)))
        return data.draw(st.integers(low, high), label="page size")

    def sample(self) -> list[Cart]:
        """The carts of the whole set (a :class:`Skip` when the server returned none)."""
        universe = self.session.universe()
        if not universe.carts:
            raise Skip("the server returned no carts, so there is nothing to page, filter or sort")
        return universe.carts

    def draw_filter(self, data: st.DataObject, flt: Filter) -> tuple[Any, dict[str, Any]]:
        """A value of *flt* taken from the returned carts, and the query applying it."""
        values = flt.values(self.sample())
        if values is None:
            raise Skip(f"no returned cart carries a value to filter {flt.name!r} on")
        value = data.draw(values, label=flt.name)
        return value, flt.params(value)


@dataclass(frozen=True, slots=True)
class Check:
    """One named check of a group: its function, its examples, and whether it applies.

    ``skip`` is the reason a check the vendor's documents give nothing to judge is reported
    skipped (and left out of a plan); ``sweep``, when given, runs once first (every pair of
    filters, say) and the drawn examples only if it passed.
    """

    name: str
    run: CheckFunction
    examples: int
    skip: str | None = None
    sweep: CheckFunction | None = None

    @property
    def group(self) -> str:
        """The check group (the name's first part)."""
        return self.name.split(".", 1)[0]

    def result(self, ctx: Context) -> CheckResult:
        """Run the check against *ctx*'s server: passed, failed with evidence, or skipped."""
        if self.skip is not None:
            return CheckResult(self.name, skip_reason=self.skip)
        if self.sweep is None:
            return self._property(ctx, self.run, self.examples)
        swept = self._property(ctx, self.sweep, 1)
        if swept.outcome is not Outcome.PASSED or self.examples < 2:
            return swept
        drawn = self._property(ctx, self.run, self.examples - 1)
        drawn.requests += swept.requests
        drawn.examples += swept.examples
        drawn.duration += swept.duration
        return drawn

    def _property(self, ctx: Context, check: CheckFunction, examples: int) -> CheckResult:
        return run_property(
            ctx.session,
            self.name,
            functools.partial(check, ctx),
            examples=examples,
            seed=ctx.seed,
            judges_pages=self.group == "pagination",
        )


def applies(documented: bool, reason: str) -> str | None:
    """``Check.skip`` for a check that judges something only where *documented*."""
    return None if documented else reason


def excerpt(cart: Cart, limit: int = 240) -> str:
    """*cart* as JSON on one line, cut at *limit* characters."""
    text = json.dumps(cart, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + "...}"
