"""Whatever the seed, every vendor's carts validate against the vendor's spec."""

from __future__ import annotations

import functools

from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from cartkit import specs
from cartkit.mockserver import create_app

from .conftest import AUTH, assert_conforms

# The largest page each vendor allows, so one request renders many carts.
BIG_PAGE = {
    "shopimind": {"limit": 100},
    "nextcommerce": {},
    "elasticpath": {"page[limit]": 100},
    "epages": {"resultsPerPage": 100},
    "stateset": {"limit": 100},
}


@functools.lru_cache(maxsize=8)
def client(seed: int) -> TestClient:
    return TestClient(create_app(carts=60, seed=seed))


@given(seed=st.integers(0, 2**32), vendor=st.sampled_from(specs.VENDORS))
def test_every_rendered_cart_conforms_for_any_seed(seed: int, vendor: str) -> None:
    path = specs.operation(specs.load(vendor))[0].replace("{shopId}", "DemoShop")
    response = client(seed).get(f"/{vendor}{path}", params=BIG_PAGE[vendor], headers=AUTH[vendor])
    assert response.status_code == 200, response.text
    assert_conforms(vendor, response)
