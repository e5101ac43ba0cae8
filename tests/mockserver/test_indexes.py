"""Fast filter paths (pooled columns tested once per distinct value, packed key lookups, vendor
filters built on them) mark exactly the carts a naive per-cart evaluation keeps."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cartkit.mockserver import create_app
from cartkit.mockserver.dataset import Dataset, generate
from cartkit.mockserver.indexes import factors, find_packed, packed, texts
from cartkit.mockserver.model import Cart
from cartkit.mockserver.query import Key, Match, all_of, scan
from cartkit.mockserver.vendor import Vendor
from cartkit.mockserver.vendors import nextcommerce, shopimind, stateset
from cartkit.mockserver.vendors.shopimind import FILTERS as SHOPIMIND_FIELDS
from cartkit.mockserver.vendors.shopimind import js_text

CARTS = 400


@functools.cache
def dataset() -> Dataset:
    return generate(nextcommerce.MARKET, seed=5, count=CARTS)


@functools.cache
def vendor(name: str) -> Vendor:
    app: Any = create_app(vendors=(name,), at_root=True, carts=CARTS, seed=3, cache_mb=0)
    return app.state.vendors[name]


def naive(where: Callable[[Cart], Any], carts: list[Cart]) -> bytes:
    return bytes(1 if where(c) else 0 for c in carts)


# -- indexes -------------------------------------------------------------------------------------

POOLED = ("basket", "attribution", "billing_place", "status", "name", "total", "email")


@given(column=st.sampled_from(POOLED), seed=st.integers(0, 2**32 - 1), share=st.integers(0, 8))
def test_a_test_on_a_pooled_column_runs_once_per_distinct_value(
    column: str, seed: int, share: int
) -> None:
    data = dataset()
    calls: list[object] = []

    def test(value: object) -> bool:  # an arbitrary, repeatable verdict per value
        calls.append(value)
        return hash((seed, repr(value))) % 8 < share

    expected = naive(lambda c: test(getattr(c, column)), data.carts)
    calls.clear()
    assert scan(data, Match(column, test)) == expected
    found = factors(data, column, lambda c: getattr(c, column))
    assert found is not None
    assert len(calls) == len(found.uniques) < len(data)  # the fast path, not a test per cart


def test_values_of_several_types_are_told_apart() -> None:
    data = dataset()
    mixed = [(1, True, 1.0, "1", None)[c.index % 5] for c in data.carts]
    get: Callable[[Cart], Any] = lambda c: mixed[c.index]  # noqa: E731
    where = Match("test.mixed", lambda v: v is True, get)
    assert scan(data, where) == naive(lambda c: mixed[c.index] is True, data.carts)


def test_a_column_of_distinct_values_is_not_factorized() -> None:
    data = generate(nextcommerce.MARKET, seed=1, count=70_000)
    assert factors(data, "index", lambda c: c.index) is None
    where = Match("index", lambda i: i % 7 == 3)
    assert scan(data, where) == naive(lambda c: c.index % 7 == 3, data.carts)


@given(width=st.integers(1, 4), values=st.lists(st.integers(0, 2**16), min_size=1, max_size=60),
       wanted=st.integers(-1, 2**32))  # fmt: skip
def test_a_packed_lookup_finds_exactly_the_equal_values(
    width: int, values: list[int], wanted: int
) -> None:
    values = [v % (1 << (8 * width)) for v in values]
    blob = b"".join(v.to_bytes(width, "big") for v in values)
    for target in (wanted, *values[:3]):
        assert find_packed(blob, width, target) == [i for i, v in enumerate(values) if v == target]


@given(pick=st.integers(0, CARTS - 1), noise=st.integers(0, 2**96 - 1), exists=st.booleans())
def test_a_key_lookup_marks_the_carts_a_comparison_keeps(
    pick: int, noise: int, exists: bool
) -> None:
    data = dataset()
    get: Callable[[Cart], int] = lambda c: c.key >> 128 & (1 << 96) - 1  # noqa: E731
    value = get(data.carts[pick]) if exists else noise
    assert scan(data, Key("session", get, value, 12)) == naive(
        lambda c: get(c) == value, data.carts
    )
    assert len(packed(data, "session", get, 12)) == 12 * len(data)


# -- vendors -------------------------------------------------------------------------------------


@st.composite
def session_ids(draw: st.DrawFn) -> str:
    carts = vendor("stateset").dataset.carts
    real = draw(st.sampled_from(carts)).session_id
    return draw(
        st.sampled_from([real, real.upper(), real[:-1], real + "0", "sess_" + "0" * 24])
        | st.text(alphabet="sess_0123456789abcdefABCDEF", max_size=30)
    )


@given(session=session_ids(), status=st.sampled_from([None, "active", "abandoned"]))
def test_stateset_session_filter_keeps_exactly_the_carts_with_that_session(
    session: str, status: str | None
) -> None:
    shop = vendor("stateset")
    params: dict[str, Any] = dict.fromkeys(stateset._FILTERS)
    params |= {"session_id": session, "status": status}
    key = tuple(params.values())
    mask, summary = shop.mask(key), shop._summary(key)
    expected = naive(
        lambda c: c.session_id == session and status in (None, c.status), shop.dataset.carts
    )
    assert mask == expected
    assert sum(summary["status_breakdown"].values()) == expected.count(1)


def _attribution_values(name: str) -> list[str]:
    shop = vendor("nextcommerce")
    values = {
        getattr(c.attribution, name) if name.startswith("utm") or name == "affiliate"
        else c.attribution.subaffiliates[int(name[-1]) - 1]
        for c in shop.dataset.carts if c.attribution is not None
    }  # fmt: skip
    return sorted(v for v in values if v) or ["none"]


@st.composite
def nextcommerce_filters(draw: st.DrawFn) -> dict[str, Any]:
    params: dict[str, Any] = dict.fromkeys(nextcommerce._FILTERS)
    if draw(st.booleans()):
        params["product"] = draw(st.lists(st.integers(995, 1305), max_size=3))
    if draw(st.booleans()):
        funnels = st.sampled_from(["main", "upsell", "vip", "black-friday", "", "other"])
        params["funnels"] = draw(st.lists(funnels, max_size=3))
    for name in draw(st.sets(st.sampled_from(list(nextcommerce.STRING_FILTERS)), max_size=2)):
        params[name] = draw(st.sampled_from([*_attribution_values(name), "", "nope"]))
    params["abandoned"] = draw(st.sampled_from([None, True, False]))
    return params


def _nextcommerce_reference(params: dict[str, Any]) -> Callable[[Cart], bool]:
    products = set(params["product"] or ())
    funnels = {f for f in params["funnels"] or () if f}

    def keeps(c: Cart) -> bool:
        a = c.attribution
        if c.status not in {"active", "abandoned"}:
            return False
        if params["abandoned"] is not None and (c.status == "abandoned") != params["abandoned"]:
            return False
        if products and not any(p.number in products for p, _ in c.basket):
            return False
        if funnels and (a is None or a.funnel not in funnels):
            return False
        for name in nextcommerce.STRING_FILTERS:
            if params[name]:
                if a is None:
                    return False
                if name.startswith("subaffiliate"):
                    value = a.subaffiliates[int(name[-1]) - 1]
                else:
                    value = getattr(a, name)
                if value != params[name]:
                    return False
        return True

    return keeps


@given(params=nextcommerce_filters())
def test_nextcommerce_filters_keep_exactly_the_matching_open_carts(params: dict[str, Any]) -> None:
    shop = vendor("nextcommerce")
    key = tuple(tuple(v) if isinstance(v, list) else v for v in params.values())
    assert shop.mask(key) == naive(_nextcommerce_reference(params), shop.dataset.carts)


TEXT_OPERATORS = ("CONTAINS", "NOT_CONTAINS", "STARTS_WITH", "ENDS_WITH", "LIKE")


@st.composite
def money_text_filters(draw: st.DrawFn) -> dict[str, Any]:
    field = draw(st.sampled_from(["amount", "amount_without_tax"]))
    operator = draw(st.sampled_from(TEXT_OPERATORS))
    carts = vendor("shopimind").dataset.carts
    real = SHOPIMIND_FIELDS[field].get(draw(st.sampled_from(carts)))
    number = st.integers(0, 999) | st.sampled_from([real, real // 10, round(real % 10, 2), 0.5])
    values = draw(number | st.lists(number, min_size=1, max_size=3))
    return {"field": field, "operator": operator, "values": values}


def _money_reference(flt: dict[str, Any]) -> Callable[[Cart], bool]:
    """The spec's reading: the amount's printed text against each operand's, ignoring case."""
    get = SHOPIMIND_FIELDS[flt["field"]].get
    operands = [js_text(v).casefold() for v in (flt["values"] if isinstance(flt["values"], list)
                                                else [flt["values"]])]  # fmt: skip
    tests: dict[str, Callable[[str, str], bool]] = {
        "CONTAINS": lambda t, o: o in t,
        "NOT_CONTAINS": lambda t, o: o in t,  # negated below
        "STARTS_WITH": str.startswith,
        "ENDS_WITH": str.endswith,
        "LIKE": lambda t, o: t == o,  # printed numbers hold no % or _
    }
    test = tests[flt["operator"]]

    def keeps(c: Cart) -> bool:
        hit = any(test(js_text(get(c)).casefold(), o) for o in operands)
        return not hit if flt["operator"] == "NOT_CONTAINS" else hit

    return keeps


@given(flt=money_text_filters())
def test_shopimind_text_operators_on_money_keep_exactly_the_matching_carts(
    flt: dict[str, Any],
) -> None:
    shop = vendor("shopimind")
    mask = shop.mask((shopimind._condition(flt),))
    assert mask == naive(_money_reference(flt), shop.dataset.carts)


@pytest.mark.parametrize("operator", ["NOT_IN", "NOT_BETWEEN"])
def test_negated_operators_are_the_complement_of_their_positive(operator: str) -> None:
    shop = vendor("shopimind")
    carts = shop.dataset.carts
    ids = sorted(str(c.number) for c in carts[::37])
    flt = {"field": "id", "operator": operator, "values": ids[:2]}
    positive = {"NOT_IN": "IN", "NOT_BETWEEN": "BETWEEN"}[operator]
    mask = shop.mask((shopimind._condition(flt),))
    other = shop.mask((shopimind._condition({**flt, "operator": positive}),))
    assert mask is not None and other is not None
    assert mask == bytes(1 - b for b in other)
    low, high = ids[:2]
    inside = (
        (lambda c: str(c.number) in ids[:2])
        if positive == "IN"
        else (lambda c: low <= str(c.number) <= high)
    )
    assert mask == naive(lambda c: not inside(c), carts)


def test_all_of_a_pooled_test_and_a_key_narrows_like_the_naive_and() -> None:
    data = dataset()
    cart = data.carts[17]
    get: Callable[[Cart], int] = lambda c: c.key >> 128 & (1 << 96) - 1  # noqa: E731
    where = all_of([Match("basket", lambda b: len(b) >= 1), Key("session", get, get(cart), 12)])
    assert where is not None
    assert scan(data, where) == naive(where, data.carts)


# -- text columns searched as lines --------------------------------------------------------------

SEARCHED = ("CONTAINS", "STARTS_WITH", "ENDS_WITH", "LIKE")
# Pieces of texts: regex metacharacters, LIKE wildcards, and letters whose case folds oddly
# (ß folds to "ss"; the Kelvin sign and long s match k and s ignoring case, but fold alike only
# for casefold(); İ folds to two characters).
PIECES = ["a", "A", "ss", "ß", "K", "k", "\u212a", "s", "\u017f", "\u0130", "i", "é", "É",
          ".", "*", "+", "?", "(", ")", "[", "]", "\\", "^", "$", "|", "{", "}", "%", "_", "-",
          "0", "9", " ", "\x00"]  # fmt: skip
_texts_seen = itertools.count()


def like_holds(pattern: str, text: str) -> bool:
    """SQL LIKE read directly: ``%`` any run, ``_`` one character, the rest literal, any case."""
    regex = "".join({"%": ".*", "_": "."}.get(ch, re.escape(ch)) for ch in pattern)
    return re.fullmatch(regex, text, re.DOTALL | re.IGNORECASE) is not None


def text_holds(operator: str, value: str | None, operand: str) -> bool:
    if value is None:
        return False
    if operator == "LIKE":
        return like_holds(operand, value)
    text, needle = value.casefold(), operand.casefold()
    if operator == "CONTAINS":
        return needle in text
    if operator == "STARTS_WITH":
        return text[: len(needle)] == needle
    return len(needle) <= len(text) and text[len(text) - len(needle) :] == needle


def _odd_case(text: str) -> str:
    """*text* with the letters that match ``k``, ``s`` and ``i`` ignoring case but are not them."""
    return text.translate({ord("k"): "\u212a", ord("s"): "\u017f", ord("i"): "\u0130"})


ASCII_PIECES = [p for p in PIECES if p.isascii()]  # lines all ASCII are searched as bytes


@given(
    values=st.sampled_from([PIECES, ASCII_PIECES]).flatmap(
        lambda pieces: st.lists(st.none() | st.lists(st.sampled_from(pieces), max_size=5)
                                .map("".join), min_size=CARTS, max_size=CARTS)),
    operator=st.sampled_from(SEARCHED),
    operand=st.lists(st.sampled_from(PIECES), max_size=4).map("".join),
    taken=st.integers(0, CARTS - 1),
    span=st.tuples(st.integers(0, 6), st.integers(0, 6)),
    twist=st.sampled_from([str, str.upper, str.swapcase, _odd_case]),
)  # fmt: skip
def test_searching_text_lines_marks_exactly_the_matching_values(
    values: list[str | None],
    operator: str,
    operand: str,
    taken: int,
    span: tuple[int, int],
    twist: Callable[[str], str],
) -> None:
    if values[taken] and span[0] % 2:  # a piece of a real value, as often as not
        operand = twist(values[taken][min(span) : max(span)])
    data = dataset()
    get = {c.index: v for c, v in zip(data.carts, values, strict=True)}.__getitem__
    lines = texts(data, f"drawn.{next(_texts_seen)}", lambda c: get(c.index))
    assert lines is not None
    needle = operand if operator == "LIKE" else operand.casefold()
    expected = bytes(text_holds(operator, v, operand) for v in values)
    assert lines.mask(operator, needle) == expected


@pytest.mark.parametrize("mark", ["\n", "\x01"])
def test_a_text_column_holding_a_line_break_or_a_mark_is_not_joined(mark: str) -> None:
    data = dataset()
    assert texts(data, f"marked.{mark!r}", lambda c: f"a{mark}b" if c.index == 7 else "ab") is None


def _stamp(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@st.composite
def searched_filters(draw: st.DrawFn) -> dict[str, Any]:
    """Text operators on ShopiMind's ids and instants, with real values, pieces of them,
    metacharacters, wildcards and case variants."""
    field = draw(st.sampled_from(["id", "created_at", "updated_at"]))
    operator = draw(st.sampled_from(TEXT_OPERATORS))
    carts = vendor("shopimind").dataset.carts
    if field == "id":
        real = str(draw(st.sampled_from(carts)).number)
        start, stop = sorted(draw(st.tuples(st.integers(0, 6), st.integers(0, 6))))
        piece = st.lists(st.sampled_from(["1", "0", "5", "%", "_", ".", "*", "(", "ẞ", "\\"]),
                         max_size=4).map("".join)  # fmt: skip
        value = st.sampled_from([real, real[start:stop], "", real[:3] + "%", "_" + real[1:]])
        values = draw(st.lists(value | piece, min_size=1, max_size=3))
    else:
        seconds = getattr(draw(st.sampled_from(carts)), field)
        moment = datetime.fromtimestamp(seconds + draw(st.sampled_from([0, 0, 1, -3600])), UTC)
        spelled = st.sampled_from([
            moment.strftime("%Y-%m-%dT%H:%M:%SZ"), moment.strftime("%Y-%m-%dt%H:%M:%S.000z"),
            (moment + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+02:00"),
            moment.strftime("%Y-%m-%dT%H:%M:%S.999Z"),
        ])  # fmt: skip
        values = draw(st.lists(spelled, min_size=1, max_size=3))
    return {"field": field, "operator": operator, "values": values}


def _searched_reference(flt: dict[str, Any]) -> Callable[[Cart], bool]:
    """The spec's reading: the printed id or instant (``toISOString()``) against each operand."""
    operator, field = flt["operator"], flt["field"]
    if field == "id":
        operands = list(flt["values"])
        printed: Callable[[Cart], str] = lambda c: str(c.number)  # noqa: E731
    else:
        operands = []
        for text in flt["values"]:
            moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
            millis = moment.microsecond // 1000
            operands.append(_stamp(int(moment.timestamp()))[:-4] + f"{millis:03d}Z")
        printed = lambda c: _stamp(getattr(c, field))  # noqa: E731
    positive = "CONTAINS" if operator == "NOT_CONTAINS" else operator

    def keeps(c: Cart) -> bool:
        hit = any(text_holds(positive, printed(c), o) for o in operands)
        return not hit if operator == "NOT_CONTAINS" else hit

    return keeps


@given(flt=searched_filters())
def test_shopimind_text_operators_on_ids_and_instants_keep_exactly_the_matching_carts(
    flt: dict[str, Any],
) -> None:
    shop = vendor("shopimind")
    mask = shop.mask((shopimind._condition(flt),))
    assert mask == naive(_searched_reference(flt), shop.dataset.carts)


@pytest.mark.parametrize(
    "pattern", ["\u212aiss", "%\u017f%", "\u0130%", "_\u0130__", "%\u212a%\u017f", "%é%", "KI%S"]
)
@pytest.mark.parametrize("words", [["kiss", "KISS", "Kiss", "skis", "is"], ["kiss", "KIß", "é"]])
def test_like_on_lines_ignores_case_as_re_does(pattern: str, words: list[str]) -> None:
    data = dataset()
    values = [words[c.index % len(words)] for c in data.carts]
    lines = texts(data, f"words.{pattern}.{words}", lambda c: values[c.index])
    assert lines is not None and (lines.printed is None) == all(map(str.isascii, words))
    assert lines.mask("LIKE", pattern) == bytes(like_holds(pattern, v) for v in values)
