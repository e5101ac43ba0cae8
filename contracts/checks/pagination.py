"""The ``pagination`` group: walking the pages as the server links them, the default and
requested page sizes, and the refusal of page sizes outside the documented bounds.

The walk itself (no cart twice, short pages only at the end, totals and has-more flags that
agree) is :meth:`~cartkit.contracts.paging.Session.walk`'s; only these checks are failed by pages that
disagree with each other, every other check is skipped instead (:mod:`cartkit.contracts.execution`).
"""

from __future__ import annotations

from collections.abc import Iterator

from hypothesis import strategies as st

from ..errors import Violation
from ..paging import snippet
from .context import Check, Context, applies
from .refusals import envelope

__all__ = ["checks", "page_size", "probes", "size_bounds", "walk"]


def checks(ctx: Context) -> Iterator[Check]:
    """The group's checks for *ctx*'s vendor, in report order."""
    oracle = ctx.oracle
    yield Check("pagination.walk", walk, ctx.few)
    yield Check(
        "pagination.page_size",
        page_size,
        ctx.few,
        skip=applies(oracle.default_size is not None, "the vendor documents no default page size"),
    )
    yield Check(
        "pagination.size_bounds",
        size_bounds,
        1,
        skip=applies(
            bool(probes(ctx)),
            "the vendor documents no page-size parameter"
            if oracle.size_param is None
            else f"{oracle.size_param!r} has no documented bounds",
        ),
    )


def walk(ctx: Context, data: st.DataObject) -> None:
    """The whole set, and a filtered one, walk as the pagination contract says."""
    session, oracle = ctx.session, ctx.oracle
    universe = session.universe()
    size = ctx.size(data, universe.total or len(universe.carts))
    session.walk({}, size, envelope=True)
    if oracle.filters():
        # A filtered set too: small sets give the edges (one page, none, a full last page).
        flt = data.draw(st.sampled_from(oracle.filters()), label="filter")
        params = ctx.draw_filter(data, flt)[1]
        low, high = oracle.size_bounds()
        sizes = [None] if not high else [high, None, data.draw(st.integers(low, high))]
        size = data.draw(st.sampled_from(sizes), label="filtered page size")
        session.walk(params, size, envelope=True)


def page_size(ctx: Context, data: st.DataObject) -> None:
    """The documented default page size, and a requested one, are honoured."""
    session, oracle = ctx.session, ctx.oracle
    default = oracle.default_size
    assert default is not None  # planned only then
    page, response = session.page(oracle.page_params(None, 0), None, 0, envelope=True)
    total = page.total if page.total is not None else len(ctx.sample())
    if len(page.carts) != min(default, total):
        raise Violation(
            "Default page size not honoured",
            f"{min(default, total)} carts when no page size is sent (documented default {default})",
            f"{len(page.carts)} carts",
            response.request,
        )
    if oracle.size_param is None:
        return  # a fixed page size: nothing to request
    size = ctx.size(data, None)
    page, response = session.page(oracle.page_params(size, 0), size, 0, envelope=True)
    if size is not None and len(page.carts) != min(size, total):
        raise Violation(
            "Requested page size not honoured",
            f"{min(size, total)} carts for page size {size}",
            f"{len(page.carts)} carts",
            response.request,
        )


def probes(ctx: Context) -> list[int]:
    """Page sizes just outside the documented bounds (none without a page-size parameter)."""
    name = ctx.oracle.size_param
    if name is None:
        return []
    low, high = ctx.oracle.contract.bounds(name)
    return [
        v
        for v in ((low - 1) if low is not None else None, (high + 1) if high else None)
        if v is not None
    ]


def size_bounds(ctx: Context, data: st.DataObject) -> None:
    """A page size outside the documented bounds is refused with 400 and the error envelope."""
    name = ctx.oracle.size_param
    assert name is not None  # planned only then
    low, high = ctx.oracle.contract.bounds(name)
    for value in probes(ctx):
        response = ctx.session.fetch({name: value})
        if response.status_code != 400:
            raise Violation(
                "Out-of-range page size accepted",
                f"400 for {name}={value} (documented bounds {low}..{high})",
                snippet(response),
                response.request,
            )
        envelope(ctx.session, response, 400)
