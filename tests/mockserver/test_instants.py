"""The one instant parser: RFC 3339 exactly, and the looser forms filters accept."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cartkit.mockserver.instants import Instant, parse_instant, rfc3339


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2026-01-15T12:00:00Z", Instant(1768478400), id="utc"),
        pytest.param("2026-01-15t14:00:00+02:00", Instant(1768478400), id="offset-lowercase-t"),
        pytest.param("2026-01-15T12:00:00.250z", Instant(1768478400, "250"), id="fraction"),
        pytest.param("2026-01-15T11:59:60Z", Instant(1768478400), id="leap-second"),
        pytest.param("1969-12-31T23:59:59.5Z", Instant(-1, "5"), id="before-1970"),
        pytest.param("0000-01-01T00:00:00Z", Instant(-62167219200), id="year-0000"),
        pytest.param("9999-12-31T23:59:60Z", Instant(253402300800), id="leap-second-in-9999"),
    ],
)
def test_rfc3339_reads_every_date_time_the_format_admits(text: str, expected: Instant) -> None:
    assert rfc3339(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-01-15",
        "2026-01-15 12:00:00Z",
        "2026-01-15T12:00:00",
        "2026-01-15T12:00:00+0200",
        "2026-02-29T00:00:00Z",
        "2026-01-15T24:00:00Z",
        "2026-01-15T12:00:00+24:00",
        "٢٠٢٦-01-15T12:00:00Z",
    ],
)
def test_rfc3339_refuses_anything_else(text: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(text))):
        rfc3339(text)


@pytest.mark.parametrize(
    ("fraction", "nanoseconds", "ceiling"),
    [("", 0, 0), ("000", 0, 0), ("5", 500_000_000, 1), ("0000000001", 0, 1)],
)
def test_instant_rounds_its_fraction(fraction: str, nanoseconds: int, ceiling: int) -> None:
    instant = Instant(0, fraction)
    assert (instant.nanoseconds, instant.ceiling) == (nanoseconds, ceiling)


@given(
    moment=st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    offset=st.integers(-1439, 1439),
    fraction=st.text("0123456789", max_size=12),
)
def test_both_readings_agree_with_datetime(moment: datetime, offset: int, fraction: str) -> None:
    moment = moment.replace(microsecond=0, tzinfo=timezone(timedelta(minutes=offset)))
    sign, minutes = "+" if offset >= 0 else "-", abs(offset)
    text = (
        f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}{'.' * bool(fraction)}{fraction}"
        f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    )
    expected = int(moment.timestamp())
    assert rfc3339(text) == Instant(expected, fraction)
    assert parse_instant(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("2026-01-15 12:00", datetime(2026, 1, 15, 12, tzinfo=UTC), id="no-seconds"),
        pytest.param("2026-01-15T14:00:00+0200", datetime(2026, 1, 15, 12, tzinfo=UTC), id="hhmm"),
        pytest.param("2026-01-15T12:00:00", datetime(2026, 1, 15, 12, tzinfo=UTC), id="naive"),
        pytest.param(datetime(2026, 1, 15, 12), datetime(2026, 1, 15, 12, tzinfo=UTC), id="dt"),
    ],
)
def test_parse_instant_reads_looser_forms(value: object, expected: datetime) -> None:
    assert parse_instant(value) == int(expected.timestamp())


def test_parse_instant_reads_the_last_leap_second_a_datetime_cannot_hold() -> None:
    # 9999-12-31T23:59:60Z is one second past datetime.max: a filter bound, not a crash.
    last = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert parse_instant("9999-12-31T23:59:60Z") == int(last.timestamp()) + 1
