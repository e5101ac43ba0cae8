"""Which scenario answers a list call, and the vendor instance serving that scenario's carts.

The first match wins: the request header ``X-Cartkit-Scenario``, the scenario set at run time
(shared by every worker, see :mod:`.admin`), the one chosen at start-up, ``default``. A scenario
with carts of its own is served by a vendor instance of its own, built the first time it is
asked for, with its own answer memory, so switching scenarios never serves a stale page.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response

from .admin import Admin
from .errors import ApiError, Problem
from .scenarios import SCENARIO_HEADER, SCENARIOS, Scenario
from .vendor import Vendor

__all__ = ["Steering"]

_HEADER = SCENARIO_HEADER.lower().encode()


class Steering:
    """One vendor's list endpoint, answering in the scenario in force.

    Args:
        vendor: the vendor on the seeded carts (the ``default`` scenario).
        admin: where the run-time choice of scenario is read.
    """

    def __init__(self, vendor: Vendor, admin: Admin) -> None:
        self.vendor, self.admin = vendor, admin
        self._served: dict[str, Vendor] = {"default": vendor}

    async def handle(self, request: Request) -> Response:
        """The list endpoint: pick the scenario, then answer as it says."""
        vendor = self.vendor
        name = next((v for k, v in request.scope["headers"] if k == _HEADER), None)
        if name is None:
            chosen = self.admin.scenario(vendor.name)
        else:
            chosen = name.decode("latin-1").strip()
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

    def _vendor(self, scenario: Scenario) -> Vendor:
        """The instance serving *scenario*'s carts (built once, on first use)."""
        if scenario.carts is None:
            return self.vendor
        served = self._served.get(scenario.name)
        if served is None:
            vendor = self.vendor
            served = type(vendor)(scenario.carts(vendor.dataset), vendor.config)
            self._served[scenario.name] = served
        return served
