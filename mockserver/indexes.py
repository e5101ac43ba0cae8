"""Indexes over dataset columns that let a filter run its test far fewer times than once per cart.

Built once per dataset, on first use, and kept on it (:meth:`~cartkit.mockserver.dataset.Dataset.index`):

- :func:`factors`: a column of pooled values (baskets, attributions, places, names, amounts) as
  a small code per cart plus the distinct values. A test then runs once per distinct value (per
  *pool entry*) and the mask is read off the codes at C speed.
- :func:`packed`: an integer column unique per cart (a session key, an id) packed into one
  ``bytes``, searched at C speed for one value (:func:`find_packed`).
- :func:`texts`: a text column of (nearly) one value per cart (ids, printed instants) joined
  into one string, one line per cart, which text operators (contains, starts with, ends with,
  LIKE) search with a few C-level passes (:meth:`Texts.mask`).
"""

from __future__ import annotations

import itertools
import re
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from itertools import repeat
from operator import methodcaller
from typing import Any, Literal

from .dataset import Dataset
from .model import Cart

__all__ = ["Factors", "Texts", "factors", "find_packed", "packed", "texts"]

_MAX_UNIQUES = 1 << 16  # more distinct values than this: testing each one costs too much
_PLAIN = frozenset({int, float, str, bool, bytes, type(None)})


@dataclass(frozen=True, slots=True)
class Factors:
    """A column as ``uniques[codes[i]]`` for cart *i*: its distinct values and one code per cart."""

    codes: bytes | array[int]  # bytes when there are at most 256 distinct values
    uniques: list[Any]

    def mask(self, test: Callable[[Any], Any]) -> bytes:
        """The mask of ``bool(test(value))`` per cart, *test* called once per distinct value."""
        table = bytes(map(bool, map(test, self.uniques)))
        if isinstance(self.codes, bytes):
            return self.codes.translate(table.ljust(256, b"\x00"))
        return bytes(map(table.__getitem__, self.codes))


def factors(dataset: Dataset, column: str, get: Callable[[Cart], Any]) -> Factors | None:
    """The column *column* (``get(cart)`` per cart) factorized, or ``None`` when it holds more
    distinct values than testing each one would pay for (creation instants, ids)."""
    return dataset.index(("factors", column), lambda: _factorize(dataset, column, get))


def _factorize(dataset: Dataset, column: str, get: Callable[[Cart], Any]) -> Factors | None:
    # Values of one plain type group by equality; anything else (pooled objects, or 1 and True
    # side by side, which a test may tell apart) by identity: one code per pool entry.
    found = _slices(dataset.carts, get, by_identity=False)
    return _slices(dataset.carts, get, by_identity=True) if found is _MIXED else found


_MIXED: Any = object()


def _slices(carts: list[Cart], get: Callable[[Cart], Any], *, by_identity: bool) -> Any:
    """Factors of ``get`` over *carts*, read a slice at a time: a million fresh values (texts of
    amounts) are never held at once, and distinct values are given up on after a slice or two.
    ``_MIXED`` when grouping by equality meets values of several types."""
    kinds: set[type] = {type(None)}
    first: dict[Any, Any] = {}  # key -> its value
    numbering: dict[Any, int] = {}  # key -> its code
    codes = array("H")
    for start in range(0, len(carts), _MAX_UNIQUES):
        values = list(map(get, carts[start : start + _MAX_UNIQUES]))
        if not by_identity:
            kinds.update(map(type, values))
            if len(kinds) > 2 or not kinds <= _PLAIN:
                return _MIXED
        keys = list(map(id, values)) if by_identity else values
        first.update(zip(keys, values, strict=True))
        if len(first) > _MAX_UNIQUES:
            return None
        for key in itertools.islice(first, len(numbering), None):
            numbering[key] = len(numbering)
        codes.extend(map(numbering.__getitem__, keys))
    uniques = list(first.values())
    return Factors(bytes(codes.tolist()) if len(uniques) <= 256 else codes, uniques)


def packed(dataset: Dataset, column: str, get: Callable[[Cart], int], width: int) -> bytes:
    """Every cart's ``get(cart)`` (an integer of at most *width* bytes) packed big-endian, in
    index order: *width* bytes per cart, a tenth of the memory of the integers themselves."""

    def build() -> bytes:
        values = map(get, dataset.carts)
        order: Literal["big"] = "big"
        return b"".join(map(int.to_bytes, values, repeat(width), repeat(order)))

    blob: bytes = dataset.index(("packed", column, width), build)
    return blob


def find_packed(blob: bytes, width: int, value: int) -> list[int]:
    """The indices of the carts whose packed value (see :func:`packed`) is *value*."""
    if not 0 <= value < 1 << (8 * width):
        return []
    target, found = value.to_bytes(width, "big"), []
    at = blob.find(target)
    while at >= 0:
        if at % width == 0:  # a hit straddling two values is no hit
            found.append(at // width)
            at = blob.find(target, at + width)
        else:
            at = blob.find(target, at + 1)
    return found


@dataclass(frozen=True, slots=True)
class Texts:
    """A text column as one line per cart, each between two line breaks.

    *folded* holds the casefolded values (UTF-8), which ``CONTAINS``, ``STARTS_WITH`` and
    ``ENDS_WITH`` search. ``LIKE`` ignores case as :mod:`re` does, not by casefolding, so it reads
    *printed*, the values as they are; ``None`` when every value is ASCII, which LIKE then reads
    from *folded* (lower case, to which :mod:`re` ignoring case answers alike): one copy, not two.
    ``None`` is an empty line; *present* (``None``: every value is a text) masks it out, since
    no text operator holds for a missing value.
    """

    folded: bytes | bytearray
    printed: str | None
    present: bytes | None
    size: int

    def mask(self, operator: str, operand: str) -> bytes:
        """The mask of *operator* (``CONTAINS``, ``STARTS_WITH``, ``ENDS_WITH`` on a casefolded
        *operand*; ``LIKE`` on a pattern) over the lines, as :mod:`cartkit.mockserver.operators`
        defines it."""
        if "\n" in operand:  # no value holds a line break
            return bytes(self.size)
        if not operand and operator != "LIKE":  # every text contains, starts and ends with ""
            mask = b"\x01" * self.size
        elif operator == "LIKE" and self.printed is not None:
            like = _like(operand)
            mask = _marked(self.printed, lambda part: like.sub("\n\x01", part).encode(_UTF8, _RAW))
        elif operator == "LIKE":
            regex = _like_ascii(operand)
            if regex is None:
                return bytes(self.size)
            mask = _marked(self.folded, partial(regex.sub, b"\n\x01"))
        else:  # UTF-8: a substring of the bytes is one of the text
            needle = operand.encode(_UTF8, _RAW)
            old, new = {
                "CONTAINS": (needle, b"\x01"),
                "STARTS_WITH": (b"\n" + needle, b"\n\x01"),
                "ENDS_WITH": (needle + b"\n", b"\x01\n"),
            }[operator]
            mask = _marked(self.folded, methodcaller("replace", old, new))
        if self.present is None:
            return mask
        both = int.from_bytes(mask, "little") & int.from_bytes(self.present, "little")
        return both.to_bytes(self.size, "little")


def _marked(lines: Any, mark: Callable[[Any], bytes | bytearray]) -> bytes:
    """The mask of the *lines* where *mark* puts a ``\\x01`` (one or more, in the line).

    A slice of lines at a time (a megabyte, not a copy of the whole column): the marked slice
    keeps its line breaks and marks only, so its lines are runs of marks, then one byte a line.
    UTF-8 multi-byte sequences hold no ASCII byte, so they go with the rest.
    """
    kept = b"".join(mark(part).translate(None, _NOT_MARKS)[1:] for part in _parts(lines))
    while b"\x01\x01" in kept:
        kept = kept.replace(b"\x01\x01", b"\x01")
    return kept.replace(b"\n", b"\x00").replace(b"\x01\x00", b"\x01")


def _parts(lines: Any) -> Iterator[Any]:
    """*lines* (``"\\n"`` + lines each ending in ``"\\n"``) as slices of the same form."""
    begin, last = 0, len(lines) - 1
    while begin < last:
        end = lines.find("\n" if isinstance(lines, str) else b"\n", begin + _PART)
        end = last if end < 0 else end
        yield lines[begin : end + 1]
        begin = end


_PART = 1 << 20
_UTF8, _RAW = "utf-8", "surrogatepass"  # lone surrogates too: any str encodes
_NOT_MARKS = bytes(b for b in range(256) if b not in b"\n\x01")
_CHUNK = 1 << 16


def texts(dataset: Dataset, column: str, get: Callable[[Cart], str | None]) -> Texts | None:
    """The text column *column* (``get(cart)`` per cart) as :class:`Texts`, or ``None`` when a
    value holds a line break or a ``\\x01`` (which the searches use as marks)."""

    def build() -> Texts | None:
        folded = bytearray(b"\n")  # grown in place, never held twice
        printed: list[tuple[int, int, str | None]] = []  # per slice: its bytes, its non-ASCII text
        present: bytearray | None = None
        for start in range(0, len(dataset.carts), _CHUNK):  # a slice at a time: less memory
            values = list(map(get, dataset.carts[start : start + _CHUNK]))
            if None in values:
                if present is None:
                    present = bytearray(b"\x01" * len(dataset.carts))
                for at, value in enumerate(values, start):
                    if value is None:
                        present[at] = 0
            chunk = "\n".join(["" if v is None else v for v in values]) + "\n"
            if chunk.count("\n") != len(values) or "\x01" in chunk:
                return None
            begin = len(folded)
            folded += chunk.casefold().encode(_UTF8, _RAW)
            printed.append((begin, len(folded), None if chunk.isascii() else chunk))
        text = None
        if any(chunk is not None for _, _, chunk in printed):  # ASCII slices may stay lowered
            text = "\n" + "".join(
                folded[begin:end].decode() if chunk is None else chunk
                for begin, end, chunk in printed
            )
        return Texts(folded, text, None if present is None else bytes(present), len(dataset))

    found: Texts | None = dataset.index(("texts", column), build)
    return found


def _pieces(pattern: str, char: Callable[[str], str]) -> str:
    """The body of a regex matching one line LIKE *pattern* (each character spelled by *char*).

    The same reading as :func:`cartkit.mockserver.operators.wildcard`: pieces between ``%`` are fixed-width
    (``_`` one character), the first starts the line, the last ends it, and each middle one is
    taken leftmost after the one before: an atomic group, so no backtracking blows up.
    """
    pieces = ["".join(map(char, text)) for text in pattern.split("%")]
    if len(pieces) == 1:
        return pieces[0]
    first, *middle, last = pieces
    return first + "".join(f"(?>[^\n]*?{piece})" for piece in middle) + f"[^\n]*{last}"


def _like(pattern: str) -> re.Pattern[str]:
    """A regex marking each line LIKE *pattern* matches (as ``\\n\\x01``), ignoring case."""
    body = _pieces(pattern, lambda ch: "[^\n]" if ch == "_" else re.escape(ch))
    return re.compile(f"\n{body}(?=\n)", re.IGNORECASE)


class _NoMatch(Exception):
    pass


def _ascii(ch: str) -> str:
    """*ch* of a LIKE pattern as a bytes regex over ASCII text: ignoring case, a non-ASCII
    character may match ASCII ones (the Kelvin sign matches ``k``), or none."""
    if ch == "_":
        return "[^\n]"
    if ch.isascii():
        return re.escape(ch)
    same = [chr(b) for b in range(128) if re.fullmatch(re.escape(ch), chr(b), re.IGNORECASE)]
    if not same:
        raise _NoMatch
    return "[" + "".join(map(re.escape, same)) + "]"


def _like_ascii(pattern: str) -> re.Pattern[bytes] | None:
    """:func:`_like` for lines all ASCII, as bytes; ``None`` when *pattern* can match none."""
    try:
        body = _pieces(pattern, _ascii)
    except _NoMatch:
        return None
    return re.compile(f"\n{body}(?=\n)".encode("ascii"), re.IGNORECASE)
