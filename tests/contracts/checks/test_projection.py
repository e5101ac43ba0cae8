"""``contracts.checks.projection`` called directly: a projection returns exactly the fields asked
for, and an opt-in field only when asked for. The server is ``FakeList`` with StateSet's
envelope, under an oracle that documents ``fields=a,b`` with ``items`` opt-in (StateSet itself
has no projection; ShopiMind's is what the real runs check)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from cartkit.contracts.checks.context import Context
from cartkit.contracts.checks.projection import checks, fields
from cartkit.contracts.errors import Violation
from cartkit.contracts.paging import Session
from cartkit.contracts.target import Target
from cartkit.contracts.vendors import oracle_for
from cartkit.contracts.vendors.stateset import StateSet
from tests.contracts.checks.drawing import Drawn
from tests.contracts.fake_list import TOKEN, FakeList

ITEMS = ["sku-1", "sku-2"]


class Projecting(StateSet):
    """StateSet, with ``fields=`` and an opt-in ``items`` field."""

    def projection(self) -> Callable[[Sequence[str]], dict[str, Any]] | None:
        return lambda chosen: {"fields": ",".join(chosen)}

    def projectable(self) -> tuple[list[str], list[str]]:
        return ["id", "status", "total"], ["items"]


def projected(query: dict[str, str], body: Any) -> None:
    """Honour ``fields=`` (``items`` made up when asked for)."""
    if "fields" not in query:
        return
    chosen = query["fields"].split(",")
    body["data"] = [
        {name: ({**cart, "items": ITEMS}[name]) for name in chosen} for cart in body["data"]
    ]


def leaking(query: dict[str, str], body: Any) -> None:
    """Honour ``fields=`` but send ``items`` unasked too."""
    projected(query, body)
    if "fields" not in query:
        body["data"] = [{**cart, "items": ITEMS} for cart in body["data"]]


def on(app: FakeList, made: list[Context]) -> Context:
    target = Target("stateset", app=app, auth={"token": TOKEN})
    ctx = Context(
        Session(target, Projecting(target.contract), max_pages=10), max_examples=10, seed=None
    )
    made.append(ctx)
    return ctx


@pytest.mark.parametrize("chosen", [["id"], ["status", "total"], ["id", "items"]])
def test_a_projection_honoured_passes(chosen: list[str], made: list[Context]) -> None:
    app = FakeList(edit=projected)
    fields(on(app, made), Drawn(chosen))  # type: ignore[arg-type]
    assert app.seen[0]["fields"] == ",".join(chosen)
    assert "fields" not in app.seen[1]  # then a plain page, for the opt-in fields


def test_a_projection_ignored_is_caught(made: list[Context]) -> None:
    ctx = on(FakeList(), made)
    with pytest.raises(Violation) as raised:
        fields(ctx, Drawn(["id", "items"]))  # type: ignore[arg-type]
    assert raised.value.title == "Projection not honoured"
    assert raised.value.expected == "exactly the requested fields ['id', 'items']"
    assert raised.value.received.startswith("extra ['status', 'total'], missing ['items'] in cart")
    assert raised.value.request is not None
    assert raised.value.request.url.params["fields"] == "id,items"


def test_a_field_missing_from_the_projection_is_caught(made: list[Context]) -> None:
    def short(query: dict[str, str], body: Any) -> None:
        projected(query, body)
        for cart in body["data"]:
            cart.pop("total", None)

    with pytest.raises(Violation) as raised:
        fields(on(FakeList(edit=short), made), Drawn(["id", "total"]))  # type: ignore[arg-type]
    assert raised.value.received.startswith("extra [], missing ['total']")


def test_an_opt_in_field_sent_unasked_is_caught(made: list[Context]) -> None:
    ctx = on(FakeList(edit=leaking), made)
    with pytest.raises(Violation) as raised:
        fields(ctx, Drawn(["id"]))  # type: ignore[arg-type]
    assert raised.value.title == "Opt-in fields returned without being asked for"
    assert raised.value.expected == "none of ['items'] unless requested"
    assert raised.value.received.startswith("['items'] in cart {")
    assert raised.value.request is not None and "fields" not in raised.value.request.url.params


def test_no_carts_nothing_to_disagree_with(made: list[Context]) -> None:
    fields(on(FakeList(carts=[]), made), Drawn(["id"]))  # type: ignore[arg-type]


def test_the_check_is_planned_only_for_a_vendor_with_a_projection() -> None:
    for vendor, skip in [
        ("stateset", "stateset documents no field projection"),
        ("shopimind", None),
    ]:
        target = Target(
            vendor, base_url="http://127.0.0.1:9", auth={"token": TOKEN, "api_key": TOKEN}
        )
        ctx = Context(
            Session(target, oracle_for(target.contract), max_pages=10), max_examples=25, seed=None
        )
        [check] = checks(ctx)
        assert (check.name, check.skip, check.examples) == ("projection.fields", skip, 5)
