"""The ``errors`` group: refusals beyond credentials. A shop that cannot exist answers the
documented 404 (ePages); an ``Accept`` that excludes every documented media type answers the
documented 406."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from hypothesis import strategies as st

from ..errors import Skip
from .context import Check, Context
from .refusals import refusal

__all__ = ["NOT_ACCEPTABLE", "checks", "not_acceptable", "unknown_shop"]

NOT_ACCEPTABLE = "text/html"
"""The ``Accept`` the 406 check sends: a browser's, which excludes every JSON type."""


def checks(ctx: Context) -> Iterator[Check]:
    """The group's checks for *ctx*'s vendor, in report order."""
    contract = ctx.oracle.contract
    if contract.path_parameters() and contract.documents(404):
        yield Check("errors.unknown_shop", unknown_shop, 1)
    if contract.documents(406):
        yield Check("errors.not_acceptable", not_acceptable, 1)


def unknown_shop(ctx: Context, data: st.DataObject) -> None:
    """A shop id that cannot exist answers the documented 404 (ePages)."""
    target = ctx.session.target
    if not target.contract.path_parameters() or not target.contract.documents(404):
        raise Skip(f"{target.vendor} has no shop in its path or documents no 404")
    # Derived from the real shop id, so it never is that shop; letters, digits and '-' only,
    # so it is well-formed (a malformed id would rightly be a 400).
    digest = hashlib.sha256(target.shop_id.encode()).hexdigest()[:12]
    shop = f"cartkit-no-such-shop-{digest}"
    refusal(ctx.session, f"the unknown shop {shop!r}", 404, url=target.url_for(shop))


def not_acceptable(ctx: Context, data: st.DataObject) -> None:
    """An ``Accept`` that excludes every documented media type answers the documented 406."""
    target = ctx.session.target
    contract = target.contract
    if not contract.documents(406):
        raise Skip(f"{contract.vendor} documents no 406")
    headers = {**target.headers(), "Accept": NOT_ACCEPTABLE}
    refusal(ctx.session, f"Accept: {NOT_ACCEPTABLE}", 406, headers=headers)
