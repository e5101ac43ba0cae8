"""Broken filters: each documented filter ignored in turn, and one filter ignored only when
another is sent with it (each works alone: only ``filters.combined`` can see it)."""

from __future__ import annotations

import re
from typing import Any

from tests.contracts import broken, changes

from . import Bug

_SHOPIMIND_EQUALITY = {"EQUALS", "NOT_EQUALS", "IN", "NOT_IN"}
_SHOPIMIND_TEXT = {"CONTAINS", "NOT_CONTAINS", "STARTS_WITH", "ENDS_WITH", "LIKE"}
_NEXTCOMMERCE_ATTRIBUTION = (
    "utm_source",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "affiliate",
    "subaffiliate1",
    "subaffiliate2",
    "subaffiliate3",
    "subaffiliate4",
    "subaffiliate5",
)
# Elastic Path `filter`: terms joined by `:` (AND) or `|` (OR); operands are quoted.
_EP_JOIN = re.compile(r'(?<=")\)([:|])(?=(?:ilike|contains)\()')


def _ep_terms(value: str) -> list[tuple[str, str]]:
    """``[(join before the term, term)]`` of an Elastic Path filter (the first join is ``""``)."""
    parts = _EP_JOIN.split(value)
    terms = [parts[0] + ")" if len(parts) > 1 else parts[0]]
    joins = [""]
    for index in range(1, len(parts), 2):
        joins.append(parts[index])
        rest = parts[index + 1]
        terms.append(rest + ")" if index + 2 < len(parts) else rest)
    return list(zip(joins, terms, strict=True))


def _ep_filter(kept: list[tuple[str, str]]) -> str | None:
    if not kept:
        return None
    return "".join(term if i == 0 else join + term for i, (join, term) in enumerate(kept))


def _ep_without(kind: str) -> Any:
    """The server ignores the *kind* terms (``ilike`` or ``contains``) of the filter."""
    return changes.rewrite_value(
        "filter", lambda v: _ep_filter([t for t in _ep_terms(v) if not t[1].startswith(kind)])
    )


def _ep_or_as_and(value: str) -> str:
    return _ep_filter([(":" if join else "", term) for join, term in _ep_terms(value)]) or value


def _ep_account_dropped_beside_a_name(value: str) -> str | None:
    terms = _ep_terms(value)
    if any(t.startswith("ilike") for _, t in terms):
        return _ep_filter([(j, t) for j, t in terms if not t.startswith("contains")])
    return value


def _dropped(vendor: str, name: str) -> Bug:
    return Bug(
        f"{vendor}-{name.replace('_', '-')}-filter-ignored",
        vendor,
        lambda app: broken.Rewrite(app, query=changes.drop(name)),
        (f"filters.{name}",),
    )


BUGS = [
    # -- StateSet: each filter ignored, and channel ignored beside a status ----------------------
    *(
        _dropped("stateset", name)
        for name in (
            "status",
            "has_email",
            "customer_id",
            "session_id",
            "channel",
            "created_after",
            "created_before",
            "updated_after",
            "min_value",
        )
    ),
    Bug(
        "stateset-channel-ignored-beside-a-status",
        "stateset",
        lambda app: broken.Rewrite(app, query=changes.drop_when("channel", "status")),
        ("filters.combined",),
    ),
    # -- ShopiMind: one kind of filter ignored, and every filter after the first ------------------
    Bug(
        "shopimind-equality-filters-ignored",
        "shopimind",
        lambda app: broken.Rewrite(
            app,
            query=changes.json_items(
                "filters", lambda i, f: f.get("operator") not in _SHOPIMIND_EQUALITY
            ),
        ),
        ("filters.equality",),
    ),
    Bug(
        "shopimind-text-filters-ignored",
        "shopimind",
        lambda app: broken.Rewrite(
            app,
            query=changes.json_items(
                "filters", lambda i, f: f.get("operator") not in _SHOPIMIND_TEXT
            ),
        ),
        ("filters.text",),
    ),
    Bug(
        "shopimind-amount-filters-ignored",
        "shopimind",
        lambda app: broken.Rewrite(
            app,
            query=changes.json_items(
                "filters", lambda i, f: f.get("field") not in {"amount", "amount_without_tax"}
            ),
        ),
        ("filters.amount",),
    ),
    Bug(
        "shopimind-date-filters-ignored",
        "shopimind",
        lambda app: broken.Rewrite(
            app,
            query=changes.json_items(
                "filters", lambda i, f: f.get("field") not in {"created_at", "updated_at"}
            ),
        ),
        ("filters.dates",),
    ),
    Bug(
        "shopimind-only-the-first-filter-applied",
        "shopimind",
        lambda app: broken.Rewrite(app, query=changes.json_items("filters", lambda i, f: i == 0)),
        ("filters.combined",),
    ),
    # -- 29 Next: each filter ignored, and currency ignored beside `abandoned` ------------------
    *(
        _dropped("nextcommerce", name)
        for name in (
            "abandoned",
            "currency",
            "date_created_from",
            "date_created_to",
            "product",
            "funnels",
        )
    ),
    Bug(
        "nextcommerce-attribution-filters-ignored",
        "nextcommerce",
        lambda app: broken.Rewrite(app, query=changes.drop_all(*_NEXTCOMMERCE_ATTRIBUTION)),
        ("filters.attribution",),
    ),
    Bug(
        "nextcommerce-currency-ignored-beside-abandoned",
        "nextcommerce",
        lambda app: broken.Rewrite(app, query=changes.drop_when("currency", "abandoned")),
        ("filters.combined",),
    ),
    # -- Elastic Path: a kind of term ignored, OR read as AND, an account beside a name ---------
    Bug(
        "elasticpath-name-terms-ignored",
        "elasticpath",
        lambda app: broken.Rewrite(app, query=_ep_without("ilike")),
        ("filters.name",),
    ),
    Bug(
        "elasticpath-account-terms-ignored",
        "elasticpath",
        lambda app: broken.Rewrite(app, query=_ep_without("contains")),
        ("filters.account_ids",),
    ),
    Bug(
        "elasticpath-or-read-as-and",
        "elasticpath",
        lambda app: broken.Rewrite(app, query=changes.rewrite_value("filter", _ep_or_as_and)),
        ("filters.expression",),
    ),
    Bug(
        "elasticpath-account-ignored-beside-a-name",
        "elasticpath",
        lambda app: broken.Rewrite(
            app, query=changes.rewrite_value("filter", _ep_account_dropped_beside_a_name)
        ),
        ("filters.combined",),
    ),
    # -- ePages: each filter ignored, and the address filter ignored beside a date -------------
    *(_dropped("epages", name) for name in ("createdAfter", "createdBefore", "hasAddressData")),
    Bug(
        "epages-address-filter-ignored-beside-a-date",
        "epages",
        lambda app: broken.Rewrite(app, query=changes.drop_when("hasAddressData", "createdAfter")),
        ("filters.combined",),
    ),
]
