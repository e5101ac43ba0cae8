"""Reading the list endpoint page by page, asserting the pagination contract on the way.

:class:`Session` is what every semantic check shares: the target, the vendor's oracle, a cached
walk of the whole (unfiltered) set, and the last request made (the evidence for a failure). A
broken contract is raised as a :class:`~cartkit.contracts.errors.Violation` (a
:class:`~cartkit.contracts.errors.PagingViolation` when the pages themselves disagree).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from .errors import PagingViolation, Skip, Violation
from .oracle import Cart, Oracle, Page
from .reading import GaveUp, json_body
from .target import Target

if TYPE_CHECKING:
    from .coverage import Coverage

__all__ = ["Session", "Walk", "request_of", "snippet"]


@dataclass(slots=True)
class Walk:
    """The pages of one walk, in order, with the request of each."""

    pages: list[tuple[Page, httpx.Request]] = field(default_factory=list)
    truncated: bool = False  # stopped at the page limit before the server's last page
    start: int = 0  # carts before the first page walked (a walk may begin mid-set)
    first_body: Any = None

    @property
    def carts(self) -> list[Cart]:
        """Every cart of every page, in order."""
        return [cart for page, _ in self.pages for cart in page.carts]

    @property
    def total(self) -> int | None:
        """The total the first page reported."""
        return self.pages[0][0].total if self.pages else None

    @property
    def last_request(self) -> httpx.Request:
        """The request of the last page."""
        return self.pages[-1][1]


def request_of(exc: httpx.TransportError, fallback: httpx.Request) -> httpx.Request:
    """The request that met *exc* (with its parameters and headers), else *fallback*."""
    try:
        return exc.request
    except RuntimeError:  # httpx raises when no request was attached
        return fallback


def snippet(response: httpx.Response, limit: int = 300) -> str:
    """Status and the start of the body, on one line."""
    # Not response.text: a server's charset may be unknown, or wrong for its bytes.
    content = response.content
    text = re.sub(r"\s+", " ", content[: limit * 16].decode("utf-8", "replace")).strip()
    if len(text) > limit or len(content) > limit * 16:
        text = text[:limit] + "..."
    return f"{response.status_code} {text}"


class Session:
    """Shared state of the semantic checks of one run."""

    def __init__(self, target: Target, oracle: Oracle, *, max_pages: int) -> None:
        self.target = target
        self.oracle = oracle
        self.max_pages = max_pages
        self.last_request: httpx.Request | None = None
        self._universe: Walk | None = None
        self.coverage: Coverage | None = None  # told of every answer, when the run counts

    # -- requests --------------------------------------------------------------------------

    def fetch(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        url: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """One GET; transport errors become a :class:`Violation` with the request (a :class:`Skip`
        once the server has been given up on)."""
        request = self.target.client.build_request("GET", url or self.target.url)
        try:
            response = self.target.get(params or {}, url=url, headers=headers)
        except GaveUp as exc:
            raise Skip(str(exc)) from None
        except httpx.TransportError as exc:
            raise Violation(
                "Request failed",
                "a response",
                f"{type(exc).__name__}: {exc}",
                request_of(exc, request),
            ) from None
        self.last_request = response.request
        if self.coverage is not None:
            sent = response.request
            self.coverage.observe(
                sent.method,
                str(sent.url),
                sent.headers,
                response.status_code,
                response.content,
                response.headers.get("content-type", "").split(";")[0].strip(),
            )
        return response

    def shape(self, method: str, url: str) -> str:
        """The shape of a request to *url*: method, the documented path it matches (path
        parameters as named in the spec), and the names of its non-paging query parameters."""
        target = self.target
        parts = urlsplit(url)
        base = urlsplit(target.base_url).path
        path = parts.path[len(base) :] if parts.path.startswith(base) else parts.path
        routes = [target.contract.route]
        if target.tokens is not None:
            routes += [route for route, _ in target.tokens.operations]
        for route in routes:
            pattern = "".join(
                "[^/]+" if piece.startswith("{") else re.escape(piece)
                for piece in re.split(r"(\{[^}]+\})", route)
            )
            if re.fullmatch(pattern, path):
                path = route
                break
        paging = {*self.oracle.page_params(1, 1), *self.oracle.opaque}
        names = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)} - paging)
        return f"{method.upper()} {path}" + (f"?{'&'.join(names)}" if names else "")

    def page(
        self,
        params: Mapping[str, Any] | None,
        size: int | None,
        index: int,
        url: str | None = None,
        *,
        envelope: bool = False,
    ) -> tuple[Page, httpx.Response]:
        """Fetch and read one page; anything but a readable 200 is a :class:`Violation`.

        With *envelope*, pagination fields that disagree with each other are one too (only the
        pagination checks ask, so such a bug is blamed on them, not on a filter check).
        """
        response = self.fetch(params, url=url)
        if response.status_code != 200:
            raise Violation(
                "Listing carts failed",
                "200 with a page of carts",
                snippet(response),
                response.request,
            )
        page = self.read(response, size, index)
        if envelope and page.problems:
            raise PagingViolation(
                "Inconsistent list envelope",
                "pagination fields that agree with each other",
                "; ".join(page.problems),
                response.request,
            )
        return page, response

    def read(self, response: httpx.Response, size: int | None, index: int) -> Page:
        """Read a 200 list response through the vendor's envelope; unreadable is a
        :class:`Violation`."""
        try:
            return self.oracle.parse(json_body(response), size, index)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise Violation(
                "Unreadable list envelope",
                "the documented list envelope",
                f"{type(exc).__name__}: {exc} in {snippet(response)}",
                response.request,
            ) from None

    # -- walking ---------------------------------------------------------------------------

    def walk(
        self,
        params: Mapping[str, Any],
        size: int | None,
        *,
        max_pages: int | None = None,
        start: int = 0,
        envelope: bool = False,
    ) -> Walk:
        """Walk every page of *params* at *size* as the server links them, checking as it goes.

        Holds: no cart twice; every page <= *size*; a short or empty page only at the end; the
        "more"/next signal false exactly on the last page (for offset and page-number vendors
        the page after it is fetched and must be empty); the total constant and equal to the
        number of carts walked.
        """
        oracle = self.oracle
        limit = max_pages or self.max_pages
        walk = Walk(start=start * (size or 0))
        seen: dict[Any, int] = {}
        request: dict[str, Any] | str = {**params, **oracle.page_params(size, start)}
        index = start
        while True:
            if isinstance(request, str):
                page, response = self.page(None, size, index, url=request, envelope=envelope)
            else:
                page, response = self.page(request, size, index, envelope=envelope)
            if walk.first_body is None:
                walk.first_body = json_body(response)
            sent = response.request
            self._check_page(walk, page, sent, size, index, seen)
            if oracle.paging == "cursor":
                self._check_back(walk, page, sent, index - start)
            walk.pages.append((page, sent))
            following = oracle.follow(page, size, index)
            self._walked(index, following is None)
            if following is None:
                self._check_end(params, size, index, page)
                break
            if not page.carts:
                raise PagingViolation(
                    "More pages announced after an empty page",
                    "no next page/has-more after an empty page",
                    f"an empty page {index + 1} that announces more",
                    sent,
                )
            if size and len(page.carts) < size and oracle.paging != "cursor":
                raise PagingViolation(
                    "Short page before the end",
                    f"{size} carts on every page but the last",
                    f"{len(page.carts)} carts on page {index + 1}, which announces more",
                    sent,
                )
            index += 1
            if index - start >= limit:
                walk.truncated = True
                break
            request = following if isinstance(following, str) else {**params, **following}
        self._check_walk(walk)
        return walk

    def _check_page(
        self,
        walk: Walk,
        page: Page,
        sent: httpx.Request,
        size: int | None,
        index: int,
        seen: dict[Any, int],
    ) -> None:
        if size is not None and len(page.carts) > size:
            raise PagingViolation(
                "Page larger than requested",
                f"at most {size} carts",
                f"{len(page.carts)} carts on page {index + 1}",
                sent,
            )
        for cart in page.carts:
            key = self.oracle.cart_id(cart)
            if key in seen:
                raise PagingViolation(
                    "Cart repeated across pages",
                    f"cart {key!r} exactly once",
                    f"cart {key!r} on page {seen[key] + 1} and again on page {index + 1}",
                    sent,
                )
            seen[key] = index
        if walk.pages and page.total != walk.total:
            raise PagingViolation(
                "Total changed between pages",
                f"the same total on every page ({walk.total})",
                f"{page.total} on page {index + 1}",
                sent,
            )

    def _check_back(self, walk: Walk, page: Page, sent: httpx.Request, index: int) -> None:
        """Cursor pages link back: none on the first page; the second's leads to the first."""
        if index == 0 and page.previous_url is not None:
            raise PagingViolation(
                "Previous link on the first page",
                "no previous link on the first page",
                page.previous_url,
                sent,
            )
        if index == 0:
            return
        if page.previous_url is None:
            raise PagingViolation(
                "No previous link after the first page",
                f"a previous link on page {index + 1}",
                "null",
                sent,
            )
        if index == 1:
            back, response = self.page(None, None, 0, url=page.previous_url)
            ident = self.oracle.cart_id
            expected = [ident(c) for c in walk.pages[0][0].carts]
            if [ident(c) for c in back.carts] != expected:
                raise PagingViolation(
                    "Previous link does not lead back",
                    f"page 1 again ({expected[:3]}...)",
                    f"{[ident(c) for c in back.carts][:3]}...",
                    response.request,
                )

    def _walked(self, index: int, last: bool) -> None:
        if self.coverage is not None:
            if index == 0:
                self.coverage.walked("first")
            if last:
                self.coverage.walked("last")
            elif index > 0:
                self.coverage.walked("middle")

    def _check_end(
        self, params: Mapping[str, Any], size: int | None, index: int, last: Page
    ) -> None:
        if self.oracle.paging == "cursor":
            return
        after, response = self.page(
            {**params, **self.oracle.page_params(size, index + 1)}, size, index + 1
        )
        if self.coverage is not None:
            self.coverage.walked("past the end")
        if after.carts:
            raise PagingViolation(
                "Has-more/next says the last page, but carts follow",
                f"no carts after page {index + 1}, which the server flags as the last",
                f"{len(after.carts)} carts on page {index + 2}",
                response.request,
            )

    def _check_walk(self, walk: Walk) -> None:
        carts = walk.carts
        pages = walk.pages
        if self.oracle.paging == "cursor" and len(pages) > 2:
            first = len(pages[0][0].carts)
            for number, (page, sent) in enumerate(pages[1:-1], 2):
                if len(page.carts) != first:
                    raise PagingViolation(
                        "Uneven page sizes",
                        f"{first} carts on every page but the last (as on page 1)",
                        f"{len(page.carts)} carts on page {number}",
                        sent,
                    )
        total = walk.total
        if total is None:
            return
        if not walk.truncated and walk.start == 0 and len(carts) != total:
            raise PagingViolation(
                "Pages and total disagree",
                f"{total} carts over all pages (the envelope's total)",
                f"{len(carts)} distinct carts over {len(pages)} page(s)",
                walk.last_request,
            )
        offset = walk.start
        for number, (page, sent) in enumerate(pages, 1):
            offset += len(page.carts)
            if page.more is not None and page.more != (offset < total):
                raise PagingViolation(
                    "Has-more flag wrong",
                    f"has-more {offset < total} on page {number} ({offset} of {total} carts seen)",
                    f"has-more {page.more}",
                    sent,
                )

    def universe(self) -> Walk:
        """The whole unfiltered set, walked once at the largest page size (cached)."""
        if self._universe is None:
            _, high = self.oracle.size_bounds()
            self._universe = self.walk({}, high or None)
        return self._universe
