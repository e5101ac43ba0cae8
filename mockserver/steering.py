"""Which carts and which scenario answer a vendor's calls, as steered at run time.

The carts: those of start-up (generated, plus the data file's), plus those added at run time
(``POST /__cartkit/carts``, shared by every worker, see :mod:`.admin`). When the added carts
change, the next call on each worker builds a fresh vendor instance on the new carts, with an
empty answer memory, so no page answered before the change is served after it.

The scenario: the first match wins: the request header ``X-Cartkit-Scenario``, the scenario set
at run time (shared by every worker), the one chosen at start-up, ``default``. A scenario with
carts of its own is served by a vendor instance of its own, built the first time it is asked
for; all share one answer memory (one ``--cache-mb`` budget), whose key holds the scenario.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .completion import extend
from .errors import ApiError, Problem
from .scenarios import SCENARIO_HEADER, SCENARIOS, Scenario
from .vendor import Vendor

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

    from .admin import Admin
    from .dataset import Dataset

__all__ = ["Steering"]

_HEADER = SCENARIO_HEADER.lower().encode()


class Steering:
    """One vendor's endpoints, answered from the carts and in the scenario in force.

    Args:
        vendor: the vendor on the start-up carts, in the ``default`` scenario.
        admin: where the run-time choices (scenario, added carts) are read.
    """

    def __init__(self, vendor: Vendor, admin: Admin) -> None:
        self.startup, self.admin = vendor, admin
        self._version = 0
        self._current = vendor
        self._state: Mapping[str, Any] | None = None  # the shared state last followed
        self._chosen = "default"  # the scenario in force when no request header says
        self._served: dict[str, Vendor] = {"default": vendor}
        self._token_routes: dict[str, Route] | None = None

    @property
    def name(self) -> str:
        return self.startup.name

    def current(self) -> Vendor:
        """The vendor on the carts in force (rebuilt here when the added carts changed)."""
        state = self.admin.state.current()
        if state is not self._state:
            self._refresh(state)
        return self._current

    def _refresh(self, state: Mapping[str, Any]) -> None:
        """Follow a change of the shared state: the added carts, the run-time scenario."""
        version = state.get("carts", 0)
        if version != self._version:
            added = self.admin.state.read("carts", [])
            self._current = self._on(self.with_added(added)) if added else self.startup
            self._served = {"default": self._current}
            self._token_routes = None
            self._version = version
        self._chosen = self.admin.scenario(self.name, state)
        self._state = state

    def with_added(self, entries: Sequence[Mapping[str, Any]], source: str = "data") -> Dataset:
        """The start-up carts plus *entries* (added at run time, in order).

        Raises:
            DataError: an entry cannot be completed (index relative to *entries*).
        """
        config = self.startup.config
        return extend(self.startup.dataset, entries, first=len(config.entries), source=source)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The list endpoint as an ASGI app (no exception wrapper needed: nothing escapes
        :meth:`handle`, which renders every failure in the vendor's envelope)."""
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        """The list endpoint: pick the carts and the scenario, then answer as they say."""
        state = self.admin.state.current()
        if state is not self._state:
            self._refresh(state)
        vendor = self._current
        name = None
        for key, value in request.scope["headers"]:
            if key == _HEADER:
                name = value
                break
        chosen = self._chosen if name is None else name.decode("latin-1").strip()
        scenario = SCENARIOS.get(chosen)
        if scenario is None:
            error = ApiError(
                Problem.BAD_PARAMETER,
                f"Invalid header {SCENARIO_HEADER!r}: {chosen[:40]!r} is not one of "
                f"{', '.join(SCENARIOS)}",
                param=SCENARIO_HEADER,
            )
            return vendor.refusal(request, error)
        request.scope["cartkit.scenario"] = chosen
        if scenario.refusal is not None:
            how = "the request header" if name is not None else "PUT /__cartkit/scenario"
            message = f"Scenario {chosen!r} ({how}): {scenario.description}"
            return vendor.refusal(request, ApiError(scenario.refusal, message))
        if scenario.latency_ms:
            await asyncio.sleep(scenario.latency_ms / 1000)
        served = self._vendor(scenario)
        served.faults.follow(self.admin.faults(vendor.name))  # PUT /__cartkit/faults
        return await served.handle(request)

    def token_routes(self) -> list[Route]:
        """The vendor's token endpoints, each answered by the vendor on the carts in force
        (a customer added at run time can log in)."""
        endpoints = self.startup.token_endpoints()
        if endpoints is None:
            return []
        return [
            Route(route.path, _Delegate(self, route.path), methods=sorted(route.methods or ()))
            for route in endpoints.routes()
        ]

    def current_token_route(self, path: str) -> Route:
        """The token route at *path* of the vendor in force."""
        vendor = self.current()
        if self._token_routes is None:
            endpoints = vendor.token_endpoints()
            assert endpoints is not None
            self._token_routes = {route.path: route for route in endpoints.routes()}
        return self._token_routes[path]

    def _vendor(self, scenario: Scenario) -> Vendor:
        """The instance serving *scenario*'s carts (built once, on first use)."""
        if scenario.carts is None:
            return self._current
        served = self._served.get(scenario.name)
        if served is None:
            served = self._served[scenario.name] = self._on(scenario.carts(self._current.dataset))
            served.answers = self._current.answers  # one budget; the key holds the scenario
        return served

    def _on(self, dataset: Dataset) -> Vendor:
        vendor = type(self.startup)(dataset, self.startup.config)
        vendor.warm()
        return vendor


class _Delegate:
    """ASGI app: a token route answered by the vendor in force."""

    def __init__(self, steering: Steering, path: str) -> None:
        self.steering, self.path = steering, path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.steering.current_token_route(self.path).app(scope, receive, send)
