"""What a ``cartkit check`` run found: per check, its requests, outcome and evidence.

A :class:`Failure` says what was expected, what was received and how to reproduce it (a ``curl``
command whose credentials are shell variables, never the secret). A :class:`Report` renders as a
rich summary table, JUnit XML for CI and JSON for tools.
"""

from __future__ import annotations

import enum
import json
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .reproduce import MAX_CURL, curl, printable, redact

__all__ = ["CheckResult", "Failure", "Outcome", "Report", "curl", "printable", "redact"]


class Outcome(enum.StrEnum):
    """How one check ended."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    KNOWN = "known"  # failed only as a baseline lists (see contracts.baseline)


@dataclass(frozen=True, slots=True)
class Failure:
    """One way the server broke the contract, with the evidence."""

    check: str
    title: str
    expected: str
    received: str
    curl: str | None = None
    code: str | None = None  # Schemathesis failure code (ST108, ...) for conformance checks
    # The request's shape: method, documented path and parameter names, no value (so never a
    # secret, a date or a drawn input), e.g. "GET /v1/carts?status". With the check and the
    # vendor, it is the failure's key in a baseline.
    shape: str | None = None

    def render(self) -> str:
        """Plain text, in Schemathesis's "Received / Expected" shape."""
        lines = [f"[{self.check}] {self.title}", f"  Expected: {self.expected}"]
        lines.append(f"  Received: {self.received}")
        if self.curl:
            lines.append(f"  Reproduce: {self.curl}")
        return "\n".join(lines)

    def __post_init__(self) -> None:
        # The evidence quotes the server, whatever it sent: made printable once, here.
        for name in ("title", "expected", "received"):
            object.__setattr__(self, name, printable(getattr(self, name)))
        if self.curl is not None:
            object.__setattr__(self, "curl", printable(self.curl, MAX_CURL))


@dataclass(slots=True)
class CheckResult:
    """The outcome of one check (``pagination.walk``, ``conformance.not_a_server_error``, ...)."""

    name: str
    requests: int = 0
    failures: list[Failure] = field(default_factory=list)
    skip_reason: str | None = None
    examples: int = 0  # Hypothesis examples or Schemathesis cases that exercised the check
    duration: float = 0.0
    known: list[Failure] = field(default_factory=list)  # failures a baseline accepts

    @property
    def group(self) -> str:
        """The check group (``--only``/``--skip`` select these)."""
        return self.name.split(".", 1)[0]

    @property
    def outcome(self) -> Outcome:
        """Failed if any (new) failure, else known if a baseline accepts its failures, else
        skipped if it could not run, else passed."""
        if self.failures:
            return Outcome.FAILED
        if self.known:
            return Outcome.KNOWN
        if self.skip_reason is not None:
            return Outcome.SKIPPED
        return Outcome.PASSED


@dataclass(slots=True)
class Report:
    """Everything one run found; ``exit_code`` is what the CLI exits with."""

    vendor: str
    url: str
    seed: int | None
    results: list[CheckResult] = field(default_factory=list)
    duration: float = 0.0
    # Baseline entries whose check ran and found nothing (see contracts.baseline): prunable.
    stale: list[dict[str, Any]] = field(default_factory=list)
    # What the run exercised of the documented surface (contracts.coverage): None if not counted.
    coverage: dict[str, Any] | None = None

    def __getitem__(self, name: str) -> CheckResult:
        for result in self.results:
            if result.name == name:
                return result
        raise KeyError(name)

    def count(self, outcome: Outcome) -> int:
        """How many checks ended with *outcome*."""
        return sum(result.outcome is outcome for result in self.results)

    @property
    def failures(self) -> list[Failure]:
        """Every failure of every check, in check order."""
        return [failure for result in self.results for failure in result.failures]

    @property
    def known(self) -> list[Failure]:
        """The failures a baseline accepts, in check order."""
        return [failure for result in self.results for failure in result.known]

    @property
    def failed(self) -> list[str]:
        """Names of the failed checks."""
        return [r.name for r in self.results if r.outcome is Outcome.FAILED]

    @property
    def ok(self) -> bool:
        """True when no check failed."""
        return not self.failed

    @property
    def requests(self) -> int:
        """Requests sent by the semantic checks plus the conformance run."""
        return sum(r.requests for r in self.results)

    @property
    def exit_code(self) -> int:
        """0 when every check passed or was skipped, 1 on contract failures."""
        return 0 if self.ok else 1

    # -- rendering -------------------------------------------------------------------------

    def table(self) -> Table:
        """The summary table: check, requests, outcome."""
        table = Table(title=f"cartkit check {self.vendor} -> {self.url}", title_justify="left")
        table.add_column("Check")
        table.add_column("Requests", justify="right")
        table.add_column("Result")
        table.add_column("Details", overflow="fold")
        styles = {
            Outcome.PASSED: "green",
            Outcome.FAILED: "bold red",
            Outcome.SKIPPED: "yellow",
            Outcome.KNOWN: "magenta",
        }
        for result in self.results:
            outcome = result.outcome
            if outcome is Outcome.FAILED:
                details = f"{len(result.failures)} failure(s)"
            elif outcome is Outcome.KNOWN:
                details = f"{len(result.known)} known failure(s), in the baseline"
            elif outcome is Outcome.SKIPPED:
                details = printable(result.skip_reason or "")
            else:
                details = _examples(result)
            table.add_row(
                result.name,
                str(result.requests),
                Text(outcome.value, style=styles[outcome]),
                escape(details),
            )
        passed, failed = self.count(Outcome.PASSED), self.count(Outcome.FAILED)
        known = self.count(Outcome.KNOWN)
        table.caption = (
            f"{passed} passed, {failed} failed, {self.count(Outcome.SKIPPED)} skipped"
            + (f", {known} known" if known else "")
            + (f", {len(self.stale)} stale baseline entries" if self.stale else "")
            + f"; {self.requests} requests in {self.duration:.1f}s"
            + (f"; seed {self.seed}" if self.seed is not None else "")
        )
        return table

    def print(self, console: Console | None = None) -> None:
        """Print every failure, then the summary table."""
        console = console or Console()
        for number, failure in enumerate(self.failures, 1):
            body = Text()
            body.append("Expected: ", style="bold")
            body.append(failure.expected + "\n")
            body.append("Received: ", style="bold")
            body.append(failure.received)
            parts: list[Any] = [body]
            if failure.curl:
                parts.append(Text("\nReproduce with:\n", style="bold"))
                parts.append(Text(failure.curl, style="cyan"))
            code = f" {failure.code}" if failure.code else ""
            title = f"{number}. {failure.check}{code}: {failure.title}"
            console.print(Panel(Group(*parts), title=escape(title), title_align="left"))
        if self.known:
            console.print("[magenta]Known failures (in the baseline, not failed):[/]")
            for failure in self.known:
                console.print(
                    f"  {escape(failure.check)}: {escape(failure.title)} "
                    f"({escape(failure.shape or '')})",
                    highlight=False,
                )
        if self.stale:
            console.print("[yellow]Stale baseline entries (their check passed; prune them):[/]")
            for entry in self.stale:
                console.print(
                    f"  {escape(entry['check'])}: {escape(entry['title'])} "
                    f"({escape(entry['request'])})",
                    highlight=False,
                )
        console.print(self.table())
        if self.coverage is not None:
            console.print(self.coverage_table())

    def coverage_below(self, minimum: float) -> list[str]:
        """What of the parameter and status coverage falls below *minimum* percent (``[]``:
        neither, or the run did not count coverage)."""
        out = []
        for part, label in (
            ("parameters", "documented parameters sent"),
            ("statuses", "documented statuses seen"),
        ):
            found = (self.coverage or {}).get(part)
            if found and found["percent"] < minimum:
                out.append(f"{label}: {found['percent']:g}% < {minimum:g}%")
        return out

    def coverage_table(self) -> Table:
        """The short coverage table: each part of the documented surface, how much of it the
        run exercised, and (the start of) what it did not."""
        table = Table(title=f"Coverage of {self.vendor}'s documented list", title_justify="left")
        table.add_column("Documented")
        table.add_column("Exercised", justify="right")
        table.add_column("Not exercised", overflow="fold")
        coverage = self.coverage or {}
        rows: list[tuple[str, Any, str]] = [
            ("parameters sent", coverage.get("parameters"), "sent"),
            ("sort orders", coverage.get("orders"), "exercised"),
            ("statuses seen", coverage.get("statuses"), "seen"),
            ("error envelopes seen", coverage.get("envelopes"), "seen"),
            ("response fields non-null", coverage.get("fields"), "seen"),
        ]
        enums = coverage.get("enums") or {}
        if enums:
            hit = sum(len(e["sent"]) for e in enums.values())
            total = hit + sum(len(e["not_sent"]) for e in enums.values())
            missed = [f"{n}={v}" for n, e in enums.items() for v in e["not_sent"]]
            part: dict[str, Any] = {
                "percent": round(100.0 * hit / total, 1) if total else 100.0,
                "sent": [None] * hit,
                "not_sent": missed,
            }
            rows.insert(1, ("enum values sent", part, "sent"))
        for label, found, verb in rows:
            if not found:
                continue
            part = found
            hit, missed = len(part[verb]), part[f"not_{verb}"]
            shown = ", ".join(map(str, missed[:6])) + (
                f", ... (+{len(missed) - 6})" if len(missed) > 6 else ""
            )
            table.add_row(label, f"{hit}/{hit + len(missed)} ({part['percent']:g}%)", escape(shown))
        paging = coverage.get("paging") or {}
        if paging:
            walked = [p for p, v in paging.items() if v]
            skipped = [p for p, v in paging.items() if v is False]
            table.add_row(
                "paging paths walked",
                f"{len(walked)}/{len(walked) + len(skipped)}",
                ", ".join(skipped),
            )
        return table

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the whole report."""
        return {
            "vendor": self.vendor,
            "url": self.url,
            "seed": self.seed,
            "ok": self.ok,
            "duration": round(self.duration, 3),
            "requests": self.requests,
            "summary": {outcome.value: self.count(outcome) for outcome in Outcome},
            "checks": [
                {
                    "name": r.name,
                    "group": r.group,
                    "outcome": r.outcome.value,
                    "requests": r.requests,
                    "examples": r.examples,
                    "duration": round(r.duration, 3),
                    "skip_reason": printable(r.skip_reason) if r.skip_reason else None,
                    "failures": [asdict(f) for f in r.failures],
                    "known": [asdict(f) for f in r.known],
                }
                for r in self.results
            ],
            "stale": self.stale,
            "coverage": self.coverage,
        }

    def write_json(self, path: str | Path) -> None:
        """Write :meth:`to_dict` to *path*."""
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")

    def write_junit(self, path: str | Path) -> None:
        """Write a JUnit XML report (one test case per check) to *path*."""
        suite = ET.Element(
            "testsuite",
            name=f"cartkit check {self.vendor}",
            tests=str(len(self.results)),
            failures=str(self.count(Outcome.FAILED)),
            skipped=str(self.count(Outcome.SKIPPED)),
            errors="0",
            time=f"{self.duration:.3f}",
        )
        for result in self.results:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"cartkit.{self.vendor}.{result.group}",
                name=result.name,
                time=f"{result.duration:.3f}",
            )
            if result.outcome is Outcome.FAILED:
                first = result.failures[0]
                element = ET.SubElement(case, "failure", message=first.title, type=first.code or "")
                element.text = "\n\n".join(f.render() for f in result.failures)
            elif result.outcome is Outcome.SKIPPED:
                ET.SubElement(case, "skipped", message=result.skip_reason or "")
            elif result.outcome is Outcome.KNOWN:
                first = result.known[0]
                ET.SubElement(case, "skipped", message=f"known failure (baseline): {first.title}")
        root = ET.Element("testsuites")
        root.append(suite)
        _xml_safe(root)
        ET.indent(root)
        Path(path).write_bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def _xml_safe(root: ET.Element) -> None:
    """Escape, in every text and attribute under *root*, what XML 1.0 cannot hold (a raw control
    character, say, quoted from a server): ElementTree would write it, and no reader parse it."""
    for element in root.iter():
        if element.text:
            element.text = printable(element.text, limit=None)
        for name, value in element.attrib.items():
            element.set(name, printable(value, limit=None))


def _examples(result: CheckResult) -> str:
    if not result.examples:
        return ""
    if ".conformance." in f".{result.name}":  # a Schemathesis run's (list or tokens)
        return f"{result.examples} response(s) checked"
    return f"{result.examples} example(s)"
