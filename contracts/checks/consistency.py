"""The ``consistency`` group: the same request answers the same (``repeat``), a summary adds
up (``summary``), and request variants with a documented effect have that effect and nothing
more: ``include`` adds exactly the linked resources (``include``), a locale rewrites only how
prices are formatted (``consistency.<param>``).

Each variant check reuses the cached walk of the whole set where it can and otherwise reads one
or two pages, so they cost a handful of requests per run.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from hypothesis import strategies as st

from ..errors import Skip, Violation
from ..oracle import Cart, Include, Rendition
from ..paging import snippet
from .context import Check, Context, applies

__all__ = ["checks", "include", "rendition", "repeat", "summary"]


def checks(ctx: Context) -> Iterator[Check]:
    """The group's checks for *ctx*'s vendor, in report order."""
    oracle = ctx.oracle
    yield Check("consistency.repeat", repeat, ctx.few)
    yield Check(
        "consistency.summary",
        summary,
        ctx.few,
        skip=applies(
            oracle.summary_problems({}, []) is not None, f"{oracle.vendor} returns no summary"
        ),
    )
    if includes := oracle.includes():
        yield Check("consistency.include", functools.partial(include, includes=includes), 2)
    if variant := oracle.rendition():
        name = f"consistency.{variant.param}"
        yield Check(name, functools.partial(rendition, variant=variant), 2)


def repeat(ctx: Context, data: st.DataObject) -> None:
    """The same request, sent twice, gets the same answer (volatile fields aside)."""
    session, oracle = ctx.session, ctx.oracle
    params: dict[str, Any] = {}
    if data.draw(st.booleans(), label="filtered") and oracle.filters():
        flt = data.draw(st.sampled_from(oracle.filters()), label="filter")
        params = ctx.draw_filter(data, flt)[1]
    size = ctx.size(data, None)
    params |= oracle.page_params(size, data.draw(st.integers(0, 2), label="page"))
    first, second = session.fetch(params), session.fetch(params)
    if first.status_code != second.status_code or _stable(first, oracle.volatile) != _stable(
        second, oracle.volatile
    ):
        raise Violation(
            "Same request, different answers",
            f"the same answer twice ({snippet(first, 200)})",
            snippet(second, 200),
            second.request,
        )


def summary(ctx: Context, data: st.DataObject) -> None:
    """The summary of a (drawn, maybe filtered) set agrees with the carts it summarises."""
    session, oracle = ctx.session, ctx.oracle
    params: dict[str, Any] = {}
    if data.draw(st.booleans(), label="filtered"):
        flt = data.draw(st.sampled_from(oracle.filters()), label="filter")
        params = ctx.draw_filter(data, flt)[1]
    _, high = oracle.size_bounds()
    walk = session.walk(params, high or None)
    if walk.truncated:
        raise Skip(f"the set is larger than {session.max_pages} pages; cannot add it up")
    if problems := oracle.summary_problems(walk.first_body, walk.carts):
        raise Violation(
            "Summary disagrees with the carts",
            "a summary computed from the carts it summarises",
            "; ".join(problems),
            walk.pages[0][1],
        )


def include(ctx: Context, data: st.DataObject, *, includes: list[Include]) -> None:
    """A drawn ``include`` adds exactly the resources the page's carts link to, and only on
    request."""
    chosen = data.draw(st.sampled_from(includes), label="include")
    session = ctx.session
    oracle = session.oracle
    universe = session.universe()
    where = ".".join(chosen.path)
    if chosen.path[0] in (universe.first_body or {}):
        raise Violation(
            f"{chosen.path[0]!r} sent without include",
            f"no {chosen.path[0]!r} unless include is sent (the spec: present only then)",
            f"{where}: {_dig(universe.first_body, chosen.path)!r:.200}",
            universe.pages[0][1],
        )
    if not any(chosen.linked(cart) for cart in universe.carts):
        raise Skip(f"no returned cart links {chosen.name}, so include has nothing to add")
    size, index = _page(ctx, data)
    page, response = session.page({**chosen.params, **oracle.page_params(size, index)}, size, index)
    resources = _dig(response.json(), chosen.path)
    if not isinstance(resources, list):
        raise Violation(
            f"include={chosen.name} added nothing",
            f"an array at {where}",
            f"{where}: {resources!r:.200}",
            response.request,
        )
    linked = {pair for cart in page.carts for pair in chosen.linked(cart)}
    got = {(r.get("type"), r.get("id")) for r in resources if isinstance(r, dict)}
    if missing := sorted(linked - got):
        raise Violation(
            f"Linked {chosen.name} not included",
            f"every {chosen.name} the page's carts link to in {where}",
            f"{len(missing)} missing, e.g. {missing[0]!r}",
            response.request,
        )
    if extra := sorted(got - linked, key=repr):
        raise Violation(
            f"Included {chosen.name} that no cart links to",
            f"only the {chosen.name} the page's carts link to (JSON:API full linkage)",
            f"{len(extra)} unlinked, e.g. {extra[0]!r}",
            response.request,
        )


def rendition(ctx: Context, data: st.DataObject, *, variant: Rendition) -> None:
    """The same page under two values of *variant*: the same carts, amounts and total."""
    session = ctx.session
    oracle = session.oracle
    universe = session.universe()
    if not universe.carts:
        raise Skip(f"the server returned no carts to compare under two {variant.param} values")
    size, index = _page(ctx, data)
    a, b = variant.values
    first, _ = session.page({variant.param: a, **oracle.page_params(size, index)}, size, index)
    second, response = session.page(
        {variant.param: b, **oracle.page_params(size, index)}, size, index
    )
    expected = f"the same carts, total and amounts for {variant.param}={a} as for {b}"
    ids = [oracle.cart_id(c) for c in first.carts], [oracle.cart_id(c) for c in second.carts]
    if ids[0] != ids[1] or first.total != second.total:
        raise Violation(
            f"{variant.param} changed the carts listed",
            expected,
            f"total {first.total} and {ids[0][:3]}... for {a}, "
            f"total {second.total} and {ids[1][:3]}... for {b}",
            response.request,
        )
    for left, right in zip(first.carts, second.carts, strict=True):
        if difference := _difference(variant, left, right):
            raise Violation(
                f"{variant.param} changed an amount",
                expected + " (only the formatting may differ)",
                f"cart {oracle.cart_id(left)!r}: {difference}",
                response.request,
            )


def _page(ctx: Context, data: st.DataObject) -> tuple[int | None, int]:
    """The largest page size and one of the pages the walk of the whole set read (so a page
    that exists and an offset the server accepts)."""
    _, high = ctx.oracle.size_bounds()
    pages = len(ctx.session.universe().pages)
    return high or None, data.draw(st.integers(0, pages - 1), label="page")


def _difference(variant: Rendition, left: Cart, right: Cart) -> str | None:
    a, b = variant.values
    kept, changed = variant.invariant(left), variant.invariant(right)
    for path in sorted(kept.keys() | changed.keys()):
        if kept.get(path) != changed.get(path):
            return f"{path} is {kept.get(path)!r} for {a} but {changed.get(path)!r} for {b}"
    return None


def _dig(body: Any, path: tuple[str, ...]) -> Any:
    node = body
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _stable(response: Any, volatile: tuple[tuple[str, ...], ...]) -> Any:
    try:
        body = response.json()
    except ValueError:
        return response.content
    for path in volatile:
        node = body
        for part in path[:-1]:
            node = node.get(part, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict):
            node.pop(path[-1], None)
    return body
