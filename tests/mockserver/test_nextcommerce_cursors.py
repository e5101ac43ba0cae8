"""29 Next's cursors: signed keyset positions bound to one dataset."""

from __future__ import annotations

import base64

import pytest

from cartkit.mockserver.dataset import generate
from cartkit.mockserver.errors import ApiError
from cartkit.mockserver.vendors.nextcommerce import MARKET
from cartkit.mockserver.vendors.nextcommerce_cursors import Cursors

DATA = generate(MARKET, count=30)


@pytest.mark.parametrize("reverse", [False, True])
def test_a_cursor_decodes_to_its_boundary_and_direction(reverse: bool) -> None:
    cursors, cart = Cursors("nextcommerce", DATA), DATA.carts[7]
    assert cursors.decode(cursors.encode(reverse, cart)) == (reverse, cart)


@pytest.mark.parametrize("cursor", [None, ""])
def test_no_cursor_is_the_first_page(cursor: str | None) -> None:
    assert Cursors("nextcommerce", DATA).decode(cursor) is None


def _forged(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param(
            Cursors("nextcommerce", generate(MARKET, count=31)).encode(False, DATA.carts[7]),
            id="stale",
        ),
        pytest.param(
            Cursors("nextcommerce", generate(MARKET, count=30, seed=1)).encode(
                False, DATA.carts[7]
            ),
            id="other-seed",
        ),
        pytest.param(_forged(f"p={DATA.carts[7].number}&s=0123456789abcdef"), id="forged"),
        pytest.param("not base64!", id="garbled"),
        pytest.param(_forged("p=1&s=0123456789abcdef&x"), id="malformed"),
    ],
)
def test_any_other_cursor_is_a_404(cursor: str) -> None:
    with pytest.raises(ApiError) as refused:
        Cursors("nextcommerce", DATA).decode(cursor)
    assert (refused.value.problem.status, refused.value.message) == (404, "Invalid cursor")
