"""Injected trouble (``mockserver/faults.py``): latency, drawn errors and forced statuses."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import pytest

from cartkit.mockserver import faults as faults_module
from cartkit.mockserver.errors import ApiError, Problem
from cartkit.mockserver.faults import FAULT_SETTINGS, FORCE_STATUS_HEADER, FORCEABLE, Faults

DRAWN = {Problem.RATE_LIMITED, Problem.SERVER_ERROR, Problem.UNAVAILABLE}


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The seconds each ``asyncio.sleep`` of the module was asked for (none is waited)."""
    asked: list[float] = []

    async def sleep(seconds: float) -> None:
        asked.append(seconds)

    monkeypatch.setattr(faults_module.asyncio, "sleep", sleep)
    return asked


def outcome(faults: Faults, headers: Mapping[str, str] | None = None) -> Problem | None:
    """The problem :meth:`Faults.apply` raised, or ``None``."""
    try:
        asyncio.run(faults.apply(headers or {}))
    except ApiError as error:
        return error.problem
    return None


def test_without_faults_a_request_neither_waits_nor_fails(slept: list[float]) -> None:
    faults = Faults(seed=0)
    assert [outcome(faults) for _ in range(50)] == [None] * 50
    assert slept == []


def test_latency_is_slept_in_seconds(slept: list[float]) -> None:
    assert outcome(Faults(seed=0, latency_ms=250)) is None
    assert slept == [0.25]


def test_jitter_stays_within_its_bounds_and_never_goes_below_zero(slept: list[float]) -> None:
    faults = Faults(seed=1, latency_ms=100, jitter_ms=40)
    for _ in range(200):
        outcome(faults)
    assert all(0.06 <= s <= 0.14 for s in slept)
    assert len(set(slept)) > 100  # drawn, not fixed
    slept.clear()
    shaky = Faults(seed=1, latency_ms=0, jitter_ms=50)
    for _ in range(200):
        outcome(shaky)
    assert min(slept) == 0.0 and max(slept) <= 0.05  # half the draws are negative: clamped


@pytest.mark.parametrize("status", FORCEABLE)
def test_a_forced_status_raises_its_problem_naming_the_header(status: int) -> None:
    with pytest.raises(ApiError) as caught:
        asyncio.run(Faults(seed=0).apply({FORCE_STATUS_HEADER: f" {status} "}))
    assert caught.value.problem.status == status
    assert caught.value.param == FORCE_STATUS_HEADER


@pytest.mark.parametrize("value", ["418", "200", "4O4", "", "500.0", "x" * 500])
def test_an_unforceable_status_is_a_bad_parameter(value: str) -> None:
    with pytest.raises(ApiError) as caught:
        asyncio.run(Faults(seed=0).apply({FORCE_STATUS_HEADER: value}))
    error = caught.value
    assert error.problem is Problem.BAD_PARAMETER and error.param == FORCE_STATUS_HEADER
    assert all(str(status) in error.message for status in FORCEABLE)
    assert len(error.message) < 300  # a huge value is clipped


def test_a_vendor_forces_only_the_statuses_it_documents() -> None:
    faults = Faults(seed=0, forceable=[404, 400, 403])
    assert faults.forceable == (400, 403, 404)
    assert outcome(faults, {FORCE_STATUS_HEADER: "403"}) is Problem.FORBIDDEN
    with pytest.raises(ApiError) as caught:
        asyncio.run(faults.apply({FORCE_STATUS_HEADER: "500"}))
    assert caught.value.problem is Problem.BAD_PARAMETER
    assert "not one of 400, 403, 404 (" in caught.value.message


def test_a_forced_status_wins_over_the_error_rate() -> None:
    faults = Faults(seed=0, error_rate=1.0)
    assert {outcome(faults, {FORCE_STATUS_HEADER: "404"}) for _ in range(20)} == {Problem.NOT_FOUND}


def test_an_error_rate_of_one_always_fails_with_a_drawn_server_side_problem() -> None:
    faults = Faults(seed=3, error_rate=1.0)
    drawn = [outcome(faults) for _ in range(200)]
    assert set(drawn) == DRAWN  # all three kinds occur, and only those


def test_the_error_rate_is_the_share_of_failed_requests() -> None:
    faults = Faults(seed=5, error_rate=0.3)
    failed = sum(outcome(faults) is not None for _ in range(2000))
    assert 0.25 < failed / 2000 < 0.35


def test_the_same_seed_meets_the_same_faults() -> None:
    def run(seed: int) -> list[Problem | None]:
        faults = Faults(seed=seed, error_rate=0.5)
        return [outcome(faults) for _ in range(60)]

    assert run(11) == run(11)
    assert run(11) != run(12)


def test_follow_switches_to_run_time_settings_and_back() -> None:
    faults = Faults(seed=0, latency_ms=10, jitter_ms=2, error_rate=0.1)
    faults.follow({"latency_ms": 0, "jitter_ms": 0, "error_rate": 1})
    assert (faults.latency_ms, faults.jitter_ms, faults.error_rate) == (0.0, 0.0, 1.0)
    assert outcome(faults) in DRAWN
    faults.follow(None)
    assert (faults.latency_ms, faults.jitter_ms, faults.error_rate) == (10, 2, 0.1)


def test_follow_ignores_the_object_it_already_follows() -> None:
    # The shared state hands out one object until it changes: following it again is free.
    settings = {name: 0.0 for name in FAULT_SETTINGS}
    faults = Faults(seed=0, error_rate=0.5)
    faults.follow(settings)
    faults.error_rate = 0.75  # as if changed elsewhere: only a new object is read again
    faults.follow(settings)
    assert faults.error_rate == 0.75
    faults.follow(dict(settings))
    assert faults.error_rate == 0.0
