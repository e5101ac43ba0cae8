"""The ASGI application: every configured vendor's endpoint, its spec, a health check, the admin
API and the web console."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import yaml
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from .access_log import AccessLog
from .admin import Admin
from .completion import extend
from .config import MockConfig
from .console import Console
from .cors import CorsPolicy, Preflights
from .dataset import Dataset, generate
from .journal import Journal
from .shared import SharedState
from .site import site
from .steering import Steering
from .vendor import Vendor
from .vendors import vendor_class

__all__ = ["create_app", "datasets", "startup_dataset"]


def create_app(config: MockConfig | None = None, **overrides: Any) -> Starlette:
    """Build the mock for *config* (or ``MockConfig(**overrides)``); datasets are generated now.

    Raises:
        DataError: a cart of ``config.data`` cannot be completed (see :mod:`.userdata`).

    >>> app = create_app(vendors=("stateset",), carts=50)
    >>> app.state.vendors["stateset"].dataset.carts[0].status in {"active", "abandoned", "converted", "expired"}
    True
    """
    if config is None:
        config = MockConfig(**overrides)
    elif overrides:
        raise TypeError("pass either a MockConfig or keyword overrides, not both")
    state = SharedState(Path(config.state_dir) if config.state_dir else None)
    admin = Admin(config, state, Journal(state, config.journal_size))
    vendors: dict[str, Vendor] = {}
    steerings: dict[str, Steering] = {}
    routes: list[BaseRoute] = []
    for name in config.vendors:
        vendor = vendor_class(name)(startup_dataset(config, name), config)
        vendor.warm()
        vendors[name] = vendor
        steering = steerings[name] = Steering(vendor, admin)
        routes.append(Route(vendor.prefix + vendor.route, steering, methods=["GET"], name=name))
        documents = [("", vendor.spec)]
        if vendor.token_spec is not None:
            routes.extend(steering.token_routes())
            documents.append(("/tokens", vendor.token_spec))
        for folder, document in documents:
            for fmt in ("json", "yaml"):
                endpoint = vendor.readable(_spec_endpoint(vendor, document, fmt))
                routes.append(Route(f"{vendor.prefix}{folder}/openapi.{fmt}", endpoint))
    # Answers made outside the vendors (health, 404, 405) are readable too; they document no
    # header of their own.
    policy = CorsPolicy(config.cors_origins) if config.cors else None
    routes.append(Route("/__cartkit/health", policy.endpoint(_health) if policy else _health))
    admin.steerings = steerings
    routes += admin.routes()  # after the vendors': the router tries routes in order
    routes += Console(config).routes()  # the web console, a client of the admin API
    journal = admin.journal if config.journal_size else None
    middleware = [Middleware(AccessLog, journal=journal, vendor_of=_vendor_of(config))]
    handlers: dict[Any, Any] = {}
    if policy is not None:
        middleware.append(Middleware(Preflights, routes=routes, policy=policy))
        handlers = {status: _readable_error(policy) for status in (404, 405)}
    app = Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)
    app.state.config = config
    app.state.vendors = vendors  # on the start-up carts
    app.state.steering = steerings
    app.state.admin = admin
    return app


def startup_dataset(config: MockConfig, vendor: str) -> Dataset:
    """*vendor*'s carts at start-up: ``config.carts`` generated ones and ``config.data``'s.

    Raises:
        DataError: a cart of ``config.data`` cannot be completed.
    """
    market = vendor_class(vendor).market
    dataset = generate(market, seed=config.seed, count=config.carts, now=config.now)
    return extend(dataset, config.entries, source=config.data_source or "data")


def _vendor_of(config: MockConfig) -> Callable[[str], str | None]:
    """The vendor a request path belongs to, for the journal."""
    if config.at_root:
        (only,) = config.vendors
        return lambda path: only
    served = set(config.vendors)

    def vendor_of(path: str) -> str | None:
        first = path[1:].partition("/")[0]
        return first if first in served else None

    return vendor_of


def datasets(app: Starlette) -> dict[str, Dataset]:
    """The carts each vendor of *app* serves now (start-up carts and those added since)."""
    return {name: steering.current().dataset for name, steering in app.state.steering.items()}


def _spec_endpoint(
    vendor: Vendor, spec: dict[str, Any], fmt: str
) -> Callable[[Request], Awaitable[Response]]:
    async def document(request: Request) -> Response:
        # This mock first, then the vendor's own hosts: tools reading the served document
        # (Schemathesis, Prism, Swagger UI) target the mock by default.
        base = site(request) + vendor.prefix
        mine = {"url": base, "description": f"this cartkit mock ({vendor.name})"}
        others = [s for s in spec.get("servers", []) if "127.0.0.1" not in s["url"]]
        served = {**spec, "servers": [mine, *others]}
        if fmt == "json":
            body = json.dumps(served, ensure_ascii=False, default=str)
            return Response(body, media_type="application/json")
        return Response(
            yaml.safe_dump(served, sort_keys=False, allow_unicode=True),
            media_type="application/yaml",
        )

    return document


def _readable_error(policy: CorsPolicy) -> Callable[[Request, Exception], Awaitable[Response]]:
    """Starlette's own 404/405 answer (``Allow`` kept), readable by the page that asked."""

    async def handler(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        response = PlainTextResponse(exc.detail, exc.status_code, headers=exc.headers)
        return policy.apply(request, response)

    return handler


async def _health(request: Request) -> Response:
    config: MockConfig = request.app.state.config
    steerings = request.app.state.steering.items()
    vendors = {name: steering.current().describe() for name, steering in steerings}
    return JSONResponse({"status": "ok", "seed": config.seed, "vendors": vendors})
