"""Seeded carts (``mockserver/generation.py``): prices, e-mail names, and what compose returns.

The carts' realism and invariants over every vendor's market are in ``test_dataset.py``; here
the module's own functions are checked directly.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cartkit.mockserver import generation
from cartkit.mockserver.generation import Market, compose, email_local, price
from cartkit.mockserver.model import Cart, Customer
from cartkit.mockserver.vendors.epages import MARKET as GROSS  # prices include the tax
from cartkit.mockserver.vendors.stateset import MARKET as NET  # tax added at checkout

NOW = 1_768_478_400  # 2026-01-15T12:00:00Z
DAY = 86_400

Composed = tuple[list[Cart], list[Customer], list[str]]


@functools.cache
def composed(market: Market = NET, seed: int = 1, count: int = 500) -> Composed:
    return compose(market, seed, count, NOW)


@pytest.mark.parametrize(
    ("text", "local"),
    [("Jérôme Müller", "jeromemuller"), ("O'Brien-Smith", "obriensmith"), ("ÅSA", "asa"),
     ("Zoë 2", "zoe2"), ("", "user"), ("李小龍", "user"), ("---", "user")],
)  # fmt: skip
def test_email_local_keeps_the_ascii_letters_and_digits(text: str, local: str) -> None:
    assert email_local(text) == local


@given(st.text(max_size=30))
def test_email_local_is_always_a_usable_local_part(text: str) -> None:
    local = email_local(text)
    assert local and local.isascii() and local.isalnum() and local == local.lower()


@given(subtotal=st.integers(0, 500_000), share=st.integers(0, 10))
def test_a_net_price_adds_the_tax_to_the_total(subtotal: int, share: int) -> None:
    discount = subtotal * share // 100
    shipping, tax, total = price(NET, subtotal, discount)
    assert abs(tax - (subtotal - discount) * NET.tax_rate) <= 0.5  # rounded to the cent
    assert total == subtotal - discount + tax + shipping


@given(subtotal=st.integers(1, 500_000), share=st.integers(0, 10))
def test_a_gross_price_holds_the_tax_within_the_total(subtotal: int, share: int) -> None:
    discount = subtotal * share // 100
    shipping, tax, total = price(GROSS, subtotal, discount)
    assert total == subtotal - discount + shipping
    net = total - tax
    assert abs(net * GROSS.tax_rate - tax) <= 1  # the tax on the net amount, to the cent


def test_shipping_is_free_from_the_threshold_on_the_discounted_amount() -> None:
    threshold = NET.free_shipping_from
    assert price(NET, threshold, 0)[0] == 0
    assert price(NET, threshold - 1, 0)[0] == NET.shipping_fee
    assert price(NET, threshold + 100, 101)[0] == NET.shipping_fee  # the discount counts


def test_given_shipping_is_kept_whatever_the_amount() -> None:
    assert price(NET, 100_000, 0, shipping=1234) == (1234, 8250, 100_000 + 8250 + 1234)
    assert price(GROSS, 1000, 0, shipping=0)[0] == 0


def test_compose_is_deterministic_and_seeded() -> None:
    again = compose(NET, 1, 500, NOW)
    assert again == composed()
    assert compose(NET, 2, 500, NOW)[0] != composed()[0]


def test_compose_nothing() -> None:
    carts, customers, accounts = compose(NET, 0, 0, NOW)
    assert carts == [] and len(customers) == 10 and len(accounts) == 5  # the floors


def test_carts_are_created_in_index_order_within_six_months_before_now() -> None:
    carts = composed()[0]
    assert [cart.index for cart in carts] == list(range(500))
    created = [cart.created_at for cart in carts]
    assert created == sorted(created)
    assert created[0] >= NOW - 180 * DAY and created[-1] <= NOW - 3600
    assert all(cart.created_at <= cart.updated_at <= NOW for cart in carts)


def test_carts_refer_only_to_the_customers_and_accounts_returned() -> None:
    carts, customers, accounts = composed()
    assert len(customers) == 500 // 3 and len(accounts) == 500 // 20
    known = set(customers)
    assert all(cart.customer in known for cart in carts if cart.customer is not None)
    assert all(cart.account_uid in accounts for cart in carts if cart.account_uid is not None)
    assert len({c.uid for c in customers}) == len(customers)


def test_emails_use_the_markets_domains() -> None:
    market = replace(NET, name="only-example", email_domains=("example.org",))
    carts, customers, _ = compose(market, 3, 300, NOW)
    assert all(c.email.endswith("@example.org") for c in customers)
    assert all(cart.email is None or cart.email.endswith("@example.org") for cart in carts)


def test_the_market_decides_currencies_locales_and_countries() -> None:
    carts = compose(GROSS, 1, 400, NOW)[0]
    assert {cart.currency for cart in carts} == {"EUR"}
    assert {cart.locale for cart in carts} <= {"de_DE", "en_GB", "fr_FR"}
    countries = {p.country for c in carts for p in (c.billing_place, c.shipping_place) if p}
    assert countries <= {"DE", "AT", "CH"} and "DE" in countries


@given(weights=st.lists(st.integers(0, 50), min_size=1, max_size=6).filter(any))
def test_a_weighted_table_gives_each_option_its_share(weights: list[int]) -> None:
    table = generation._table(enumerate(weights), bits=10)
    counts = Counter(table)
    assert len(table) == 1024
    total = sum(weights)
    for option, weight in enumerate(weights):
        assert abs(counts[option] - 1024 * weight / total) <= 1
    # options keep their order along the table (a draw is a bisection of cumulative weights)
    assert list(table) == sorted(table)
    assert set(table) == {o for o, w in enumerate(weights) if w}
