"""The semantic checks: Hypothesis-driven, read-only GETs judged against the vendor's oracle.

Each check is a property over drawn inputs (page sizes, filters and values taken from carts the
server returned, sort orders); Hypothesis runs it seeded or derandomized, without shrinking so a
run stays within its request budget. A check ends passed, failed (with the first
:class:`~contracts.paging.Violation` as evidence) or skipped with a reason.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

from hypothesis import strategies as st

from .execution import Body, NotApplicable, run_property
from .ordering import check_order
from .paging import Session, Skip, Violation, snippet
from .refusals import both_shopper_tokens, envelope, not_acceptable, refused, unknown_shop
from .report import CheckResult, Outcome
from .variants import included, rendition, shopper_scope
from .vendors import Cart, Filter, Include, Order

__all__ = ["SemanticChecks"]


class SemanticChecks:
    """The semantic checks of one run, by name, each runnable on its own."""

    def __init__(self, session: Session, *, max_examples: int, seed: int | None) -> None:
        self.session = session
        self.oracle = session.oracle
        self.max_examples = max_examples
        self.seed = seed

    def plan(self) -> Iterator[tuple[str, Callable[[], CheckResult]]]:
        """``(check name, run it)`` for every semantic check of the vendor, in report order."""
        few = max(2, self.max_examples // 5)
        oracle = self.oracle
        yield "pagination.walk", lambda: self._run("pagination.walk", self._walk, few)
        yield self._where(
            "pagination.page_size",
            oracle.default_size is not None,
            "the vendor documents no default page size",
            lambda: self._run("pagination.page_size", self._page_size, few),
        )
        yield self._where(
            "pagination.size_bounds",
            bool(self._probes()),
            "the vendor documents no page-size parameter"
            if oracle.size_param is None
            else f"{oracle.size_param!r} has no documented bounds",
            lambda: self._run("pagination.size_bounds", self._bounds, 1),
        )
        for flt in self.oracle.filters():
            name = f"filters.{flt.name}"
            yield name, functools.partial(self._run, name, self._filter(flt), few)
        if len(self.oracle.filters()) > 1:
            yield "filters.combined", functools.partial(self._combined, few)
        for order in self.oracle.orders():
            name = f"ordering.{order.name.split(' ', 1)[0]}"
            yield name, functools.partial(self._run, name, self._order(order), few)
        yield self._where(
            "projection.fields",
            oracle.projection() is not None,
            f"{oracle.vendor} documents no field projection",
            lambda: self._run("projection.fields", self._projection, few),
        )
        yield "auth.missing", lambda: self._run("auth.missing", self._auth_missing, 1)
        yield "auth.malformed", lambda: self._run("auth.malformed", self._auth_malformed, 1)
        yield from self._shopper_and_refusal_checks()
        yield "consistency.repeat", lambda: self._run("consistency.repeat", self._repeat, few)
        yield self._where(
            "consistency.summary",
            oracle.summary_problems({}, []) is not None,
            f"{oracle.vendor} returns no summary",
            lambda: self._run("consistency.summary", self._summary, few),
        )
        if includes := self.oracle.includes():
            name = "consistency.include"
            yield name, functools.partial(self._run, name, self._include(includes), 2)
        if variant := self.oracle.rendition():
            name = f"consistency.{variant.param}"
            body = functools.partial(rendition, self.session, variant)
            yield name, functools.partial(self._run, name, body, 2)

    def _shopper_and_refusal_checks(self) -> Iterator[tuple[str, Callable[[], CheckResult]]]:
        """Shopper-token and refusal checks, planned only where the vendor documents them."""
        session, contract = self.session, self.oracle.contract
        checks: list[tuple[str, Callable[[Session], None]]] = []
        if self.oracle.shoppers():
            checks.append(("auth.shopper_token", shopper_scope))
        if self.oracle.shopper_conflict is not None:
            checks.append(("auth.both_shopper_tokens", both_shopper_tokens))
        if contract.path_parameters() and contract.documents(404):
            checks.append(("errors.unknown_shop", unknown_shop))
        if contract.documents(406):
            checks.append(("errors.not_acceptable", not_acceptable))
        for name, check in checks:
            body: Body = functools.partial(_once, check, session)
            yield name, functools.partial(self._run, name, body, 1)

    @staticmethod
    def _where(
        name: str, applies: bool, reason: str, run: Callable[[], CheckResult]
    ) -> tuple[str, Callable[[], CheckResult]]:
        """*name* run by *run* where the vendor documents what it checks, else not applicable."""
        return name, run if applies else NotApplicable(name, reason)

    def _run(self, name: str, body: Body, examples: int) -> CheckResult:
        return run_property(
            self.session,
            name,
            body,
            examples=examples,
            seed=self.seed,
            judges_pages=name.startswith("pagination."),
        )

    # -- helpers ---------------------------------------------------------------------------

    def _size(self, data: st.DataObject, total: int | None) -> int | None:
        """A page size within the documented bounds that walks *total* in the page limit."""
        low, high = self.oracle.size_bounds()
        if not high:
            return None
        if total:
            low = min(high, max(low, -(-total // self.session.max_pages)))
        return data.draw(st.integers(low, high), label="page size")

    def _sample(self) -> list[Cart]:
        universe = self.session.universe()
        if not universe.carts:
            raise Skip("the server returned no carts, so there is nothing to page, filter or sort")
        return universe.carts

    def _draw_filter(self, data: st.DataObject, flt: Filter) -> tuple[Any, dict[str, Any]]:
        values = flt.values(self._sample())
        if values is None:
            raise Skip(f"no returned cart carries a value to filter {flt.name!r} on")
        value = data.draw(values, label=flt.name)
        return value, flt.params(value)

    # -- pagination ------------------------------------------------------------------------

    def _walk(self, data: st.DataObject) -> None:
        universe = self.session.universe()
        size = self._size(data, universe.total or len(universe.carts))
        self.session.walk({}, size, envelope=True)
        if self.oracle.filters():
            # A filtered set too: small sets give the edges (one page, none, a full last page).
            flt = data.draw(st.sampled_from(self.oracle.filters()), label="filter")
            params = self._draw_filter(data, flt)[1]
            low, high = self.oracle.size_bounds()
            sizes = [None] if not high else [high, None, data.draw(st.integers(low, high))]
            size = data.draw(st.sampled_from(sizes), label="filtered page size")
            self.session.walk(params, size, envelope=True)

    def _page_size(self, data: st.DataObject) -> None:
        default = self.oracle.default_size
        assert default is not None  # planned only then
        page, response = self.session.page(self.oracle.page_params(None, 0), None, 0, envelope=True)
        total = page.total if page.total is not None else len(self._sample())
        if len(page.carts) != min(default, total):
            raise Violation(
                "Default page size not honoured",
                f"{min(default, total)} carts when no page size is sent (documented default "
                f"{default})",
                f"{len(page.carts)} carts",
                response.request,
            )
        if self.oracle.size_param is None:
            return  # a fixed page size: nothing to request
        size = self._size(data, None)
        page, response = self.session.page(self.oracle.page_params(size, 0), size, 0, envelope=True)
        if size is not None and len(page.carts) != min(size, total):
            raise Violation(
                "Requested page size not honoured",
                f"{min(size, total)} carts for page size {size}",
                f"{len(page.carts)} carts",
                response.request,
            )

    def _probes(self) -> list[int]:
        """Page sizes just outside the documented bounds (none without a page-size parameter)."""
        name = self.oracle.size_param
        if name is None:
            return []
        low, high = self.oracle.contract.bounds(name)
        return [
            v
            for v in ((low - 1) if low is not None else None, (high + 1) if high else None)
            if v is not None
        ]

    def _bounds(self, data: st.DataObject) -> None:
        name = self.oracle.size_param
        assert name is not None  # planned only then
        low, high = self.oracle.contract.bounds(name)
        for value in self._probes():
            response = self.session.fetch({name: value})
            if response.status_code != 400:
                raise Violation(
                    "Out-of-range page size accepted",
                    f"400 for {name}={value} (documented bounds {low}..{high})",
                    snippet(response),
                    response.request,
                )
            envelope(self.session, response, 400)

    # -- filters ---------------------------------------------------------------------------

    def _filter(self, flt: Filter) -> Body:
        def body(data: st.DataObject) -> None:
            value, params = self._draw_filter(data, flt)
            self._filtered(data, params, [(flt, value)])

        return body

    def _combined(self, examples: int) -> CheckResult:
        """Every pair of filters once, then drawn pairs and triples (*examples* in all).

        A server may apply each filter alone and still drop one beside another, so every pair
        is tried first, each with values drawn from the returned carts.
        """
        name = "filters.combined"
        swept = self._run(name, self._every_pair, 1)
        if swept.outcome is not Outcome.PASSED or examples < 2:
            return swept
        drawn = self._run(name, self._drawn_filters, examples - 1)
        drawn.requests += swept.requests
        drawn.examples += swept.examples
        drawn.duration += swept.duration
        return drawn

    def _every_pair(self, data: st.DataObject) -> None:
        pairs = itertools.combinations(self.oracle.filters(), 2)
        if not sum(self._together(data, pair) for pair in pairs):
            raise Skip("no two filters have values to combine in the returned carts")

    def _drawn_filters(self, data: st.DataObject) -> None:
        chosen = data.draw(
            st.lists(
                st.sampled_from(self.oracle.filters()),
                min_size=2,
                max_size=3,
                unique_by=lambda f: f.name,
            ),
            label="filters",
        )
        self._together(data, tuple(chosen))

    def _together(self, data: st.DataObject, chosen: tuple[Filter, ...]) -> bool:
        """Apply *chosen* filters at once; ``False`` when they cannot be (no value to filter
        on in the returned carts, or the vendor cannot AND them)."""
        drawn, parts = [], []
        for flt in chosen:
            values = flt.values(self._sample())
            if values is None:
                return False
            value = data.draw(values, label=flt.name)
            parts.append(flt.params(value))
            drawn.append((flt, value))
        try:
            params = self.oracle.combine(parts)
        except ValueError:
            return False
        self._filtered(data, params, drawn)
        return True

    def _filtered(
        self, data: st.DataObject, params: dict[str, Any], drawn: list[tuple[Filter, Any]]
    ) -> None:
        universe = self.session.universe()
        _, high = self.oracle.size_bounds()
        walk = self.session.walk(params, high or None)
        for page, sent in walk.pages:
            for cart in page.carts:
                for flt, value in drawn:
                    if not flt.holds(cart, value):
                        raise Violation(
                            f"Filter {flt.name!r} not applied",
                            f"only carts with {flt.name} matching {value!r}",
                            f"cart {self.oracle.cart_id(cart)!r}: {_excerpt(cart)}",
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
            self.oracle.cart_id(c)
            for c in universe.carts
            if all(flt.holds(c, value) for flt, value in drawn)
        }
        got = {self.oracle.cart_id(c) for c in walk.carts}
        if missing := sorted(expected - got, key=repr):
            raise Violation(
                "Filter dropped matching carts",
                f"all {len(expected)} carts of the unfiltered set that match",
                f"{len(got)} carts; missing e.g. {missing[:3]!r}",
                walk.pages[0][1],
            )

    # -- ordering --------------------------------------------------------------------------

    def _order(self, order: Order) -> Body:
        def body(data: st.DataObject) -> None:
            size = self._size(data, None)
            pages = data.draw(st.integers(2, 3), label="pages")
            start = 0
            if self.oracle.paging != "cursor":
                # Anywhere in the set: where missing values meet present ones, say, or the end.
                universe = self.session.universe()
                count = universe.total if universe.total is not None else len(universe.carts)
                last = max(0, -(-count // (size or 1)) - 1)
                start = data.draw(st.sampled_from([*sorted({0, last, max(0, last - 1)}), -1]))
                if start == -1:
                    start = data.draw(st.integers(0, last), label="start page")
            walk = self.session.walk(order.params, size, max_pages=pages, start=start)
            previous: tuple[Cart, Any] | None = None
            for page, sent in walk.pages:
                for cart in page.carts:
                    if previous is not None:
                        check_order(order, previous, cart, self.oracle.cart_id, sent)
                    previous = (cart, sent)

        return body

    # -- projection ------------------------------------------------------------------------

    def _projection(self, data: st.DataObject) -> None:
        project = self.oracle.projection()
        assert project is not None  # planned only then
        always, opt_in = self.oracle.projectable()
        fields = data.draw(st.lists(st.sampled_from(always + opt_in), min_size=1, unique=True))
        page, response = self.session.page(project(fields), None, 0)
        for cart in page.carts:
            extra, missing = sorted(set(cart) - set(fields)), sorted(set(fields) - set(cart))
            if extra or missing:
                raise Violation(
                    "Projection not honoured",
                    f"exactly the requested fields {sorted(fields)}",
                    f"extra {extra}, missing {missing} in cart {_excerpt(cart)}",
                    response.request,
                )
        plain, response = self.session.page({}, None, 0)
        for cart in plain.carts:
            joined = sorted(set(cart) & set(opt_in))
            if joined:
                raise Violation(
                    "Opt-in fields returned without being asked for",
                    f"none of {opt_in} unless requested",
                    f"{joined} in cart {_excerpt(cart)}",
                    response.request,
                )

    # -- auth ------------------------------------------------------------------------------

    def _auth_missing(self, data: st.DataObject) -> None:
        refused(self.session, self.session.target.extra_headers(), missing=True)

    def _auth_malformed(self, data: st.DataObject) -> None:
        for headers in self.oracle.malformed_credentials(self.session.target.headers()):
            refused(self.session, headers, missing=False)

    # -- consistency -----------------------------------------------------------------------

    def _repeat(self, data: st.DataObject) -> None:
        params: dict[str, Any] = {}
        if data.draw(st.booleans(), label="filtered") and self.oracle.filters():
            flt = data.draw(st.sampled_from(self.oracle.filters()), label="filter")
            params = self._draw_filter(data, flt)[1]
        size = self._size(data, None)
        params |= self.oracle.page_params(size, data.draw(st.integers(0, 2), label="page"))
        first, second = self.session.fetch(params), self.session.fetch(params)
        if first.status_code != second.status_code or _stable(
            first, self.oracle.volatile
        ) != _stable(second, self.oracle.volatile):
            raise Violation(
                "Same request, different answers",
                f"the same answer twice ({snippet(first, 200)})",
                snippet(second, 200),
                second.request,
            )

    def _include(self, includes: list[Include]) -> Body:
        def body(data: st.DataObject) -> None:
            include = data.draw(st.sampled_from(includes), label="include")
            included(self.session, include, data)

        return body

    def _summary(self, data: st.DataObject) -> None:
        params: dict[str, Any] = {}
        if data.draw(st.booleans(), label="filtered"):
            flt = data.draw(st.sampled_from(self.oracle.filters()), label="filter")
            params = self._draw_filter(data, flt)[1]
        _, high = self.oracle.size_bounds()
        walk = self.session.walk(params, high or None)
        if walk.truncated:
            raise Skip(f"the set is larger than {self.session.max_pages} pages; cannot add it up")
        if problems := self.oracle.summary_problems(walk.first_body, walk.carts):
            raise Violation(
                "Summary disagrees with the carts",
                "a summary computed from the carts it summarises",
                "; ".join(problems),
                walk.pages[0][1],
            )


def _once(check: Callable[[Session], None], session: Session, data: st.DataObject) -> None:
    check(session)


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


def _excerpt(cart: Cart, limit: int = 240) -> str:
    text = json.dumps(cart, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + "...}"
