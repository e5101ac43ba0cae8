"""Fixtures and helpers for testing the mock in-process."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from starlette.testclient import TestClient

from cartkit import specs
from cartkit.mockserver import create_app
from cartkit.mockserver.vendor import Vendor
from cartkit.specs import resolve

TOKEN = "test-token"
AUTH: dict[str, dict[str, str]] = {
    "shopimind": {"spm-api-key": "cartkit-test-key-0123456789"},
    "nextcommerce": {"Authorization": f"Bearer {TOKEN}", "X-29next-API-Version": "2023-02-10"},
    "elasticpath": {"Authorization": f"Bearer {TOKEN}"},
    "epages": {"Authorization": f"Bearer {TOKEN}"},
    "stateset": {"Authorization": f"Bearer {TOKEN}"},
}
"""Well-formed credentials (and required headers) for each vendor."""


@functools.cache
def client_for(vendor: str, carts: int = 300, seed: int = 0) -> TestClient:
    """A cached in-process client for *vendor* served at its root path (read-only use)."""
    return TestClient(create_app(vendors=(vendor,), at_root=True, carts=carts, seed=seed))


def vendor_of(client: TestClient, name: str) -> Vendor:
    """The :class:`Vendor` behind *client* (its dataset, renderer, ...)."""
    app: Any = client.app
    return app.state.vendors[name]


@pytest.fixture
def make_client() -> Callable[..., TestClient]:
    """Build a fresh client: ``make_client("stateset", at_root=True, token="t", ...)``."""

    def build(vendor: str, **config: Any) -> TestClient:
        config.setdefault("carts", 200)
        return TestClient(create_app(vendors=(vendor,), **config))

    return build


@functools.cache
def _response_validators(
    vendor: str, path: str | None = None
) -> dict[tuple[str, str], OAS30Validator]:
    if path is None:
        spec = specs.load(vendor)
        _, _, op = specs.operation(spec)
    else:
        token_spec = specs.tokens(vendor)
        assert token_spec is not None, f"{vendor} has no token document"
        spec = token_spec
        (op,) = (o for m, o in spec["paths"][path].items() if m in {"get", "post"})
    out = {}
    for status, response in op["responses"].items():
        response = resolve(spec, response)
        for media, content in response.get("content", {}).items():
            root = {"allOf": [content["schema"]], "components": spec.get("components", {})}
            out[(status, media)] = OAS30Validator(root, format_checker=oas30_format_checker)
        if not response.get("content"):
            out[(status, "")] = OAS30Validator({})
    return out


def assert_conforms(
    vendor: str, response: httpx.Response, *, token_path: str | None = None
) -> None:
    """Assert *response* is declared by *vendor*'s spec and its body validates against it.

    With *token_path*, the operation at that path of the vendor's token document is meant.
    """
    validators = _response_validators(vendor, token_path)
    media = response.headers.get("content-type", "").split(";")[0].strip()
    status = str(response.status_code)
    if (status, "") in validators and (status, media) not in validators:
        return  # a documented response without a body (a redirect)
    key = (status, media) if (status, media) in validators else ("default", media)
    assert key in validators, f"{status} {media} is not declared in the {vendor} spec"
    body = response.json() if "json" in media else response.text
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validators[key].iter_errors(body)
    ]
    assert not errors, errors[:5]
