"""A page on another loopback origin uses the mock: fetch() for every vendor, and the Elastic Path SDK.

The page (``site/index.html``, ``site/carts.js``) runs once in headless Chromium and leaves its
findings in ``window.results``; each test checks one of them against the same request answered
in-process (same configuration, so the same bytes). What only a browser can show: the preflights
pass, bodies and documented headers are readable (errors included), a credentialed call works,
and the official SDK's token flows work as they do against the vendor.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from starlette.testclient import TestClient

from cartkit.mockserver.model import Customer

from .conftest import CARTS, Server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Request

# The page's calls (site/carts.js), as the in-process client makes them.
LISTS: dict[str, tuple[str, dict[str, str]]] = {
    "shopimind": ("/shopimind/v1/carts", {"spm-api-key": "cartkit-demo-key-0123456789"}),
    "nextcommerce": (
        "/nextcommerce/api/admin/carts/",
        {"Authorization": "Bearer test", "X-29next-API-Version": "2023-02-10"},
    ),
    "elasticpath": ("/elasticpath/v2/carts", {"Authorization": "Bearer test"}),
    "epages": ("/epages/rs/shops/DemoShop/carts", {"Authorization": "Bearer test"}),
    "stateset": ("/stateset/v1/carts", {"Authorization": "Bearer sk_test_x"}),
}
TOTALS: dict[str, Callable[[Any], int]] = {
    "shopimind": lambda body: body["meta"]["pagination"]["total_items"],
    "nextcommerce": lambda body: len(body["results"]),  # cursor paging: this page's carts
    "elasticpath": lambda body: body["meta"]["results"]["total"],
    "epages": lambda body: body["results"],
    "stateset": lambda body: body["total_count"],
}
"""Where the page reads how many carts matched, per vendor."""

REFUSALS: dict[str, tuple[int, tuple[str, ...], str]] = {
    "shopimind": (401, ("error",), "Unauthorized"),
    "epages": (403, ("status",), "403"),
    "stateset": (401, ("error", "code"), "MISSING_AUTH_HEADER"),
}
"""Calls without credentials: the status, and where the error body says why."""

CREDENTIALED = LISTS["epages"][0] + "?resultsPerPage=2"
BACKEND = {"client_id": "cartkit-backend", "client_secret": "cartkit-backend-secret"}
STOREFRONT = {"client_id": "cartkit-storefront"}
TOKEN_PATH = "/elasticpath/oauth/access_token"

REFUSED = re.compile(r"Failed to load resource: the server responded with a status of (\d{3}) ")
"""What Chromium logs for any answer >= 400: an answer, unlike a CORS refusal."""


@dataclass
class PageRun:
    """What one load of the page left behind."""

    origin: str
    results: dict[str, Any]
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    token_grants: list[str] = field(default_factory=list)
    """The ``grant_type`` of each POST the page sent to the token endpoint, in order."""


@pytest.fixture(scope="module")
def shopper(api: TestClient) -> Customer:
    """The Elastic Path customer with the most carts (the narrowing then shows best)."""
    dataset = _app_state(api).vendors["elasticpath"].dataset
    counts: dict[str, int] = {}
    for cart in dataset.carts:
        if cart.customer is not None:
            counts[cart.customer.uid] = counts.get(cart.customer.uid, 0) + 1
    customer: Customer = max(dataset.customers, key=lambda c: (counts.get(c.uid, 0), c.email))
    return customer


@pytest.fixture(scope="module")
def run(browser: Browser, mock: Server, site: Server, shopper: Customer) -> Iterator[PageRun]:
    """Load the page once (a fresh browser context) and wait for its findings."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout  # only once it is there

    context = browser.new_context()
    page = context.new_page()
    seen = PageRun(origin="", results={})

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            seen.console_errors.append(message.text)

    def on_request(request: Request) -> None:
        if request.method == "POST" and request.url == mock.url + TOKEN_PATH:
            seen.token_grants += parse_qs(request.post_data or "").get("grant_type", ["?"])

    page.on("console", on_console)
    page.on("requestfailed", lambda r: seen.failed_requests.append(f"{r.url}: {r.failure}"))
    page.on("pageerror", lambda error: seen.page_errors.append(str(error)))
    page.on("request", on_request)
    query = urlencode({"mock": mock.url, "email": shopper.email})
    try:
        page.goto(f"{site.url}/site/index.html?{query}")
        try:
            page.wait_for_function("() => window.results !== undefined", timeout=30_000)
        except PlaywrightTimeout:
            pytest.fail(f"the page never finished; what the browser saw: {seen}", pytrace=False)
        seen.results = page.evaluate("window.results")
        seen.origin = page.evaluate("window.location.origin")
    finally:
        context.close()
    assert "crashed" not in seen.results, seen.results.get("crashed")
    yield seen


def test_the_page_runs_on_another_origin(run: PageRun, mock: Server) -> None:
    page, api = urlsplit(run.origin), urlsplit(mock.url)
    assert page.hostname != api.hostname and page.port != api.port


@pytest.mark.parametrize("vendor", LISTS)
def test_every_vendor_lists_its_carts(
    run: PageRun, api: TestClient, site: Server, vendor: str
) -> None:
    answer = run.results["lists"][vendor]
    path, headers = LISTS[vendor]
    want = api.get(path, headers={**headers, "Origin": site.url})
    assert "error" not in answer, answer["error"]
    assert (answer["status"], want.status_code) == (200, 200)
    assert answer["text"] == want.text
    assert answer["total"] == TOTALS[vendor](want.json())


@pytest.mark.parametrize("vendor", LISTS)
def test_the_documented_response_headers_are_readable(
    run: PageRun, api: TestClient, site: Server, vendor: str
) -> None:
    path, headers = LISTS[vendor]
    want = api.get(path, headers={**headers, "Origin": site.url})
    documented = [name.strip() for name in want.headers["access-control-expose-headers"].split(",")]
    sent = {name.lower(): want.headers[name] for name in documented if name in want.headers}
    readable = run.results["lists"][vendor]["headers"]
    assert {name: readable.get(name) for name in sent} == sent


@pytest.mark.parametrize("vendor", ["epages", "stateset"])
def test_the_page_reads_the_rate_limit_left(run: PageRun, api: TestClient, vendor: str) -> None:
    path, headers = LISTS[vendor]
    want = api.get(path, headers=headers).headers
    remaining = run.results["lists"][vendor]["rateLimitRemaining"]
    assert remaining == want["X-RateLimit-Remaining"]
    assert int(remaining) == int(want["X-RateLimit-Limit"]) - 1


@pytest.mark.parametrize("vendor", REFUSALS)
def test_an_error_body_is_readable(run: PageRun, api: TestClient, vendor: str) -> None:
    status, where, why = REFUSALS[vendor]
    answer = run.results["refusals"][vendor]
    want = api.get(LISTS[vendor][0])
    assert "error" not in answer, answer["error"]
    assert (answer["status"], want.status_code) == (status, status)
    assert answer["text"] == want.text
    assert _dig(json.loads(answer["text"]), where) == why


def test_a_credentialed_call_is_answered(run: PageRun, api: TestClient) -> None:
    answer = run.results["credentialed"]
    want = api.get(CREDENTIALED, headers=LISTS["epages"][1])
    assert "error" not in answer, answer["error"]
    assert (answer["status"], answer["text"]) == (200, want.text)
    assert answer["rateLimitRemaining"] == want.headers["X-RateLimit-Remaining"]


def test_the_sdk_authenticates_each_app_with_its_grant(run: PageRun) -> None:
    assert run.token_grants == ["client_credentials", "implicit"]
    stored = [run.results["sdk"][app]["credentials"] for app in ("backend", "storefront")]
    assert [(c["client_id"], c["identifier"]) for c in stored] == [
        (BACKEND["client_id"], "client_credentials"),
        (STOREFRONT["client_id"], "implicit"),
    ]


def test_the_sdk_back_end_app_lists_every_cart(run: PageRun, api: TestClient) -> None:
    backend = run.results["sdk"]["backend"]
    token = _access_token(api, "client_credentials", BACKEND)
    assert backend["credentials"]["access_token"] == token
    carts = backend["carts"]
    assert carts["ok"], carts["error"]
    assert carts["value"] == api.get(LISTS["elasticpath"][0], headers=_bearer(token)).json()
    assert carts["value"]["meta"]["results"]["total"] == CARTS


def test_the_sdk_storefront_is_refused_every_cart(run: PageRun, api: TestClient) -> None:
    alone = run.results["sdk"]["storefront"]["alone"]
    token = _access_token(api, "implicit", STOREFRONT)
    want = api.get(LISTS["elasticpath"][0], headers=_bearer(token))
    assert want.status_code == 403
    assert not alone["ok"] and alone["error"] == want.json()


def test_the_sdk_storefront_lists_the_shoppers_carts(
    run: PageRun, api: TestClient, shopper: Customer
) -> None:
    storefront = run.results["sdk"]["storefront"]
    bearer = _bearer(_access_token(api, "implicit", STOREFRONT))
    login = {"type": "token", "email": shopper.email, "password": "any-password",
             "authentication_mechanism": "password"}  # fmt: skip
    issued = api.post("/elasticpath/v2/customers/tokens", json={"data": login}, headers=bearer)
    assert storefront["login"]["ok"], storefront["login"]["error"]
    got = storefront["login"]["value"]["data"]
    assert _without(got, "expires") == _without(issued.json()["data"], "expires")
    assert got["customer_id"] == shopper.uid

    carts = storefront["carts"]
    assert carts["ok"], carts["error"]
    shopper_headers = {**bearer, "X-Moltin-Customer-Token": got["token"]}
    assert carts["value"] == api.get(LISTS["elasticpath"][0], headers=shopper_headers).json()
    owned = {
        cart.uid
        for cart in _app_state(api).vendors["elasticpath"].dataset.carts
        if cart.customer is not None and cart.customer.uid == shopper.uid
    }
    assert 1 < len(owned) < CARTS
    assert carts["value"]["meta"]["results"]["total"] == len(owned)
    assert {cart["id"] for cart in carts["value"]["data"]} == owned


def test_no_call_was_refused_by_cors(run: PageRun) -> None:
    """Every call got an answer: failures would be requestfailed events and console errors."""
    assert run.failed_requests == []
    assert run.page_errors == []
    assert [m for m in run.console_errors if not REFUSED.match(m)] == []
    # The 4xx answers Chromium logs are exactly the page's refusals, the SDK's 403 included.
    logged = sorted(int(m[1]) for m in map(REFUSED.match, run.console_errors) if m)
    refusals = [*run.results["refusals"].values(), {"status": 403}]
    assert logged == sorted(answer["status"] for answer in refusals)


def _access_token(api: TestClient, grant: str, app: Mapping[str, str]) -> str:
    """The token the mock issues for *app*'s grant (deterministic: the one the SDK got)."""
    answer = api.post(TOKEN_PATH, data={"grant_type": grant, **app})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _app_state(api: TestClient) -> Any:
    app: Any = api.app
    return app.state


def _dig(body: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        body = body[key]
    return body


def _without(mapping: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    """*mapping* minus *keys* (token expiries follow the wall clock, not the seed)."""
    return {k: v for k, v in mapping.items() if k not in keys}
