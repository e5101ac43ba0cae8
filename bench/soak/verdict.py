"""The soak's record (its windows, each worker's memory) and the criteria it passes or fails.

The criteria, judged on a :class:`Soak`:

- **no 5xx**, and **no dropped connection** (wrk's connect, read and write errors and
  timeouts), over every window;
- **every worker lived through the run** (uvicorn replaces a worker that dies: a new PID);
- **bad input got a 4xx, valid input a 2xx**: a sample of the mix asked one call at a time
  before the load, each answered as planned; and in every window the 4xx answers match the bad
  calls it sent, give or take the requests still in flight when the window closed;
- **p99 within 2x the first minute**: the reference is the median of the warm-up windows' p99;
  each later minute (as many windows as the warm-up) passes when the median of its windows'
  p99 is at most twice the reference. A median, not the worst window, because other work on a
  shared machine stalls single windows; a slowdown that lasts shows in every window;
- **RSS grows by under 10 % after the first minute**, per worker: its largest RSS sampled at
  the end of a later window over its RSS at the end of the warm-up;
- **RSS stays under its bound**, per worker, after the warm-up: the RSS right after start-up
  (which holds the dataset) plus what the configuration allows (:class:`Bound`). The peak
  after the warm-up is the largest sample, or the kernel's high-water mark (``VmHWM``) when it
  rose after the warm-up, so a peak between two samples counts too.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from .window import Tally

__all__ = ["GROWTH", "P99_FACTOR", "Bound", "Criterion", "Soak", "Window", "judge"]

P99_FACTOR = 2.0
GROWTH = 0.10
_P99 = f"p99 within {P99_FACTOR:g}x the first minute"
_GROWTH = f"RSS growth after the first minute < {GROWTH * 100:g} %"
_BOUND = "RSS under its bound"


@dataclass(frozen=True, slots=True)
class Window:
    """One interval of the soak: its load, and every worker's memory at its end."""

    end_s: float  # seconds since the load began
    tally: Tally
    bad_sent: int  # bad calls among those this window had answered
    rss_kib: tuple[int, ...]  # per worker (Soak.pids' order): VmRSS at the window's end
    peak_kib: tuple[int, ...]  # per worker: VmHWM, the peak RSS so far


@dataclass(frozen=True, slots=True)
class Bound:
    """What one worker's RSS may reach: its RSS right after start-up plus what is configured."""

    startup_kib: int  # right after start-up: the interpreter, the app and the dataset
    answers_kib: int  # the answer memory: --cache-mb per vendor
    journal_kib: int  # the journal: --journal-size entries
    served_kib: int  # the carts as answered, kept once rendered (bounded by the dataset)
    slack_kib: int  # connection buffers, sort orders and filter masks kept, the allocator

    @property
    def total_kib(self) -> int:
        """The bound."""
        return (
            self.startup_kib + self.answers_kib + self.journal_kib + self.served_kib
        ) + self.slack_kib


@dataclass(frozen=True, slots=True)
class Soak:
    """One soak run of one server."""

    workers: int
    connections: int
    interval_s: float
    warmup_s: float
    pids: tuple[int, ...]
    bounds: tuple[Bound, ...]  # per worker
    windows: tuple[Window, ...]
    checked: int = 0  # calls of the mix asked one at a time before the load
    misanswered: tuple[str, ...] = ()  # those not answered as planned
    lost: tuple[int, ...] = ()  # workers that exited during the run

    @property
    def warm_windows(self) -> int:
        """How many windows the warm-up spans (at least one)."""
        return max(1, round(self.warmup_s / self.interval_s))


@dataclass(frozen=True, slots=True)
class Criterion:
    """One pass criterion, with what was measured."""

    name: str
    measured: str
    passed: bool


def _mib(kib: float) -> str:
    return f"{kib / 1024:,.1f}"


def judge(soak: Soak) -> list[Criterion]:
    """Every criterion of the module docstring, judged on *soak*."""
    windows = soak.windows
    tallies = [w.tally for w in windows]
    answers = sum(t.requests for t in tallies)
    server_errors = sum(t.server_errors for t in tallies)
    dropped = sum(t.socket_errors for t in tallies)
    out = [
        Criterion("no 5xx", f"{server_errors:,} of {answers:,} answers", server_errors == 0),
        Criterion(
            "no dropped connection",
            f"{dropped:,} socket errors (connect, read, write, timeout)",
            dropped == 0,
        ),
        Criterion(
            "every worker lived through the run",
            f"{len(soak.pids) - len(soak.lost)} of {len(soak.pids)}"
            + (f"; exited: {', '.join(map(str, soak.lost))}" if soak.lost else ""),
            not soak.lost and bool(soak.pids),
        ),
        _refusals(soak),
    ]
    warm, later = windows[: soak.warm_windows], windows[soak.warm_windows :]
    if not warm or not later:
        missing = "no window after the warm-up" if warm else "no window"
        for name in (_P99, _GROWTH, _BOUND):
            out.append(Criterion(name, missing, False))
        return out
    out.append(_latency(soak, warm, later))
    out += _memory(soak, warm, later)
    return out


def _refusals(soak: Soak) -> Criterion:
    """Bad input refused with a 4xx and valid input answered: one by one, then under load."""
    worst = max(soak.windows, key=lambda w: abs(w.tally.client_errors - w.bad_sent), default=None)
    off = abs(worst.tally.client_errors - worst.bad_sent) if worst else 0
    clients = sum(w.tally.client_errors for w in soak.windows)
    sent = sum(w.bad_sent for w in soak.windows)
    measured = (
        f"{soak.checked - len(soak.misanswered)} of {soak.checked} calls answered as planned "
        f"one by one; under load {clients:,} 4xx for {sent:,} bad calls "
        f"(worst window off by {off}, in flight at most {soak.connections})"
    )
    if soak.misanswered:
        measured += "; wrong: " + "; ".join(soak.misanswered[:3])
    passed = soak.checked > 0 and not soak.misanswered and off <= soak.connections
    return Criterion("bad input got a 4xx, valid input a 2xx", measured, passed)


def _latency(soak: Soak, warm: Sequence[Window], later: Sequence[Window]) -> Criterion:
    span = soak.warm_windows
    reference = statistics.median(w.tally.p99_ms for w in warm)
    minutes = [
        statistics.median(w.tally.p99_ms for w in later[i : i + span])
        for i in range(0, len(later), span)
    ]
    worst = max(w.tally.p99_ms for w in later)
    measured = (
        f"first {soak.warmup_s:g} s: {reference:.1f} ms; then per {soak.warmup_s:g} s: "
        + " / ".join(f"{m:.1f}" for m in minutes)
        + f" ms (median of the windows' p99; worst single window {worst:.1f} ms)"
    )
    return Criterion(
        _P99,
        measured,
        max(minutes) <= P99_FACTOR * reference,
    )


def _memory(soak: Soak, warm: Sequence[Window], later: Sequence[Window]) -> list[Criterion]:
    growth_text, bound_text = [], []
    grew_ok = under_ok = True
    for i, bound in enumerate(soak.bounds):
        base = warm[-1].rss_kib[i]
        top = max(w.rss_kib[i] for w in later)
        growth = top / base - 1 if base else float("inf")
        grew_ok &= growth < GROWTH
        text = f"{_mib(base)} -> {_mib(top)} MiB ({growth:+.1%})"
        if len(later) > soak.warm_windows:  # filling up to a bound, or growing for good?
            windows_rss = [w.rss_kib[i] for w in soak.windows]
            last = windows_rss[-1] / windows_rss[-1 - soak.warm_windows] - 1
            text += f", {last:+.1%} in the last {soak.warmup_s:g} s"
        growth_text.append(text)
        peak = top
        if later[-1].peak_kib[i] > warm[-1].peak_kib[i]:  # the high-water mark rose since
            peak = max(peak, later[-1].peak_kib[i])
        under_ok &= peak <= bound.total_kib
        bound_text.append(
            f"{_mib(peak)} MiB {'<=' if peak <= bound.total_kib else '>'} "
            f"{_mib(bound.total_kib)} MiB"
        )
    label = (lambda i: f"worker {i + 1}: ") if len(soak.bounds) > 1 else (lambda i: "")
    return [
        Criterion(
            _GROWTH,
            "; ".join(label(i) + text for i, text in enumerate(growth_text)),
            grew_ok,
        ),
        Criterion(
            _BOUND,
            "; ".join(label(i) + text for i, text in enumerate(bound_text)),
            under_ok,
        ),
    ]
