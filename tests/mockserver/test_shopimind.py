"""ShopiMind mock (``GET /v1/carts``): every documented parameter's semantics on the data.

Expectations are recomputed here from the canonical dataset with this file's own reading of the
spec (``specs/shopimind.yaml``), never with the vendor module's predicates.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from cartkit import specs
from cartkit.mockserver import create_app
from cartkit.mockserver.vendors import shopimind

from ._shopimind import (
    ALL_FIELDS,
    BASE,
    HEADERS,
    JOINS,
    PATH,
    VENDOR,
    client,
    get,
    ids,
    ok,
    rows,
    walk,
)
from .conftest import client_for, vendor_of


def refused(params: Any, status: int = 400, param: str | None = None) -> dict[str, Any]:
    response = get(params)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["statusCode"] == status
    assert body["error"] == {400: "Bad Request", 401: "Unauthorized"}[status]
    if param is not None:
        assert f"'{param}'" in "".join(body["message"])
    return body


# -- rendering, defaults, envelope --------------------------------------------------------------


def test_default_page_is_ten_newest_carts_with_the_base_fields():
    body = ok()
    assert body["statusCode"] == 200
    assert [list(c) for c in body["data"]] == [BASE] * 10
    assert body["data"] == [{k: r[k] for k in BASE} for r in rows()[:10]]
    assert body["meta"]["generated_at"] == "2026-01-15T12:00:00.000Z"  # the anchor, not the clock
    assert body["meta"]["pagination"] == {
        "total_items": 300, "items_per_page": 10, "total_pages": 30, "current_page": 1,
        "offset": 0, "has_previous_page": False, "has_next_page": True, "next_page": 2,
        "previous_page": None,
    }  # fmt: skip


def test_every_cart_renders_as_the_spec_reads_it():
    assert walk({"fields": ",".join(ALL_FIELDS)}) == rows()


def test_carts_are_french_gross_priced_and_consistent():
    dataset = vendor_of(client(), VENDOR).dataset
    assert {c.currency for c in dataset.carts} == {"EUR"}
    for row in rows():
        assert re.fullmatch(r"\d+", row["id"])
        # prices are TTC with 20 % TVA: net = gross / 1.2, to the cent
        assert abs(row["amount_without_tax"] - round(row["amount"] / 1.2, 2)) <= 0.011
        for money in (row["amount"], row["amount_without_tax"]):
            assert round(money, 2) == money and money > 0
        assert row["created_at"] <= row["updated_at"]
        if row["customer_id"] is None:  # guest carts: the joins are null
            assert row["customer_email"] is row["customer_first_name"] is None
    assert len({r["id"] for r in rows()}) == len(rows())
    statuses = {r["status"] for r in rows()}
    assert statuses == {"in_progress", "abandoned", "converted"}


def test_expired_carts_are_reported_abandoned():
    carts = vendor_of(client(), VENDOR).dataset.carts
    assert any(c.status == "expired" for c in carts)
    flt = {"field": "status", "operator": "EQUALS", "values": "abandoned"}
    body = ok({"filters": json.dumps(flt), "limit": 0})
    expected = sum(c.status in {"abandoned", "expired"} for c in carts)
    assert body["meta"]["pagination"]["total_items"] == expected


# -- limit / offset -----------------------------------------------------------------------------


@given(limit=st.integers(1, 100), offset=st.integers(0, 320))
def test_a_page_is_the_window_of_the_default_order(limit, offset):
    body = ok({"limit": limit, "offset": offset})
    assert ids(body["data"]) == ids(rows()[offset : offset + limit])


@given(limit=st.sampled_from([1, 7, 33, 100, 101, 250]))
def test_walking_all_pages_returns_each_cart_once(limit):
    carts = walk({}, limit=min(limit, 100))
    assert ids(carts) == ids(rows())


@pytest.mark.parametrize("limit", [101, 500, 10**18, "9" * 40])
def test_limit_above_100_is_clamped(limit):
    body = ok({"limit": limit})
    assert len(body["data"]) == 100
    assert body["meta"]["pagination"]["items_per_page"] == 100


def test_limit_zero_returns_an_empty_page_with_the_total():
    page = ok({"limit": 0, "offset": 5})["meta"]["pagination"]
    assert ok({"limit": 0})["data"] == []
    assert page["total_items"] == 300
    assert (page["total_pages"], page["current_page"], page["next_page"]) == (0, 1, None)


@pytest.mark.parametrize("offset", [300, 1000, 2**62 + 5, 10**25, 10**45 + 7])
def test_offset_past_the_end_is_an_empty_page(offset):
    body = ok({"offset": offset})
    assert body["data"] == []
    assert body["meta"]["pagination"]["offset"] == offset
    assert body["meta"]["pagination"]["has_next_page"] is False


def test_long_digit_strings_are_read_as_integers():
    assert len(ok({"limit": "0" * 35 + "5"})["data"]) == 5
    assert ok({"offset": "+" + "0" * 40 + "12"})["meta"]["pagination"]["offset"] == 12


def test_an_unaligned_offset_numbers_pages_from_the_offset():
    page = ok({"limit": 10, "offset": 25})["meta"]["pagination"]
    assert (page["current_page"], page["previous_page"], page["next_page"]) == (3, 2, 4)
    page = ok({"limit": 10, "offset": 5})["meta"]["pagination"]
    assert (page["current_page"], page["has_previous_page"], page["previous_page"]) == (
        1,
        True,
        None,
    )


# -- order --------------------------------------------------------------------------------------

SORT_VALUE = {"id": int, "customer_id": lambda v: None if v is None else int(v)}


def sort_key(row: dict[str, Any], field: str) -> Any:
    return SORT_VALUE.get(field, lambda v: v)(row[field])


def in_order(a: dict[str, Any], b: dict[str, Any], order: list[dict[str, str]]) -> bool:
    """``a`` may come before ``b``: nulls are the largest values; ties fall to the id."""
    for item in order:
        x, y = sort_key(a, item["field"]), sort_key(b, item["field"])
        if x == y:
            continue
        larger = x is None or (y is not None and x > y)
        return larger if item["type"] == "desc" else not larger
    first_desc = order[0]["type"] == "desc"
    return int(a["id"]) > int(b["id"]) if first_desc else int(a["id"]) < int(b["id"])


order_items = st.fixed_dictionaries(
    {"field": st.sampled_from(BASE), "type": st.sampled_from(["asc", "desc"])}
)


@given(order=st.lists(order_items, min_size=1, max_size=3), limit=st.sampled_from([37, 100]))
def test_sort_order_holds_across_pages(order, limit):
    carts = walk({"order": json.dumps(order), "fields": ",".join(ALL_FIELDS)}, limit=limit)
    assert sorted(ids(carts)) == sorted(ids(rows()))
    for a, b in itertools.pairwise(carts):
        assert in_order(a, b, order), (a, b)


ORDER_NOTATIONS = [
    pytest.param({"order": '{"field":"amount","type":"asc"}'}, id="json-object"),
    pytest.param({"order": '[{"field":"amount","type":"asc"}]'}, id="json-array"),
    pytest.param([("order[0][field]", "amount"), ("order[0][type]", "asc")], id="axios-brackets"),
    pytest.param([("order[field]", "amount"), ("order[type]", "asc")], id="object-brackets"),
]


@pytest.mark.parametrize("params", ORDER_NOTATIONS)
def test_order_notations_agree(params):
    body = ok(params)
    expected = sorted(rows(), key=lambda r: (r["amount"], int(r["id"])))
    assert ids(body["data"]) == ids(expected[:10])


def test_default_order_is_created_at_desc_then_id_desc():
    explicit = ok({"order": '{"field":"created_at","type":"desc"}', "limit": 100})
    assert explicit == ok({"limit": 100})


# -- fields -------------------------------------------------------------------------------------


@given(fields=st.lists(st.sampled_from(ALL_FIELDS), min_size=1, max_size=14))
def test_fields_project_exactly_the_requested_fields(fields):
    body = ok({"fields": ",".join(fields), "limit": 25, "offset": 100})
    wanted = list(dict.fromkeys(fields))
    assert body["data"] == [{k: r[k] for k in wanted} for r in rows()[100:125]]


FIELDS_NOTATIONS = [
    pytest.param({"fields": "id,customer_email"}, id="comma"),
    pytest.param([("fields", "id"), ("fields", "customer_email")], id="repeated"),
    pytest.param([("fields[]", "id"), ("fields[]", "customer_email")], id="axios-brackets"),
    pytest.param([("fields[0]", "id"), ("fields[1]", "customer_email")], id="indexed"),
    pytest.param({"fields": '["id","customer_email"]'}, id="json-array"),
]


@pytest.mark.parametrize("params", FIELDS_NOTATIONS)
def test_fields_notations_agree(params):
    body = ok(params)
    assert body["data"] == [
        {"id": r["id"], "customer_email": r["customer_email"]} for r in rows()[:10]
    ]


def test_customer_joins_appear_only_when_requested():
    assert not any(set(JOINS) & set(cart) for cart in ok({"limit": 100})["data"])
    joined = ok({"fields": "customer_id,customer_last_name", "limit": 100})["data"]
    assert any(c["customer_id"] is None and c["customer_last_name"] is None for c in joined)
    assert any(c["customer_last_name"] is not None for c in joined)


# -- bad input ----------------------------------------------------------------------------------

BAD = [
    ({"limit": -1}, "limit"),
    ({"limit": "1.5"}, "limit"),
    ({"limit": "ten"}, "limit"),
    ([("limit", "1"), ("limit", "2")], "limit"),
    ({"offset": -3}, "offset"),
    ({"offset": "😀"}, "offset"),
    ({"order": "created_at"}, "order"),
    ({"order": "{"}, "order"),
    ({"order": '{"field":"name","type":"desc"}'}, "order"),
    ({"order": '{"field":"created_at","type":"DESC"}'}, "order"),
    ({"order": '{"field":"created_at"}'}, "order"),
    ({"order": '{"field":"customer_email","type":"asc"}'}, "order"),
    ({"order": "[]"}, "order"),
    ([("order[0][field]", "created_at"), ("order[0][type]", "sideways")], "order"),
    ([("order[0][field]", "created_at"), ("order[0]", "x")], "order"),
    ([("order[0", "created_at")], "order"),
    ({"fields": "name"}, "fields"),
    ({"fields": ""}, "fields"),
    ({"fields": "id,,status"}, "fields"),
    ({"fields": "id,\u0000"}, "fields"),
    ({"fields": "עגלה"}, "fields"),
    ({"fields": "id," + "x" * 10000}, "fields"),
    ([("fields[0][x]", "id")], "fields"),
    ({"filters": "status=active"}, "filters"),
    ({"filters": '{"field":"status","operator":"SIMILAR","values":"x"}'}, "filters"),
    ({"filters": '{"field":"status","operator":"equals","values":"x"}'}, "filters"),
    ({"filters": '{"field":"nope","operator":"EQUALS","values":"x"}'}, "filters"),
    ({"filters": '{"field":"status","operator":"EQUALS"}'}, "filters"),
    ({"filters": '{"field":"status","operator":"EQUALS","values":[]}'}, "filters"),
    ({"filters": '{"field":"status","operator":"EQUALS","values":null}'}, "filters"),
    ({"filters": '{"field":"amount","operator":"BETWEEN","values":[1]}'}, "filters"),
    ({"filters": '{"field":"amount","operator":"EQUALS","values":"12"}'}, "filters"),
    ({"filters": '{"field":"amount","operator":"EQUALS","values":NaN}'}, "filters"),
    ({"filters": '{"field":"amount","operator":"EQUALS","values":1e400}'}, "filters"),
    ({"filters": '{"field":"created_at","operator":"LESS_THAN","values":"yesterday"}'}, "filters"),
    ({"filters": '{"field":"created_at","operator":"EQUALS","values":"2025-02-30T00:00:00Z"}'},
     "filters"),
    ({"filters": '{"field":"status","operator":"EQUALS","values":"x","extra":1}'}, "filters"),
    ({"filters": "[" * 5000}, "filters"),
    ({"filters": "😀"}, "filters"),
    ([("filters[0][field]", "amount"), ("filters[0][operator]", "LESS_THAN"),
      ("filters[0][values]", "cheap")], "filters"),
    ([("filters[0][field]", "status"), ("filters[0][operator]", "EQUALS")], "filters"),
    ([("filters[0][field]", "status"), ("filters[0][field][x]", "status")], "filters"),
    ([("filters[0]", "{not json")], "filters"),
    ([("filters[0][field][a]", "amount"), ("filters[0][operator]", "EQUALS"),
      ("filters[0][values]", "1")], "filters"),
    ([("filters[0][field][]", "amount"), ("filters[0][operator]", "IN"),
      ("filters[0][values][0][x]", "1")], "filters"),
    ([("filters", "{}"), ("filters", "{")], "filters"),
]  # fmt: skip


@pytest.mark.parametrize(("params", "param"), BAD, ids=[f"{p}-{i}" for i, (_, p) in enumerate(BAD)])
def test_bad_input_gets_a_nestjs_400_naming_the_parameter(params, param):
    body = refused(params, 400, param)
    assert isinstance(body["message"], list) and len(body["message"][0]) < 1000


# -- auth, faults -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing"),
        pytest.param({"spm-api-key": ""}, id="empty"),
        pytest.param({"spm-api-key": "short-key"}, id="too-short"),
        pytest.param({"spm-api-key": "x" * 65}, id="too-long"),
        pytest.param({"spm-api-key": "cartkit_test_key_0123456789"}, id="underscore"),
        pytest.param({"Authorization": "Bearer cartkit-test-key-0123456789"}, id="bearer"),
    ],
)
def test_missing_or_malformed_key_gets_401(headers):
    response = get({"limit": "-1"}, headers=headers)  # auth is checked before parameters
    assert response.status_code == 401
    assert response.json()["error"] == "Unauthorized"
    assert response.json()["statusCode"] == 401


def test_configured_api_key_is_the_only_one_accepted(make_client):
    key = "A1b2C3d4E5f6G7h8I9j0-key"
    c = make_client(VENDOR, at_root=True, api_key=key, token="ignored-bearer-token")
    assert get(headers={"spm-api-key": key}, c=c).status_code == 200
    for other in (HEADERS["spm-api-key"], "ignored-bearer-token"):
        response = get(headers={"spm-api-key": other}, c=c)
        assert response.status_code == 401
        assert response.json()["message"] == "Invalid credentials"


@pytest.mark.parametrize("status", [429, 500, 503])
def test_forced_faults_use_the_nestjs_body(status):
    response = get(headers={**HEADERS, "X-Cartkit-Force-Status": str(status)})
    assert response.status_code == status
    assert set(response.json()) == {"statusCode", "message"}
    if status == 429:
        assert int(response.headers["Retry-After"]) >= 0


def test_mounted_under_the_vendor_prefix(make_client):
    c = make_client(VENDOR, carts=20)
    response = c.get("/shopimind/v1/carts", headers=HEADERS)
    assert (
        response.status_code == 200 and response.json()["meta"]["pagination"]["total_items"] == 20
    )


# -- determinism and the spec -------------------------------------------------------------------


def test_same_seed_same_bytes_different_seed_different_bytes():
    query = {
        "fields": ",".join(ALL_FIELDS),
        "limit": 100,
        "order": '{"field":"amount","type":"asc"}',
    }

    def body(seed: int) -> bytes:
        c = TestClient(create_app(vendors=(VENDOR,), at_root=True, carts=150, seed=seed))
        return c.get(PATH, params=query, headers=HEADERS).content

    assert body(7) == body(7)
    assert body(7) != body(8)


@given(
    seed=st.sampled_from([1, 2]),
    fields=st.none() | st.lists(st.sampled_from(ALL_FIELDS), min_size=1),
    order=st.lists(order_items, min_size=1, max_size=2),
    limit=st.integers(0, 150),
)
def test_responses_conform_for_any_seed(seed, fields, order, limit):
    params: dict[str, Any] = {"order": json.dumps(order), "limit": limit}
    if fields:
        params["fields"] = ",".join(fields)
    response = get(params, c=client_for(VENDOR, carts=120, seed=seed))
    assert response.status_code == 200


def test_vendor_field_tables_follow_the_spec():
    schemas = specs.load(VENDOR)["components"]["schemas"]
    kinds = {"string": "TextFilterField", "number": "NumberFilterField",
             "datetime": "DateTimeFilterField"}  # fmt: skip
    for kind, schema in kinds.items():
        names = [n for n, f in shopimind.FILTERS.items() if f.kind == kind]
        assert names == schemas[schema]["enum"]
    assert sorted(shopimind.SORTS) == sorted(schemas["SortableField"]["enum"])
    assert set(shopimind.STATUS) == {"active", "abandoned", "converted", "expired"}


def test_remembered_filters_tell_apart_what_javascript_prints_apart(make_client):
    # A filter's mask is remembered by what it compares: 1 and "1" both print "1", true prints
    # "true", though True == 1 in Python.
    client = make_client(VENDOR, at_root=True, cache_mb=0)

    def total(values: Any) -> int:
        flt = {"field": "id", "operator": "STARTS_WITH", "values": values}
        response = get({"filters": json.dumps(flt)}, c=client)
        assert response.status_code == 200, response.text
        count: int = response.json()["meta"]["pagination"]["total_items"]
        return count

    assert [total(v) for v in (True, 1, "1", [True], 1.0, True)] == [0, 200, 200, 0, 200, 0]
