"""The ``Accept`` request header (RFC 9110 §12.5.1): which media types a client will take.

Only what a vendor needs to choose between the types it serves: the weight (``q``) the client
gives a type, through the most specific range matching it, and whether it names the type itself.
"""

from __future__ import annotations

import re

__all__ = ["Accept"]

_QVALUE = re.compile(r"0(\.\d{0,3})?|1(\.0{0,3})?")  # RFC 9110 §12.4.2


class Accept:
    """The media ranges of one ``Accept`` header and their weights.

    Ranges compare case-insensitively; the first occurrence of a range counts, and a weight that
    is not a valid ``qvalue`` counts as 0.

    >>> accept = Accept("application/json;q=0.5, */*;q=0.1")
    >>> accept.quality("application/json"), accept.quality("text/html")
    (0.5, 0.1)
    >>> accept.names("text/html")
    False
    """

    __slots__ = ("_ranges",)

    def __init__(self, header: str) -> None:
        self._ranges: dict[str, float] = {}
        for item in header.lower().split(","):
            media, *params = item.split(";")
            q = next(
                (v.strip() for k, _, v in (p.partition("=") for p in params) if k.strip() == "q"),
                "1",
            )
            self._ranges.setdefault(media.strip(), float(q) if _QVALUE.fullmatch(q) else 0.0)

    def quality(self, media: str) -> float:
        """The weight of *media*: that of the most specific range matching it, 0 if none does."""
        media = media.lower()
        for candidate in (media, media.split("/")[0] + "/*", "*/*"):
            if candidate in self._ranges:
                return self._ranges[candidate]
        return 0.0

    def names(self, media: str) -> bool:
        """Whether the header names *media* itself, not only through a wildcard."""
        return media.lower() in self._ranges
