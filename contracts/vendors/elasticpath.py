"""Elastic Path ``GET /v2/carts``: ``page[limit]``/``page[offset]``, JSON:API ``links`` and
``meta.page``/``meta.results``, the ``filter`` expression language, newest-updated first; shopper
tokens narrowing the list to one customer's or account's carts; ``include=custom_discounts``.

Docs: https://elasticpath.dev/docs/api/carts/get-carts and the pagination/filtering guides.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import partial
from typing import Any
from urllib.parse import parse_qs, urlsplit

from hypothesis import strategies as st

from ..oracle import Cart, Filter, Include, Oracle, Order, Page, Shopper, optional_instant

Term = tuple[str, str]  # ("name", pattern) or ("account", uuid)

_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


def _related(kind: str, cart: Cart) -> list[dict[str, Any]]:
    """The ``relationships.<kind>.data`` items of *cart* (``customers`` may be ``{}``)."""
    return list(((cart.get("relationships") or {}).get(kind) or {}).get("data") or [])


def _accounts(cart: Cart) -> set[str]:
    return {item["id"] for item in _related("accounts", cart)}


def _owners(kind: str, cart: Cart) -> set[str]:
    return {item["id"].lower() for item in _related(kind, cart)}


def _token_id(token: str) -> str | None:
    # A token that is itself an id names its owner (cartkit's mock issues them so); a vendor
    # token (a JWT) does not say whose it is, so the carts must then share one owner.
    token = token.strip()
    return token.lower() if _UUID.fullmatch(token) else None


def _discounts(cart: Cart) -> set[tuple[str, str]]:
    return {(item["type"], item["id"]) for item in _related("custom_discounts", cart)}


def _term_holds(cart: Cart, term: Term) -> bool:
    kind, operand = term
    if kind == "account":
        return operand.lower() in {a.lower() for a in _accounts(cart)}
    # ilike: case-insensitive, `*` is a wildcard, otherwise the whole name must match.
    pattern = ".*".join(re.escape(part) for part in operand.split("*"))
    return re.fullmatch(pattern, cart.get("name", ""), re.IGNORECASE | re.DOTALL) is not None


def _render(term: Term) -> str:
    kind, operand = term
    return f'contains(account_ids,"{operand}")' if kind == "account" else f'ilike(name,"{operand}")'


def holds(cart: Cart, expression: tuple[list[Term], list[str]]) -> bool:
    """Evaluate ``term (op term)*`` left to right, ``:`` = AND and ``|`` = OR (the spec)."""
    terms, joins = expression
    result = _term_holds(cart, terms[0])
    for join, term in zip(joins, terms[1:], strict=True):
        result = (
            (result and _term_holds(cart, term))
            if join == ":"
            else (result or _term_holds(cart, term))
        )
    return result


def _names(carts: Sequence[Cart]) -> st.SearchStrategy[Term] | None:
    names = sorted({c["name"] for c in carts if c.get("name") and '"' not in c["name"]})
    if not names:
        return None

    @st.composite
    def term(draw: st.DrawFn) -> Term:
        name = draw(st.sampled_from(names))
        words = [w for w in re.split(r"[^\w]+", name) if w]
        shape = draw(st.sampled_from(("exact", "contains", "prefix")))
        if shape == "contains" and words:
            return ("name", f"*{draw(st.sampled_from(words)).swapcase()}*")
        if shape == "prefix":
            return ("name", f"{name[: max(1, len(name) // 2)]}*")
        return ("name", name.upper())

    return term()


def _account_terms(carts: Sequence[Cart]) -> st.SearchStrategy[Term] | None:
    ids = sorted({a for c in carts for a in _accounts(c)})
    return st.sampled_from([("account", a) for a in ids]) if ids else None


def _expressions(carts: Sequence[Cart]) -> st.SearchStrategy[Any] | None:
    sources = [s for s in (_names(carts), _account_terms(carts)) if s is not None]
    if not sources:
        return None
    terms = st.lists(st.one_of(sources), min_size=2, max_size=3)
    return terms.flatmap(
        lambda ts: st.lists(
            st.sampled_from((":", "|")), min_size=len(ts) - 1, max_size=len(ts) - 1
        ).map(lambda joins: (ts, joins))
    )


def _single(strategy: Any) -> Any:
    def values(carts: Sequence[Cart]) -> Any:
        found = strategy(carts)
        return None if found is None else found.map(lambda term: ([term], []))

    return values


def _param(expression: tuple[list[Term], list[str]]) -> dict[str, Any]:
    terms, joins = expression
    text = _render(terms[0]) + "".join(
        j + _render(t) for j, t in zip(joins, terms[1:], strict=True)
    )
    return {"filter": text}


def _offset(link: str | None) -> int | None:
    if link is None:
        return None
    values = parse_qs(urlsplit(link).query).get("page[offset]", ["0"])
    return int(values[0])


def _describe(key: str, value: int | None) -> str:
    if not key.startswith("links."):
        return repr(value)
    return "null" if value is None else f"a link to page[offset]={value}"


class ElasticPath(Oracle):
    """Elastic Path list carts."""

    vendor = "elasticpath"
    paging = "offset"
    size_param = "page[limit]"
    # The 1.0.0 reference wants "only one of" the two shopper headers; the spec answers both with 403.
    shopper_conflict = 403

    def page_params(self, size: int | None, index: int) -> dict[str, Any]:
        step = size or self.default_size or 20
        return {"page[limit]": size, "page[offset]": index * step if index else None}

    def parse(self, body: Any, size: int | None, index: int) -> Page:
        carts = body["data"]
        if not isinstance(carts, list):
            raise TypeError(f"data is {type(carts).__name__}, not a list")
        meta, links = body["meta"], body.get("links") or {}
        total = meta["results"]["total"]
        limit = size or self.default_size or 20
        offset = index * limit
        pages = math.ceil(total / limit)
        last = max(0, pages - 1) * limit
        more = offset + len(carts) < total
        expected = {
            "meta.page.current": (meta["page"]["current"], offset // limit + 1),
            "meta.page.limit": (meta["page"]["limit"], limit),
            "meta.page.offset": (meta["page"]["offset"], offset),
            "meta.page.total": (meta["page"]["total"], pages),
            "links.first": (_offset(links.get("first")), 0),
            "links.current": (_offset(links.get("current")), offset),
            "links.prev": (_offset(links.get("prev")), offset - limit if offset else None),
            "links.next": (_offset(links.get("next")), offset + limit if more else None),
            # The spec: `last` "If there is only one page, it is null."
            "links.last": (_offset(links.get("last")), last if pages > 1 else None),
        }
        problems = [
            f"{key} is {_describe(key, got)}, expected {_describe(key, want)}"
            for key, (got, want) in expected.items()
            if got != want
        ]
        return Page(carts=carts, total=total, more=links.get("next") is not None, problems=problems)

    def follow(self, page: Page, size: int | None, index: int) -> dict[str, Any] | str | None:
        # The links carry the paging; the checks still walk by offset (the same URLs).
        return None if not page.more else self.page_params(size, index + 1)

    def filters(self) -> list[Filter]:
        return [
            Filter("name", _single(_names), _param, holds),
            Filter("account_ids", _single(_account_terms), _param, holds),
            Filter("expression", _expressions, _param, holds),
        ]

    def combine(self, parts: Sequence[dict[str, Any]]) -> dict[str, Any]:
        # Terms evaluate left to right with no grouping, so `a:b|c` is `(a and b) or c`: an
        # expression holding `|` only keeps its meaning under AND when it comes first.
        ordered = sorted((part["filter"] for part in parts), key=lambda f: "|" not in f)
        if sum("|" in f for f in ordered) > 1:
            raise ValueError("cannot AND two expressions that both hold '|'")
        return {"filter": ":".join(ordered)}

    def orders(self) -> list[Order]:
        return [
            Order(
                "default (updated_at desc)",
                {},
                lambda c: optional_instant(c["meta"]["timestamps"]["updated_at"]),
                True,
            )
        ]

    def includes(self) -> list[Include]:
        # The spec: `include=custom_discounts` "adds a top-level `included.custom_discounts`
        # array" (CustomDiscountResponse items), linked from `relationships.custom_discounts`.
        return [
            Include(
                "custom_discounts",
                {"include": "custom_discounts"},
                ("included", "custom_discounts"),
                _discounts,
            )
        ]

    def shoppers(self) -> list[Shopper]:
        return [
            Shopper(
                "customer_token",
                "X-Moltin-Customer-Token",
                "customer",
                partial(_owners, "customers"),
                _token_id,
            ),
            Shopper(
                "account_token",
                "EP-Account-Management-Authentication-Token",
                "account",
                partial(_owners, "accounts"),
                _token_id,
            ),
        ]

    def error_problems(self, body: Any, status: int) -> list[str]:
        # `status` may be an integer or a string (the spec); either way it is the HTTP status.
        errors = body.get("errors") if isinstance(body, dict) else None
        statuses = {str(e.get("status")) for e in errors or [] if isinstance(e, dict)}
        if statuses == {str(status)}:
            return []
        return [f"errors[].status {sorted(statuses)}, expected {status}"]


ORACLE = ElasticPath
