"""StateSet semantics on the data: filters, sorting, paging, summary, auth and errors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .conftest import AUTH, assert_conforms, client_for, vendor_of

VENDOR = "stateset"
CLIENT = client_for(VENDOR)
ALL = CLIENT.get("/v1/carts", params={"limit": 100}, headers=AUTH[VENDOR]).json()["total_count"]


def get(**params: Any) -> dict[str, Any]:
    response = CLIENT.get("/v1/carts", params=params, headers=AUTH[VENDOR])
    assert_conforms(VENDOR, response)
    assert response.status_code == 200, response.text
    return response.json()


def walk(**params: Any) -> list[dict[str, Any]]:
    carts: list[dict[str, Any]] = []
    offset, limit = 0, params.pop("limit", 100)
    while True:
        body = get(**params, limit=limit, offset=offset)
        carts += body["data"]
        assert len(body["data"]) <= limit
        offset += limit
        assert body["has_more"] is (offset < body["total_count"])
        if not body["has_more"]:
            assert len(carts) == body["total_count"]
            return carts


def instant(text: str | None) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() if text else float("inf")


ALL_CARTS = walk()


def test_walking_all_pages_returns_each_cart_once() -> None:
    ids = [c["id"] for c in ALL_CARTS]
    assert len(ids) == len(set(ids)) == ALL == len(vendor_of(CLIENT, VENDOR).dataset)


def test_default_page_and_order() -> None:
    body = get()
    assert len(body["data"]) == 10  # documented default limit
    stamps = [c["updated_at"] for c in body["data"]]
    assert stamps == sorted(stamps, reverse=True)  # default sort_by=updated_at, sort_order=desc
    assert body["url"] == "/v1/carts" and body["object"] == "list"


filters = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from(["active", "abandoned", "converted", "expired"]),
        "has_email": st.booleans(),
        "channel": st.sampled_from(["web", "mobile", "pos", "api"]),
        "min_value": st.integers(0, 40_000),
        "created_after": st.sampled_from(["2025-09-01T00:00:00Z", "2025-12-24T08:00:00Z"]),
        "created_before": st.sampled_from(["2025-10-01T00:00:00Z", "2026-01-10T00:00:00Z"]),
        "updated_after": st.sampled_from(["2025-08-01T00:00:00Z", "2026-01-01T00:00:00Z"]),
    },
)


def matches(cart: dict[str, Any], f: dict[str, Any]) -> bool:
    return (
        ("status" not in f or cart["status"] == f["status"])
        and ("has_email" not in f or (cart["email"] is not None) == f["has_email"])
        and ("channel" not in f or cart["channel"] == f["channel"])
        and ("min_value" not in f or cart["total"] >= f["min_value"])
        and ("created_after" not in f or instant(cart["created_at"]) > instant(f["created_after"]))
        and (
            "created_before" not in f or instant(cart["created_at"]) < instant(f["created_before"])
        )
        and ("updated_after" not in f or instant(cart["updated_at"]) > instant(f["updated_after"]))
    )


@given(f=filters, limit=st.integers(1, 100))
def test_filters_return_exactly_the_matching_carts(f: dict[str, Any], limit: int) -> None:
    got = walk(**f, limit=limit)
    expected = [c for c in ALL_CARTS if matches(c, f)]
    assert sorted(c["id"] for c in got) == sorted(c["id"] for c in expected)


@given(
    sort_by=st.sampled_from(["created_at", "updated_at", "total", "abandoned_at"]),
    sort_order=st.sampled_from(["asc", "desc"]),
    limit=st.integers(7, 100),
)
def test_sort_holds_across_pages(sort_by: str, sort_order: str, limit: int) -> None:
    carts = walk(sort_by=sort_by, sort_order=sort_order, limit=limit)

    def value(cart: dict[str, Any]) -> float:
        raw = cart[sort_by]
        return float(raw) if sort_by == "total" else instant(raw)

    # The spec: carts without the value sort last in both directions; ties by id ascending.
    present = [c for c in carts if c[sort_by] is not None]
    assert all(c[sort_by] is None for c in carts[len(present) :])
    sign = -1 if sort_order == "desc" else 1
    assert present == sorted(present, key=lambda c: (sign * value(c), c["id"]))
    missing = carts[len(present) :]
    assert missing == sorted(missing, key=lambda c: c["id"])


def test_customer_and_session_filters_are_exact() -> None:
    some = next(c for c in ALL_CARTS if c["customer_id"])
    same_customer = walk(customer_id=some["customer_id"])
    assert {c["id"] for c in same_customer} == {
        c["id"] for c in ALL_CARTS if c["customer_id"] == some["customer_id"]
    }
    assert [c["id"] for c in walk(session_id=ALL_CARTS[3]["session_id"])] == [ALL_CARTS[3]["id"]]
    assert get(session_id="sess_nope")["data"] == []


@given(f=filters)
def test_summary_is_computed_from_the_filtered_carts(f: dict[str, Any]) -> None:
    body = get(**f, limit=1)
    carts = [c for c in ALL_CARTS if matches(c, f)]
    summary = body["summary"]
    breakdown = {
        s: sum(c["status"] == s for c in carts)
        for s in ("active", "abandoned", "converted", "expired")
    }
    assert summary["status_breakdown"] == breakdown
    assert sum(breakdown.values()) == body["total_count"]
    assert summary["total_abandoned_value"] == sum(
        c["total"] for c in carts if c["status"] == "abandoned"
    )
    assert summary["average_cart_value"] == (
        sum(c["total"] for c in carts) // len(carts) if carts else 0
    )
    closed = breakdown["abandoned"] + breakdown["converted"]
    assert summary["recovery_rate"] == pytest.approx(
        breakdown["converted"] / closed if closed else 0, abs=1e-4
    )


def test_carts_are_internally_consistent() -> None:
    for cart in ALL_CARTS:
        assert cart["id"].startswith("cart_")
        assert cart["total"] >= cart["subtotal"] - cart["subtotal"] // 10
        assert instant(cart["created_at"]) <= instant(cart["last_activity"])
        assert (cart["abandoned_at"] is not None) == (cart["status"] == "abandoned")
        if cart["customer_id"] is None:
            continue
        assert cart["customer_id"].startswith("cust_")


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"status": "lost"}, "status"),
        ({"has_email": "maybe"}, "has_email"),
        ({"channel": "fax"}, "channel"),
        ({"sort_by": "email"}, "sort_by"),
        ({"sort_order": "up"}, "sort_order"),
        ({"min_value": -5}, "min_value"),
        ({"created_after": "last tuesday"}, "created_after"),
        ({"created_before": "2026-02-30T00:00:00Z"}, "created_before"),
        ({"updated_after": "\u0000"}, "updated_after"),
        ({"limit": "9" * 5000}, "limit"),
    ],
)
def test_bad_input_gets_a_400_naming_the_parameter(params: dict[str, Any], param: str) -> None:
    response = CLIENT.get("/v1/carts", params=params, headers=AUTH[VENDOR])
    assert response.status_code == 400
    assert_conforms(VENDOR, response)
    error = response.json()["error"]
    assert error["code"] == "INVALID_PARAMETER"
    assert error["details"]["parameter"] == param
    assert repr(param) in error["message"]


@pytest.mark.parametrize("value", ["😀🛒", "مرحبا", "\u202e", "a" * 10_000])
def test_odd_unicode_in_free_text_filters_is_harmless(value: str) -> None:
    assert get(customer_id=value, session_id=value)["total_count"] == 0


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "MISSING_AUTH_HEADER"),
        ({"Authorization": ""}, "MISSING_AUTH_HEADER"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "INVALID_API_KEY"),
        ({"Authorization": "Bearer"}, "INVALID_API_KEY"),
        ({"Authorization": "sk_test_123"}, "INVALID_API_KEY"),
    ],
)
def test_missing_or_malformed_credentials_get_401(headers: dict[str, str], code: str) -> None:
    response = CLIENT.get("/v1/carts", headers=headers)
    assert response.status_code == 401
    assert_conforms(VENDOR, response)
    assert response.json()["error"]["code"] == code


def test_configured_token_is_the_only_one_accepted(make_client: Any) -> None:
    client = make_client(VENDOR, at_root=True, token="sk_test_right")
    assert (
        client.get("/v1/carts", headers={"Authorization": "Bearer sk_test_right"}).status_code
        == 200
    )
    wrong = client.get("/v1/carts", headers={"Authorization": "Bearer sk_test_wrong"})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "INVALID_API_KEY"
    assert "sk_test_wrong" not in wrong.text  # never echo a credential


def test_rate_limit_headers_on_every_answer() -> None:
    response = CLIENT.get("/v1/carts", headers=AUTH[VENDOR])
    assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} <= set(
        response.headers
    )
    throttled = CLIENT.get("/v1/carts", headers={**AUTH[VENDOR], "X-Cartkit-Force-Status": "429"})
    assert throttled.status_code == 429
    assert_conforms(VENDOR, throttled)
    assert throttled.headers["x-ratelimit-retry-after"] == "60"


@pytest.mark.parametrize(
    "value", ["2025-12-17t21:07:29z", "2025-12-31T23:59:60Z", "2025-12-17T21:07:29.123456789+02:00"]
)
def test_every_date_time_the_spec_accepts_is_served(value: str) -> None:
    body = get(created_after=value)
    assert all(instant(c["created_at"]) > instant("2025-12-17T19:07:29Z") for c in body["data"])
