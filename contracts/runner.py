"""``contracts.check``: run the chosen check groups against one target and report."""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from . import checks
from .checks import GROUPS, Check, Context, conformance
from .coverage import Coverage
from .credentials import Credentials
from .errors import ConfigError
from .paging import Session
from .reading import DEFAULT_MAX_BODY_MB
from .report import CheckResult, Report
from .target import Target
from .vendors import oracle_for

__all__ = ["DEFAULT_MAX_EXAMPLES", "GROUPS", "check", "plan"]

DEFAULT_MAX_EXAMPLES = 50

OnCheck = Callable[[str, CheckResult | None], None]


def check(
    vendor: str,
    *,
    base_url: str | None = None,
    app: Any = None,
    auth: Credentials | Mapping[str, str | None] | None = None,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    seed: int | None = None,
    rate_limit: float | None = None,
    only: Iterable[str] = (),
    skip: Iterable[str] = (),
    max_pages: int = 100,
    timeout: float = 10.0,
    max_body_mb: float = DEFAULT_MAX_BODY_MB,
    on_check: OnCheck | None = None,
) -> Report:
    """Check a server against *vendor*'s list-carts contract (and its token endpoints).

    Args:
        vendor: one of ``specs.VENDORS``.
        base_url: ``scheme://host[/prefix]`` of the server (the vendor's path is appended).
        app: an ASGI app to check in-process instead of a URL.
        auth: :class:`Credentials` or a mapping such as ``{"token": "..."}``.
        max_examples: Schemathesis fuzzing examples; each semantic check draws a fifth of it.
        seed: seed for every generated input; ``None`` for a fixed derandomized run.
        rate_limit: at most this many requests per second.
        only: run only these groups or checks (e.g. ``"pagination"``, ``"filters.status"``).
        skip: do not run these groups or checks.
        max_pages: the most pages any one walk may request.
        timeout: seconds to wait for one response (for any read, and again for its whole body).
        max_body_mb: the largest response body read, in MiB; a larger one fails the request.
        on_check: called with ``(name, None)`` when a check starts and ``(name, result)`` when
            it ends (progress displays).

    Returns:
        The :class:`Report`; ``report.ok`` is true when no check failed, and
        ``report.coverage`` says what of the documented list the run exercised. A
        :class:`~cartkit.contracts.Baseline` can then mark accepted failures known (``apply``).

    Raises:
        ConfigError: unknown vendor or group, no or a malformed target, missing credential,
            an unreachable server (a usage error, not a contract failure).

    Example, in a pytest suite::

        from cartkit import contracts

        def test_my_proxy_honours_the_stateset_contract(live_server_url):
            report = contracts.check(
                "stateset", base_url=live_server_url, auth={"token": "test"}, seed=0
            )
            assert report.ok, "\\n".join(f.render() for f in report.failures)
    """
    if max_examples < 1:
        raise ConfigError(f"max_examples must be >= 1, got {max_examples!r}")
    if max_pages < 2:
        raise ConfigError(f"max_pages must be >= 2, got {max_pages!r}")
    selected = _selector(list(only), list(skip))
    started = time.monotonic()
    notify = on_check or (lambda name, result: None)
    target = Target(
        vendor,
        base_url=base_url,
        app=app,
        auth=auth,
        rate_limit=rate_limit,
        timeout=timeout,
        max_body_mb=max_body_mb,
    )
    with target:
        target.probe()
        report = Report(vendor=vendor, url=target.url, seed=seed)
        oracle = oracle_for(target.contract)
        session = Session(target, oracle, max_pages=max_pages)
        coverage = session.coverage = Coverage(target.contract, oracle, target.base_url)
        if selected.covers("conformance"):
            notify("conformance", None)
            results = conformance.run(
                target,
                max_examples=max_examples,
                seed=seed,
                opaque=oracle.opaque,
                shape=session.shape,
                observe=coverage.observe,
            )
            _report(report, results, selected, notify)
        ctx = Context(session, max_examples=max_examples, seed=seed)
        planned = list(checks.plan(ctx))
        _run(report, ctx, [c for c in planned if c.group != "tokens"], selected, notify)
        tokens = target.tokens
        if tokens is not None:
            if selected.covers("tokens.conformance"):
                notify("tokens.conformance", None)
                results = conformance.run(
                    target, tokens, max_examples=max_examples, seed=seed, shape=session.shape
                )
                _report(report, results, selected, notify)
            if selected.covers("tokens"):
                _run(report, ctx, [c for c in planned if c.group == "tokens"], selected, notify)
    report.coverage = coverage.summary(report.results)
    report.duration = time.monotonic() - started
    return report


def plan(vendor: str) -> list[str]:
    """Every check :func:`check` can run for *vendor*, in run order, without sending a request.

    A check is listed when the vendor's documents give it something to judge, even if it needs
    a credential to run (``auth.shopper_token`` a shopper token, ``tokens.shopper`` a customer
    login). Checks left nothing to judge (no summary, no projection, no documented response
    header) are not listed: a run reports them skipped, with the reason.

    Raises:
        ConfigError: unknown vendor.

    >>> plan("stateset")[:2]
    ['conformance.allow_header_conformance', 'conformance.content_type_conformance']
    >>> "filters.combined" in plan("epages") and "tokens.grant" in plan("epages")
    True
    """
    # Nothing is sent: the target only carries the vendor's contract and token document.
    target = Target(vendor, base_url=_NOWHERE, auth={"token": "-", "api_key": "-"})
    session = Session(target, oracle_for(target.contract), max_pages=2)
    names = [
        f"conformance.{name}"
        for name, why in sorted(conformance.planned(target.contract).items())
        if why is None
    ]
    ctx = Context(session, max_examples=DEFAULT_MAX_EXAMPLES, seed=None)
    planned = [c for c in checks.plan(ctx) if c.skip is None]
    names += [c.name for c in planned if c.group != "tokens"]
    tokens = target.tokens
    if tokens is not None:
        names += [
            f"tokens.conformance.{name}"
            for name, why in sorted(conformance.planned(tokens).items())
            if why is None
        ]
        names += [c.name for c in planned if c.group == "tokens"]
    return names


_NOWHERE = "http://planning.invalid"  # RFC 6761: never resolves; plan() sends nothing anyway


def _report(
    report: Report, results: list[CheckResult], selected: _Selector, notify: OnCheck
) -> None:
    """Add a Schemathesis run's selected results (and always its ``.run`` summary)."""
    for result in results:
        if selected(result.name) or result.name.endswith("conformance.run"):
            report.results.append(result)
            notify(result.name, result)


def _run(
    report: Report, ctx: Context, plan: Iterable[Check], selected: _Selector, notify: OnCheck
) -> None:
    """Run the selected checks of *plan*, in order, adding each result to *report*."""
    for check in plan:
        if not selected(check.name):
            continue
        notify(check.name, None)
        result = check.result(ctx)
        report.results.append(result)
        notify(check.name, result)


class _Selector:
    """Which checks ``--only``/``--skip`` leave in."""

    def __init__(self, only: list[str], skip: list[str]) -> None:
        self.only, self.skip = only, skip

    @staticmethod
    def _matches(name: str, choices: list[str]) -> bool:
        return any(name == c or name.startswith(c + ".") for c in choices)

    def __call__(self, name: str) -> bool:
        if self.only and not self._matches(name, self.only):
            return False
        return not self._matches(name, self.skip)

    def covers(self, prefix: str) -> bool:
        """True when some check named *prefix* or under it (``tokens.conformance``) may run."""
        if self._matches(prefix, self.skip):
            return False
        return not self.only or any(
            c == prefix or c.startswith(prefix + ".") or prefix.startswith(c + ".")
            for c in self.only
        )


def _selector(only: list[str], skip: list[str]) -> _Selector:
    for choice in (*only, *skip):
        group = choice.split(".", 1)[0]
        if group not in GROUPS:
            close = difflib.get_close_matches(group, GROUPS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigError(f"unknown check group {choice!r}{hint} (groups: {', '.join(GROUPS)})")

    return _Selector(only, skip)
