"""Instants read from requests and data files, as Unix seconds: one parser for the whole mock.

Two readings share one calendar arithmetic (days from a proleptic Gregorian date, after
H. Hinnant's ``days_from_civil``), which, unlike ``datetime``, reaches year 0000:

- :func:`rfc3339` reads exactly what a spec's ``format: date-time`` admits (lower-case ``t`` and
  ``z``, a leap second, any number of fraction digits, year 0000) and keeps the fraction as
  written, so that a bound can round either way (:attr:`Instant.ceiling`).
- :func:`parse_instant` also reads the looser ISO 8601 forms a filter operand may take (a date
  alone, a space for ``T``, no seconds, no offset meaning UTC, ``+hhmm``), Unix seconds, a
  ``datetime`` or a ``date``; it answers whole seconds, the fraction dropped.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

__all__ = ["Instant", "parse_instant", "rfc3339"]

_RFC3339 = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:[Zz]|([+-])(\d\d):(\d\d))",
    re.ASCII,
)
_ISO8601 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:[Zz]|([+-])(\d{2}):?(\d{2}))?)?",
    re.ASCII,
)
_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class Instant(NamedTuple):
    """An instant as written: whole Unix seconds (rounded down) and the fraction's digits."""

    seconds: int
    fraction: str = ""

    @property
    def nanoseconds(self) -> int:
        """The fraction in nanoseconds (digits beyond the ninth dropped)."""
        return int((self.fraction + "000000000")[:9])

    @property
    def ceiling(self) -> int:
        """The first whole second at or after the instant."""
        return self.seconds + bool(self.fraction.strip("0"))


def rfc3339(text: str) -> Instant:
    """Read an RFC 3339 date-time exactly, whatever its year.

    Raises:
        ValueError: *text* is not an RFC 3339 date-time, or names no day or time there is
            (``02-30``, ``24:00``, an offset of 24 hours).
    """
    match = _RFC3339.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not an RFC 3339 date-time")
    year, month, day, hour, minute, second = map(int, match.groups()[:6])
    fraction, sign, offset_h, offset_m = match.group(7, 8, 9, 10)
    if int(offset_h or 0) > 23 or int(offset_m or 0) > 59:
        raise ValueError(f"{text!r}: no such UTC offset")
    seconds = _seconds(text, year, month, day, hour, minute, second)
    if sign is not None:
        seconds -= (1 if sign == "+" else -1) * (int(offset_h) * 3600 + int(offset_m) * 60)
    return Instant(seconds, fraction or "")


def parse_instant(value: Any) -> int:
    """Parse an ISO 8601 / RFC 3339 date or date-time (naive = UTC) or Unix seconds.

    Accepts everything JSON Schema's ``date-time`` format accepts (lower-case ``t``/``z``, a leap
    second, any number of fraction digits), so that a value the spec lets through is never a
    crash here. Fractions are dropped: instants compare at one-second resolution. Year 0000
    counts as 0001, the first year a ``datetime`` holds.

    Raises:
        ValueError: *value* is none of those, or names no day or time there is.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a date-time")
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, date):  # a datetime too
        if not isinstance(value, datetime):
            value = datetime(value.year, value.month, value.day)
        return int((value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp())
    text = str(value).strip()
    match = _ISO8601.fullmatch(text)
    if match is None:
        raise ValueError(f"{value!r} is not an ISO 8601 date-time")
    year, month, day, hour, minute, second, offset_h, offset_m = (
        int(part or 0) for part in match.group(1, 2, 3, 4, 5, 6, 8, 9)
    )
    offset = offset_h * 3600 + offset_m * 60
    if offset >= 86_400:
        raise ValueError(f"{value!r}: no such UTC offset")
    seconds = _seconds(text, max(year, 1), month, day, hour, minute, second)
    return seconds - offset if match[7] == "+" else seconds + offset


def _seconds(text: str, year: int, month: int, day: int, hour: int, minute: int, sec: int) -> int:
    """Unix seconds of a UTC date and time of day (second 60: a leap second, the next minute)."""
    leap_year = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not (
        1 <= month <= 12
        and 1 <= day <= _DAYS[month - 1] + (month == 2 and leap_year)
        and hour <= 23
        and minute <= 59
        and sec <= 60
    ):
        raise ValueError(f"{text!r} names no such day or time")
    y = year - (month <= 2)  # days_from_civil: a year runs from March, so leap days come last
    era, year_of_era = divmod(y, 400)
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return (era * 146_097 + day_of_era - 719_468) * 86_400 + hour * 3600 + minute * 60 + sec
