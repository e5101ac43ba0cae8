"""Remembered answers: the same bytes as answering afresh, bounded memory, faults still drawn."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.responses import Response
from starlette.testclient import TestClient

from cartkit.mockserver import create_app
from cartkit.mockserver.response_cache import ResponseCache

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


def _key(name: str, headers: tuple[tuple[bytes, bytes], ...] = ()) -> tuple[object, ...]:
    return ("GET", "/carts", name.encode(), "http", "", None, None, headers)


def test_lru_evicts_the_least_recently_used_within_the_budget() -> None:
    one = ResponseCache(budget=10**6)
    one.put(_key("a"), Response(b"x" * 10))
    cache = ResponseCache(budget=3 * one.size)  # room for three such entries
    for name in "abc":
        cache.put(_key(name), Response(b"x" * 10))
    assert cache.get(_key("a")) is not None  # "b" is now the least recently used
    cache.put(_key("d"), Response(b"x" * 10))
    assert [name for name in "abcd" if cache.get(_key(name)) is not None] == ["a", "c", "d"]
    assert cache.size == 3 * one.size


def test_only_successes_within_the_budget_are_kept() -> None:
    cache = ResponseCache(budget=1000)
    cache.put(_key("error"), Response(b"oops", status_code=500))
    cache.put(_key("refusal"), Response(b"bad", status_code=400))
    cache.put(_key("big"), Response(b"x" * 1000))
    cache.put(_key("ok"), Response(b"fine"))
    kept = [name for name in ("error", "refusal", "big", "ok") if cache.get(_key(name))]
    assert kept == ["ok"]


def test_kept_answers_leave_the_collectors_sight() -> None:
    # A full collection walks every tracked object while the worker waits: kept answers and
    # their keys must not be among them once they have survived one.
    import gc

    cache = ResponseCache(budget=10**6)
    headers = ((b"authorization", b"Bearer t"), (b"accept", b"application/json"))
    for name in "abc":
        cache.put(_key(name, headers), Response(b"{}", headers={"X-Total": "3"}))
    for _ in range(3):  # a collection untracks a tuple whose items are all untracked: the
        gc.collect()  # pairs of bytes first, then the headers, then the answer
    assert [n for n in "abc" if gc.is_tracked(cache._answers[_key(n, headers)])] == []
    assert [k for k in cache._answers if gc.is_tracked(k)] == []
    again = cache.get(_key("b", headers))
    assert again is not None
    assert (again.status_code, again.body, again.headers["x-total"]) == (200, b"{}", "3")


def test_keys_and_headers_count_against_the_budget() -> None:
    plain, long = ResponseCache(budget=10**6), ResponseCache(budget=10**6)
    plain.put(_key("q"), Response(b"body"))
    headers = tuple((b"x-header-%d" % n, b"v" * 100) for n in range(10))
    long.put(_key("q" * 5000, headers), Response(b"body"))
    assert long.size - plain.size >= 5000 + 10 * 100


def test_distinct_long_queries_stay_within_the_budget_in_real_memory() -> None:
    import gc
    import tracemalloc

    # No journal (it holds its own bounded share), every cart rendered once beforehand (the
    # rendered carts belong to the dataset): what grows is the answer memory alone.
    client = TestClient(create_app(vendors=("stateset",), carts=50, cache_mb=0.25, journal_size=0))
    answers = client.app.state.vendors["stateset"].answers  # type: ignore[attr-defined]
    client.get("/stateset/v1/carts?limit=100", headers=AUTH["stateset"])
    padding = "&".join(f"utm_{n}=" + "x" * 100 for n in range(20))  # ignored, but in the key
    for offset in range(1000, 1100):  # whatever the first requests of a process build, once
        client.get(
            f"/stateset/v1/carts?limit=1&offset={offset}&{padding}", headers=AUTH["stateset"]
        )
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for offset in range(400):
            target = f"/stateset/v1/carts?limit=1&offset={offset}&{padding}"
            assert client.get(target, headers=AUTH["stateset"]).status_code == 200
        gc.collect()  # the requests' own garbage (reference cycles) is not held
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert answers.size <= answers.budget and len(answers) < 400
    # What the process holds is what the memory counted, within a third (the rest: the test
    # client's last request, the filter caches).
    assert held < answers.budget * 4 / 3, held


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
