"""The soak's requests: every vendor asked in its own documented parameters, mostly never the
same way twice, with a share of bad input.

Each :class:`Call` goes to a mock serving all five vendors (``cartkit serve`` without
``--vendor``), so its path carries the vendor's prefix. Three kinds are mixed:

- **fresh**: a valid request built at random from the vendor's filters, sorts, pages and limits
  (``specs/<vendor>.yaml``), with values (amounts, instants, substrings, offsets) drawn from wide
  ranges, so that about nine in ten are query strings the mock has never seen: each runs the
  whole pipeline and its answer joins the answer memory, whose bound (``--cache-mb``) it
  exercises;
- **repeated**: one of a few valid requests per vendor, asked again and again, as a frontend
  re-fetches a page: answered from the answer memory;
- **bad**: out-of-range limits and offsets, unknown sorts, fields and enum values, malformed
  filters and dates, garbled cursors, an unknown shop; each must be refused with the vendor's
  4xx, never a 5xx.

Everything is drawn from one ``random.Random(seed)``: the same seed gives the same calls.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from cartkit.mockserver.dataset import DEFAULT_NOW

from ..workloads import PROFILES

__all__ = ["VENDORS", "Call", "build", "path"]

VENDORS = tuple(PROFILES)
_SAFE = "[]*,:()"  # kept readable in query strings, as browsers send them
_SPAN = 183 * 86_400  # the dataset's carts are created in the six months before its anchor
_REPEATED_PER_VENDOR = 40
_UUID = "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}"

Pairs = list[tuple[str, str]]
Maker = Callable[[random.Random, int], Pairs]


@dataclass(frozen=True, slots=True)
class Call:
    """One request of the mix."""

    vendor: str
    target: str  # path?query on an all-vendor mock
    kind: str  # "fresh", "repeated" or "bad"

    @property
    def bad(self) -> bool:
        """The mock must refuse it with a 4xx."""
        return self.kind == "bad"


def path(vendor: str) -> str:
    """The vendor's list path on a mock serving every vendor (under ``/<vendor>``)."""
    return f"/{vendor}{PROFILES[vendor].path}"


def _target(vendor: str, pairs: Pairs, where: str | None = None) -> str:
    encoded = urlencode(pairs, safe=_SAFE)
    base = where or path(vendor)
    return f"{base}?{encoded}" if encoded else base


def _word(rng: random.Random, low: int = 3, high: int = 9) -> str:
    return "".join(rng.choices(string.ascii_lowercase, k=rng.randint(low, high)))


def _instant(rng: random.Random) -> str:
    moment = DEFAULT_NOW - timedelta(seconds=rng.randrange(_SPAN))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(rng: random.Random) -> str:
    return (DEFAULT_NOW - timedelta(days=rng.randrange(183))).strftime("%Y-%m-%d")


def _page(rng: random.Random, carts: int) -> tuple[int, int]:
    """A page size and an offset: mostly one of the first pages, as screens ask, sometimes
    anywhere in the data (past the end of a filtered set, an empty page)."""
    limit = rng.choice((1, 5, 10, 20, 20, 25, 50, 50, 100, 100, rng.randint(1, 100)))
    if rng.random() < 0.2:
        return limit, rng.randrange(max(1, carts + limit))
    return limit, limit * min(rng.randrange(6), max(0, carts // limit - 1))


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


# -- fresh requests, one maker per vendor ------------------------------------------------------


def _stateset(rng: random.Random, carts: int) -> Pairs:
    limit, offset = _page(rng, carts)
    pairs = [("limit", str(limit))]
    if rng.random() < 0.6:
        pairs.append(("offset", str(offset)))
    if rng.random() < 0.5:
        pairs.append(("status", rng.choice(("active", "abandoned", "converted", "expired"))))
    if rng.random() < 0.3:
        pairs.append(("has_email", rng.choice(("true", "false"))))
    if rng.random() < 0.3:
        pairs.append(("channel", rng.choice(("web", "mobile", "pos", "api"))))
    if rng.random() < 0.4:
        pairs.append(
            (rng.choice(("created_after", "created_before", "updated_after")), _instant(rng))
        )
    if rng.random() < 0.4:
        pairs.append(("min_value", str(rng.randrange(100_000))))
    if rng.random() < 0.7:
        pairs.append(("sort_by", rng.choice(("created_at", "updated_at", "total", "abandoned_at"))))
        pairs.append(("sort_order", rng.choice(("asc", "desc"))))
    return pairs


_SPM_TEXT = ("status", "currency", "customer_first_name", "customer_last_name", "customer_email")
_SPM_SORTS = (
    "id",
    "status",
    "customer_id",
    "amount",
    "amount_without_tax",
    "currency",
    "created_at",
    "updated_at",
)
_SPM_FIELDS = (
    "id",
    "status",
    "customer_id",
    "amount",
    "amount_without_tax",
    "currency",
    "created_at",
    "updated_at",
    "customer_first_name",
    "customer_last_name",
    "customer_email",
)


def _spm_filter(rng: random.Random) -> dict[str, object]:
    roll = rng.random()
    if roll < 0.35:
        low = round(rng.uniform(0, 900), 2)
        if rng.random() < 0.5:
            high = round(low + rng.uniform(1, 400), 2)
            return {"field": "amount", "operator": "BETWEEN", "values": [low, high]}
        operator = rng.choice(("GREATER_THAN", "LESS_THAN_OR_EQUAL_TO", "GREATER_THAN_OR_EQUAL_TO"))
        return {
            "field": rng.choice(("amount", "amount_without_tax")),
            "operator": operator,
            "values": low,
        }
    if roll < 0.6:
        start = _instant(rng)
        return {
            "field": rng.choice(("created_at", "updated_at")),
            "operator": "GREATER_THAN",
            "values": start,
        }
    if roll < 0.8:
        return {
            "field": "status",
            "operator": rng.choice(("EQUALS", "NOT_EQUALS")),
            "values": rng.choice(("in_progress", "abandoned", "converted")),
        }
    operator = rng.choice(("CONTAINS", "STARTS_WITH", "ENDS_WITH", "LIKE"))
    text = _word(rng, 1, 3)
    return {
        "field": rng.choice(_SPM_TEXT[2:]),
        "operator": operator,
        "values": f"%{text}%" if operator == "LIKE" else text,
    }


def _shopimind(rng: random.Random, carts: int) -> Pairs:
    limit, offset = _page(rng, carts)
    pairs = [("limit", str(limit))]
    if rng.random() < 0.6:
        pairs.append(("offset", str(offset)))
    if rng.random() < 0.7:
        found = [_spm_filter(rng) for _ in range(rng.randint(1, 3))]
        pairs.append(("filters", _json(found[0] if len(found) == 1 else found)))
    if rng.random() < 0.6:
        order = [
            {"field": f, "type": rng.choice(("asc", "desc"))}
            for f in rng.sample(_SPM_SORTS, rng.randint(1, 2))
        ]
        pairs.append(("order", _json(order[0] if len(order) == 1 else order)))
    if rng.random() < 0.3:
        pairs.append(("fields", ",".join(rng.sample(_SPM_FIELDS, rng.randint(1, 6)))))
    return pairs


_NEXT_FILTERS = {
    "utm_source": ("google", "facebook", "instagram", "newsletter", "tiktok", "bing"),
    "utm_content": ("banner", "video", "carousel", "text"),
    "funnels": ("main", "upsell", "vip", "black-friday"),
    "affiliate": tuple(f"aff{n}" for n in range(100, 141)),
    "currency": ("USD", "EUR", "GBP", "CAD", "AUD"),
}


def _nextcommerce(rng: random.Random, carts: int, cursors: Sequence[str] = ()) -> Pairs:
    pairs: Pairs = []
    if cursors and rng.random() < 0.5:
        pairs.append(("cursor", rng.choice(cursors)))  # a page reached by walking ``next``
    if rng.random() < 0.5:
        pairs.append(("abandoned", rng.choice(("true", "false"))))
    if rng.random() < 0.5:
        pairs.append(("date_created_from", _day(rng)))
    if rng.random() < 0.3:
        pairs.append(("date_created_to", _day(rng)))
    if rng.random() < 0.3:
        pairs += [("product", str(rng.randint(1001, 1300))) for _ in range(rng.randint(1, 3))]
    for name, values in _NEXT_FILTERS.items():
        if rng.random() < 0.15:
            pairs.append((name, rng.choice(values)))
    if not pairs or rng.random() < 0.1:
        pairs.append(("utm_campaign", _word(rng)))  # a campaign no cart has: an empty page
    return pairs


def _ep_filter(rng: random.Random) -> str:
    if rng.random() < 0.15:
        hexa = rng.getrandbits(128)
        uuid = _UUID.format(
            hexa >> 96,
            (hexa >> 80) & 0xFFFF,
            (hexa >> 68) & 0xFFF,
            (hexa >> 56) & 0xFFF,
            hexa & 0xFFFFFFFFFFFF,
        )
        return f'contains(account_ids,"{uuid}")'
    text = _word(rng, 1, 4)
    return f'ilike(name,"{rng.choice(("*{}*", "{}*", "*{}"))}")'.format(text)


def _elasticpath(rng: random.Random, carts: int) -> Pairs:
    limit, offset = _page(rng, carts)
    pairs = [("page[limit]", str(limit))]
    if rng.random() < 0.6:
        pairs.append(("page[offset]", str(min(offset, 10_000))))
    if rng.random() < 0.7:
        parts = [_ep_filter(rng) for _ in range(rng.randint(1, 3))]
        joined = parts[0]
        for part in parts[1:]:
            joined += rng.choice(":|") + part
        pairs.append(("filter", joined))
    if rng.random() < 0.2:
        pairs.append(("include", "custom_discounts"))
    return pairs


def _epages(rng: random.Random, carts: int) -> Pairs:
    per_page, offset = _page(rng, carts)
    pairs = [("resultsPerPage", str(per_page))]
    if rng.random() < 0.6:
        pairs.append(("page", str(1 + offset // per_page)))
    if rng.random() < 0.5:
        pairs.append(("createdAfter", _instant(rng)))
    if rng.random() < 0.3:
        pairs.append(("createdBefore", _instant(rng)))
    if rng.random() < 0.3:
        pairs.append(("hasAddressData", rng.choice(("true", "false"))))
    if rng.random() < 0.2:
        pairs.append(("locale", rng.choice(("de_DE", "en_GB", "fr_FR", "de", "en-US"))))
    return pairs


# -- bad input: each must get the vendor's 4xx -------------------------------------------------


def _too_many(rng: random.Random) -> str:
    return str(rng.randint(101, 100_000))


def _one_bound(rng: random.Random) -> dict[str, object]:
    """BETWEEN with one value (it takes exactly two)."""
    return {"field": "amount", "operator": "BETWEEN", "values": [rng.randint(0, 999)]}


_BAD: dict[str, Sequence[Maker]] = {
    "stateset": (
        lambda rng, carts: [("limit", rng.choice(("0", _too_many(rng))))],
        lambda rng, carts: [("limit", "20"), ("sort_by", _word(rng))],
        lambda rng, carts: [("sort_by", "total"), ("sort_order", _word(rng))],
        lambda rng, carts: [("created_after", _word(rng) + str(rng.randrange(10**6)))],
        lambda rng, carts: [("min_value", str(-rng.randint(1, 10**6)))],
        lambda rng, carts: [("status", _word(rng)), ("limit", str(rng.randint(1, 100)))],
        lambda rng, carts: [("offset", str(-rng.randint(1, 10**6)))],
    ),
    "shopimind": (
        lambda rng, carts: [("limit", str(-rng.randint(1, 10**6)))],
        lambda rng, carts: [("order", _json({"field": _word(rng), "type": "desc"}))],
        lambda rng, carts: [("filters", _json(_spm_filter(rng))[: -rng.randint(1, 8)])],
        lambda rng, carts: [("filters", _json(_one_bound(rng)))],
        lambda rng, carts: [("fields", f"id,{_word(rng)}")],
    ),
    "nextcommerce": (
        lambda rng, carts: [("cursor", _word(rng, 8, 24))],  # 404 Invalid cursor
        lambda rng, carts: [("abandoned", _word(rng))],
        lambda rng, carts: [("currency", _word(rng, 3, 3))],  # lower case: not ^[A-Z]{3}$
        lambda rng, carts: [("date_created_from", f"2025-{rng.randint(13, 99)}-01")],
    ),
    "elasticpath": (
        lambda rng, carts: [("page[limit]", rng.choice(("0", _too_many(rng))))],
        lambda rng, carts: [("page[offset]", str(rng.randint(10_001, 10**7)))],
        lambda rng, carts: [("filter", f'eq(name,"{_word(rng)}")')],
        lambda rng, carts: [("include", _word(rng))],
    ),
    "epages": (
        lambda rng, carts: [("resultsPerPage", rng.choice(("0", _too_many(rng))))],
        lambda rng, carts: [("page", str(-rng.randrange(10**6)))],
        lambda rng, carts: [("createdAfter", _word(rng) + str(rng.randrange(10**6)))],
        lambda rng, carts: [("locale", _word(rng, 5, 9))],
    ),
}


def build(
    count: int,
    *,
    carts: int,
    seed: int = 0,
    bad_share: float = 0.08,
    repeated_share: float = 0.2,
    cursors: Sequence[str] = (),
) -> list[Call]:
    """*count* calls spread evenly over the vendors, in a random order.

    Args:
        count: how many calls.
        carts: carts per vendor on the mock (offsets and pages are drawn within them).
        seed: the seed of everything drawn.
        bad_share: the share of bad input.
        repeated_share: the share of calls drawn from a few requests per vendor.
        cursors: 29 Next cursors found by walking the mock's ``next`` links (its pages
            cannot be addressed otherwise).
    """
    rng = random.Random(seed)
    makers: dict[str, Callable[[random.Random], Pairs]] = {
        "stateset": lambda r: _stateset(r, carts),
        "shopimind": lambda r: _shopimind(r, carts),
        "nextcommerce": lambda r: _nextcommerce(r, carts, cursors),
        "elasticpath": lambda r: _elasticpath(r, carts),
        "epages": lambda r: _epages(r, carts),
    }
    repeated = {
        vendor: [_target(vendor, make(rng)) for _ in range(_REPEATED_PER_VENDOR)]
        for vendor, make in makers.items()
    }
    calls = []
    for i in range(count):
        vendor = VENDORS[i % len(VENDORS)]
        roll = rng.random()
        if roll < bad_share:
            if vendor == "epages" and rng.random() < 0.2:  # a shop the mock does not know: 404
                where = f"/epages/rs/shops/{_word(rng)}{rng.randrange(1000)}/carts"
                calls.append(Call(vendor, _target(vendor, [], where), "bad"))
                continue
            make_bad = rng.choice(_BAD[vendor])
            calls.append(Call(vendor, _target(vendor, make_bad(rng, carts)), "bad"))
        elif roll < bad_share + repeated_share:
            calls.append(Call(vendor, rng.choice(repeated[vendor]), "repeated"))
        else:
            calls.append(Call(vendor, _target(vendor, makers[vendor](rng)), "fresh"))
    rng.shuffle(calls)
    return calls
