"""``cartkit check``: the command line of the contract kit (plugged into ``cartkit`` by entry point).

Exit status: 0 every check passed (or was skipped with a reason, or failed only as the
``--baseline`` accepts), 1 the server broke its contract (or covered less than
``--coverage-min``), 2 a usage or configuration error (unknown vendor, unreachable URL, missing
credential, unreadable baseline).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import click
from rich.console import Console

from cartkit.specs.cli import VENDOR

from .baseline import Baseline
from .errors import ConfigError
from .reading import DEFAULT_MAX_BODY_MB
from .report import CheckResult, Outcome
from .runner import DEFAULT_MAX_EXAMPLES, GROUPS
from .runner import check as run_check

__all__ = ["check"]


class _ConfigProblem(click.ClickException):
    """A configuration error: printed as ``Error: ...``, exit status 2."""

    exit_code = 2


def _choices(values: tuple[str, ...]) -> list[str]:
    """``--only a,b --only c`` -> ``["a", "b", "c"]``."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@click.command("check", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("vendor", type=VENDOR)
@click.option(
    "--url",
    "base_url",
    envvar="CARTKIT_URL",
    required=True,
    help="Server base URL: scheme://host[/prefix], e.g. http://127.0.0.1:8000/stateset "
    "(the vendor's own path is appended). Env: CARTKIT_URL.",
)
@click.option(
    "--api-key", envvar="CARTKIT_API_KEY", help="ShopiMind API key. Env: CARTKIT_API_KEY."
)
@click.option("--token", envvar="CARTKIT_TOKEN", help="Bearer token. Env: CARTKIT_TOKEN.")
@click.option(
    "--account-token",
    envvar="CARTKIT_ACCOUNT_TOKEN",
    help="Elastic Path account token. Env: CARTKIT_ACCOUNT_TOKEN.",
)
@click.option(
    "--customer-token",
    envvar="CARTKIT_CUSTOMER_TOKEN",
    help="Elastic Path customer token. Env: CARTKIT_CUSTOMER_TOKEN.",
)
@click.option(
    "--shop-id",
    envvar="CARTKIT_SHOP_ID",
    help="ePages shop id (default DemoShop). Env: CARTKIT_SHOP_ID.",
)
@click.option(
    "--client-id",
    envvar="CARTKIT_CLIENT_ID",
    help="OAuth client id for the token checks (made up if not given). Env: CARTKIT_CLIENT_ID.",
)
@click.option(
    "--client-secret",
    envvar="CARTKIT_CLIENT_SECRET",
    help="The client's secret. Env: CARTKIT_CLIENT_SECRET.",
)
@click.option(
    "--customer-email",
    envvar="CARTKIT_CUSTOMER_EMAIL",
    help="Elastic Path customer login for tokens.shopper. Env: CARTKIT_CUSTOMER_EMAIL.",
)
@click.option(
    "--customer-password",
    envvar="CARTKIT_CUSTOMER_PASSWORD",
    help="That customer's password. Env: CARTKIT_CUSTOMER_PASSWORD.",
)
@click.option(
    "--auth-code",
    envvar="CARTKIT_AUTH_CODE",
    help="ePages installation code for tokens.grant (one-time). Env: CARTKIT_AUTH_CODE.",
)
@click.option(
    "--max-examples",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_EXAMPLES,
    show_default=True,
    help="Schemathesis examples per mode; each semantic check draws a fifth of it.",
)
@click.option(
    "--seed", type=int, default=None, help="Seed for generated inputs (default: derandomized)."
)
@click.option(
    "--rate-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="At most this many requests per second (29 Next allows 4).",
)
@click.option(
    "--only",
    multiple=True,
    metavar="GROUP[,GROUP]",
    help=f"Run only these check groups or checks ({', '.join(GROUPS)}; or e.g. filters.status).",
)
@click.option("--skip", multiple=True, metavar="GROUP[,GROUP]", help="Skip these groups or checks.")
@click.option(
    "--max-pages",
    type=click.IntRange(min=2),
    default=100,
    show_default=True,
    help="The most pages one walk may request.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Seconds to wait for one response: for any read, and again for its whole body.",
)
@click.option(
    "--max-body-mb",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_MAX_BODY_MB,
    show_default=True,
    help="The largest response body read, in MiB; a larger one fails the check that asked.",
)
@click.option("--junit-xml", type=click.Path(dir_okay=False), help="Write a JUnit XML report here.")
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False), help="Write a JSON report here."
)
@click.option(
    "--coverage-min",
    type=click.FloatRange(0, 100),
    default=None,
    metavar="PERCENT",
    help="Fail (exit 1) when the documented parameters sent or the documented statuses seen "
    "fall below PERCENT.",
)
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False),
    help="Accepted failures (a file --baseline-update wrote): reported as known, not failed; "
    "entries whose check now passes are reported as stale.",
)
@click.option(
    "--baseline-update",
    is_flag=True,
    help="Write this run's failures into the --baseline file (this vendor's entries for the "
    "checks that ran are replaced) and exit 0.",
)
def check(
    vendor: str,
    base_url: str,
    api_key: str | None,
    token: str | None,
    account_token: str | None,
    customer_token: str | None,
    shop_id: str | None,
    client_id: str | None,
    client_secret: str | None,
    customer_email: str | None,
    customer_password: str | None,
    auth_code: str | None,
    max_examples: int,
    seed: int | None,
    rate_limit: float | None,
    only: tuple[str, ...],
    skip: tuple[str, ...],
    max_pages: int,
    timeout: float,
    max_body_mb: float,
    junit_xml: str | None,
    json_path: str | None,
    coverage_min: float | None,
    baseline_path: str | None,
    baseline_update: bool,
) -> None:
    """Check the server at --url against VENDOR's list-carts contract.

    Conformance (Schemathesis, all built-in checks), list semantics (pagination, filters,
    ordering, projection, auth, consistency) and, where the vendor documents them, its token
    endpoints (tokens). Exit status 0: all passed; 1: contract failures; 2: usage or
    configuration error.
    """
    console = Console(stderr=False)
    progress = _Progress(console)
    if baseline_update and not baseline_path:
        raise _ConfigProblem("--baseline-update needs --baseline FILE: the file to write")
    try:
        baseline = (
            Baseline.load(baseline_path)
            if baseline_path and (not baseline_update or Path(baseline_path).exists())
            else None
        )
        with progress:
            report = run_check(
                vendor,
                base_url=base_url,
                auth={
                    "api_key": api_key,
                    "token": token,
                    "account_token": account_token,
                    "customer_token": customer_token,
                    "shop_id": shop_id,
                    "client_id": client_id,
                    "client_secret": client_secret,
                    "customer_email": customer_email,
                    "customer_password": customer_password,
                    "auth_code": auth_code,
                },
                max_examples=max_examples,
                seed=seed,
                rate_limit=rate_limit,
                only=_choices(only),
                skip=_choices(skip),
                max_pages=max_pages,
                timeout=timeout,
                max_body_mb=max_body_mb,
                on_check=progress.update,
            )
    except ConfigError as exc:
        raise _ConfigProblem(str(exc)) from None
    if baseline is not None:
        baseline.apply(report)
    report.print(console)
    if junit_xml:
        report.write_junit(junit_xml)
        console.print(f"JUnit XML report: {junit_xml}")
    if json_path:
        report.write_json(json_path)
        console.print(f"JSON report: {json_path}")
    if baseline_update:
        assert baseline_path is not None
        recorded = Baseline.recorded(report, baseline)
        recorded.save(baseline_path)
        mine = sum(e.vendor == report.vendor for e in recorded.entries)
        console.print(f"Baseline: {mine} accepted failure(s) of {report.vendor} in {baseline_path}")
        raise SystemExit(0)
    short = report.coverage_below(coverage_min) if coverage_min is not None else []
    for line in short:
        console.print(f"[bold red]Coverage below --coverage-min[/]: {line}", highlight=False)
    raise SystemExit(report.exit_code or (1 if short else 0))


class _Progress:
    """A spinner naming the running check on a terminal; one line per check elsewhere (CI)."""

    _MARKS: ClassVar[dict[Outcome, str]] = {
        Outcome.PASSED: "[green]PASS[/]",
        Outcome.FAILED: "[bold red]FAIL[/]",
        Outcome.SKIPPED: "[yellow]SKIP[/]",
        Outcome.KNOWN: "[magenta]KNOWN[/]",
    }

    def __init__(self, console: Console) -> None:
        self.console = console
        self.done = 0
        self.failed = 0
        self._status: Any = None

    def __enter__(self) -> _Progress:
        if self.console.is_terminal:
            self._status = self.console.status("starting")
            self._status.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.__exit__(*exc)

    def update(self, name: str, result: CheckResult | None) -> None:
        """Called by :func:`cartkit.contracts.check` as each check starts and ends."""
        if result is None:
            text = f"{name} ... ({self.done} done, {self.failed} failed)"
            if self._status is not None:
                self._status.update(text)
            return
        self.done += 1
        self.failed += result.outcome is Outcome.FAILED
        if self._status is None or result.outcome is Outcome.FAILED:
            self.console.print(
                f"{self._MARKS[result.outcome]} {name} ({result.requests} requests)",
                highlight=False,
            )
