"""29 Next's cursors (Django REST Framework's ``CursorPagination``), as the mock issues them.

A cursor is URL-safe base64 of ``p=<id of the boundary cart>&s=<signature>`` (``r=1&`` first
for ``previous``), a keyset position as DRF's. The signature binds it to this dataset (seed,
anchor, size), so a hand-made, garbled or stale cursor gets 404 ``{"detail": "Invalid
cursor"}``. An empty ``cursor=`` is the first page (DRF decodes it to no position).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

from ..dataset import Dataset
from ..errors import ApiError, Problem
from ..model import Cart

__all__ = ["Cursors"]

_CURSOR = re.compile(r"(r=1&)?p=([1-9]\d{0,11})&s=([0-9a-f]{16})", re.ASCII)


class Cursors:
    """The cursors of one vendor's dataset: a boundary cart and a direction, signed."""

    def __init__(self, vendor: str, dataset: Dataset) -> None:
        self._vendor, self._dataset = vendor, dataset

    def encode(self, reverse: bool, cart: Cart) -> str:
        """The cursor of the carts after *cart* in the listing order (before it, *reverse*)."""
        text = f"{'r=1&' if reverse else ''}p={cart.number}"
        raw = f"{text}&s={self._signature(text)}"
        return base64.urlsafe_b64encode(raw.encode()).decode()

    def decode(self, cursor: str | None) -> tuple[bool, Cart] | None:
        """``(reverse, boundary cart)`` of a cursor this mock issued, ``None`` for none.

        Raises:
            ApiError: 404 ``Invalid cursor`` for any other cursor.
        """
        if not cursor:
            return None  # DRF: an empty cursor decodes to no position (the first page)
        invalid = ApiError(Problem.NOT_FOUND, "Invalid cursor", param="cursor")
        try:
            text = base64.b64decode(cursor, altchars=b"-_", validate=True).decode("ascii")
        except (ValueError, binascii.Error, UnicodeError):
            raise invalid from None
        match = _CURSOR.fullmatch(text)
        if match is None or match.group(3) != self._signature(text.rsplit("&s=", 1)[0]):
            raise invalid
        carts = self._dataset.carts
        index = int(match.group(2)) - carts[0].number if carts else -1
        if not 0 <= index < len(carts):
            raise invalid
        return match.group(1) is not None, carts[index]

    def _signature(self, text: str) -> str:
        data = self._dataset
        key = f"{self._vendor}|{data.seed}|{data.now}|{len(data)}".encode()
        return hashlib.blake2b(text.encode(), key=key[:64], digest_size=8).hexdigest()
