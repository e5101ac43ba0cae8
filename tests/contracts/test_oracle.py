"""``contracts.oracle``: what the :class:`Oracle` base does for every vendor (page sizes from the
spec, following pages, malformed credentials, the defaults of "nothing documented"), the
instant parsers the vendors' filters use, ``sample_of``, and the records oracles answer in.

The vendors' own oracles are tested in ``test_oracles.py``; here a minimal subclass on
StateSet's and ShopiMind's contracts shows what the base class decides by itself."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cartkit.contracts.oracle import (
    Oracle,
    Order,
    Page,
    Paging,
    optional_instant,
    parse_instant,
    sample_of,
)
from cartkit.contracts.spec import Contract


class Offsets(Oracle):
    """Offset/limit paging under *size_param* (StateSet's ``limit``: default 10, 1..100)."""

    vendor: ClassVar[str] = "stateset"
    paging: ClassVar[Paging] = "offset"
    size_param: ClassVar[str | None] = "limit"

    def page_params(self, size: int | None, index: int) -> dict[str, Any]:
        step = size or 10
        return {"limit": step, "offset": step * index}

    def parse(self, body: Any, size: int | None, index: int) -> Page:
        return Page(carts=body["data"])


class Fixed(Offsets):
    """A vendor with no page-size parameter (a fixed page)."""

    size_param: ClassVar[str | None] = None


class Capped(Offsets):
    """A vendor whose checks ask for at most 25 carts a page."""

    max_size_cap: ClassVar[int] = 25


@pytest.fixture(scope="module")
def stateset() -> Contract:
    return Contract("stateset")


def carts(count: int) -> list[dict[str, Any]]:
    return [{"id": f"c{i}"} for i in range(count)]


# -- the base class -------------------------------------------------------------------------


def test_the_base_class_is_abstract(stateset: Contract) -> None:
    with pytest.raises(TypeError):
        Oracle(stateset)  # type: ignore[abstract]


def test_default_size_and_bounds_come_from_the_spec(stateset: Contract) -> None:
    oracle = Offsets(stateset)
    assert stateset.default("limit") == 10 and stateset.bounds("limit") == (1, 100)
    assert oracle.default_size == 10
    assert oracle.size_bounds() == (1, 100)


def test_size_bounds_are_capped_by_the_oracle(stateset: Contract) -> None:
    assert Capped(stateset).size_bounds() == (1, 25)


def test_size_bounds_of_an_unbounded_parameter_are_one_to_the_cap() -> None:
    # ShopiMind documents limit >= 0 with no maximum: the checks ask for 1..max_size_cap.
    shopimind = Contract("shopimind")
    assert shopimind.bounds("limit") == (0, None)
    oracle = Offsets(shopimind)
    assert oracle.size_bounds() == (1, Offsets.max_size_cap) == (1, 100)


def test_a_vendor_without_a_size_parameter_has_no_default_and_no_bounds(
    stateset: Contract,
) -> None:
    oracle = Fixed(stateset)
    assert oracle.default_size is None
    assert oracle.size_bounds() == (0, 0)


def test_follow_takes_the_next_link_first(stateset: Contract) -> None:
    oracle = Offsets(stateset)
    page = Page(carts=[], more=False, next_url="http://h/v1/carts?cursor=abc")
    assert oracle.follow(page, 5, 0) == "http://h/v1/carts?cursor=abc"


def test_follow_stops_when_the_server_says_there_is_no_more(stateset: Contract) -> None:
    assert Offsets(stateset).follow(Page(carts=carts(5), more=False), 5, 0) is None


def test_follow_asks_for_the_next_page_when_the_server_says_there_is_more(
    stateset: Contract,
) -> None:
    oracle = Offsets(stateset)
    assert oracle.follow(Page(carts=carts(5), more=True), 5, 2) == {"limit": 5, "offset": 15}
    # The flag wins over a short page.
    assert oracle.follow(Page(carts=carts(2), more=True), 5, 0) == {"limit": 5, "offset": 5}


def test_follow_without_a_flag_stops_at_a_short_or_empty_page(stateset: Contract) -> None:
    oracle = Offsets(stateset)
    assert oracle.follow(Page(carts=carts(4)), 5, 0) is None
    assert oracle.follow(Page(carts=[]), 5, 0) is None
    assert oracle.follow(Page(carts=carts(5)), 5, 0) == {"limit": 5, "offset": 5}
    # No size requested: the documented default (10) is the full page.
    assert oracle.follow(Page(carts=carts(9)), None, 0) is None
    assert oracle.follow(Page(carts=carts(10)), None, 1) == {"limit": 10, "offset": 20}


def test_follow_without_flag_nor_page_size_stops_only_at_an_empty_page(
    stateset: Contract,
) -> None:
    oracle = Fixed(stateset)
    assert oracle.follow(Page(carts=carts(3)), None, 0) == {"limit": 10, "offset": 10}
    assert oracle.follow(Page(carts=[]), None, 0) is None


def test_cart_id_is_the_id_field() -> None:
    assert Oracle.cart_id({"id": "c7", "uuid": "other"}) == "c7"
    with pytest.raises(KeyError):
        Oracle.cart_id({"uuid": "other"})


def test_combine_joins_every_part_later_ones_winning(stateset: Contract) -> None:
    oracle = Offsets(stateset)
    assert oracle.combine([]) == {}
    assert oracle.combine([{"status": "active"}, {"min_total": 5}, {"status": "expired"}]) == {
        "status": "expired",
        "min_total": 5,
    }


def test_nothing_documented_by_default(stateset: Contract) -> None:
    oracle = Offsets(stateset)
    assert (oracle.filters(), oracle.orders(), oracle.includes(), oracle.shoppers()) == (
        [],
        [],
        [],
        [],
    )
    assert oracle.projection() is None and oracle.projectable() == ([], [])
    assert oracle.summary_problems({"summary": {}}, carts(2)) is None
    assert oracle.rendition() is None
    assert oracle.auth_problems({}, missing=True) == []
    assert oracle.error_problems({"error": "x"}, 400) == []


def test_malformed_bearer_credentials_keep_every_other_header(stateset: Contract) -> None:
    good = {"Authorization": "Bearer t0ken", "Accept": "application/json"}
    sets = Offsets(stateset).malformed_credentials(good)
    assert sets == [
        {"Authorization": "Basic Y2FydGtpdDpjYXJ0a2l0", "Accept": "application/json"},
        {"Authorization": "Bearer", "Accept": "application/json"},
    ]
    assert good["Authorization"] == "Bearer t0ken"  # the good headers are left alone


def test_a_malformed_api_key_is_sent_in_the_vendors_header() -> None:
    oracle = Offsets(Contract("shopimind"))
    good = {"spm-api-key": "cartkit-test-key-0123456789", "Accept": "application/json"}
    assert oracle.malformed_credentials(good) == [
        {"spm-api-key": "not a valid key!", "Accept": "application/json"}
    ]


# -- instants -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2026-01-02T03:04:05Z", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2026-01-02T03:04:05+00:00", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
        # An offset names the same instant as its UTC time.
        ("2026-01-02T05:04:05+02:00", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2026-01-01T22:04:05-05:00", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2026-01-02T03:04:05.250Z", datetime(2026, 1, 2, 3, 4, 5, 250000, tzinfo=UTC)),
        # Naive: UTC.
        ("2026-01-02T03:04:05", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2026-01-02", datetime(2026, 1, 2, tzinfo=UTC)),
    ],
)
def test_parse_instant(text: str, instant: datetime) -> None:
    parsed = parse_instant(text)
    assert parsed.tzinfo is not None
    assert parsed == instant


def test_parse_instant_keeps_the_offset_it_was_given() -> None:
    parsed = parse_instant("2026-01-02T05:04:05+02:00")
    assert parsed.utcoffset() == timedelta(hours=2)
    assert parse_instant("2026-01-02T03:04:05").utcoffset() == timedelta(0)


@pytest.mark.parametrize("value", [None, 1767323045, 1767323045.5, ["2026-01-02"], b"2026-01-02"])
def test_parse_instant_refuses_what_is_not_a_string(value: Any) -> None:
    with pytest.raises(TypeError):
        parse_instant(value)


def test_parse_instant_refuses_a_string_that_is_no_instant() -> None:
    with pytest.raises(ValueError):
        parse_instant("yesterday")


def test_optional_instant_passes_none_through_and_parses_the_rest() -> None:
    assert optional_instant(None) is None
    assert optional_instant("2026-01-02T03:04:05Z") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with pytest.raises(TypeError):
        optional_instant(17)
    with pytest.raises(ValueError):
        optional_instant("")


offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
instants = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1), timezones=offsets
)


@given(instants)
def test_parse_instant_round_trips_isoformat(moment: datetime) -> None:
    parsed = parse_instant(moment.isoformat())
    assert parsed == moment and parsed.utcoffset() == moment.utcoffset()


@given(instants)
def test_parse_instant_reads_z_as_utc(moment: datetime) -> None:
    utc = moment.astimezone(UTC)
    text = utc.replace(tzinfo=None).isoformat() + "Z"
    assert parse_instant(text) == moment
    assert parse_instant(text).utcoffset() == timedelta(0)


@given(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1)))
def test_parse_instant_reads_a_naive_time_as_utc(naive: datetime) -> None:
    assert parse_instant(naive.isoformat()) == naive.replace(tzinfo=UTC)
    assert optional_instant(naive.isoformat()) == naive.replace(tzinfo=UTC)


# -- sample_of ------------------------------------------------------------------------------


def test_sample_of_nothing_is_none() -> None:
    assert sample_of([]) is None
    assert sample_of([None, None]) is None


# ``elements`` is what a ``sampled_from`` strategy samples, in order: the order a derandomized
# run replays.


def test_sample_of_samples_the_distinct_non_null_values_sorted() -> None:
    strategy = sample_of(["b", None, "a", "b", "c", None])
    assert strategy is not None
    assert list(strategy.elements) == ["a", "b", "c"]  # type: ignore[attr-defined]


values = st.lists(st.none() | st.integers(-5, 5) | st.sampled_from(["x", "y", "z"]), max_size=12)


@given(values, st.randoms(use_true_random=False))
def test_sample_of_is_the_same_whatever_the_order(items: list[Any], rng: Any) -> None:
    shuffled = list(items)
    rng.shuffle(shuffled)
    first, second = sample_of(items), sample_of(shuffled)
    if all(v is None for v in items):
        assert first is None and second is None
        return
    assert first is not None and second is not None
    elements = list(first.elements)  # type: ignore[attr-defined]
    assert elements == list(second.elements)  # type: ignore[attr-defined]
    assert sorted(elements, key=repr) == elements
    assert len(set(elements)) == len(elements)
    assert set(elements) == {v for v in items if v is not None}


@given(st.data(), st.lists(st.integers(0, 9) | st.none(), min_size=1, max_size=8))
def test_sample_of_draws_only_returned_values(data: st.DataObject, items: list[Any]) -> None:
    strategy = sample_of(items)
    if strategy is None:
        assert all(v is None for v in items)
        return
    drawn = data.draw(strategy)
    assert drawn is not None and drawn in items


# -- records --------------------------------------------------------------------------------


def test_page_defaults_and_a_fresh_problem_list_each() -> None:
    first, second = Page(carts=[]), Page(carts=[])
    assert (first.total, first.more, first.next_url, first.previous_url) == (None,) * 4
    assert first.problems == [] and first.problems is not second.problems


def test_records_are_frozen() -> None:
    page = Page(carts=[])
    with pytest.raises(dataclasses.FrozenInstanceError):
        page.total = 3  # type: ignore[misc]


def test_an_order_puts_missing_keys_last_and_has_no_tiebreak_unless_told() -> None:
    order = Order("total", {"sort_by": "total"}, key=lambda c: c["total"], descending=True)
    assert order.nulls == "last" and order.tiebreak is None
