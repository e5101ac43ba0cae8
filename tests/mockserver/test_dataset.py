"""The canonical carts: realistic, internally consistent and deterministic per seed."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cartkit import specs
from cartkit.mockserver.dataset import DEFAULT_NOW, Dataset, generate
from cartkit.mockserver.vendors import vendor_class

MARKETS = {name: vendor_class(name).market for name in specs.VENDORS}


@functools.cache
def dataset(vendor: str, seed: int, count: int = 400) -> Dataset:
    return generate(MARKETS[vendor], seed=seed, count=count)


vendors = st.sampled_from(specs.VENDORS)
seeds = st.integers(0, 2**32)


@given(vendor=vendors, seed=seeds)
def test_money_adds_up(vendor: str, seed: int) -> None:
    market = MARKETS[vendor]
    for cart in dataset(vendor, seed, 150).carts:
        assert cart.lines, "a cart always holds at least one line"
        assert all(line.quantity >= 1 and line.product.price > 0 for line in cart.lines)
        assert sum(line.quantity * line.product.price for line in cart.lines) == cart.subtotal
        assert 0 <= cart.discount < cart.subtotal
        assert cart.tax >= 0 and cart.shipping >= 0
        if market.tax_included:  # gross prices: the tax is part of the total
            assert cart.total == cart.subtotal + cart.shipping - cart.discount
            assert cart.tax < cart.total
        else:
            assert cart.total == cart.subtotal + cart.tax + cart.shipping - cart.discount


@given(vendor=vendors, seed=seeds)
def test_timeline_is_coherent(vendor: str, seed: int) -> None:
    data = dataset(vendor, seed, 150)
    horizon = data.now - 181 * 86_400
    for cart in data.carts:
        assert horizon <= cart.created_at <= cart.updated_at <= data.now
        if cart.status == "abandoned":
            assert cart.abandoned_at is not None
            assert cart.updated_at <= cart.abandoned_at <= data.now
        else:
            assert cart.abandoned_at is None
        assert cart.expires_at > cart.updated_at


@given(vendor=vendors, seed=seeds)
def test_status_dependent_fields(vendor: str, seed: int) -> None:
    market = MARKETS[vendor]
    currencies = {code for code, _ in market.currencies}
    for cart in dataset(vendor, seed, 150).carts:
        assert cart.currency in currencies
        if cart.customer is not None:
            assert cart.email == cart.customer.email
        if cart.status != "abandoned":
            assert cart.recovery_status == "not_attempted"
        if cart.shipping_address is not None:
            assert cart.billing_address is not None


@pytest.mark.parametrize("vendor", specs.VENDORS)
def test_ids_are_unique(vendor: str) -> None:
    carts = dataset(vendor, 0, 2000 if vendor == "stateset" else 400).carts
    assert len({c.uid for c in carts}) == len(carts)
    assert len({c.number for c in carts}) == len(carts)
    assert len({c.session_id for c in carts}) == len(carts)
    assert [c.index for c in carts] == list(range(len(carts)))


@pytest.mark.parametrize("vendor", specs.VENDORS)
def test_spread_is_realistic(vendor: str) -> None:
    carts = dataset(vendor, 0, 2000).carts
    statuses = {
        s: sum(c.status == s for c in carts)
        for s in ("active", "abandoned", "converted", "expired")
    }
    assert all(count > 40 for count in statuses.values()), statuses
    guests = sum(c.customer is None for c in carts)
    assert 0.2 < guests / len(carts) < 0.5
    with_address = sum(c.has_address for c in carts)
    assert 0.3 < with_address / len(carts) < 0.6
    months = {datetime.fromtimestamp(c.created_at, UTC).month for c in carts}
    assert len(months) >= 6  # spread over recent months
    if len(MARKETS[vendor].currencies) > 1:
        assert len({c.currency for c in carts}) > 1


def test_same_seed_same_carts_different_seed_different_carts() -> None:
    market = MARKETS["stateset"]
    first = generate(market, seed=7, count=300).carts
    assert generate(market, seed=7, count=300).carts == first
    assert generate(market, seed=8, count=300).carts != first


def test_carts_do_not_depend_on_how_many_follow() -> None:
    # Chunks are independent: a larger dataset starts with the smaller one's chunks... except
    # that creation times are spread over the whole count, so compare what does not depend on it.
    market = MARKETS["epages"]
    small = generate(market, seed=1, count=5000).carts
    again = generate(market, seed=1, count=5000).carts
    assert [c.uid for c in small] == [c.uid for c in again]


def test_anchor_moves_every_date() -> None:
    market = MARKETS["stateset"]
    later = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
    shift = int((later - DEFAULT_NOW).total_seconds())
    a = generate(market, seed=3, count=50)
    b = generate(market, seed=3, count=50, now=later)
    assert [c.created_at + shift for c in a.carts] == [c.created_at for c in b.carts]
    assert b.now - a.now == shift


def test_empty_and_negative_counts() -> None:
    assert len(generate(MARKETS["shopimind"], count=0)) == 0
    with pytest.raises(ValueError, match="count"):
        generate(MARKETS["shopimind"], count=-1)


def test_merged_carts_take_their_place_in_creation_order() -> None:
    base, other = dataset("stateset", 0, 50), dataset("stateset", 1, 5)
    merged = base.merged(other.carts, base.customers, base.accounts)
    assert [c.index for c in merged.carts] == list(range(55))
    assert [c.created_at for c in merged.carts] == sorted(c.created_at for c in merged.carts)
    assert {c.uid for c in merged.carts} == {c.uid for c in base.carts + other.carts}
    assert (merged.market, merged.seed, merged.now) == (base.market, base.seed, base.now)
