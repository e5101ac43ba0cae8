"""``contracts.paging``: a :class:`Session` walking a tiny in-process list server, page by page,
and every pagination rule it asserts on the way (each broken by one knob of :class:`FakeList`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cartkit.contracts.errors import PagingViolation, Violation
from cartkit.contracts.paging import Session, snippet
from tests.contracts.fake_list import FakeList, carts, session


@pytest.fixture
def open_session() -> Iterator[Any]:
    """``open_session(app, **options) -> Session``; every target closed afterwards."""
    opened: list[Session] = []

    def make(app: FakeList, **options: Any) -> Session:
        opened.append(session(app, **options))
        return opened[-1]

    yield make
    for each in opened:
        each.target.close()


def test_a_walk_reads_every_page_as_linked_then_checks_the_page_after(open_session: Any) -> None:
    app = FakeList()
    walk = open_session(app).walk({}, 3)
    assert [c["id"] for c in walk.carts] == [f"c{i:02d}" for i in range(7)]
    assert [len(page.carts) for page, _ in walk.pages] == [3, 3, 1]
    assert (walk.total, walk.truncated, walk.start) == (7, False, 0)
    # Three pages, then the page after the last (an offset vendor must answer it empty).
    assert [q.get("offset") for q in app.seen] == [None, "3", "6", "9"]
    assert walk.last_request.url.params["offset"] == "6"
    assert walk.first_body["total_count"] == 7


def test_a_walk_stops_at_its_page_limit_and_says_so(open_session: Any) -> None:
    walk = open_session(FakeList()).walk({}, 2, max_pages=2)
    assert walk.truncated
    assert [c["id"] for c in walk.carts] == ["c00", "c01", "c02", "c03"]


def test_a_walk_may_start_mid_set(open_session: Any) -> None:
    walk = open_session(FakeList()).walk({}, 3, start=1)
    assert walk.start == 3
    assert [c["id"] for c in walk.carts] == ["c03", "c04", "c05", "c06"]


def test_the_whole_set_is_walked_once_at_the_largest_size(open_session: Any) -> None:
    app = FakeList(carts=carts(5))
    s = open_session(app)
    first = s.universe()
    assert s.universe() is first
    assert len(first.carts) == 5 and app.seen[0]["limit"] == "100"
    assert s.target.requests == 2  # the page, and the (empty) page after it
    assert s.last_request is not None and s.last_request.url.params["offset"] == "100"


@pytest.mark.parametrize(
    ("app", "title"),
    [
        (FakeList(overlap=True), "Cart repeated across pages"),
        (FakeList(extra_total=1), "Pages and total disagree"),
        (FakeList(always_more=True), "Short page before the end"),
    ],
    ids=["repeated cart", "wrong total", "has-more on the last page"],
)
def test_incoherent_pages_are_a_paging_violation(
    open_session: Any, app: FakeList, title: str
) -> None:
    with pytest.raises(PagingViolation) as raised:
        open_session(app).walk({}, 3)
    assert raised.value.title == title
    assert raised.value.request is not None
    assert raised.value.request.url.path == "/v1/carts"


def test_a_page_larger_than_requested_is_a_paging_violation(open_session: Any) -> None:
    with pytest.raises(PagingViolation, match="Page larger than requested") as raised:
        open_session(FakeList(fixed_size=3)).walk({}, 2)
    assert raised.value.received == "3 carts on page 1"


def test_a_failed_or_unreadable_page_is_a_plain_violation(open_session: Any) -> None:
    with pytest.raises(Violation) as failed:
        open_session(FakeList(status=503)).page({}, None, 0)
    assert failed.value.title == "Listing carts failed"
    assert not isinstance(failed.value, PagingViolation)
    assert failed.value.received == "503 <h1>down</h1>"
    with pytest.raises(Violation) as unreadable:
        open_session(FakeList(garbage=True)).page({}, None, 0)
    assert unreadable.value.title == "Unreadable list envelope"
    assert "KeyError: 'data'" in unreadable.value.received


def test_every_request_sends_the_credential_and_is_counted(open_session: Any) -> None:
    s = open_session(FakeList())
    response = s.fetch({"limit": 2, "status": None})
    assert response.request.headers["authorization"] == "Bearer fake-token-0123"
    assert "status" not in response.request.url.params  # None values are not sent
    assert s.target.requests == 1 and s.last_request is response.request


def test_the_shape_of_a_request_names_its_route_and_non_paging_parameters(
    open_session: Any,
) -> None:
    s = open_session(FakeList())
    url = "http://testserver/v1/carts?status=active&limit=3&offset=6&channel=web"
    assert s.shape("get", url) == "GET /v1/carts?channel&status"


def test_a_snippet_is_the_status_and_the_start_of_the_body_on_one_line(
    open_session: Any,
) -> None:
    response = open_session(FakeList(status=500)).fetch()
    assert snippet(response) == "500 <h1>down</h1>"
    assert snippet(response, limit=4) == "500 <h1>..."
