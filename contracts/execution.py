"""Running one semantic check: a Hypothesis property, seeded or derandomized, turned into a
:class:`~cartkit.contracts.report.CheckResult` (passed, failed with evidence, or skipped with a reason).

No shrinking: a failing example is reported as found, which keeps a run within its request
budget; the reproducing ``curl`` is the evidence.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import hypothesis
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException

from .errors import PagingViolation, Skip, Violation
from .paging import Session
from .report import CheckResult, Failure, curl, redact

__all__ = ["Body", "run_property"]

Body = Callable[[st.DataObject], None]


def run_property(
    session: Session,
    name: str,
    body: Body,
    *,
    examples: int,
    seed: int | None,
    judges_pages: bool = False,
) -> CheckResult:
    """Run *body* as a Hypothesis property for at most *examples* examples.

    Pages that are themselves incoherent (a :class:`PagingViolation`) fail the check only if
    it *judges_pages* (the pagination checks); any other check could not judge what it is
    for, so it is skipped, naming the check that reports them.
    """
    target = session.target
    result = CheckResult(name)
    before, started = target.requests, time.monotonic()
    count = 0
    ended: list[Exception] = []  # the first Violation, Skip or unreadable answer

    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=seed is None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        verbosity=Verbosity.quiet,
    )
    @given(st.data())
    def prop(data: st.DataObject) -> None:
        # The first example that ends the check is kept, not raised: Hypothesis would replay a
        # failing example to report it, sending its requests twice (to a rate-limited vendor,
        # too). The examples left draw nothing and send nothing.
        nonlocal count
        if ended:
            return
        count += 1
        try:
            body(data)
        except HypothesisException:
            raise  # Hypothesis's own control flow (an unsatisfied assumption, say)
        except Exception as exc:
            ended.append(exc)

    if seed is not None:
        prop = hypothesis.seed(seed)(prop)
    try:
        prop()
    except Exception as exc:  # raised by Hypothesis itself
        ended.append(_unwrap(exc))  # type: ignore[arg-type]
    if ended:
        found = ended[0]
        if isinstance(found, Skip):
            result.skip_reason = found.reason
        else:
            _record(result, session, found, judges_pages)
    result.requests = target.requests - before
    result.examples = count
    result.duration = time.monotonic() - started
    return result


def _record(result: CheckResult, session: Session, exc: BaseException, judges_pages: bool) -> None:
    if isinstance(exc, PagingViolation) and not judges_pages:
        result.skip_reason = (
            f"the pages could not be walked: {exc.title.lower()} (pagination.walk reports it)"
        )
    else:
        result.failures.append(_failure(session, result.name, exc))


def _failure(session: Session, name: str, exc: BaseException) -> Failure:
    target = session.target
    if isinstance(exc, Violation):
        title, expected, received = exc.title, exc.expected, exc.received
        request = exc.request or session.last_request
    else:  # a response the oracle could not even interpret (wrong types, missing keys)
        title = "Response could not be interpreted"
        expected = "carts with the documented fields and types"
        received = f"{type(exc).__name__}: {exc}"
        request = session.last_request
    return Failure(
        check=name,
        title=title,
        expected=redact(expected, target.secrets()),
        received=redact(received, target.secrets()),
        curl=(
            curl(request, target.placeholders(request), target.variables())
            if request is not None
            else None
        ),
        shape=session.shape(request.method, str(request.url)) if request is not None else None,
    )


def _unwrap(exc: BaseException) -> BaseException:
    """The first violation inside a Hypothesis exception group (flaky or multiple failures)."""
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found = _unwrap(inner)
            if isinstance(found, Violation | Skip):
                return found
        return _unwrap(exc.exceptions[0])
    return exc
