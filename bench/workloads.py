"""What the benchmark asks each vendor: its path, its auth headers and its three page workloads.

Every vendor gets the same three questions, phrased in its own parameters:

- ``page``: the first unfiltered page of 20 carts;
- ``filtered``: a filtered (and, where the vendor can sort, sorted) page of 20 carts;
- ``deep``: a page of 20 near the end of the data.

Elastic Path, ePages and 29 Next document no sort parameter (their order is fixed), so their
``filtered`` workload only filters. The deep page is found from the first page's totals, or, for
29 Next's opaque cursors, by walking the ``next`` links.
"""

from __future__ import annotations

import json
import math
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from cartkit.mockserver.dataset import DEFAULT_NOW

__all__ = ["KINDS", "PROFILES", "Answer", "VendorProfile", "Workload", "fetch", "workloads"]

KINDS = ("page", "filtered", "deep")
PAGE = 20
_ISO = "%Y-%m-%dT%H:%M:%SZ"
_EP_MAX_OFFSET = 10_000  # Elastic Path's documented page[offset] maximum


@dataclass(frozen=True, slots=True)
class Workload:
    """One request, as a path with its query string, replayed by the load generator."""

    vendor: str
    kind: str
    target: str  # path?query, as sent on the request line
    headers: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class VendorProfile:
    """How to ask one vendor for carts (paths at the vendor's real root: ``--vendor`` mode)."""

    name: str
    path: str
    headers: tuple[tuple[str, str], ...]
    page: dict[str, str]
    filtered: dict[str, str]
    deep: Callable[[int], dict[str, str]]  # total carts -> query of a page near the end
    total: Callable[[dict[str, Any]], int]  # first-page body -> number of carts
    scan: Callable[[int], dict[str, str]]  # i -> a full-scan filter, different for every i

    def target(self, query: dict[str, str]) -> str:
        """``path?query`` with the query encoded as a browser would (brackets kept readable)."""
        encoded = urlencode(query, safe="[]*,:()")
        return f"{self.path}?{encoded}" if encoded else self.path


def _since(days: int, seconds: int = 0) -> str:
    return (DEFAULT_NOW - timedelta(days=days) + timedelta(seconds=seconds)).strftime(_ISO)


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


_BEARER = ("Authorization", "Bearer bench-token")

PROFILES: dict[str, VendorProfile] = {
    "shopimind": VendorProfile(
        name="shopimind",
        path="/v1/carts",
        headers=(("spm-api-key", "bench-api-key-0123456789"),),
        page={"limit": str(PAGE)},
        filtered={
            "limit": str(PAGE),
            "filters": _json({"field": "status", "operator": "EQUALS", "values": "abandoned"}),
            "order": _json({"field": "amount", "type": "desc"}),
        },
        deep=lambda total: {"limit": str(PAGE), "offset": str(max(0, total - PAGE))},
        total=lambda body: int(body["meta"]["pagination"]["total_items"]),
        scan=lambda i: {
            "limit": str(PAGE),
            "filters": _json({"field": "amount", "operator": "GREATER_THAN", "values": 50 + i}),
        },
    ),
    "nextcommerce": VendorProfile(
        name="nextcommerce",
        path="/api/admin/carts/",
        headers=(_BEARER, ("X-29next-API-Version", "2023-02-10")),
        page={},  # 20 per page, fixed by the vendor
        filtered={"abandoned": "true", "currency": "USD"},
        deep=lambda total: {},  # opaque cursors: found by walking (see _walk_cursor)
        total=lambda body: 0,
        scan=lambda i: {
            "abandoned": "true",
            "date_created_from": (DEFAULT_NOW - timedelta(days=170 - i % 150)).strftime("%Y-%m-%d"),
        },
    ),
    "elasticpath": VendorProfile(
        name="elasticpath",
        path="/v2/carts",
        headers=(_BEARER,),
        page={"page[limit]": str(PAGE)},
        filtered={"page[limit]": str(PAGE), "filter": 'ilike(name,"*cart*")'},
        deep=lambda total: {
            "page[limit]": str(PAGE),
            "page[offset]": str(min(_EP_MAX_OFFSET, max(0, total - PAGE))),
        },
        total=lambda body: int(body["meta"]["results"]["total"]),
        scan=lambda i: {
            "page[limit]": str(PAGE),
            "filter": f'ilike(name,"*{"cart"[: 1 + i % 4]}*")',
        },
    ),
    "epages": VendorProfile(
        name="epages",
        path="/rs/shops/DemoShop/carts",
        headers=(_BEARER, ("Accept", "application/vnd.epages.v1+json")),
        page={"resultsPerPage": str(PAGE)},
        filtered={
            "resultsPerPage": str(PAGE),
            "hasAddressData": "true",
            "createdAfter": _since(90),
        },
        deep=lambda total: {
            "resultsPerPage": str(PAGE),
            "page": str(max(1, math.ceil(total / PAGE))),
        },
        total=lambda body: int(body["results"]),
        scan=lambda i: {"resultsPerPage": str(PAGE), "createdAfter": _since(170, i)},
    ),
    "stateset": VendorProfile(
        name="stateset",
        path="/v1/carts",
        headers=(_BEARER,),
        page={"limit": str(PAGE)},
        filtered={"limit": str(PAGE), "status": "abandoned", "sort_by": "total"},
        deep=lambda total: {"limit": str(PAGE), "offset": str(max(0, total - PAGE))},
        total=lambda body: int(body["total_count"]),
        scan=lambda i: {"limit": str(PAGE), "min_value": str(1000 + i)},
    ),
}


@dataclass(frozen=True, slots=True)
class Answer:
    """A response as the benchmark keeps it."""

    status: int
    content_type: str
    body: bytes


def fetch(
    base: str, target: str, headers: Sequence[tuple[str, str]], timeout: float = 60.0
) -> Answer:
    """GET ``base + target`` on a fresh connection (loopback only)."""
    if urlsplit(base).hostname != "127.0.0.1":
        raise ValueError(f"the benchmark only talks to 127.0.0.1, not {base!r}")
    request = urllib.request.Request(base + target, headers=dict(headers))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(
                response.status, response.headers.get("content-type", ""), response.read()
            )
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers.get("content-type", ""), error.read())


def workloads(profile: VendorProfile, base: str, *, walk_seconds: float = 30.0) -> list[Workload]:
    """The three workloads of *profile*, the deep page located on the mock at *base*."""
    first = fetch(base, profile.target(profile.page), profile.headers)
    if first.status != 200:
        raise RuntimeError(
            f"{profile.name}: first page answered {first.status}: {first.body[:300]!r}"
        )
    if profile.name == "nextcommerce":
        deep_target = _walk_cursor(profile, base, walk_seconds)
    else:
        deep_target = profile.target(profile.deep(profile.total(json.loads(first.body))))
    targets = {
        "page": profile.target(profile.page),
        "filtered": profile.target(profile.filtered),
        "deep": deep_target,
    }
    return [Workload(profile.name, kind, targets[kind], profile.headers) for kind in KINDS]


def _walk_cursor(profile: VendorProfile, base: str, seconds: float) -> str:
    """Follow ``next`` links to the last page (bounded in time); the last full page's target."""
    target = profile.target(profile.page)
    last_full = target
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = fetch(base, target, profile.headers)
        if answer.status != 200:
            raise RuntimeError(
                f"{profile.name}: walking answered {answer.status}: {answer.body[:300]!r}"
            )
        page = json.loads(answer.body)
        if len(page["results"]) == PAGE:
            last_full = target
        if not page["next"]:
            break
        parts = urlsplit(page["next"])
        target = f"{parts.path}?{parts.query}"
    return last_full
