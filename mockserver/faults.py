"""Injected trouble for resilience work: latency, random errors, and a per-request forced status.

Random choices come from an RNG seeded by the mock's seed, so a given sequence of requests meets
the same sequence of faults on every run. Latency and error rate come from the start-up options
(``--latency``, ``--error-rate``) unless changed at run time (``PUT /__cartkit/faults``, see
:mod:`.admin`), which :meth:`Faults.follow` picks up.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Collection, Mapping

from .errors import ApiError, Problem

__all__ = ["FAULT_SETTINGS", "FORCEABLE", "FORCE_STATUS_HEADER", "Faults"]

FORCE_STATUS_HEADER = "X-Cartkit-Force-Status"
"""Request header that makes the mock answer this one call with the given error status."""

_RANDOM_ERRORS = (Problem.RATE_LIMITED, Problem.SERVER_ERROR, Problem.UNAVAILABLE)

FORCEABLE = (400, 401, 403, 404, 406, 429, 500, 503)
"""Every status the header can name; a vendor accepts those its spec documents."""

FAULT_SETTINGS = ("latency_ms", "jitter_ms", "error_rate")
"""What can be changed at run time, as ``PUT /__cartkit/faults`` names it."""


class Faults:
    """Decides, per request, whether to delay and whether to fail."""

    def __init__(
        self,
        *,
        seed: int,
        latency_ms: float = 0.0,
        jitter_ms: float = 0.0,
        error_rate: float = 0.0,
        forceable: Collection[int] = FORCEABLE,
    ) -> None:
        self._rng = random.Random(seed)
        self.latency_ms, self.jitter_ms, self.error_rate = latency_ms, jitter_ms, error_rate
        self.forceable = tuple(sorted(forceable))
        self._startup = (latency_ms, jitter_ms, error_rate)
        self._followed: Mapping[str, float] | None = None

    def follow(self, settings: Mapping[str, float] | None) -> None:
        """Use the run-time *settings* (keys :data:`FAULT_SETTINGS`); ``None``: the start-up ones.

        Called on every request: it does nothing while *settings* is the object it saw last (the
        shared state hands out the same one until an admin call changes it).
        """
        if settings is self._followed:
            return
        self._followed = settings
        if settings is None:
            self.latency_ms, self.jitter_ms, self.error_rate = self._startup
        else:
            self.latency_ms, self.jitter_ms, self.error_rate = (
                float(settings[name]) for name in FAULT_SETTINGS
            )

    async def apply(self, headers: Mapping[str, str]) -> None:
        """Sleep the configured latency, then raise the forced or drawn error, if any.

        Raises:
            ApiError: the injected error (vendors render it in their own envelope).
        """
        if self.latency_ms or self.jitter_ms:
            jitter = self._rng.uniform(-self.jitter_ms, self.jitter_ms) if self.jitter_ms else 0.0
            await asyncio.sleep(max(0.0, self.latency_ms + jitter) / 1000)
        forced = headers.get(FORCE_STATUS_HEADER)
        if forced is not None:
            raise _forced(forced.strip(), self.forceable)
        if self.error_rate and self._rng.random() < self.error_rate:
            problem = self._rng.choice(_RANDOM_ERRORS)
            raise ApiError(problem, f"Injected fault ({FORCE_STATUS_HEADER} not set; --error-rate)")


def _forced(value: str, forceable: tuple[int, ...]) -> ApiError:
    try:
        status = int(value)
    except ValueError:
        status = 0
    if status not in forceable:
        return ApiError(
            Problem.BAD_PARAMETER,
            f"Invalid header {FORCE_STATUS_HEADER!r}: {value[:40]!r} is not one of "
            f"{', '.join(map(str, forceable))} (the statuses this API documents)",
            param=FORCE_STATUS_HEADER,
        )
    problem = Problem.for_status(status)
    # The header is what "caused" the error, so envelopes that name a parameter name it.
    return ApiError(
        problem, f"Forced by the {FORCE_STATUS_HEADER} header", param=FORCE_STATUS_HEADER
    )
