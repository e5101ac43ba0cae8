"""The README's examples return what the README says (the app of ``cartkit serve`` defaults)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from cartkit.mockserver import create_app

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
KEY = {"spm-api-key": "cartkit-demo-key-0123456789"}
BEARER = {"Authorization": "Bearer test"}
NEXT = {**BEARER, "X-29next-API-Version": "2023-02-10"}
CUSTOMER = "e37308d2-0dd1-4d70-bdb9-70bb9957e15d"


@pytest.fixture(scope="module")
def serve() -> TestClient:
    """What `cartkit serve` serves on its defaults, on the README's host."""
    return TestClient(create_app(), base_url="http://127.0.0.1:8000")


def get(client: TestClient, path: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
    assert path in README or path.split("?")[0] in README, f"{path} is not in the README"
    return client.get(path, headers=headers or {}, params=params or None)


def test_stateset_examples(serve: TestClient) -> None:
    body = get(serve, "/stateset/v1/carts?status=abandoned&has_email=true&limit=2", BEARER).json()
    assert (body["total_count"], body["has_more"]) == (314, True)
    assert body["summary"]["status_breakdown"] == {
        "active": 0,
        "abandoned": 314,
        "converted": 0,
        "expired": 0,
    }
    body = get(serve, "/stateset/v1/carts?sort_by=total&sort_order=desc&limit=3", BEARER).json()
    assert [c["total"] for c in body["data"]] == [108239, 68678, 56986]
    error = get(serve, "/stateset/v1/carts?limit=500", BEARER).json()["error"]
    assert error["code"] == "INVALID_PARAMETER"
    assert error["message"] == "Invalid parameter 'limit': 500 is greater than the maximum of 100"
    missing = get(serve, "/stateset/v1/carts")
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "MISSING_AUTH_HEADER"


def test_shopimind_examples(serve: TestClient) -> None:
    body = get(serve, "/shopimind/v1/carts?limit=2", KEY).json()
    assert len(body["data"]) == 2 and len(body["data"][0]) == 8
    page = body["meta"]["pagination"]
    assert (page["total_items"], page["total_pages"], page["next_page"]) == (1000, 500, 2)
    brackets = (
        "/shopimind/v1/carts?filters[0][field]=status&filters[0][operator]=IN&filters[0][values][0]=abandoned"
        "&order[0][field]=amount&order[0][type]=desc&fields[]=id&fields[]=amount&fields[]=customer_email&limit=3"
    )
    body = get(serve, brackets, KEY).json()
    assert body["meta"]["pagination"]["total_items"] == 536
    assert [c["amount"] for c in body["data"]] == [684.89, 659.93, 638.92]
    assert all(set(c) == {"id", "amount", "customer_email"} for c in body["data"])
    filters = [
        {"field": "amount", "operator": "BETWEEN", "values": [50, 100]},
        {"field": "customer_email", "operator": "ENDS_WITH", "values": "@orange.fr"},
    ]
    assert "BETWEEN" in README and "@orange.fr" in README
    body = serve.get(
        "/shopimind/v1/carts",
        headers=KEY,
        params={
            "filters": json.dumps(filters),
            "fields": "id,amount,customer_first_name,customer_email",
            "limit": 2,
        },
    ).json()
    assert body["meta"]["pagination"]["total_items"] == 35
    assert all(
        c["customer_email"].endswith("@orange.fr") and 50 <= c["amount"] <= 100
        for c in body["data"]
    )
    missing = get(serve, "/shopimind/v1/carts")
    assert missing.status_code == 401
    assert missing.json() == {
        "statusCode": 401,
        "message": "Missing credentials: send the spm-api-key header",
        "error": "Unauthorized",
    }


def test_nextcommerce_examples(serve: TestClient) -> None:
    body = get(serve, "/nextcommerce/api/admin/carts/", NEXT).json()
    assert len(body["results"]) == 20 and body["previous"] is None
    assert body["next"].startswith("http://127.0.0.1:8000/nextcommerce/api/admin/carts/?cursor=")
    path = "/nextcommerce/api/admin/carts/?abandoned=true&currency=USD&product=1001&product=1002"
    assert len(get(serve, path, NEXT).json()["results"]) == 6
    path = "/nextcommerce/api/admin/carts/?utm_source=google&date_created_from=2025-12-01&date_created_to=2025-12-31"
    body = get(serve, path, NEXT).json()
    assert len(body["results"]) == 11 and body["next"] is None
    forged = get(serve, "/nextcommerce/api/admin/carts/?cursor=garbage", NEXT)
    assert (forged.status_code, forged.json()) == (404, {"detail": "Invalid cursor"})
    no_version = get(serve, "/nextcommerce/api/admin/carts/", BEARER)
    assert no_version.status_code == 400
    assert no_version.json()["detail"] in README


def test_elasticpath_examples(serve: TestClient) -> None:
    body = get(serve, "/elasticpath/v2/carts?page[limit]=2&page[offset]=4", BEARER).json()
    assert body["meta"] == {
        "page": {"current": 3, "limit": 2, "offset": 4, "total": 500},
        "results": {"total": 1000},
    }
    assert set(body["links"]) == {"current", "first", "last", "next", "prev"}
    assert 'ilike(name,"*cart*")|ilike(name,"gifts")' in README
    body = serve.get(
        "/elasticpath/v2/carts",
        headers=BEARER,
        params={"filter": 'ilike(name,"*cart*")|ilike(name,"gifts")'},
    ).json()
    assert body["meta"]["results"]["total"] == 783
    assert "filter=" in body["links"]["next"]
    assert CUSTOMER in README
    shopper = {**BEARER, "X-Moltin-Customer-Token": CUSTOMER}
    body = get(serve, "/elasticpath/v2/carts?include=custom_discounts", shopper).json()
    assert body["meta"]["results"]["total"] == 4 and "included" in body
    both = serve.get(
        "/elasticpath/v2/carts",
        headers={**shopper, "EP-Account-Management-Authentication-Token": CUSTOMER},
    )
    assert both.status_code == 403


def test_epages_examples(serve: TestClient) -> None:
    body = get(
        serve, "/epages/rs/shops/DemoShop/carts?resultsPerPage=2&locale=en_US", BEARER
    ).json()
    assert body["items"][0]["lineItemContainer"]["grandTotal"]["formatted"] == "€169.98"
    body = get(serve, "/epages/rs/shops/DemoShop/carts?resultsPerPage=2", BEARER).json()
    assert body["items"][0]["lineItemContainer"]["grandTotal"]["formatted"] == "169,98 €"
    path = "/epages/rs/shops/DemoShop/carts?createdAfter=2026-01-01T00:00:00Z&hasAddressData=true&page=2&resultsPerPage=5"
    response = get(serve, path, {**BEARER, "Accept": "application/vnd.epages.v1+json"})
    assert response.headers["content-type"].startswith("application/vnd.epages.v1+json")
    assert response.json()["results"] == 29 and len(response.json()["items"]) == 5
    unknown = get(serve, "/epages/rs/shops/NoSuchShop/carts", BEARER)
    assert unknown.status_code == 404
    assert unknown.json() == {
        "message": "Not Found: Shop 'NoSuchShop' (shopId) not found",
        "status": "404",
    }
    assert get(serve, "/epages/rs/shops/DemoShop/carts").status_code == 403
    assert (
        get(serve, "/epages/rs/shops/DemoShop/carts", {**BEARER, "Accept": "text/html"}).status_code
        == 406
    )


# -- Frontend development -----------------------------------------------------------------------
# The JavaScript blocks themselves run in Chromium (tests/browser); here, what they and the curl
# lines claim, in-process.

SHOPPER = "brittney.jones359@gmail.com"


def post(client: TestClient, path: str, **kwargs: Any) -> Any:
    assert path.split("?")[0] in README, f"{path} is not in the README"
    return client.post(path, **kwargs)


def test_frontend_fetch_example(serve: TestClient) -> None:
    response = get(
        serve,
        "/stateset/v1/carts?status=abandoned&limit=5",
        {"Authorization": "Bearer sk_test_demo"},
    )
    assert response.json()["total_count"] == 369 and "=== 369" in README
    assert response.headers["x-ratelimit-remaining"] == "999" and '"999"' in README
    refused = get(serve, "/stateset/v1/carts")
    assert (refused.status_code, refused.json()["error"]["code"]) == (401, "MISSING_AUTH_HEADER")


def test_frontend_elasticpath_token_flow(serve: TestClient) -> None:
    grant = {"grant_type": "implicit", "client_id": "my-storefront"}
    assert "-d grant_type=implicit -d client_id=my-storefront" in README
    token = post(serve, "/elasticpath/oauth/access_token", data=grant).json()["access_token"]
    alone = serve.get("/elasticpath/v2/carts", headers={"Authorization": f"Bearer {token}"})
    assert alone.status_code == 403
    assert (
        SHOPPER in README
        and serve.get("/__cartkit/health").json()["vendors"]["elasticpath"]["shopper"] == SHOPPER
    )
    login = {"data": {"type": "token", "email": SHOPPER, "password": "any"}}
    customer = post(
        serve,
        "/elasticpath/v2/customers/tokens",
        json=login,
        headers={"Authorization": f"Bearer {token}"},
    ).json()["data"]["token"]
    carts = serve.get(
        "/elasticpath/v2/carts",
        headers={"Authorization": f"Bearer {token}", "X-Moltin-Customer-Token": customer},
    ).json()
    assert carts["meta"]["results"]["total"] == 7 and "that customer's 7 carts" in README


def test_frontend_nextcommerce_and_epages_token_steps(serve: TestClient) -> None:
    authorize = (
        "/nextcommerce/oauth2/authorize/?response_type=code&client_id=my-app"
        "&redirect_uri=http://localhost:3000/callback&scope=carts:read&state=xyz"
    )
    assert authorize in README
    redirect = serve.get(authorize, follow_redirects=False)
    assert redirect.status_code == 302
    location = redirect.headers["location"]
    assert location.startswith("http://localhost:3000/callback?store=127.0.0.1%3A8000&code=")
    code = location.split("code=")[1].split("&")[0]
    exchange = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": "my-app",
        "client_secret": "any",
        "redirect_uri": "http://localhost:3000/callback",
    }
    token = post(serve, "/nextcommerce/oauth2/token/", data=exchange).json()["access_token"]
    listed = serve.get(
        "/nextcommerce/api/admin/carts/",
        headers={"Authorization": f"Bearer {token}", **NEXT_VERSION},
    )
    assert listed.status_code == 200
    app_code = {"code": "any", "client_id": "my-app", "client_secret": "any"}
    answer = post(serve, "/epages/rs/shops/DemoShop/token", data=app_code).json()
    assert set(answer) == {"access_token"}


NEXT_VERSION = {"X-29next-API-Version": "2023-02-10"}


# -- Scenarios, the journal, the admin API -------------------------------------------------------


def test_scenario_examples(serve: TestClient) -> None:
    header = {"Authorization": "Bearer sk_test_x", "X-Cartkit-Scenario": "empty"}
    assert "-H 'X-Cartkit-Scenario: empty'" in README
    body = get(serve, "/stateset/v1/carts?limit=1", header).json()
    assert (body["object"], body["data"], body["total_count"]) == ("list", [], 0)
    switch = {"vendor": "stateset", "scenario": "rate-limited"}
    assert '{"vendor": "stateset", "scenario": "rate-limited"}' in README
    try:
        serve.put("/__cartkit/scenario", json=switch)
        refused = serve.get("/stateset/v1/carts", headers={"Authorization": "Bearer sk_test_x"})
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED" in README
        assert refused.headers["x-ratelimit-retry-after"] == "60"
        assert "X-RateLimit-Retry-After: 60" in README
        current = get(serve, "/__cartkit/scenarios").json()["current"]
        assert current["stateset"] == "rate-limited"
        journal = get(serve, "/__cartkit/requests?vendor=stateset&status=429&limit=5").json()
        (entry,) = journal["requests"]
        assert entry["headers"]["authorization"] == "Bearer ***" and entry["status"] == 429
        assert serve.delete("/__cartkit/requests").status_code == 204
        assert get(serve, "/__cartkit/requests").json()["requests"] == []
    finally:
        serve.put("/__cartkit/scenario", json={"scenario": "default"})


def _block_after(marker: str, language: str) -> str:
    """The first ``language`` code block after *marker* in the README."""
    start = README.index(f"```{language}\n", README.index(marker)) + len(language) + 4
    return README[start : README.index("```", start)]


def test_data_file_examples(tmp_path: Path) -> None:
    import yaml

    from cartkit.mockserver.app import startup_dataset
    from cartkit.mockserver.config import MockConfig
    from cartkit.mockserver.userdata import DataError

    section = "### Your own carts"
    example = Path(__file__).parents[1] / "mockserver" / "carts.example.yaml"
    assert "mockserver/carts.example.yaml --carts 0  # only its 4 carts" in README
    only = startup_dataset(MockConfig(carts=0, data=example), "stateset")
    assert len(only) == 4
    snippet = yaml.safe_load(_block_after(section, "yaml"))
    served = startup_dataset(MockConfig(carts=0, data=snippet["carts"]), "epages")
    assert len(served) == 3
    (ada,) = [c for c in served.carts if c.email == "ada@example.com"]
    (empty,) = [c for c in served.carts if not c.basket]
    assert (ada.status, ada.subtotal) == ("abandoned", 4900)
    assert (empty.status, empty.total) == ("active", 0)
    # The refusal shown is the one the mock gives.
    shown = _block_after(section, "text").strip()
    bad = tmp_path / "carts.yaml"
    bad.write_text(
        "carts:\n  - {}\n  - {created_at: '2026-01-02T00:00:00Z', updated_at: '2026-01-01T00:00:00Z'}\n"
    )
    with pytest.raises(DataError) as caught:
        startup_dataset(MockConfig(carts=0, data=bad), "stateset")
    assert shown == f"Error: Invalid value for '--data': {caught.value}".replace(
        str(bad), "carts.yaml"
    )


def test_added_carts_examples(serve: TestClient) -> None:
    block = _block_after("At run time, add carts in the same shape", "bash")
    body = json.loads(block.split("-d '", 1)[1].split("'", 1)[0])
    try:
        added = serve.post("/__cartkit/carts", json=body)
        assert added.status_code == 201
        assert (
            "# -> 201 " + json.dumps(added.json())[:40] in block
        )  # {"added": 1, "carts": {"shopimind": 1001
        assert added.json()["added_total"] == 1 and '"added_total": 1}' in block
        assert get(serve, "/__cartkit/carts").json()["carts"]["stateset"] == 1001
    finally:
        assert serve.delete("/__cartkit/carts").json()["added_total"] == 0
    refused = serve.post("/__cartkit/carts", json={"carts": [{"lines": [{"price": "1.999"}]}]})
    message = refused.json()["error"]["message"]
    assert message.startswith("request body: carts[0].lines[0].price: ")
    assert (
        '"request body: carts[0].lines[0].price: ...", "field":\n"carts[0].lines[0].price"'
        in README
    )


def test_faults_and_overview_examples(serve: TestClient) -> None:
    change = {"vendor": "stateset", "latency_ms": 300, "error_rate": 0.2}
    assert json.dumps(change) in README
    try:
        faults = serve.put("/__cartkit/faults", json=change).json()["faults"]
        assert faults["stateset"] == {"latency_ms": 300.0, "jitter_ms": 0.0, "error_rate": 0.2}
        started = time.perf_counter()
        answer = serve.get("/stateset/v1/carts", headers={"Authorization": "Bearer sk_test_x"})
        assert time.perf_counter() - started >= 0.3 and answer.status_code in {200, 429, 500, 503}
        reset = serve.delete("/__cartkit/faults?vendor=stateset")
        assert "/__cartkit/faults?vendor=stateset" in README
        assert reset.json()["faults"]["stateset"] == {
            "latency_ms": 0.0,
            "jitter_ms": 0.0,
            "error_rate": 0.0,
        }
    finally:
        serve.delete("/__cartkit/faults")
    overview = get(serve, "/__cartkit/overview").json()
    epages = overview["vendors"]["epages"]
    assert epages["list"]["url"] == "http://127.0.0.1:8000/epages/rs/shops/DemoShop/carts"
    assert "`DemoShop`" in README and "`X-29next-API-Version`" in README
    assert overview["vendors"]["nextcommerce"]["headers"]["X-29next-API-Version"] == "2023-02-10"
    for vendor in overview["vendors"].values():
        assert serve.get(vendor["list"]["url"], headers=vendor["headers"]).status_code == 200


def test_console_examples() -> None:
    assert "http://127.0.0.1:8000/ in a browser" in README
    client = TestClient(create_app(carts=5), base_url="http://127.0.0.1:8000")
    assert client.get("/", follow_redirects=False).headers["location"] == "/__cartkit/"
    assert client.get("/__cartkit/").status_code == 200
    off = TestClient(create_app(carts=5, console=False))
    assert "`MockConfig(console=False)`" in README and off.get("/__cartkit/").status_code == 404
    pictures = re.findall(r"\]\((docs/[\w-]+\.png)\)", README)
    assert {"docs/console-overview-1280.png", "docs/console-overview-390.png"} <= set(pictures)
    for picture in pictures:
        assert (Path(__file__).parents[1] / picture).is_file(), picture


def test_the_layout_names_every_module_of_the_mock() -> None:
    root = Path(__file__).parents[1] / "mockserver"
    layout = README.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    modules = [p.name for p in root.glob("*.py") if p.name != "__init__.py"]
    # A vendor's own modules are covered by vendors/<vendor>.py and <vendor>_tokens.py.
    parts = [p.name for p in root.glob("vendors/[a-z]*_*.py") if not p.name.endswith("_tokens.py")]
    assert [name for name in modules + parts if name not in layout] == []


def test_every_module_of_the_mock_has_a_test_file_of_its_own() -> None:
    # "How tests/ is arranged": tests/mockserver/test_<module>.py for every module.
    root = Path(__file__).parents[1]
    assert "has a\n  `test_<module>.py`" in README
    modules = [p.stem for p in (root / "mockserver").glob("**/*.py") if p.stem != "__init__"]
    tests = root / "tests" / "mockserver"
    assert [name for name in modules if not (tests / f"test_{name}.py").is_file()] == []


def test_every_module_of_the_kit_has_a_test_file_of_its_own() -> None:
    # "How tests/ is arranged": tests/contracts/test_<module>.py for every module of the kit,
    # checks/ mirrored in tests/contracts/checks/ (its registry, __init__.py, in
    # test_registry.py), and the vendors' oracles all in tests/contracts/test_oracles.py.
    root = Path(__file__).parents[1]
    said = " ".join(README.split())
    assert "Every module of `contracts/` has a `test_<module>.py`" in said
    assert "`checks/` is mirrored in `tests/contracts/checks/`" in said
    kit, tests = root / "contracts", root / "tests" / "contracts"
    modules = [p.stem for p in kit.glob("*.py") if p.stem != "__init__"]
    checks = [p.stem for p in kit.glob("checks/*.py")]
    assert len(modules) > 10 and "__init__" in checks and "filters" in checks
    missing = [f"{name}.py" for name in modules if not (tests / f"test_{name}.py").is_file()]
    for name in checks:
        test = "test_registry.py" if name == "__init__" else f"test_{name}.py"
        if not (tests / "checks" / test).is_file():
            missing.append(f"checks/{name}.py")
    assert missing == []
    assert (tests / "checks" / "__init__.py").is_file()  # a package, as tests/contracts/ is
    # The vendors' modules share one file: every vendor's oracle is tested there.
    assert [p.stem for p in kit.glob("vendors/*.py") if p.stem != "__init__"] != []
    assert (tests / "test_oracles.py").is_file()
    assert "`<vendor>_tokens.py`) are in `test_oracles.py`" in said


def test_the_layout_names_every_module_of_the_kit() -> None:
    root = Path(__file__).parents[1] / "contracts"
    layout = README.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    kit = layout.split("\ncontracts/", 1)[1].split("\ntests/", 1)[0]
    modules = [p.name for p in root.glob("*.py") if p.name != "__init__.py"]
    modules += [p.name for p in root.glob("checks/*.py") if p.name != "__init__.py"]
    # The vendors' own modules are covered by vendors/<vendor>.py and <vendor>_tokens.py.
    assert [name for name in modules if name not in kit] == []
    assert "checks/" in kit and "vendors/<vendor>.py" in kit
