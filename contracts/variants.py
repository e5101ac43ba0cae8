"""Request variants with a documented effect on the page, and nothing more: a shopper token
narrows the list to its owner's carts, ``include`` adds the carts' related resources, a locale
rewrites only how prices are formatted.

Each check reuses the cached walk of the whole set where it can and otherwise reads one or two
pages, so they cost a handful of requests per run.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from .paging import Session, Skip, Violation
from .vendors import Cart, Include, Rendition, Shopper

__all__ = ["included", "owned_only", "rendition", "shopper_scope"]


def shopper_scope(session: Session) -> None:
    """With a shopper token, every listed cart belongs to that token's customer or account.

    A token that names its owner (``Shopper.identity``) must be that owner; an opaque one (a
    vendor JWT) must at least give carts that all share one owner.
    """
    target, oracle = session.target, session.oracle
    shoppers = oracle.shoppers()
    given = [s for s in shoppers if getattr(target.credentials, s.credential)]
    if not given:
        options = " or ".join("--" + s.credential.replace("_", "-") for s in shoppers)
        raise Skip(f"no shopper token given ({options}), so the list is not one shopper's")
    shopper = given[0]
    owned_only(session, shopper, shopper.identity(getattr(target.credentials, shopper.credential)))


def owned_only(session: Session, shopper: Shopper, owner: str | None) -> None:
    """Every cart the session's credentials list belongs to *owner* (``None``: to one owner)."""
    oracle = session.oracle
    universe = session.universe()
    if not universe.carts:
        raise Skip(f"the {shopper.owner} token lists no carts, so none can belong to another")
    shared: set[str] | None = None  # owners common to the carts so far (opaque tokens)
    for page, sent in universe.pages:
        for cart in page.carts:
            owners = shopper.owners(cart)
            shared = owners if shared is None else shared & owners
            if owner in owners or (owner is None and shared):
                continue
            expected = f"{shopper.owner} {owner!r}" if owner else f"one {shopper.owner}"
            raise Violation(
                f"Carts of another {shopper.owner} listed for its {shopper.header}",
                f"only carts of {expected} (the token's)",
                f"cart {oracle.cart_id(cart)!r} of {shopper.owner}s {sorted(owners)}",
                sent,
            )


def included(session: Session, include: Include, data: st.DataObject) -> None:
    """``include`` adds exactly the resources the page's carts link to, and only on request."""
    oracle = session.oracle
    universe = session.universe()
    where = ".".join(include.path)
    if include.path[0] in (universe.first_body or {}):
        raise Violation(
            f"{include.path[0]!r} sent without include",
            f"no {include.path[0]!r} unless include is sent (the spec: present only then)",
            f"{where}: {_dig(universe.first_body, include.path)!r:.200}",
            universe.pages[0][1],
        )
    if not any(include.linked(cart) for cart in universe.carts):
        raise Skip(f"no returned cart links {include.name}, so include has nothing to add")
    size, index = _page(session, data)
    page, response = session.page(
        {**include.params, **oracle.page_params(size, index)}, size, index
    )
    resources = _dig(response.json(), include.path)
    if not isinstance(resources, list):
        raise Violation(
            f"include={include.name} added nothing",
            f"an array at {where}",
            f"{where}: {resources!r:.200}",
            response.request,
        )
    linked = {pair for cart in page.carts for pair in include.linked(cart)}
    got = {(r.get("type"), r.get("id")) for r in resources if isinstance(r, dict)}
    if missing := sorted(linked - got):
        raise Violation(
            f"Linked {include.name} not included",
            f"every {include.name} the page's carts link to in {where}",
            f"{len(missing)} missing, e.g. {missing[0]!r}",
            response.request,
        )
    if extra := sorted(got - linked, key=repr):
        raise Violation(
            f"Included {include.name} that no cart links to",
            f"only the {include.name} the page's carts link to (JSON:API full linkage)",
            f"{len(extra)} unlinked, e.g. {extra[0]!r}",
            response.request,
        )


def rendition(session: Session, variant: Rendition, data: st.DataObject) -> None:
    """The same page under two values of *variant*: the same carts, amounts and total."""
    oracle = session.oracle
    universe = session.universe()
    if not universe.carts:
        raise Skip(f"the server returned no carts to compare under two {variant.param} values")
    size, index = _page(session, data)
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


def _page(session: Session, data: st.DataObject) -> tuple[int | None, int]:
    """The largest page size and one of the pages the walk of the whole set read (so a page
    that exists and an offset the server accepts)."""
    _, high = session.oracle.size_bounds()
    pages = len(session.universe().pages)
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
