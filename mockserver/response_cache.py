"""A bounded cache of answered requests.

Everything a vendor answers is a pure function of the request: the dataset is generated once
from the seed and never changes, and nothing else the answer depends on (clock, randomness)
varies per request; injected faults are drawn before the cache is consulted. So a request seen
before can be answered with the bytes it got the first time. Frontends re-fetch the same pages,
and CI jobs replay the same calls, so most requests a mock sees have been seen before.

The key is the whole request as the vendor sees it: method, path, raw query string and every header
(host, credentials, language, ...), plus the scenario answering it, so no vendor rule about what
shapes an answer needs to be known here.

Only successful answers are kept: a refusal costs little to make again (it is decided before any
carts are listed), and keeping them would let a stream of distinct bad requests crowd out the
pages clients re-fetch. What an entry costs against the budget is its body, its key and the
objects holding both (measured: about 100 bytes per header, 300 per entry).

An answer is kept as a tuple of its status, headers and body, not as the response object:
tuples of bytes and numbers leave the garbage collector's sight once they survive a few
collections, so the tens of thousands of answers a full memory holds add nothing to the pause of
a full collection, which stops every request of the worker (measured in process over 60,000 calls of the soak's
mix, start-up objects frozen as ``cartkit serve`` does, see :mod:`.memory`: 49,717 objects
left to track with response objects kept, 23,723 with tuples).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from starlette.requests import Request
from starlette.responses import Response

__all__ = ["Remembered", "ResponseCache", "request_key"]

_PER_ENTRY = 300  # bytes: the answer's tuples, its key tuple, the dictionary's node
_PER_HEADER = 100  # bytes: a header's tuple and its two bytes objects, request or response


def request_key(request: Request) -> tuple[object, ...]:
    """Everything about *request* its answer may depend on."""
    scope = request.scope
    server = scope.get("server")
    return (
        scope["method"],
        scope["path"],
        scope["query_string"],
        scope.get("scheme"),
        scope.get("root_path"),
        tuple(server) if server else None,
        scope.get("cartkit.scenario"),
        _pairs(scope["headers"]),
    )


def _pairs(headers: list[tuple[bytes, bytes]]) -> tuple[tuple[bytes, bytes], ...]:
    """The headers as a hashable tuple (servers give ``(name, value)`` tuples already)."""
    if not headers or type(headers[0]) is tuple:  # a server builds them all alike
        return tuple(headers)
    return tuple((name, value) for name, value in headers)  # lists (the ASGI spec allows them)


Kept = tuple[int, tuple[tuple[bytes, bytes], ...], bytes]
"""A remembered answer: status, raw headers, body."""


class Remembered(Response):
    """A remembered answer, sent again exactly as it was first made (nothing recomputed)."""

    def __init__(self, status_code: int, raw_headers: tuple[tuple[bytes, bytes], ...], body: bytes):
        self.status_code = status_code
        self.raw_headers = list(raw_headers)
        self.body = body
        self.background = None


class ResponseCache:
    """Least-recently-used successful answers, up to *budget* bytes (0 keeps nothing).

    >>> cache = ResponseCache(budget=1000)
    >>> key = ("GET", "/carts", b"", "http", "", None, None, ())
    >>> cache.put(key, Response(b"x" * 100))
    >>> cache.get(key).body == b"x" * 100, cache.size
    (True, 523)
    >>> cache.put(key[:2] + (b"page=2",) + key[3:], Response(b"x" * 100))  # over the budget
    >>> cache.get(key) is None, len(cache)
    (True, 1)
    """

    def __init__(self, budget: int) -> None:
        if budget < 0:
            raise ValueError(f"budget must be >= 0 bytes, got {budget!r}")
        self.budget = budget
        self.size = 0
        self._answers: OrderedDict[Hashable, Kept] = OrderedDict()
        self._costs: dict[Hashable, int] = {}

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, key: Hashable) -> Response | None:
        """The answer kept for *key*, if any (it becomes the most recently used)."""
        kept = self._answers.get(key)
        if kept is None:
            return None
        self._answers.move_to_end(key)
        return Remembered(*kept)

    def put(self, key: tuple[object, ...], answer: Response) -> None:
        """Keep *answer* for *key*, unless it is not a success or larger than the budget."""
        if not 200 <= answer.status_code < 300 or key in self._answers:
            return
        cost = _cost(key, answer)
        if cost > self.budget:
            return
        # orjson writes into a buffer of at least 4 KiB and hands it over as the body: a copy
        # holds the body's own bytes only (a 250-byte page otherwise keeps 4 KiB).
        body = bytes(memoryview(answer.body))
        self._answers[key] = (answer.status_code, tuple(answer.raw_headers), body)
        self._costs[key] = cost
        self.size += cost
        while self.size > self.budget:
            evicted, _ = self._answers.popitem(last=False)
            self.size -= self._costs.pop(evicted)


def _cost(key: tuple[object, ...], answer: Response) -> int:
    """Bytes *answer* and its *key* hold: bodies, texts and headers, and the objects around."""
    _, path, query, _, _, _, _, headers = key
    size = _PER_ENTRY + len(answer.body) + len(path) + len(query)  # type: ignore[arg-type]
    for name, value in (*headers, *answer.raw_headers):  # type: ignore[misc]
        size += _PER_HEADER + len(name) + len(value)
    return size
