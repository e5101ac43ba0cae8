"""The ``filters`` group: each documented filter on its own (``filters.<name>``), then
``filters.combined``: every pair of filters once, then drawn pairs and triples.

Values are drawn from the carts the server returned, so a filter always has data to hit. A
filtered walk must hold only matching carts, report no more than the unfiltered total, and (when
both sets were walked whole) miss none of the unfiltered set's matching carts.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator
from typing import Any

from hypothesis import strategies as st

from ..errors import Skip, Violation
from ..oracle import Filter
from .context import Check, Context, excerpt

__all__ = ["by_filter", "checks", "drawn_filters", "every_pair"]


def checks(ctx: Context) -> Iterator[Check]:
    """The group's checks for *ctx*'s vendor, in report order."""
    filters = ctx.oracle.filters()
    for flt in filters:
        yield Check(f"filters.{flt.name}", functools.partial(by_filter, flt=flt), ctx.few)
    if len(filters) > 1:
        # A server may apply each filter alone and still drop one beside another, so every
        # pair is tried first, each with values drawn from the returned carts.
        yield Check("filters.combined", drawn_filters, ctx.few, sweep=every_pair)


def by_filter(ctx: Context, data: st.DataObject, *, flt: Filter) -> None:
    """*flt* with a value drawn from the returned carts keeps exactly the matching carts."""
    value, params = ctx.draw_filter(data, flt)
    _filtered(ctx, params, [(flt, value)])


def every_pair(ctx: Context, data: st.DataObject) -> None:
    """Every pair of filters at once, each with a drawn value (the sweep of ``combined``)."""
    pairs = itertools.combinations(ctx.oracle.filters(), 2)
    if not sum(_together(ctx, data, pair) for pair in pairs):
        raise Skip("no two filters have values to combine in the returned carts")


def drawn_filters(ctx: Context, data: st.DataObject) -> None:
    """Two or three drawn filters at once keep exactly the carts matching all of them."""
    chosen = data.draw(
        st.lists(
            st.sampled_from(ctx.oracle.filters()),
            min_size=2,
            max_size=3,
            unique_by=lambda f: f.name,
        ),
        label="filters",
    )
    _together(ctx, data, tuple(chosen))


def _together(ctx: Context, data: st.DataObject, chosen: tuple[Filter, ...]) -> bool:
    """Apply *chosen* filters at once; ``False`` when they cannot be (no value to filter
    on in the returned carts, or the vendor cannot AND them)."""
    drawn, parts = [], []
    for flt in chosen:
        values = flt.values(ctx.sample())
        if values is None:
            return False
        value = data.draw(values, label=flt.name)
        parts.append(flt.params(value))
        drawn.append((flt, value))
    try:
        params = ctx.oracle.combine(parts)
    except ValueError:
        return False
    _filtered(ctx, params, drawn)
    return True


def _filtered(ctx: Context, params: dict[str, Any], drawn: list[tuple[Filter, Any]]) -> None:
    session, oracle = ctx.session, ctx.oracle
    universe = session.universe()
    _, high = oracle.size_bounds()
    walk = session.walk(params, high or None)
    for page, sent in walk.pages:
        for cart in page.carts:
            for flt, value in drawn:
                if not flt.holds(cart, value):
                    raise Violation(
                        f"Filter {flt.name!r} not applied",
                        f"only carts with {flt.name} matching {value!r}",
                        f"cart {oracle.cart_id(cart)!r}: {excerpt(cart)}",
                        sent,
                    )
    everything = universe.total if universe.total is not None else len(universe.carts)
    if walk.total is not None and walk.total > everything:
        raise Violation(
            "Filtered total exceeds the unfiltered one",
            f"at most {everything} (the unfiltered total)",
            f"{walk.total}",
            walk.pages[0][1],
        )
    if universe.truncated or walk.truncated:
        return  # completeness needs both sets whole
    expected = {
        oracle.cart_id(c)
        for c in universe.carts
        if all(flt.holds(c, value) for flt, value in drawn)
    }
    got = {oracle.cart_id(c) for c in walk.carts}
    if missing := sorted(expected - got, key=repr):
        raise Violation(
            "Filter dropped matching carts",
            f"all {len(expected)} carts of the unfiltered set that match",
            f"{len(got)} carts; missing e.g. {missing[:3]!r}",
            walk.pages[0][1],
        )
