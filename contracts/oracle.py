"""What an oracle knows about a vendor's list, and the records it answers in.

One :class:`Oracle` subclass per vendor lives in ``contracts.vendors.<vendor>`` (looked up by
:func:`cartkit.contracts.vendors.oracle_for`). An oracle says how a vendor pages (offset/limit, page
numbers, cursors, links), where the carts, ids and totals sit in its envelope, which filters and
sort orders it documents and how to verify each on a returned cart, what an auth failure looks
like, and the request variants that must leave the carts alone (shopper tokens, ``include``, a
locale). Numbers the spec holds (defaults, bounds) are read from the
:class:`~cartkit.contracts.spec.Contract`, not restated here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

from hypothesis import strategies as st

from .spec import Contract

__all__ = [
    "Cart",
    "Filter",
    "Include",
    "Oracle",
    "Order",
    "Page",
    "Paging",
    "Rendition",
    "Shopper",
    "optional_instant",
    "parse_instant",
    "sample_of",
]

Cart = Mapping[str, Any]
Paging = Literal["offset", "page", "cursor"]


@dataclass(frozen=True, slots=True)
class Page:
    """One response of the list endpoint, read through the vendor's envelope."""

    carts: list[Cart]
    total: int | None = None  # the number of matching carts, when the envelope reports it
    more: bool | None = None  # the server's "has more" flag / next link presence
    next_url: str | None = None  # the next link, for vendors that link their pages
    previous_url: str | None = None  # the previous link (cursor vendors: checked going back)
    problems: list[str] = field(default_factory=list)  # envelope inconsistencies found reading it


@dataclass(frozen=True, slots=True)
class Filter:
    """A documented filter: values to try, the query it becomes, and the test for one cart.

    ``values`` builds a strategy from carts the server returned (so filters hit real data);
    it returns ``None`` when the sample offers nothing to filter on.
    """

    name: str
    values: Callable[[Sequence[Cart]], st.SearchStrategy[Any] | None]
    params: Callable[[Any], dict[str, Any]]
    holds: Callable[[Cart, Any], bool]


@dataclass(frozen=True, slots=True)
class Order:
    """A documented sort order: the query selecting it and the key the carts must follow."""

    name: str
    params: dict[str, Any]
    key: Callable[[Cart], Any]
    descending: bool
    nulls: Literal["first", "last"] | None = "last"  # where a missing key must sort
    tiebreak: Callable[[Cart], Any] | None = None  # ascending key among equal keys, if documented


@dataclass(frozen=True, slots=True)
class Shopper:
    """A documented shopper credential that narrows the list to one owner's carts."""

    credential: str  # the Credentials field holding the token ("customer_token")
    header: str  # the request header the token travels in
    owner: str  # what the token stands for ("customer")
    owners: Callable[[Cart], set[str]]  # the ids of such owners a cart belongs to
    identity: Callable[[str], str | None]  # the owner id a token names, when it can be read


@dataclass(frozen=True, slots=True)
class Include:
    """A documented ``include``: the query asking for it, where the included resources sit, and
    the ``(type, id)`` pairs each cart links to them."""

    name: str
    params: dict[str, Any]
    path: tuple[str, ...]  # body keys down to the included list ("included", "custom_discounts")
    linked: Callable[[Cart], set[tuple[str, str]]]


@dataclass(frozen=True, slots=True)
class Rendition:
    """A parameter that only changes how carts are written (a locale): two values to compare
    and, per cart, what must not change between them (path -> value)."""

    param: str
    values: tuple[str, str]
    invariant: Callable[[Cart], dict[str, Any]]


class Oracle(ABC):
    """What cartkit knows about one vendor's list semantics."""

    vendor: ClassVar[str]
    paging: ClassVar[Paging]
    size_param: ClassVar[str | None]  # the page-size parameter, if the vendor has one
    opaque: ClassVar[tuple[str, ...]] = ()  # query values only the server can mint (cursors)
    max_size_cap: ClassVar[int] = 100  # largest page size the checks ask for
    auth_status: ClassVar[int] = 401  # status of a missing or malformed credential
    volatile: ClassVar[tuple[tuple[str, ...], ...]] = ()  # body paths allowed to differ per call
    shopper_conflict: ClassVar[int | None] = None  # status when two shopper tokens are sent

    def __init__(self, contract: Contract) -> None:
        self.contract = contract

    # -- paging ----------------------------------------------------------------------------

    @property
    def default_size(self) -> int | None:
        """The documented page size when none is requested."""
        return None if self.size_param is None else self.contract.default(self.size_param)

    def size_bounds(self) -> tuple[int, int]:
        """Smallest and largest page size the checks may request."""
        if self.size_param is None:
            return (0, 0)
        low, high = self.contract.bounds(self.size_param)
        return (max(1, low or 1), min(high or self.max_size_cap, self.max_size_cap))

    @abstractmethod
    def page_params(self, size: int | None, index: int) -> dict[str, Any]:
        """Query selecting page *index* (0-based) of *size* carts (cursor vendors: first page)."""

    @abstractmethod
    def parse(self, body: Any, size: int | None, index: int) -> Page:
        """Read a 200 body of page *index*; raise ``KeyError``/``TypeError`` if unreadable."""

    def follow(self, page: Page, size: int | None, index: int) -> dict[str, Any] | str | None:
        """The next request the server points to (params or a URL); ``None`` on its last page."""
        if page.next_url is not None:
            return page.next_url
        step = size or self.default_size
        if page.more is False or (page.more is None and step and len(page.carts) < step):
            return None
        if page.more is None and not page.carts:
            return None
        return self.page_params(size, index + 1)

    @staticmethod
    def cart_id(cart: Cart) -> Any:
        """The cart's identity."""
        return cart["id"]

    # -- semantics -------------------------------------------------------------------------

    def filters(self) -> list[Filter]:
        """The documented filters."""
        return []

    def combine(self, parts: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """One query applying every filter query of *parts* (AND)."""
        out: dict[str, Any] = {}
        for part in parts:
            out |= part
        return out

    def orders(self) -> list[Order]:
        """The documented sort orders; the first is the default (its ``params`` are ``{}``)."""
        return []

    def projection(self) -> Callable[[Sequence[str]], dict[str, Any]] | None:
        """How to request a field projection (``None``: the vendor has none)."""
        return None

    def projectable(self) -> tuple[list[str], list[str]]:
        """``(always-available fields, opt-in fields)`` for the projection check."""
        return [], []

    def summary_problems(self, body: Any, carts: Sequence[Cart]) -> list[str] | None:
        """Disagreements between a summary in *body* and *carts* (``None``: no summary)."""
        return None

    def includes(self) -> list[Include]:
        """The documented ``include`` values (related resources added to the page)."""
        return []

    def rendition(self) -> Rendition | None:
        """The parameter that only reformats the carts (``None``: the vendor has none)."""
        return None

    # -- auth ------------------------------------------------------------------------------

    def malformed_credentials(self, headers: Mapping[str, str]) -> list[dict[str, str]]:
        """Header sets carrying a malformed credential, derived from good *headers*."""
        security = self.contract.security
        out = []
        if security.bearer:
            out.append({**headers, security.header: "Basic Y2FydGtpdDpjYXJ0a2l0"})
            out.append({**headers, security.header: "Bearer"})
        else:
            out.append({**headers, security.header: "not a valid key!"})
        return out

    def auth_problems(self, body: Any, *, missing: bool) -> list[str]:
        """Vendor-specific envelope expectations beyond the spec's schema (e.g. error codes)."""
        return []

    def error_problems(self, body: Any, status: int) -> list[str]:
        """What in the error *body* of a *status* refusal disagrees with the status itself."""
        return []

    def shoppers(self) -> list[Shopper]:
        """The documented shopper credentials (each narrows the list to its owner's carts)."""
        return []


def parse_instant(value: Any) -> datetime:
    """Parse an ISO 8601 instant (``Z`` or offset; naive = UTC); ``TypeError`` on ``None``."""
    if value is None:
        raise TypeError("expected an ISO 8601 instant, got null")
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not an ISO 8601 string")
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def optional_instant(value: Any) -> datetime | None:
    """:func:`parse_instant` for a value that may be missing: ``None`` passes through."""
    return None if value is None else parse_instant(value)


def sample_of(values: Sequence[Any]) -> st.SearchStrategy[Any] | None:
    """``sampled_from`` the distinct non-null *values* (sorted for replay), ``None`` if none."""
    distinct = sorted({v for v in values if v is not None}, key=repr)
    return st.sampled_from(distinct) if distinct else None
