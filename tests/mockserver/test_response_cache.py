"""Remembered answers: the same bytes as answering afresh, bounded memory, faults still drawn."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.responses import Response
from starlette.testclient import TestClient

from mockserver import create_app
from mockserver.response_cache import ResponseCache

from .conftest import AUTH

# Per vendor: a few requests whose answers differ (pages, filters, projections, refusals).
TARGETS: dict[str, tuple[str, ...]] = {
    "stateset": (
        "/stateset/v1/carts?status=abandoned&has_email=true&limit=2",
        "/stateset/v1/carts?sort_by=total&sort_order=desc&limit=3",
        "/stateset/v1/carts?limit=500",
    ),
    "shopimind": (
        "/shopimind/v1/carts?limit=2",
        "/shopimind/v1/carts?limit=2&offset=2",
        "/shopimind/v1/carts?fields=id,amount&limit=3",
    ),
    "nextcommerce": (
        "/nextcommerce/api/admin/carts/",
        "/nextcommerce/api/admin/carts/?abandoned=true&currency=USD",
        "/nextcommerce/api/admin/carts/?cursor=garbage",
    ),
    "elasticpath": (
        "/elasticpath/v2/carts?page[limit]=2&page[offset]=4",
        '/elasticpath/v2/carts?filter=ilike(name,"*cart*")',
        "/elasticpath/v2/carts?page[limit]=0",
    ),
    "epages": (
        "/epages/rs/shops/DemoShop/carts?resultsPerPage=2&locale=en_US",
        "/epages/rs/shops/DemoShop/carts?resultsPerPage=2",
        "/epages/rs/shops/NoSuchShop/carts",
    ),
}

# Headers that change answers: the host (absolute links), credentials, language and media type.
HEADERS: tuple[dict[str, str], ...] = (
    {},
    {"host": "mock.test:8080"},
    {"accept-language": "en-US"},
    {"accept": "application/vnd.epages.v1+json"},
)

request_strategy = st.sampled_from(sorted(TARGETS)).flatmap(
    lambda vendor: st.tuples(
        st.just(vendor),
        st.sampled_from(TARGETS[vendor]),
        st.sampled_from(HEADERS),
        st.booleans(),  # with the vendor's credentials?
    )
)


def answers_of(
    app_client: TestClient, requests: list[tuple[str, str, dict[str, str], bool]]
) -> list:
    out = []
    for vendor, target, headers, signed in requests:
        sent = {**(AUTH[vendor] if signed else {}), **headers}
        response = app_client.get(target, headers=sent)
        out.append((response.status_code, sorted(response.headers.items()), response.content))
    return out


_remembering = TestClient(create_app(carts=120))
_afresh = TestClient(create_app(carts=120, cache_mb=0))


@given(st.lists(request_strategy, min_size=1, max_size=12))
def test_remembered_answers_are_the_answers_given_afresh(requests: list[Any]) -> None:
    # Replaying each request twice exercises hits; the pool is small, so repeats occur across
    # examples too, with a different host or credentials than the remembered one.
    requests = [r for request in requests for r in (request, request)]
    assert answers_of(_remembering, requests) == answers_of(_afresh, requests)


def test_a_repeated_request_is_answered_from_memory() -> None:
    client = TestClient(create_app(vendors=("stateset",), carts=50))
    vendor = client.app.state.vendors["stateset"]  # type: ignore[attr-defined]
    target = "/stateset/v1/carts?limit=2"
    first = client.get(target, headers=AUTH["stateset"])
    assert len(vendor.answers) == 1
    vendor.dataset = None  # the pipeline could no longer answer; the memory still can
    second = client.get(target, headers=AUTH["stateset"])
    assert (second.status_code, second.content) == (first.status_code, first.content)


def test_cache_mb_zero_answers_every_request_afresh() -> None:
    client = TestClient(create_app(vendors=("stateset",), carts=50, cache_mb=0))
    client.get("/stateset/v1/carts", headers=AUTH["stateset"])
    assert len(client.app.state.vendors["stateset"].answers) == 0  # type: ignore[attr-defined]


def test_faults_are_drawn_for_remembered_requests_too() -> None:
    # The same request, over and over: with a 50 % error rate both outcomes occur, in the same
    # order as on a mock that remembers nothing.
    def statuses(cache_mb: float) -> list[int]:
        client = TestClient(
            create_app(vendors=("stateset",), carts=10, error_rate=0.5, cache_mb=cache_mb)
        )
        return [
            client.get("/stateset/v1/carts", headers=AUTH["stateset"]).status_code
            for _ in range(30)
        ]

    remembered = statuses(32)
    assert remembered == statuses(0)
    assert 200 in remembered and any(status >= 429 for status in remembered)


def test_a_forced_status_wins_over_a_remembered_answer() -> None:
    client = TestClient(create_app(vendors=("stateset",), carts=10))
    assert client.get("/stateset/v1/carts", headers=AUTH["stateset"]).status_code == 200
    forced = {**AUTH["stateset"], "X-Cartkit-Force-Status": "503"}
    assert client.get("/stateset/v1/carts", headers=forced).status_code == 503


def test_lru_evicts_the_least_recently_used_within_the_budget() -> None:
    cache = ResponseCache(budget=30)
    for key in "abc":
        cache.put(key, Response(b"x" * 10))
    assert cache.get("a") is not None  # "b" is now the least recently used
    cache.put("d", Response(b"x" * 10))
    assert [key for key in "abcd" if cache.get(key) is not None] == ["a", "c", "d"]
    assert cache.size == 30


def test_server_errors_and_oversized_answers_are_not_kept() -> None:
    cache = ResponseCache(budget=10)
    cache.put("error", Response(b"oops", status_code=500))
    cache.put("big", Response(b"x" * 11))
    cache.put("refusal", Response(b"bad", status_code=400))
    assert (cache.get("error"), cache.get("big")) == (None, None)
    assert cache.get("refusal") is not None and cache.size == 3


def test_memory_stays_within_the_budget() -> None:
    client = TestClient(create_app(vendors=("stateset",), carts=200, cache_mb=0.01))
    answers = client.app.state.vendors["stateset"].answers  # type: ignore[attr-defined]
    for offset in range(60):
        client.get(f"/stateset/v1/carts?limit=5&offset={offset}", headers=AUTH["stateset"])
        assert answers.size <= answers.budget == int(0.01 * 2**20)
    assert 0 < len(answers) < 60


def test_negative_budgets_are_refused() -> None:
    with pytest.raises(ValueError, match="budget"):
        ResponseCache(budget=-1)
    with pytest.raises(ValueError, match="cache_mb"):
        create_app(cache_mb=-1)
