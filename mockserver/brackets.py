"""Bracket keys in a query string (``filters[0][values][]=x``): the nested values they spell.

The convention of the ``qs`` library, which axios 1.x and many JavaScript SDKs follow when they
serialise objects into a query string; no vendor defines it. :func:`path` splits one key into
its segments and :func:`nest` builds the value a set of ``(segments, value)`` pairs spells:
objects whose keys are all indexes become arrays (in index order), ``[]`` appends, and a leaf
given more than once becomes an array of its values.

>>> nest([(path("f[0][field]"), "id"), (path("f[0][values][]"), "1"),
...       (path("f[0][values][]"), "2")])
[{'field': 'id', 'values': ['1', '2']}]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["BracketError", "nest", "path"]

_SEGMENT = re.compile(r"\[([^\[\]]*)\]")
_INDEX_DIGITS = 18  # a longer digit run is a key, not an index (an index fits 64 bits)


class BracketError(ValueError):
    """Keys that spell no value: a malformed key, or a key both a value and an object."""


def path(key: str) -> list[str]:
    """The bracket segments after the name in *key*: ``filters[0][values][]`` gives
    ``["0", "values", ""]``, a key without brackets ``[]``.

    Raises:
        BracketError: *key* has text outside its brackets after the name, or unbalanced ones.
    """
    rest, segments = key[len(key.partition("[")[0]) :], []
    while rest:
        match = _SEGMENT.match(rest)
        if match is None:
            raise BracketError(f"malformed key {key[:60]!r}")
        segments.append(match.group(1))
        rest = rest[match.end() :]
    return segments


def nest(pairs: Iterable[tuple[list[str], str]]) -> Any:
    """The value the ``(path(key), value)`` *pairs* of one name spell, in query order.

    Raises:
        BracketError: a key is given both a value and nested keys.
    """
    root: dict[str, Any] = {}
    indexed: dict[int, int] = {}  # id(node) -> index keys it holds (what the next ``[]`` is)
    for segments, value in pairs:
        node = root
        for depth, segment in enumerate(segments):
            key = segment or str(indexed.get(id(node), 0))
            if key not in node and _index(key):
                indexed[id(node)] = indexed.get(id(node), 0) + 1
            if depth == len(segments) - 1:
                leaf = node.setdefault(key, [])
                if isinstance(leaf, dict):
                    raise BracketError(f"{key!r} is both a value and an object")
                leaf.append(value)
            else:
                node = node.setdefault(key, {})
                if not isinstance(node, dict):
                    raise BracketError(f"{key!r} is both a value and an object")
    return _finish(root)


def _finish(node: Any) -> Any:
    if isinstance(node, list):  # the leaf's values
        return node[0] if len(node) == 1 else node
    if node and all(_index(k) for k in node):
        return [_finish(node[k]) for k in sorted(node, key=int)]
    return {k: _finish(v) for k, v in node.items()}


def _index(key: str) -> bool:
    return key.isascii() and key.isdigit() and len(key) <= _INDEX_DIGITS
