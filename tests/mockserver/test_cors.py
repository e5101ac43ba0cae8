"""CORS: preflights answered without touching the API, every response readable cross-origin."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from cartkit import specs
from cartkit.mockserver import MockConfig, create_app
from cartkit.mockserver.cors import MAX_AGE
from cartkit.mockserver.faults import FORCE_STATUS_HEADER

from .conftest import AUTH

VENDORS = pytest.mark.parametrize("vendor", specs.VENDORS)
ORIGIN = "http://localhost:3000"
# Response headers a page may always read (Fetch standard, "CORS-safelisted response-header").
SAFELISTED = {
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
}


def path_of(vendor: str) -> str:
    return f"/{vendor}" + specs.operation(specs.load(vendor))[0].replace("{shopId}", "DemoShop")


def preflight(
    client: TestClient, path: str, *, origin: str = ORIGIN, method: str = "GET", **extra: str
) -> Any:
    headers = {"Origin": origin, "Access-Control-Request-Method": method, **extra}
    return client.options(path, headers=headers)


@pytest.fixture(scope="module")
def mock() -> TestClient:
    return TestClient(create_app(carts=30))


@VENDORS
def test_a_preflight_allows_the_call_the_page_wants_to_make(mock: TestClient, vendor: str) -> None:
    wanted = ", ".join(AUTH[vendor])  # the credential headers a fetch() of this vendor sends
    response = preflight(mock, path_of(vendor), **{"Access-Control-Request-Headers": wanted})
    assert response.status_code == 204 and response.content == b""
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["access-control-allow-methods"] == "GET, HEAD"
    assert response.headers["access-control-allow-headers"] == wanted
    assert response.headers["access-control-max-age"] == str(MAX_AGE)
    assert "Origin" in response.headers["vary"]


@VENDORS
def test_a_preflight_is_not_an_api_call(vendor: str) -> None:
    # Every API call of this mock fails (error rate 1), and a preflight carries no credential:
    # the preflight still succeeds, and nothing is remembered for it.
    app = create_app(vendors=(vendor,), carts=10, error_rate=1.0)
    client = TestClient(app)
    assert client.get(path_of(vendor), headers=AUTH[vendor]).status_code >= 429
    for _ in range(3):
        assert preflight(client, path_of(vendor)).status_code == 204
    assert len(app.state.vendors[vendor].answers) == 0


def test_an_options_that_is_no_preflight_is_still_refused_with_allow(mock: TestClient) -> None:
    response = mock.options(path_of("stateset"), headers={"Origin": ORIGIN})
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD"}
    assert response.headers["access-control-allow-origin"] == ORIGIN
    plain = mock.options(path_of("stateset"))
    assert plain.status_code == 405 and "access-control-allow-origin" not in plain.headers


def test_a_preflight_to_a_path_nobody_serves_is_not_found(mock: TestClient) -> None:
    response = preflight(mock, "/stateset/v2/carts")
    assert response.status_code == 404
    assert response.headers["access-control-allow-origin"] == ORIGIN  # readable: say why


@pytest.mark.parametrize(
    "path", ["/__cartkit/health", "/epages/openapi.json", "/elasticpath/tokens/openapi.yaml"]
)
def test_the_mocks_other_answers_are_readable(mock: TestClient, path: str) -> None:
    response = mock.get(path, headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN


def test_a_preflight_lists_the_paths_own_methods(mock: TestClient) -> None:
    response = preflight(mock, path_of("epages"), method="DELETE")
    # The browser, not the mock, refuses DELETE: the answer says what the path allows.
    assert response.status_code == 204
    assert response.headers["access-control-allow-methods"] == "GET, HEAD"


def test_private_network_access_is_granted_when_asked(mock: TestClient) -> None:
    asked = preflight(
        mock, path_of("stateset"), **{"Access-Control-Request-Private-Network": "true"}
    )
    assert asked.headers["access-control-allow-private-network"] == "true"
    assert (
        "access-control-allow-private-network" not in preflight(mock, path_of("stateset")).headers
    )


def _calls(vendor: str) -> list[dict[str, str]]:
    """Header sets giving a success, a refusal, a bad request and every forced status."""
    vendor_spec = specs.load(vendor)
    documented = {
        int(code) for code in specs.operation(vendor_spec)[2]["responses"] if code.isdigit()
    }
    forced = [
        {**AUTH[vendor], FORCE_STATUS_HEADER: str(code)} for code in sorted(documented - {200})
    ]
    return [AUTH[vendor], {}, {**AUTH[vendor], FORCE_STATUS_HEADER: "999"}, *forced]


@VENDORS
def test_every_answer_is_readable_with_its_documented_headers(
    mock: TestClient, vendor: str
) -> None:
    statuses = set()
    for headers in _calls(vendor):
        response = mock.get(path_of(vendor), headers={**headers, "Origin": ORIGIN})
        statuses.add(response.status_code)
        assert response.headers["access-control-allow-origin"] == ORIGIN
        assert response.headers["access-control-allow-credentials"] == "true"
        assert "Origin" in response.headers["vary"]
        exposed = {
            h.strip().lower()
            for h in response.headers.get("access-control-expose-headers", "").split(",")
            if h.strip()
        }
        # Whatever the mock sends, app code can read: nothing non-safelisted is hidden.
        sent = {name.lower() for name in response.headers} - SAFELISTED - {"vary"}
        hidden = {name for name in sent if not name.startswith("access-control-")} - exposed
        assert not hidden, f"{vendor} {response.status_code} sends {hidden} without exposing them"
    assert {200, 400, 429, 500, 503} <= statuses


def test_exposed_headers_are_the_vendors_documented_ones(mock: TestClient) -> None:
    def exposed(vendor: str) -> str:
        response = mock.get(path_of(vendor), headers={**AUTH[vendor], "Origin": ORIGIN})
        return response.headers.get("access-control-expose-headers", "")

    assert exposed("epages") == (
        "X-epages-Media-Type, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
    )
    assert exposed("stateset") == (
        "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, X-RateLimit-Retry-After"
    )
    # 29 Next's token document adds the redirect's Location (GET /oauth2/authorize/).
    assert exposed("nextcommerce") == "Location, Retry-After, WWW-Authenticate"
    assert exposed("shopimind") == exposed("elasticpath") == "Retry-After"


def test_a_single_vendor_at_its_root_exposes_its_headers() -> None:
    client = TestClient(create_app(vendors=("stateset",), at_root=True, carts=5))
    response = client.get("/v1/carts", headers={**AUTH["stateset"], "Origin": ORIGIN})
    assert "X-RateLimit-Remaining" in response.headers["access-control-expose-headers"]


@given(
    origin=st.sampled_from(["http", "https"]).flatmap(
        lambda scheme: st.from_regex(
            r"[a-z][a-z0-9-]{0,20}(\.[a-z]{2,6})?(:[0-9]{2,5})?", fullmatch=True
        ).map(lambda host: f"{scheme}://{host}")
    ),
    vendor=st.sampled_from(specs.VENDORS),
)
def test_any_origin_is_echoed_by_default(mock: TestClient, origin: str, vendor: str) -> None:
    response = mock.get(path_of(vendor), headers={**AUTH[vendor], "Origin": origin})
    assert response.headers["access-control-allow-origin"] == origin
    assert (
        preflight(mock, path_of(vendor), origin=origin).headers["access-control-allow-origin"]
        == origin
    )


def test_restricted_origins() -> None:
    client = TestClient(create_app(vendors=("stateset",), carts=5, cors_origins=(ORIGIN,)))
    ok = client.get(path_of("stateset"), headers={**AUTH["stateset"], "Origin": ORIGIN})
    assert ok.headers["access-control-allow-origin"] == ORIGIN
    other = "http://localhost:5173"
    refused = preflight(client, path_of("stateset"), origin=other)
    assert refused.status_code == 403 and "access-control-allow-origin" not in refused.headers
    assert other in refused.text and ORIGIN in refused.text
    served = client.get(path_of("stateset"), headers={**AUTH["stateset"], "Origin": other})
    # Answered (a curl with a forged Origin is no browser), but unreadable by the other page.
    assert served.status_code == 200 and "access-control-allow-origin" not in served.headers


def test_no_cors() -> None:
    client = TestClient(create_app(vendors=("stateset",), carts=5, cors=False))
    assert preflight(client, path_of("stateset")).status_code == 405
    response = client.get(path_of("stateset"), headers={**AUTH["stateset"], "Origin": ORIGIN})
    assert not any(name.startswith("access-control-") for name in response.headers)


@pytest.mark.parametrize(
    ("vary", "expected"),
    [(None, "Origin"), ("Accept", "Accept, Origin"), ("origin", "origin")],
)
def test_an_existing_vary_is_extended_not_replaced(vary: str | None, expected: str) -> None:
    from starlette.requests import Request
    from starlette.responses import Response

    from cartkit.mockserver.cors import CorsPolicy

    response = Response(b"{}", headers={"Vary": vary} if vary else None)
    scope = {"type": "http", "headers": [(b"origin", ORIGIN.encode())]}
    CorsPolicy().apply(Request(scope), response)
    assert response.headers.getlist("vary") == [expected]
    assert response.headers["access-control-allow-origin"] == ORIGIN


def test_a_remembered_answer_carries_its_own_origins_headers() -> None:
    # The answer memory keys on every header, Origin included: each origin gets its own copy.
    client = TestClient(create_app(vendors=("stateset",), carts=5))
    for origin in (ORIGIN, "http://localhost:5173", ORIGIN, None):
        headers = {**AUTH["stateset"], **({"Origin": origin} if origin else {})}
        response = client.get(path_of("stateset"), headers=headers)
        assert response.headers.get("access-control-allow-origin") == origin
        assert response.headers.get_list("vary") == (["Origin"] if origin else [])


@pytest.mark.parametrize(
    ("origin", "message"),
    [
        ("localhost:3000", "did you mean 'http://localhost:3000'"),
        ("http://localhost:3000/app", "no path"),
        ("ftp://example.com", "scheme://host"),
    ],
)
def test_a_bad_origin_is_refused_with_the_fix(origin: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MockConfig(cors_origins=(origin,))
