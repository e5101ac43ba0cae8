"""A baseline: the failures a team has accepted, so a run against a real vendor fails only on new
breakage.

Real vendor APIs deviate from their own docs. A baseline file lists those deviations, each by a
stable key: the vendor, the check and the request's shape (method, documented path, parameter
names; see :attr:`~cartkit.contracts.report.Failure.shape`). It holds no parameter value, credential or
date, so it can be committed. A failure whose key is listed is *known*: reported, but not
failed. A listed key whose check ran and found nothing is *stale*: the vendor fixed it, and the
entry can be pruned (``--baseline-update`` does).

>>> from cartkit.contracts.report import CheckResult, Failure, Report
>>> report = Report("stateset", "http://sandbox/v1/carts", seed=0)
>>> failure = Failure("filters.status", "Filter 'status' not applied", "...", "...",
...                   shape="GET /v1/carts?status")
>>> report.results.append(CheckResult("filters.status", failures=[failure]))
>>> baseline = Baseline.recorded(report)
>>> baseline.apply(report)
[]
>>> report.ok, [f.check for f in report.known]
(True, ['filters.status'])
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .report import Failure, Outcome, Report

__all__ = ["Baseline", "Entry"]

_VERSION = 1


@dataclass(frozen=True, slots=True, order=True)
class Entry:
    """One accepted failure: its key (vendor, check, request shape) and, for the reader, the
    title it was recorded with."""

    vendor: str
    check: str
    request: str
    title: str = field(default="", compare=False)

    @property
    def key(self) -> tuple[str, str, str]:
        """What a failure must match to be known."""
        return (self.vendor, self.check, self.request)

    @classmethod
    def of(cls, vendor: str, failure: Failure) -> Entry:
        """The entry accepting *failure* of a run against *vendor*."""
        return cls(vendor, failure.check, failure.shape or "", failure.title)


@dataclass(slots=True)
class Baseline:
    """The accepted failures, for any number of vendors (one file can serve a CI matrix)."""

    entries: list[Entry] = field(default_factory=list)

    # -- reading and writing ---------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path) -> Baseline:
        """Read a baseline file.

        Raises:
            ConfigError: no such file, or not a baseline (a usage error, exit status 2).
        """
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(
                f"no baseline at {str(path)!r}; record one with --baseline-update"
            ) from None
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read the baseline {str(path)!r}: {exc}") from None
        try:
            if data.get("version") != _VERSION:
                raise ValueError(f"version {data.get('version')!r}, expected {_VERSION}")
            entries = [
                Entry(e["vendor"], e["check"], e["request"], e.get("title", ""))
                for e in data["failures"]
            ]
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise ConfigError(
                f"{str(path)!r} is not a cartkit baseline ({type(exc).__name__}: {exc}); "
                "record one with --baseline-update"
            ) from None
        return cls(entries)

    def save(self, path: str | Path) -> None:
        """Write the baseline to *path*, sorted, one entry per line (diffs stay readable)."""
        lines = [
            json.dumps(
                {"vendor": e.vendor, "check": e.check, "request": e.request, "title": e.title},
                ensure_ascii=False,
            )
            for e in sorted(set(self.entries))
        ]
        body = ",\n    ".join(lines)
        text = f'{{\n  "version": {_VERSION},\n  "failures": [\n    {body}\n  ]\n}}\n'
        if not lines:
            text = f'{{\n  "version": {_VERSION},\n  "failures": []\n}}\n'
        Path(path).write_text(text, encoding="utf-8")

    # -- using it --------------------------------------------------------------------------

    def apply(self, report: Report) -> list[Entry]:
        """Mark *report*'s listed failures known; return the stale entries.

        An entry is stale when its check ran in this run (against its vendor) and no failure
        matched it. Entries of other vendors, or of checks this run left out or skipped, are
        neither used nor stale.
        """
        keys = {e.key for e in self.entries if e.vendor == report.vendor}
        matched: set[tuple[str, str, str]] = set()
        for result in report.results:
            new, known = [], []
            for failure in [*result.failures, *result.known]:
                key = Entry.of(report.vendor, failure).key
                if key in keys:
                    known.append(failure)
                    matched.add(key)
                else:
                    new.append(failure)
            result.failures, result.known = new, known
        ran = {r.name for r in report.results if r.outcome is not Outcome.SKIPPED}
        stale = sorted(
            e
            for e in set(self.entries)
            if e.vendor == report.vendor and e.check in ran and e.key not in matched
        )
        report.stale = [_describe(e) for e in stale]
        return stale

    @classmethod
    def recorded(cls, report: Report, previous: Baseline | None = None) -> Baseline:
        """*previous* with *report*'s vendor's entries for the checks that ran replaced by the
        run's failures (new and known): what ``--baseline-update`` writes."""
        ran = {r.name for r in report.results if r.outcome is not Outcome.SKIPPED}
        kept = [
            e
            for e in (previous.entries if previous else [])
            if e.vendor != report.vendor or e.check not in ran
        ]
        found = [
            Entry.of(report.vendor, f) for r in report.results for f in [*r.failures, *r.known]
        ]
        unique: dict[tuple[str, str, str], Entry] = {}
        for entry in [*kept, *found]:
            unique.setdefault(entry.key, entry)
        return cls(sorted(unique.values()))


def _describe(entry: Entry) -> dict[str, Any]:
    return {"check": entry.check, "request": entry.request, "title": entry.title}
