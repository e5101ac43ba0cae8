"""The admin API under ``/__cartkit/``: steer a running mock, and read what it was asked.

- ``GET /__cartkit/scenarios``: every scenario, and the one each vendor answers in now;
- ``PUT /__cartkit/scenario`` (``{"vendor": ..., "scenario": ...}``; no vendor: every vendor):
  switch, on every worker, before the call returns;
- ``GET /__cartkit/requests?vendor=&status=&limit=``: the journal, newest first, credentials
  masked; ``DELETE /__cartkit/requests`` clears it;
- ``POST /__cartkit/carts`` (``{"carts": [...]}``, the shape of ``carts.schema.json``, served at
  ``GET /__cartkit/carts.schema.json``): add carts, for every vendor and worker;
  ``GET /__cartkit/carts`` counts them; ``DELETE /__cartkit/carts`` returns to the start-up
  carts. A refused body changes nothing.
- ``GET /__cartkit/faults``: the latency and error rate each vendor answers with;
  ``PUT /__cartkit/faults`` (``{"vendor"?, "latency_ms"?, "jitter_ms"?, "error_rate"?}``; no
  vendor: every vendor) changes them, on every worker; ``DELETE /__cartkit/faults?vendor=``
  goes back to the start-up ones (``--latency``, ``--error-rate``);
- ``GET /__cartkit/overview``: what is served and how to call it (see :mod:`.overview`).

The API is described by ``mockserver/admin.yaml``, served at ``/__cartkit/openapi.json``.

Anything that rewrites the mock must not be open to a network: on a host that is not a
loopback address the admin API answers 403 unless the mock was started with ``--admin-token``,
and with a token it answers 401 to any call without ``Authorization: Bearer <token>``.
Refusals use cartkit's own envelope, ``{"error": {"message", "field"?}}``.
"""

from __future__ import annotations

import copy
import functools
import hmac
import ipaddress
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .bodies import read_json
from .config import MockConfig
from .errors import ApiError
from .faults import FAULT_SETTINGS
from .journal import Journal
from .overview import overview
from .scenarios import SCENARIOS
from .shared import SharedState
from .site import site
from .userdata import MAX_ADDED, DataError, schema, validate

if TYPE_CHECKING:
    from .steering import Steering

__all__ = ["Admin", "is_loopback"]

Endpoint = Callable[[Request], Awaitable[Response]]
_MAX_LIMIT = 10_000
_MAX_CARTS_BODY = 4 * 2**20  # bytes of one POST /__cartkit/carts
_BODY = "request body"
_NONE: Mapping[str, str] = {}
_NO_FAULTS: Mapping[str, Mapping[str, float]] = {}
_FAULT_BOUNDS = {"latency_ms": 60_000.0, "jitter_ms": 60_000.0, "error_rate": 1.0}


def is_loopback(host: str) -> bool:
    """True when *host* (a name or an address to bind) only listens on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _Refused(Exception):
    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


class Admin:
    """The admin endpoints of one mock (one instance per worker; state shared through files).

    Args:
        config: the mock's settings (served vendors, host, admin token, start-up scenarios).
        state: the state every worker shares.
        journal: this worker's journal.
    """

    def __init__(self, config: MockConfig, state: SharedState, journal: Journal) -> None:
        self.config, self.state, self.journal = config, state, journal
        self.open = config.admin_token is not None or is_loopback(config.host)
        self._startup = {vendor: config.scenario_for(vendor) for vendor in config.vendors}
        self.steerings: dict[str, Steering] = {}
        """Each vendor's steering (set by the app once built), where added carts are checked."""
        self._startup_faults = dict(
            zip(
                FAULT_SETTINGS,
                (config.latency_ms, config.jitter_ms, config.error_rate),
                strict=True,
            )
        )

    def routes(self) -> list[Route]:
        """The admin routes (one route per path, so a 405 lists the right methods)."""
        return [
            Route("/__cartkit/openapi.json", self._guarded(self._document)),
            Route("/__cartkit/scenarios", self._guarded(self._scenarios)),
            Route("/__cartkit/scenario", self._guarded(self._switch), methods=["PUT"]),
            Route("/__cartkit/requests", self._guarded(self._requests), methods=["GET", "DELETE"]),
            Route(
                "/__cartkit/carts",
                self._guarded(self._carts),
                methods=["GET", "POST", "DELETE"],
            ),
            Route("/__cartkit/carts.schema.json", self._guarded(self._schema)),
            Route(
                "/__cartkit/faults", self._guarded(self._faults), methods=["GET", "PUT", "DELETE"]
            ),
            Route("/__cartkit/overview", self._guarded(self._overview)),
        ]

    def scenario(self, vendor: str, state: Mapping[str, Any] | None = None) -> str:
        """The scenario *vendor* answers in now (run-time choice, else the start-up one)."""
        if state is None:
            state = self.state.current()
        chosen: Mapping[str, str] = state.get("scenarios", _NONE)
        return chosen.get(vendor) or self._startup[vendor]

    def faults(self, vendor: str) -> Mapping[str, float] | None:
        """The faults set at run time for *vendor*, or ``None`` for the start-up ones.

        On every list call: the same object is returned until the shared state changes.
        """
        return self.state.current().get("faults", _NO_FAULTS).get(vendor)

    def faults_in_force(self) -> dict[str, dict[str, float]]:
        """The latency, jitter and error rate each served vendor answers with now."""
        found = {}
        for vendor in self.config.vendors:
            settings = self.faults(vendor) or self._startup_faults
            found[vendor] = {name: float(settings[name]) for name in FAULT_SETTINGS}
        return found

    # -- endpoints -------------------------------------------------------------------------

    async def _document(self, request: Request) -> Response:
        return JSONResponse(self.document)

    @functools.cached_property
    def document(self) -> dict[str, Any]:
        """The admin API's OpenAPI document, its vendor lists narrowed to those served here."""
        document = copy.deepcopy(_document())
        served = list(self.config.vendors)
        for item in document["paths"].values():
            for operation in item.values():
                for param in operation.get("parameters", []):
                    if param["name"] == "vendor":
                        param["schema"]["enum"] = served
                content = operation.get("requestBody", {}).get("content", {})
                body = content.get("application/json", {}).get("schema", {})
                if "vendor" in body.get("properties", {}):
                    body["properties"]["vendor"]["enum"] = served
        return document

    async def _scenarios(self, request: Request) -> Response:
        return JSONResponse(
            {
                "scenarios": [
                    {"name": s.name, "description": s.description} for s in SCENARIOS.values()
                ],
                "current": {vendor: self.scenario(vendor) for vendor in self.config.vendors},
            }
        )

    async def _switch(self, request: Request) -> Response:
        body = await _json(request)
        scenario = body.get("scenario")
        if not isinstance(scenario, str) or scenario not in SCENARIOS:
            raise _Refused(
                400,
                f"Unknown scenario {scenario!r}: use one of {', '.join(SCENARIOS)}",
                "scenario",
            )
        vendor = body.get("vendor")
        if vendor is not None and vendor not in self.config.vendors:
            raise _Refused(
                400,
                f"Vendor {vendor!r} is not served here: use one of "
                f"{', '.join(self.config.vendors)}, or leave it out for all of them",
                "vendor",
            )
        vendors = [vendor] if vendor is not None else list(self.config.vendors)

        def switch(state: dict[str, Any]) -> None:
            state.setdefault("scenarios", {}).update(dict.fromkeys(vendors, scenario))

        self.state.change(switch)
        return JSONResponse({"current": {v: self.scenario(v) for v in self.config.vendors}})

    async def _requests(self, request: Request) -> Response:
        if request.method == "DELETE":
            moment = time.time()
            self.state.change(lambda state: state.update(journal_cleared=moment))
            return Response(status_code=204)
        query = request.query_params
        vendor = query.get("vendor")
        if vendor is not None and vendor not in self.config.vendors:
            raise _Refused(400, f"Vendor {vendor!r} is not served here", "vendor")
        status = _integer(query.get("status"), "status", 100, 599)
        limit = _integer(query.get("limit"), "limit", 1, _MAX_LIMIT) or 100
        found = await self.journal.gather(vendor=vendor, status=status, limit=limit)
        return JSONResponse({"requests": found})

    async def _schema(self, request: Request) -> Response:
        return JSONResponse(schema())

    async def _carts(self, request: Request) -> Response:
        if request.method == "POST":
            return await self._add(request)
        if request.method == "DELETE":

            def reset(state: dict[str, Any]) -> None:
                self.state.write("carts", [])
                state["carts"] = state.get("carts", 0) + 1

            self.state.change(reset)
        return JSONResponse(self._counts())

    async def _add(self, request: Request) -> Response:
        body = await _json(request, limit=_MAX_CARTS_BODY)
        try:
            entries = validate(body, _BODY)
        except DataError as exc:
            raise _Refused(400, str(exc), exc.where or None) from None

        def add(state: dict[str, Any]) -> None:
            added: list[dict[str, Any]] = self.state.read("carts", [])
            if len(added) + len(entries) > MAX_ADDED:
                raise _Refused(
                    400,
                    f"At most {MAX_ADDED} carts can be added at run time ({len(added)} are): "
                    "DELETE /__cartkit/carts first",
                    "carts",
                )
            for steering in self.steerings.values():
                try:
                    steering.with_added([*added, *entries], source=_BODY)
                except DataError as exc:
                    index = None if exc.index is None else exc.index - len(added)
                    error = DataError(_BODY, index, exc.field, exc.reason)
                    raise _Refused(400, str(error), error.where) from None
            self.state.write("carts", [*added, *entries])
            state["carts"] = state.get("carts", 0) + 1

        self.state.change(add)
        return JSONResponse({"added": len(entries), **self._counts()}, status_code=201)

    def _counts(self) -> dict[str, Any]:
        added = self.state.read("carts", [])
        served = {name: len(s.current().dataset) for name, s in self.steerings.items()}
        return {"carts": served, "added_total": len(added)}

    async def _faults(self, request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse({"faults": self.faults_in_force()})
        if request.method == "DELETE":
            vendors = self._vendors(request.query_params.get("vendor"))

            def restore(state: dict[str, Any]) -> None:
                chosen = state.get("faults", {})
                for vendor in vendors:
                    chosen.pop(vendor, None)

            self.state.change(restore)
            return JSONResponse({"faults": self.faults_in_force()})
        body = await _json(request)
        for name, value in body.items():
            if name == "vendor":
                continue
            if name not in _FAULT_BOUNDS:
                raise _Refused(
                    400,
                    f"Unknown field {name[:40]!r}: send vendor, {', '.join(FAULT_SETTINGS)}",
                    name[:40],
                )
            high = _FAULT_BOUNDS[name]
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not number or not 0 <= value <= high:
                raise _Refused(400, f"{name!r} must be a number from 0 to {high:g}", name)
        vendor = body.get("vendor")
        if vendor is not None and not isinstance(vendor, str):
            raise _Refused(400, "'vendor' must be a vendor's name", "vendor")
        vendors = self._vendors(vendor)
        given = {name: float(body[name]) for name in FAULT_SETTINGS if name in body}

        def tune(state: dict[str, Any]) -> None:
            chosen = state.setdefault("faults", {})
            for vendor in vendors:
                chosen[vendor] = {**(chosen.get(vendor) or self._startup_faults), **given}

        self.state.change(tune)
        return JSONResponse({"faults": self.faults_in_force()})

    async def _overview(self, request: Request) -> Response:
        base = site(request)
        scenarios = {vendor: self.scenario(vendor) for vendor in self.config.vendors}
        vendors = {name: steering.current() for name, steering in self.steerings.items()}
        found = overview(base, self.config, vendors, scenarios, self.faults_in_force())
        return JSONResponse(found)

    def _vendors(self, vendor: str | None) -> list[str]:
        """*vendor* if it is served here, every served vendor for ``None``; else a refusal."""
        if vendor is None:
            return list(self.config.vendors)
        if vendor not in self.config.vendors:
            raise _Refused(
                400,
                f"Vendor {vendor[:40]!r} is not served here: use one of "
                f"{', '.join(self.config.vendors)}, or leave it out for all of them",
                "vendor",
            )
        return [vendor]

    # -- access ----------------------------------------------------------------------------

    def _guarded(self, endpoint: Endpoint) -> Endpoint:
        async def guarded(request: Request) -> Response:
            try:
                self._check(request)
                return await endpoint(request)
            except _Refused as exc:
                error: dict[str, Any] = {"message": exc.message}
                if exc.field is not None:
                    error["field"] = exc.field
                headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
                return JSONResponse({"error": error}, exc.status, headers=headers)

        return guarded

    def _check(self, request: Request) -> None:
        if not self.open:
            raise _Refused(
                403,
                f"The admin API is off: this mock listens on {self.config.host!r}, not only on "
                "this machine; start it with --admin-token to use the admin API from a network",
            )
        token = self.config.admin_token
        if token is None:
            return
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.encode(), token.encode()):
            raise _Refused(401, "Send the admin token: Authorization: Bearer <--admin-token>")


def _integer(raw: str | None, field: str, low: int, high: int) -> int | None:
    if raw is None:
        return None
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise _Refused(400, f"Query parameter {field!r} must be an integer {low}-{high}", field)
    return int(raw)


async def _json(request: Request, **limit: int) -> dict[str, Any]:
    try:
        body = await read_json(request, **limit)
    except ApiError as exc:
        raise _Refused(400, exc.message) from None
    if not isinstance(body, dict):
        raise _Refused(400, "The request body is not a JSON object")
    return body


_DOCUMENT: dict[str, Any] = {}


def _document() -> dict[str, Any]:
    """The admin API's OpenAPI document (package data, read once)."""
    if not _DOCUMENT:
        text = resources.files(__package__).joinpath("admin.yaml").read_text(encoding="utf-8")
        _DOCUMENT.update(yaml.safe_load(text))
        # The carts schema is written once, for the data file; its definitions join the
        # document's components (OpenAPI 3.1 schemas are JSON Schema 2020-12).
        carts = json.loads(json.dumps(schema()).replace('"#/$defs/', '"#/components/schemas/'))
        definitions = carts.pop("$defs")
        for key in ("$schema", "$id"):
            carts.pop(key)
        _DOCUMENT["components"]["schemas"].update({**definitions, "Carts": carts})
    return _DOCUMENT
