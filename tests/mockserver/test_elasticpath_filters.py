"""Elastic Path ``GET /v2/carts``: which carts are listed, by ``filter`` and shopper token.

The filter expression is checked against an independent oracle (left-to-right ``:``/``|``,
case-insensitive ``ilike`` globs, ``contains(account_ids, ...)``), and the customer and
account tokens narrow the listing; malformed filters and unknown tokens are refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ._elasticpath import (
    ACCOUNT,
    CUSTOMER,
    HEADERS,
    VENDOR,
    _all,
    _bad,
    _carts,
    _client,
    _everything,
    _get,
    _ok,
)
from .conftest import vendor_of

# -- independent oracle --------------------------------------------------------------------------


def _glob(pattern: str, name: str) -> bool:
    """Case-insensitive match of *name* against *pattern* where ``*`` is any run of characters."""
    parts = pattern.casefold().split("*")
    text = name.casefold()
    if len(parts) == 1:
        return text == parts[0]
    if not text.startswith(parts[0]):
        return False
    pos = len(parts[0])
    for middle in parts[1:-1]:
        found = text.find(middle, pos)
        if found < 0:
            return False
        pos = found + len(middle)
    return len(text) - pos >= len(parts[-1]) and text.endswith(parts[-1])


def _term_holds(term: tuple[str, str], cart: dict[str, Any]) -> bool:
    kind, operand = term
    if kind == "ilike":
        return _glob(operand, cart["name"])
    accounts = cart["relationships"]["accounts"].get("data", [])
    return any(a["id"].lower() == operand.lower() for a in accounts)


def _expression(terms: list[tuple[str, str]], joiners: list[str]) -> str:
    text = [
        f'ilike(name,"{v}")' if k == "ilike" else f'contains(account_ids,"{v}")' for k, v in terms
    ]
    return text[0] + "".join(j + t for j, t in zip(joiners, text[1:], strict=True))


def _holds(terms: list[tuple[str, str]], joiners: list[str], cart: dict[str, Any]) -> bool:
    """Left-to-right evaluation, as the spec describes (no precedence, no parentheses)."""
    result = _term_holds(terms[0], cart)
    for joiner, term in zip(joiners, terms[1:], strict=True):
        value = _term_holds(term, cart)
        result = (result and value) if joiner == ":" else (result or value)
    return result


# -- strategies ----------------------------------------------------------------------------------


@st.composite
def name_patterns(draw: st.DrawFn) -> str:
    """Patterns cut from real cart names, re-cased, with ``*`` wildcards around and inside."""
    name = draw(st.sampled_from(sorted({c.name for c in _carts()})))
    start = draw(st.integers(0, len(name) - 1))
    end = draw(st.integers(start + 1, len(name)))
    piece = name[start:end]
    piece = draw(st.sampled_from([piece, piece.upper(), piece.lower(), piece.swapcase()]))
    if draw(st.booleans()) and len(piece) > 2:
        cut = draw(st.integers(1, len(piece) - 1))
        piece = piece[:cut] + "*" + piece[cut:]
    lead = "*" if start > 0 or draw(st.booleans()) else ""
    tail = "*" if end < len(name) or draw(st.booleans()) else ""
    return (lead + piece + tail).replace('"', "") or "*"


@st.composite
def account_ids(draw: st.DrawFn) -> str:
    dataset = vendor_of(_client(), VENDOR).dataset
    known = sorted({c.account_uid for c in dataset.carts if c.account_uid})
    uid = draw(st.sampled_from([*known, str(uuid.UUID(int=draw(st.integers(0, 2**128 - 1))))]))
    return draw(st.sampled_from([uid, uid.upper()]))


terms = st.one_of(
    st.tuples(st.just("ilike"), name_patterns()), st.tuples(st.just("contains"), account_ids())
)


@st.composite
def filters(draw: st.DrawFn) -> tuple[list[tuple[str, str]], list[str]]:
    chosen = draw(st.lists(terms, min_size=1, max_size=4))
    joiners = draw(
        st.lists(st.sampled_from(":|"), min_size=len(chosen) - 1, max_size=len(chosen) - 1)
    )
    return chosen, joiners


# -- filter --------------------------------------------------------------------------------------


@given(expression=filters())
def test_filter_returns_exactly_the_matching_carts(expression) -> None:
    chosen, joiners = expression
    text = _expression(chosen, joiners)
    everything = _everything()
    expected = [c["id"] for c in everything if _holds(chosen, joiners, c)]
    got = _all({"filter": text})
    assert [c["id"] for c in got] == expected  # same set, same (newest-updated-first) order


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        pytest.param('ilike(name,"cart")', lambda n: n.lower() == "cart", id="exact-name"),
        pytest.param('ilike(name,"CART")', lambda n: n.lower() == "cart", id="case-insensitive"),
        pytest.param('ilike(name,"*cart*")', lambda n: "cart" in n.lower(), id="contains"),
        pytest.param('ilike(name,"my*")', lambda n: n.lower().startswith("my"), id="prefix"),
        pytest.param('ilike(name,"*")', lambda n: True, id="star-matches-all"),
        pytest.param('ilike(name,"c.rt")', lambda n: False, id="dot-is-literal"),
        pytest.param('ilike(name,"*:*")', lambda n: ":" in n, id="colon-inside-quotes"),
    ],
)
def test_ilike_semantics(expression: str, expected: Callable[[str], bool]) -> None:
    want = [c["id"] for c in _everything() if expected(c["name"])]
    assert [c["id"] for c in _all({"filter": expression})] == want


def test_contains_account_ids_any_case() -> None:
    cart = next(c for c in _carts() if c.account_uid)
    want = {c.uid for c in _carts() if c.account_uid == cart.account_uid}
    for uid in (cart.account_uid, cart.account_uid.upper()):
        got = {c["id"] for c in _all({"filter": f'contains(account_ids,"{uid}")'})}
        assert got == want and cart.uid in got


def test_and_or_are_evaluated_left_to_right() -> None:
    cart = next(c for c in _carts() if c.account_uid)
    account = f'contains(account_ids,"{cart.account_uid}")'
    # (account AND name=gifts) OR name=wishlist  vs  (account OR name=wishlist) AND name=gifts
    left = _all({"filter": f'{account}:ilike(name,"gifts")|ilike(name,"wishlist")'})
    right = _all({"filter": f'{account}|ilike(name,"wishlist"):ilike(name,"gifts")'})
    rows = _carts()
    assert {c["id"] for c in left} == {
        c.uid
        for c in rows
        if (c.account_uid == cart.account_uid and c.name == "Gifts") or c.name == "Wishlist"
    }
    assert {c["id"] for c in right} == {
        c.uid
        for c in rows
        if (c.account_uid == cart.account_uid or c.name == "Wishlist") and c.name == "Gifts"
    }


@pytest.mark.parametrize(
    "expression",
    [
        pytest.param('eq(name,"Cart")', id="unknown-operator"),
        pytest.param('ilike(email,"x")', id="unknown-field"),
        pytest.param("ilike(name,Cart)", id="unquoted"),
        pytest.param("ilike(name,'Cart')", id="single-quotes"),
        pytest.param('ilike(name,"a\\"b")', id="escaped-quote"),
        pytest.param('ilike(name,"")', id="empty-text"),
        pytest.param('ilike(name, "Cart")', id="space"),
        pytest.param('ilike(name,"Cart"):', id="dangling-joiner"),
        pytest.param('ilike(name,"Cart");ilike(name,"x")', id="bad-joiner"),
        pytest.param('(ilike(name,"Cart"))', id="parentheses"),
        pytest.param('contains(account_ids,"abc123")', id="not-a-uuid"),
        pytest.param('ilike(name,"\u0000")', id="nul"),
        pytest.param('ilike(name,"a\nb")', id="newline"),
        pytest.param('ilike(name,"Cart")\n', id="trailing-newline"),
        pytest.param(":".join(['ilike(name,"a")'] * 11), id="eleven-terms"),
        pytest.param('ilike(name,"' + "x" * 1000 + '")', id="too-long"),
        pytest.param("", id="empty"),
    ],
)
def test_malformed_filter_is_400_with_source_filter(expression: str) -> None:
    error = _bad({"filter": expression}, "filter")
    assert "filter" in error["detail"].lower()


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("🛒 cart 🎁", id="emoji"),
        pytest.param("עגלה שלי", id="rtl-hebrew"),
        pytest.param("سلة", id="rtl-arabic"),
        pytest.param("‮cart‬", id="bidi-override"),
    ],
)
def test_odd_unicode_in_ilike_is_valid_and_matches_nothing(text: str) -> None:
    body = _ok({"filter": f'ilike(name,"{text}")'})
    assert body["data"] == [] and body["meta"]["results"]["total"] == 0


def test_ten_terms_are_accepted() -> None:
    body = _ok({"filter": "|".join(['ilike(name,"gifts")'] * 10)})
    assert body["meta"]["results"]["total"] == sum(c.name == "Gifts" for c in _carts())


# -- shopper tokens ------------------------------------------------------------------------------


@given(data=st.data())
def test_customer_token_narrows_to_that_customers_carts(data: st.DataObject) -> None:
    dataset = vendor_of(_client(), VENDOR).dataset
    customer = data.draw(st.sampled_from(dataset.customers))
    token = data.draw(st.sampled_from([customer.uid, customer.uid.upper(), f" {customer.uid} "]))
    everything = _everything()
    want = [
        c["id"]
        for c in everything
        if any(r["id"] == customer.uid for r in c["relationships"]["customers"].get("data", []))
    ]
    got = _all(headers={**HEADERS, CUSTOMER: token})
    assert [c["id"] for c in got] == want


@given(data=st.data())
def test_account_token_narrows_to_that_accounts_carts(data: st.DataObject) -> None:
    dataset = vendor_of(_client(), VENDOR).dataset
    account = data.draw(st.sampled_from(dataset.accounts))
    want = [
        c["id"]
        for c in _everything()
        if any(r["id"] == account for r in c["relationships"]["accounts"].get("data", []))
    ]
    got = _all(headers={**HEADERS, ACCOUNT: account})
    assert [c["id"] for c in got] == want


def test_token_combines_with_filter() -> None:
    cart = next(c for c in _carts() if c.customer and c.account_uid)
    headers = {**HEADERS, CUSTOMER: cart.customer.uid}
    got = _all({"filter": f'contains(account_ids,"{cart.account_uid}")'}, headers)
    assert cart.uid in {c["id"] for c in got}
    assert all(
        c["relationships"]["customers"]["data"][0]["id"] == cart.customer.uid
        and c["relationships"]["accounts"]["data"][0]["id"] == cart.account_uid
        for c in got
    )


def test_customer_without_carts_gets_an_empty_list() -> None:
    dataset = vendor_of(_client(), VENDOR).dataset
    with_carts = {c.customer.uid for c in dataset.carts if c.customer}
    lonely = next(c for c in dataset.customers if c.uid not in with_carts)
    body = _ok(headers={**HEADERS, CUSTOMER: lonely.uid})
    assert body["data"] == [] and body["meta"]["results"]["total"] == 0


def test_both_shopper_tokens_are_403() -> None:
    dataset = vendor_of(_client(), VENDOR).dataset
    headers = {**HEADERS, CUSTOMER: dataset.customers[0].uid, ACCOUNT: dataset.accounts[0]}
    response = _get(headers=headers)
    assert response.status_code == 403
    (error,) = response.json()["errors"]
    assert error["title"] == "Forbidden" and ACCOUNT in error["detail"]


@pytest.mark.parametrize("header", [CUSTOMER, ACCOUNT])
@pytest.mark.parametrize(
    "token",
    ["", "not-a-token", "00000000-0000-4000-8000-000000000000", "eyJhbGciOiJIUzI1NiJ9.e30.sig"],
)
def test_unknown_shopper_token_is_403_naming_the_header(header: str, token: str) -> None:
    error = _bad(None, header, 403, headers={**HEADERS, header: token})
    assert "id" in error["detail"]


def test_shopper_token_is_checked_before_parameters() -> None:
    _bad({"page[limit]": 0}, CUSTOMER, 403, headers={**HEADERS, CUSTOMER: "nope"})
