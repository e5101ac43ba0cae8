"""The request pipeline every vendor shares, and the hooks a vendor module fills in.

A request goes: faults -> a remembered answer to the same request, if any (see
:mod:`.response_cache`) -> size and nesting limits (:mod:`.limits`) -> credentials -> vendor
pre-checks (:meth:`Vendor.precheck`, whose findings travel on) -> parameters (validated from the
spec) -> :meth:`Vendor.list_carts`, which filters through :meth:`Vendor.filtered`. Any
:class:`ApiError` on the way is rendered by the vendor's :meth:`Vendor.error` in its own
envelope; an unexpected exception is logged and rendered as the vendor's 500 rather than
escaping as a bare crash.
"""

from __future__ import annotations

import functools
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import Response

from cartkit import specs

from .auth import AuthScheme
from .config import MockConfig
from .cors import CorsPolicy, Endpoint
from .dataset import Dataset, Market
from .errors import ApiError, Problem
from .faults import FORCEABLE, Faults
from .limits import check_headers, check_pairs, check_query
from .model import Cart
from .query import Mask, QueryError
from .response_cache import ResponseCache, request_key
from .site import site
from .tokens import Issuer, TokenEndpoints
from .validation import Parameters

__all__ = ["FilterKey", "Vendor", "json_response"]

logger = logging.getLogger("cartkit.mock")

_CACHED_FILTERS = 16

FilterKey = tuple[Any, ...]
"""A filter as a vendor reads it off a request, in a form that says what it keeps: the key its
mask is remembered by (two requests that filter alike share one)."""


def json_response(
    body: Any,
    status: int = 200,
    *,
    headers: Mapping[str, str] | None = None,
    media_type: str = "application/json",
) -> Response:
    """A JSON response serialized with orjson (``orjson.Fragment`` items pass through as is)."""
    return Response(orjson.dumps(body), status_code=status, headers=headers, media_type=media_type)


Context = TypeVar("Context")


class Vendor(ABC, Generic[Context]):
    """One vendor's list-carts endpoint on one dataset.

    Subclasses set :attr:`name` and :attr:`market`, render carts (:meth:`render`), list them
    (:meth:`list_carts`) and render errors (:meth:`error`). *Context* is what their
    :meth:`precheck` learns of a request for :meth:`list_carts` (an ePages media type, an Elastic
    Path shopper's scope); ``None`` for most.
    """

    name: ClassVar[str]
    market: ClassVar[Market]
    demo_credential: ClassVar[str] = "test"
    """A credential of this vendor's shape, shown to people (any well-formed one is accepted)."""

    def __init__(self, dataset: Dataset, config: MockConfig) -> None:
        self.dataset = dataset
        self.config = config
        self.spec = specs.load(self.name)
        self.route, self.method, self.operation = specs.operation(self.spec)
        self.prefix = config.prefix(self.name)
        self.params = Parameters.from_spec(self.spec, self.route, self.method)
        self.auth = AuthScheme.from_spec(
            self.spec, self.operation, expected=self.expected_credential()
        )
        self.faults = Faults(
            seed=dataset.seed,
            latency_ms=config.latency_ms,
            jitter_ms=config.jitter_ms,
            error_rate=config.error_rate,
            forceable=self._forceable(),
        )
        self.token_spec = specs.tokens(self.name)
        self.issuer = Issuer(config, self.name)
        exposed = specs.response_headers(self.spec) | specs.response_headers(self.token_spec or {})
        self.cors = CorsPolicy(config.cors_origins, exposed) if config.cors else None
        self._rendered: list[bytes | None] = [None] * len(dataset)
        self.answers = ResponseCache(budget=int(config.cache_mb * 2**20))
        self._masks: Callable[[FilterKey], Mask | None] = functools.lru_cache(
            maxsize=_CACHED_FILTERS
        )(self.mask)

    # -- hooks -------------------------------------------------------------------------------

    def expected_credential(self) -> str | None:
        """The only credential accepted, if configured (``--token`` for bearer vendors)."""
        return self.config.token

    def query(self, request: Request) -> Mapping[str, list[str]]:
        """The raw query as ``name -> values``; vendors accepting other notations rewrite it."""
        values: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            values.setdefault(key, []).append(value)
        return values

    def precheck(self, request: Request, credential: str) -> Context | None:
        """Vendor checks that come before parameter validation (``Accept``, shopper tokens, ...),
        and what they learn, for :meth:`list_carts`."""
        return None

    def mask(self, key: FilterKey) -> Mask | None:
        """The mask of the carts the filter *key* keeps, ``None`` for every cart (as here, for
        a vendor without filters).

        Vendors that filter build it from their predicates; the listing asks :meth:`filtered`,
        which remembers it.
        """
        return None

    def token_endpoints(self) -> TokenEndpoints | None:
        """The vendor's token endpoints, for vendors whose clients obtain a token first."""
        return None

    @abstractmethod
    def render(self, cart: Cart) -> dict[str, Any]:
        """The cart in this vendor's shape, as its list endpoint returns it."""

    @abstractmethod
    def list_carts(
        self, request: Request, params: dict[str, Any], context: Context | None
    ) -> Response:
        """Answer a valid, authenticated request; *context* is what :meth:`precheck` learned
        (``None`` without a pre-check: the warm-up)."""

    @abstractmethod
    def error(self, error: ApiError) -> Response:
        """Render *error* in this vendor's envelope and status."""

    def describe(self) -> dict[str, Any]:
        """What ``/__cartkit/health`` says of this vendor: its path, carts and token endpoints."""
        described: dict[str, Any] = {"path": self.prefix + self.route, "carts": len(self.dataset)}
        if self.token_spec is not None:
            described["tokens"] = [
                f"{method.upper()} {self.prefix}{path}"
                for path, item in self.token_spec["paths"].items()
                for method in item
            ]
        return described

    def demo_headers(self) -> dict[str, str]:
        """The headers a list call needs here: the credential (the one the mock was told to
        accept, else :attr:`demo_credential`) and each required header's default value."""
        credential = self.auth.expected or self.demo_credential
        headers = {self.auth.header: f"Bearer {credential}" if self.auth.bearer else credential}
        for param in self.params:
            if param.location == "header" and param.required and param.default is not None:
                headers[param.name] = str(param.default)
        return headers

    def example_path(self, route: str | None = None) -> str:
        """The list endpoint's path (or this vendor's *route*) with its path parameters set to
        the list spec's examples (ePages' ``DemoShop``); a parameter it lacks stays as is."""
        return self.prefix + (route or self.route).format_map(_Kept(self._example_path_params()))

    # -- shared machinery ---------------------------------------------------------------------

    def cart_json(self, cart: Cart) -> orjson.Fragment:
        """The rendered cart as pre-serialized JSON, computed once per cart."""
        cached = self._rendered[cart.index]
        if cached is None:
            # A copy: orjson's own result keeps its whole (at least 4 KiB) output buffer.
            cached = self._rendered[cart.index] = bytes(memoryview(orjson.dumps(self.render(cart))))
        return orjson.Fragment(cached)

    def filtered(self, key: FilterKey) -> Mask | None:
        """:meth:`mask` of *key*, remembered for the most recent distinct keys (16), so that
        paging through one filter evaluates it once."""
        return self._masks(key)

    def carts_json(self, carts: Sequence[Cart]) -> list[orjson.Fragment]:
        """:meth:`cart_json` of every cart, in order."""
        return [self.cart_json(cart) for cart in carts]

    def url(self, request: Request, query: Mapping[str, Any]) -> str:
        """Absolute URL of this endpoint on the current host with *query* (``None`` values dropped)."""
        pairs = [
            (key, item)
            for key, value in query.items()
            if value is not None
            for item in (value if isinstance(value, list | tuple) else [value])
        ]
        base = site(request) + request.scope["path"]
        return f"{base}?{urlencode(pairs)}" if pairs else base

    def warm(self) -> None:
        """Answer the default request once, in-process, so its one-off costs (building the
        sorted order a million carts need) are paid before the server says it is ready."""
        path_params = self._example_path_params()
        headers = {
            p.name: str(p.default)
            for p in self.params
            if p.location == "header" and p.default is not None
        }
        path = self.example_path()
        scope = {
            "type": "http",
            "method": "GET",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "path_params": path_params,
            "scheme": "http",
            "server": ("127.0.0.1", 8000),
            "root_path": "",
        }
        request = Request(scope)
        params = self.params.parse({}, request.headers, path_params)
        self.list_carts(request, params, None)

    def _forceable(self) -> list[int]:
        """The statuses ``X-Cartkit-Force-Status`` may name here: those whose rendering (ePages
        answers 401's meaning with 403, say) is a status the spec documents."""
        documented = {int(code) for code in self.operation["responses"] if code.isdigit()}
        return [
            status
            for status in FORCEABLE
            if self.error(ApiError(Problem.for_status(status), "forced")).status_code in documented
        ]

    def _example_path_params(self) -> dict[str, str]:
        return {
            p["name"]: p.get("example") or p.get("schema", {}).get("example", "x")
            for p in specs.parameters(self.spec, self.route, self.method)
            if p["in"] == "path"
        }

    async def handle(self, request: Request) -> Response:
        """The endpoint: injected faults first, then a remembered answer or the pipeline's.

        Answers are made readable cross-origin before they are remembered (the key holds the
        ``Origin``), so a repeated request costs CORS nothing.
        """
        cors = self.cors
        try:
            await self.faults.apply(request.headers)
        except ApiError as exc:
            return self.refusal(request, exc)
        key = request_key(request)
        answer = self.answers.get(key)
        if answer is None:
            answer = self.answer(request)
            if cors is not None:
                answer = cors.apply(request, answer)
            self.answers.put(key, answer)
        return answer

    def refusal(self, request: Request, error: ApiError) -> Response:
        """*error* in this vendor's envelope, readable cross-origin (never remembered)."""
        response = self.error(error)
        return response if self.cors is None else self.cors.apply(request, response)

    def readable(self, endpoint: Endpoint) -> Endpoint:
        """*endpoint* (one of this vendor's other endpoints) with its answers readable
        cross-origin, exposing this vendor's documented headers."""
        return endpoint if self.cors is None else self.cors.endpoint(endpoint)

    def answer(self, request: Request) -> Response:
        """Run the pipeline on *request*: credentials, pre-checks, parameters, then the listing."""
        try:
            check_headers(request.scope["headers"])
            check_query(request.scope["query_string"])
            check_pairs(request.query_params.multi_items())
            credential = self.auth.authenticate(request.headers)
            context = self.precheck(request, credential)
            params = self.params.parse(self.query(request), request.headers, request.path_params)
            return self.list_carts(request, params, context)
        except ApiError as exc:
            return self.error(exc)
        except QueryError as exc:
            return self.error(ApiError(Problem.BAD_PARAMETER, str(exc), param=exc.param))
        except Exception:
            logger.exception(
                "unexpected error answering %s %s", request.method, request.scope["path"]
            )
            return self.error(ApiError(Problem.SERVER_ERROR, "Internal server error"))


class _Kept(dict[str, str]):
    """Path parameters for ``str.format_map``; an unknown one is kept as its placeholder."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


VendorFactory = Callable[[Dataset, MockConfig], Vendor]
