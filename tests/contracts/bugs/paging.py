"""Broken paging: pages off by one, carts repeated, wrong totals and flags, a wrong default
page size, out-of-range page sizes clamped instead of refused."""

from __future__ import annotations

import re
from typing import Any

from tests.contracts import broken, changes

from . import Bug


def _more_total(body: dict[str, Any]) -> None:
    body["total_count"] += 1


def _always_more(body: dict[str, Any]) -> None:
    body["has_more"] = True


def _next_links_to_first_page(body: dict[str, Any]) -> None:
    if body.get("next"):
        body["next"] = re.sub(r"([?&])cursor=[^&]*&?", r"\1", body["next"]).rstrip("?&")


def _one_short(pairs: changes.Pairs, status: int, body: Any) -> tuple[int, Any]:
    # 29 Next's page size is fixed (20): the first page, asked with no query, holds 19.
    if status == 200 and not pairs:
        body["results"].pop()
    return status, body


BUGS = [
    # -- pagination.walk -------------------------------------------------------------------------
    Bug(
        "stateset-off-by-one-pagination",
        "stateset",
        lambda app: broken.Rewrite(app, query=changes.shift("offset", +1)),
        ("pagination.walk",),
    ),
    Bug(
        "stateset-cart-repeated-across-pages",
        "stateset",
        lambda app: broken.Rewrite(app, query=changes.shift("offset", -1)),
        ("pagination.walk",),
    ),
    Bug(
        "stateset-wrong-total",
        "stateset",
        lambda app: broken.Rewrite(app, body=changes.on_envelope(_more_total)),
        ("pagination.walk",),
    ),
    Bug(
        "stateset-has-more-past-the-end",
        "stateset",
        lambda app: broken.Rewrite(app, body=changes.on_envelope(_always_more)),
        ("pagination.walk",),
    ),
    Bug(
        "shopimind-off-by-one-pagination",
        "shopimind",
        lambda app: broken.Rewrite(app, query=changes.shift("offset", +1)),
        ("pagination.walk",),
    ),
    Bug(
        "nextcommerce-next-link-repeats-carts",
        "nextcommerce",
        lambda app: broken.Rewrite(app, body=changes.on_envelope(_next_links_to_first_page)),
        ("pagination.walk",),
    ),
    Bug(
        "elasticpath-off-by-one-pagination",
        "elasticpath",
        lambda app: broken.Rewrite(app, query=changes.shift("page[offset]", +1)),
        ("pagination.walk",),
    ),
    Bug(
        "epages-off-by-one-page-numbers",
        "epages",
        lambda app: broken.Rewrite(app, query=changes.shift("page", +1)),
        ("pagination.walk",),
    ),
    # -- pagination.page_size: the default off by one --------------------------------------------
    Bug(
        "stateset-default-page-size-off-by-one",
        "stateset",
        lambda app: broken.Rewrite(app, query=changes.default("limit", "11")),
        ("pagination.page_size",),
    ),
    Bug(
        "shopimind-default-page-size-off-by-one",
        "shopimind",
        lambda app: broken.Rewrite(app, query=changes.default("limit", "11")),
        ("pagination.page_size",),
    ),
    Bug(
        "nextcommerce-first-page-one-short",
        "nextcommerce",
        lambda app: broken.Rewrite(app, body=_one_short, on=r"/api/admin/carts/$"),
        ("pagination.page_size",),
    ),
    Bug(
        "elasticpath-default-page-size-off-by-one",
        "elasticpath",
        lambda app: broken.Rewrite(app, query=changes.default("page[limit]", "19")),
        ("pagination.page_size",),
    ),
    Bug(
        "epages-default-page-size-off-by-one",
        "epages",
        lambda app: broken.Rewrite(app, query=changes.default("resultsPerPage", "11")),
        ("pagination.page_size",),
    ),
    # -- pagination.size_bounds: out-of-range sizes clamped, not refused --------------------------
    Bug(
        "stateset-page-size-clamped",
        "stateset",
        lambda app: broken.Rewrite(app, query=changes.clamp("limit", 1, 100)),
        ("pagination.size_bounds",),
    ),
    Bug(
        "shopimind-page-size-clamped",
        "shopimind",
        lambda app: broken.Rewrite(app, query=changes.clamp("limit", 0, None)),
        ("pagination.size_bounds",),
    ),
    Bug(
        "elasticpath-page-size-clamped",
        "elasticpath",
        lambda app: broken.Rewrite(app, query=changes.clamp("page[limit]", 1, 100)),
        ("pagination.size_bounds",),
    ),
    Bug(
        "epages-page-size-clamped",
        "epages",
        lambda app: broken.Rewrite(app, query=changes.clamp("resultsPerPage", 1, 100)),
        ("pagination.size_bounds",),
    ),
]
