"""The ``projection`` group: a field projection returns exactly the fields asked for, and the
opt-in fields appear only when asked for."""

from __future__ import annotations

from collections.abc import Iterator

from hypothesis import strategies as st

from ..errors import Violation
from .context import Check, Context, applies, excerpt

__all__ = ["checks", "fields"]


def checks(ctx: Context) -> Iterator[Check]:
    """The group's checks for *ctx*'s vendor, in report order."""
    oracle = ctx.oracle
    yield Check(
        "projection.fields",
        fields,
        ctx.few,
        skip=applies(
            oracle.projection() is not None, f"{oracle.vendor} documents no field projection"
        ),
    )


def fields(ctx: Context, data: st.DataObject) -> None:
    """Drawn fields are returned exactly; opt-in fields never unrequested."""
    session, oracle = ctx.session, ctx.oracle
    project = oracle.projection()
    assert project is not None  # planned only then
    always, opt_in = oracle.projectable()
    chosen = data.draw(st.lists(st.sampled_from(always + opt_in), min_size=1, unique=True))
    page, response = session.page(project(chosen), None, 0)
    for cart in page.carts:
        extra, missing = sorted(set(cart) - set(chosen)), sorted(set(chosen) - set(cart))
        if extra or missing:
            raise Violation(
                "Projection not honoured",
                f"exactly the requested fields {sorted(chosen)}",
                f"extra {extra}, missing {missing} in cart {excerpt(cart)}",
                response.request,
            )
    plain, response = session.page({}, None, 0)
    for cart in plain.carts:
        joined = sorted(set(cart) & set(opt_in))
        if joined:
            raise Violation(
                "Opt-in fields returned without being asked for",
                f"none of {opt_in} unless requested",
                f"{joined} in cart {excerpt(cart)}",
                response.request,
            )
