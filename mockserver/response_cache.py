"""A bounded cache of answered requests.

Everything a vendor answers is a pure function of the request: the dataset is generated once
from the seed and never changes, and nothing else the answer depends on (clock, randomness)
varies per request; injected faults are drawn before the cache is consulted. So a request seen
before can be answered with the bytes it got the first time. Frontends re-fetch the same pages,
and CI jobs replay the same calls, so most requests a mock sees have been seen before.

The key is the whole request as the vendor sees it: method, path, raw query string and every header
(host, credentials, language, ...), so no vendor rule about what shapes an answer needs to be
known here. Server errors are never kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from starlette.requests import Request
from starlette.responses import Response

__all__ = ["ResponseCache", "request_key"]


def request_key(request: Request) -> Hashable:
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
        _pairs(scope["headers"]),
    )


def _pairs(headers: list[tuple[bytes, bytes]]) -> tuple[tuple[bytes, bytes], ...]:
    """The headers as a hashable tuple (servers give ``(name, value)`` tuples already)."""
    if not headers or type(headers[0]) is tuple:  # a server builds them all alike
        return tuple(headers)
    return tuple((name, value) for name, value in headers)  # lists (the ASGI spec allows them)


class ResponseCache:
    """Least-recently-used answers, up to *budget* bytes of body (0 keeps nothing).

    >>> cache = ResponseCache(budget=10)
    >>> cache.put("a", Response(b"12345678"))
    >>> cache.get("a").body
    b'12345678'
    >>> cache.put("b", Response(b"12345678"))  # evicts "a": 16 bytes would exceed the budget
    >>> cache.get("a") is None, len(cache)
    (True, 1)
    """

    def __init__(self, budget: int) -> None:
        if budget < 0:
            raise ValueError(f"budget must be >= 0 bytes, got {budget!r}")
        self.budget = budget
        self.size = 0
        self._answers: OrderedDict[Hashable, Response] = OrderedDict()

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, key: Hashable) -> Response | None:
        """The answer kept for *key*, if any (it becomes the most recently used)."""
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
        return answer

    def put(self, key: Hashable, answer: Response) -> None:
        """Keep *answer* for *key*, unless it is a server error or larger than the budget."""
        cost = len(answer.body)
        if answer.status_code >= 500 or cost > self.budget or key in self._answers:
            return
        self._answers[key] = answer
        self.size += cost
        while self.size > self.budget:
            _, evicted = self._answers.popitem(last=False)
            self.size -= len(evicted.body)
