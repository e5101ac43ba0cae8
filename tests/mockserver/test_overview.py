"""What a mock serves and how to call it (``mockserver/overview.py``)."""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from cartkit import specs
from cartkit.mockserver import create_app
from cartkit.mockserver.config import MockConfig
from cartkit.mockserver.overview import overview
from cartkit.mockserver.vendor import Vendor

BASE = "http://mock.example:9000"
FAULTS = {"latency_ms": 0.0, "jitter_ms": 0.0, "error_rate": 0.0}


@functools.cache
def app(token: str | None = None, admin_token: str | None = None) -> Any:
    return create_app(carts=12, token=token, admin_token=admin_token, seed=5)


def vendors(served: Any) -> dict[str, Vendor]:
    found: dict[str, Vendor] = served.state.vendors
    return found


def document(token: str | None = None, admin_token: str | None = None, **steered: Any) -> Any:
    served = app(token, admin_token)
    config: MockConfig = served.state.config
    scenarios = steered.get("scenarios") or dict.fromkeys(config.vendors, "default")
    faults = steered.get("faults") or dict.fromkeys(config.vendors, FAULTS)
    return overview(BASE, config, vendors(served), scenarios, faults)


def test_the_start_up_facts_are_the_configs() -> None:
    found = document()
    config: MockConfig = app().state.config
    assert (found["seed"], found["carts"], found["workers"]) == (5, 12, config.workers)
    assert found["now"] == "2026-01-15T12:00:00Z"
    assert found["journal_size"] == config.journal_size
    assert found["cors"] == {"enabled": config.cors, "origins": list(config.cors_origins)}
    assert set(found["vendors"]) == set(specs.VENDORS)


def test_the_admin_token_is_said_to_exist_never_shown() -> None:
    found = document(admin_token="adm1n-s3cret")
    assert found["admin_token"] is True and "adm1n-s3cret" not in json.dumps(found)
    assert document()["admin_token"] is False


@pytest.mark.parametrize("vendor", specs.VENDORS)
def test_every_url_is_on_the_base_the_caller_used(vendor: str) -> None:
    described = document()["vendors"][vendor]
    urls = [described["list"]["url"], *described["specs"].values()]
    urls += [token["url"] for token in described["tokens"]]
    urls += list((described["token_specs"] or {}).values())
    assert all(url.startswith(BASE + "/" + vendor + "/") for url in urls), urls
    assert "{" not in described["list"]["url"]  # path parameters set (ePages' shop)


@pytest.mark.parametrize("vendor", specs.VENDORS)
def test_the_headers_given_make_a_list_call_succeed(vendor: str) -> None:
    described = document(token="only-this")["vendors"][vendor]
    client = TestClient(app("only-this"))
    path = described["list"]["url"].removeprefix(BASE)
    assert described["list"]["method"] == "GET"
    response = client.get(path, headers=described["headers"])
    assert response.status_code == 200, response.text
    credential = described["credential"]
    assert described["headers"][credential["header"]] == credential["value"]
    if credential["only"]:  # the credential the mock was told to accept: no other passes
        wrong = {**described["headers"], credential["header"]: credential["value"] + "x"}
        assert client.get(path, headers=wrong).status_code in {401, 403}


def test_the_credential_says_whether_it_is_the_only_one() -> None:
    assert not document()["vendors"]["stateset"]["credential"]["only"]
    pinned = document(token="only-this")["vendors"]["stateset"]["credential"]
    assert pinned["only"] and pinned["value"] == "Bearer only-this"
    assert pinned["scheme"] == "bearer"
    assert document()["vendors"]["shopimind"]["credential"]["scheme"] == "api-key"


def test_token_endpoints_are_listed_only_where_the_vendor_has_them() -> None:
    described = document()["vendors"]
    for name, vendor in vendors(app()).items():
        if vendor.token_spec is None:
            assert described[name]["tokens"] == [] and described[name]["token_specs"] is None
        else:
            paths = vendor.token_spec["paths"]
            assert len(described[name]["tokens"]) == sum(len(item) for item in paths.values())
            assert {t["method"] for t in described[name]["tokens"]} <= {"GET", "POST"}


def test_what_steers_the_answers_now_is_echoed_per_vendor() -> None:
    names = specs.VENDORS
    slow = {**FAULTS, "latency_ms": 250.0}
    found = document(
        scenarios={name: "empty" if name == "epages" else "default" for name in names},
        faults={name: slow if name == "stateset" else FAULTS for name in names},
    )["vendors"]
    assert found["epages"]["scenario"] == "empty" and found["stateset"]["scenario"] == "default"
    assert found["stateset"]["faults"] == slow and found["epages"]["faults"] == FAULTS


def test_titles_and_carts_describe_each_vendor() -> None:
    for name, described in document()["vendors"].items():
        assert described["title"] and " — " not in described["title"]
        assert described["carts"] == 12
        assert described["list"]["path"].startswith(f"/{name}/")
