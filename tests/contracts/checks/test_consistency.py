"""``contracts.checks.consistency`` called directly on ``FakeList`` (StateSet's envelope): the same
request answers the same (volatile fields aside), the summary adds up, an ``include`` adds
exactly the linked resources and only on request, and a rendition parameter changes nothing but
the formatting. Include and rendition are checked under oracles that document one (StateSet
documents neither)."""

from __future__ import annotations

import functools
from typing import Any, ClassVar

import pytest

from cartkit.contracts.checks.consistency import checks, include, rendition, repeat, summary
from cartkit.contracts.checks.context import Context
from cartkit.contracts.errors import Skip, Violation
from cartkit.contracts.oracle import Include, Oracle, Rendition
from cartkit.contracts.paging import Session
from cartkit.contracts.target import Target
from cartkit.contracts.vendors import oracle_for
from cartkit.contracts.vendors.stateset import StateSet
from tests.contracts.checks.drawing import Drawn
from tests.contracts.fake_list import TOKEN, FakeList, carts


class Stamped(StateSet):
    """StateSet, with a ``meta.generated_at`` documented as differing per call."""

    volatile: ClassVar[tuple[tuple[str, ...], ...]] = (("meta", "generated_at"),)


ITEMS = Include(
    "items",
    {"include": "items"},
    ("included",),
    linked=lambda cart: {("item", i) for i in cart.get("item_ids", [])},
)

LOCALE = Rendition("locale", ("en_US", "de_DE"), invariant=lambda cart: {"total": cart["total"]})


def with_items(count: int) -> list[dict[str, Any]]:
    """Carts each linking one item (``i00``...), the odd ones a second, shared one."""
    return [
        {**cart, "item_ids": [f"i{n:02d}"] + (["shared"] if n % 2 else [])}
        for n, cart in enumerate(carts(count))
    ]


def included(query: dict[str, str], body: Any) -> None:
    """``include=items``: the items the page's carts link to, once each."""
    if query.get("include") == "items" and "data" in body:
        ids = sorted({i for cart in body["data"] for i in cart["item_ids"]})
        body["included"] = [{"type": "item", "id": i} for i in ids]


def on(
    app: FakeList, made: list[Context], oracle: type[Oracle] = StateSet, *, max_pages: int = 10
) -> Context:
    target = Target("stateset", app=app, auth={"token": TOKEN})
    session = Session(target, oracle(target.contract), max_pages=max_pages)
    ctx = Context(session, max_examples=10, seed=None)
    made.append(ctx)
    return ctx


# -- repeat ---------------------------------------------------------------------------------


def test_repeat_passes_when_the_same_request_gets_the_same_answer(made: list[Context]) -> None:
    app = FakeList(carts=carts(12))
    repeat(on(app, made), Drawn(False, 5, 1))  # type: ignore[arg-type]
    assert app.seen == [{"limit": "5", "offset": "5"}] * 2


def test_repeat_sends_a_drawn_filter_both_times(made: list[Context]) -> None:
    app = FakeList(carts=carts(12))
    ctx = on(app, made)
    status = next(f for f in ctx.oracle.filters() if f.name == "status")
    repeat(ctx, Drawn(True, status, "abandoned", 5, 0))  # type: ignore[arg-type]
    assert app.seen[-2:] == [{"status": "abandoned", "limit": "5"}] * 2


def counting() -> Any:
    calls = iter(range(10**6))

    def edit(query: dict[str, str], body: Any) -> None:
        # First in the body, so that the messages' snippets show it.
        rest = dict(body)
        body.clear()
        body["meta"] = {"generated_at": f"2026-01-15T12:00:{next(calls):02d}Z"}
        body.update(rest)

    return edit


def test_repeat_catches_two_answers_that_differ(made: list[Context]) -> None:
    ctx = on(FakeList(edit=counting()), made)
    with pytest.raises(Violation) as raised:
        repeat(ctx, Drawn(False, 5, 0))  # type: ignore[arg-type]
    assert raised.value.title == "Same request, different answers"
    assert "12:00:00Z" in raised.value.expected and "12:00:01Z" in raised.value.received


def test_repeat_ignores_a_field_documented_as_volatile(made: list[Context]) -> None:
    repeat(on(FakeList(edit=counting()), made, Stamped), Drawn(False, 5, 0))  # type: ignore[arg-type]


def test_repeat_catches_a_status_that_changes(made: list[Context]) -> None:
    statuses = iter([200, 503])

    class Flaky(FakeList):
        async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
            self.status = next(statuses)
            await super().__call__(scope, receive, send)

    with pytest.raises(Violation) as raised:
        repeat(on(Flaky(), made), Drawn(False, 5, 0))  # type: ignore[arg-type]
    assert raised.value.title == "Same request, different answers"
    assert raised.value.received.startswith("503 ")


# -- summary --------------------------------------------------------------------------------

# carts(7): c00..c06, the odd ones abandoned; totals 0, 100, ..., 600.
SEVEN = {
    "status_breakdown": {"active": 4, "abandoned": 3, "converted": 0, "expired": 0},
    "total_abandoned_value": 100 + 300 + 500,
    "average_cart_value": 2100 // 7,
    "recovery_rate": 0.0,  # none converted
}


def summarised(value: dict[str, Any]) -> Any:
    def edit(query: dict[str, str], body: Any) -> None:
        body["summary"] = value

    return edit


def test_summary_passes_when_it_adds_up(made: list[Context]) -> None:
    summary(on(FakeList(edit=summarised(SEVEN)), made), Drawn(False))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            {"total_abandoned_value": 901},
            "total_abandoned_value 901 but the abandoned carts total 900",
        ),
        ({"average_cart_value": 301}, "average_cart_value 301 but the carts average 300 (floor)"),
        (
            {"status_breakdown": {"active": 3, "abandoned": 4, "converted": 0, "expired": 0}},
            "status_breakdown",
        ),
        ({"recovery_rate": 0.5}, "recovery_rate 0.5 but converted/(abandoned+converted) = 0.0000"),
    ],
)
def test_summary_catches_a_figure_that_does_not_add_up(
    change: dict[str, Any], problem: str, made: list[Context]
) -> None:
    ctx = on(FakeList(edit=summarised({**SEVEN, **change})), made)
    with pytest.raises(Violation) as raised:
        summary(ctx, Drawn(False))  # type: ignore[arg-type]
    assert raised.value.title == "Summary disagrees with the carts"
    assert raised.value.received.startswith(problem)
    assert raised.value.request is not None


def test_summary_missing_is_caught(made: list[Context]) -> None:
    with pytest.raises(Violation) as raised:
        summary(on(FakeList(), made), Drawn(False))  # type: ignore[arg-type]
    assert raised.value.received == "summary is missing"


def test_summary_of_a_set_larger_than_the_page_limit_is_skipped(made: list[Context]) -> None:
    # 250 carts at 100 a page need 3 pages; the session allows 2.
    ctx = on(FakeList(carts=carts(250), edit=summarised(SEVEN)), made, max_pages=2)
    with pytest.raises(Skip) as raised:
        summary(ctx, Drawn(False))  # type: ignore[arg-type]
    assert raised.value.reason == "the set is larger than 2 pages; cannot add it up"


# -- include --------------------------------------------------------------------------------


def check_include(app: FakeList, made: list[Context], page: int = 0) -> None:
    include(on(app, made), Drawn(ITEMS, page), includes=[ITEMS])  # type: ignore[arg-type]


def test_include_passes_when_exactly_the_linked_resources_are_added(
    made: list[Context],
) -> None:
    app = FakeList(carts=with_items(5), edit=included)
    check_include(app, made)
    assert app.seen[-1] == {"include": "items", "limit": "100"}


def test_include_catches_the_resources_sent_unasked(made: list[Context]) -> None:
    def always(query: dict[str, str], body: Any) -> None:
        included({**query, "include": "items"}, body)

    with pytest.raises(Violation) as raised:
        check_include(FakeList(carts=with_items(5), edit=always), made)
    assert raised.value.title == "'included' sent without include"


def test_include_catches_nothing_added(made: list[Context]) -> None:
    with pytest.raises(Violation) as raised:
        check_include(FakeList(carts=with_items(5)), made)
    assert raised.value.title == "include=items added nothing"
    assert raised.value.expected == "an array at included"


def test_include_catches_a_linked_resource_left_out(made: list[Context]) -> None:
    def short(query: dict[str, str], body: Any) -> None:
        included(query, body)
        if "included" in body:
            body["included"] = [r for r in body["included"] if r["id"] != "shared"]

    with pytest.raises(Violation) as raised:
        check_include(FakeList(carts=with_items(5), edit=short), made)
    assert raised.value.title == "Linked items not included"
    assert raised.value.received == "1 missing, e.g. ('item', 'shared')"


def test_include_catches_a_resource_no_cart_links(made: list[Context]) -> None:
    def extra(query: dict[str, str], body: Any) -> None:
        included(query, body)
        if "included" in body:
            body["included"].append({"type": "item", "id": "orphan"})

    with pytest.raises(Violation) as raised:
        check_include(FakeList(carts=with_items(5), edit=extra), made)
    assert raised.value.title == "Included items that no cart links to"
    assert raised.value.received == "1 unlinked, e.g. ('item', 'orphan')"


def test_include_with_no_linked_resource_is_skipped(made: list[Context]) -> None:
    with pytest.raises(Skip, match="no returned cart links items"):
        check_include(FakeList(carts=carts(5), edit=included), made)


# -- rendition ------------------------------------------------------------------------------


def localised(change: Any) -> Any:
    def edit(query: dict[str, str], body: Any) -> None:
        if "data" not in body:
            return
        for cart in body["data"]:
            cart["formatted"] = f"{cart['total'] / 100:.2f}" + (
                " €" if query.get("locale") == "de_DE" else " EUR"
            )
        if query.get("locale") == "de_DE":
            change(body)

    return edit


def check_locale(app: FakeList, made: list[Context]) -> None:
    rendition(on(app, made), Drawn(0), variant=LOCALE)  # type: ignore[arg-type]


def test_rendition_passes_when_only_the_formatting_changes(made: list[Context]) -> None:
    app = FakeList(edit=localised(lambda body: None))
    check_locale(app, made)
    assert [q.get("locale") for q in app.seen[-2:]] == ["en_US", "de_DE"]


def test_rendition_catches_an_amount_that_changes(made: list[Context]) -> None:
    def scale(body: Any) -> None:
        for cart in body["data"]:
            cart["total"] *= 100

    with pytest.raises(Violation) as raised:
        check_locale(FakeList(edit=localised(scale)), made)
    assert raised.value.title == "locale changed an amount"
    # c00's total is 0 either way: c01 is the first that differs.
    assert raised.value.received == "cart 'c01': total is 100 for en_US but 10000 for de_DE"


def test_rendition_catches_other_carts_listed(made: list[Context]) -> None:
    def reverse(body: Any) -> None:
        body["data"].reverse()

    with pytest.raises(Violation) as raised:
        check_locale(FakeList(edit=localised(reverse)), made)
    assert raised.value.title == "locale changed the carts listed"


def test_rendition_of_no_carts_is_skipped(made: list[Context]) -> None:
    with pytest.raises(Skip, match="no carts to compare under two locale values"):
        check_locale(FakeList(carts=[]), made)


# -- planning -------------------------------------------------------------------------------


def planned(vendor: str) -> dict[str, str | None]:
    target = Target(vendor, base_url="http://127.0.0.1:9", auth={"token": TOKEN, "api_key": TOKEN})
    ctx = Context(
        Session(target, oracle_for(target.contract), max_pages=10), max_examples=10, seed=None
    )
    return {check.name: check.skip for check in checks(ctx)}


def test_the_checks_each_vendor_documents() -> None:
    assert planned("stateset") == {"consistency.repeat": None, "consistency.summary": None}
    assert planned("shopimind") == {
        "consistency.repeat": None,
        "consistency.summary": "shopimind returns no summary",
    }
    assert "consistency.include" in planned("elasticpath")
    assert "consistency.locale" in planned("epages")


def test_include_and_rendition_are_bound_to_the_oracle_s_documents() -> None:
    target = Target("epages", base_url="http://127.0.0.1:9", auth={"token": TOKEN})
    ctx = Context(
        Session(target, oracle_for(target.contract), max_pages=10), max_examples=10, seed=None
    )
    [locale] = [c for c in checks(ctx) if c.name == "consistency.locale"]
    assert isinstance(locale.run, functools.partial) and locale.run.func is rendition
    assert locale.run.keywords["variant"].param == "locale"
