"""``contracts.checks.errors`` called directly on the ePages mock, the one vendor with a shop in
its path and a documented 406: a shop that cannot exist answers the documented 404, an ``Accept``
excluding every documented media type the documented 406. A server answering either with 200
(serving any shop id, ignoring ``Accept``) is caught; elsewhere the checks skip with the reason.
(``tests/contracts/test_errors.py`` is ``contracts/errors.py``'s.)"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from cartkit.contracts.checks.context import Context
from cartkit.contracts.checks.errors import NOT_ACCEPTABLE, checks, not_acceptable, unknown_shop
from cartkit.contracts.errors import Skip, Violation
from cartkit.contracts.paging import Session
from cartkit.contracts.target import Target
from cartkit.contracts.vendors import oracle_for
from tests.contracts import broken, changes
from tests.contracts.conftest import CREDENTIALS, mock_app

DATA: Any = None  # the errors checks draw nothing
SHOP = "DemoShop"  # the shop the mock serves and a target defaults to
UNKNOWN = "cartkit-no-such-shop-" + hashlib.sha256(SHOP.encode()).hexdigest()[:12]


def on(app: Any, made: list[Context], vendor: str = "epages") -> Context:
    target = Target(
        vendor, app=app, base_url=f"http://testserver/{vendor}", auth=CREDENTIALS[vendor]
    )
    ctx = Context(
        Session(target, oracle_for(target.contract), max_pages=10), max_examples=10, seed=None
    )
    made.append(ctx)
    return ctx


def test_the_checks_are_planned_only_where_documented(made: list[Context]) -> None:
    assert [c.name for c in checks(on(None, made))] == [
        "errors.unknown_shop",
        "errors.not_acceptable",
    ]
    # 29 Next documents a 404 but has no shop in its path; StateSet documents neither.
    assert list(checks(on(None, made, "nextcommerce"))) == []
    assert list(checks(on(None, made, "stateset"))) == []


# -- unknown_shop -----------------------------------------------------------------------------


def test_an_unknown_shop_refused_with_the_documented_404_passes(made: list[Context]) -> None:
    ctx = on(mock_app("epages"), made)
    unknown_shop(ctx, DATA)
    sent = ctx.session.last_request
    assert sent is not None and sent.url.path == f"/epages/rs/shops/{UNKNOWN}/carts"
    assert ctx.session.target.requests == 1


def test_a_server_answering_for_any_shop_is_caught(made: list[Context]) -> None:
    app = broken.Rewrite(mock_app("epages"), path=changes.any_shop(SHOP))
    with pytest.raises(Violation) as raised:
        unknown_shop(on(app, made), DATA)
    assert raised.value.title == (
        f"Request with the unknown shop {UNKNOWN!r} not refused as documented"
    )
    assert raised.value.expected == "404 with the vendor's error envelope"
    assert raised.value.received.startswith("200 ")
    assert raised.value.request is not None and UNKNOWN in raised.value.request.url.path


def test_an_unknown_shop_refused_with_another_body_is_caught(made: list[Context]) -> None:
    app = broken.Rewrite(mock_app("epages"), body=changes.on_status(404, ["not found"]))
    with pytest.raises(Violation) as raised:
        unknown_shop(on(app, made), DATA)
    assert raised.value.title == "Wrong 404 error envelope"


def test_unknown_shop_skips_a_vendor_without_a_shop_in_its_path(made: list[Context]) -> None:
    ctx = on(None, made, "nextcommerce")
    with pytest.raises(Skip, match="nextcommerce has no shop in its path or documents no 404"):
        unknown_shop(ctx, DATA)
    assert ctx.session.target.requests == 0


# -- not_acceptable ---------------------------------------------------------------------------


def test_an_html_accept_refused_with_the_documented_406_passes(made: list[Context]) -> None:
    ctx = on(mock_app("epages"), made)
    not_acceptable(ctx, DATA)
    sent = ctx.session.last_request
    assert sent is not None and sent.headers["accept"] == NOT_ACCEPTABLE == "text/html"
    assert sent.headers["authorization"] == "Bearer test-token"  # only the Accept is wrong


def test_a_server_ignoring_accept_is_caught(made: list[Context]) -> None:
    app = broken.Rewrite(
        mock_app("epages"), headers=changes.forced_header("Accept", "application/json")
    )
    with pytest.raises(Violation) as raised:
        not_acceptable(on(app, made), DATA)
    assert raised.value.title == "Request with Accept: text/html not refused as documented"
    assert raised.value.expected == "406 with the vendor's error envelope"
    assert raised.value.received.startswith("200 ")


def test_not_acceptable_skips_a_vendor_documenting_no_406(made: list[Context]) -> None:
    ctx = on(None, made, "stateset")
    with pytest.raises(Skip, match="stateset documents no 406"):
        not_acceptable(ctx, DATA)
    assert ctx.session.target.requests == 0
