"""What a running mock serves and how to call it: ``GET /__cartkit/overview``.

Everything a person (or the web console) needs for a first call to each vendor: the list
endpoint's URL, the headers that make a call succeed (with ``--token``/``--api-key``, the only
value accepted, which is why this lives behind the admin API's rule and ``/__cartkit/health``
does not say it), the specs and token endpoints, and what steers the answers now (scenario,
faults) beside the start-up facts (seed, carts, ``--now``, workers). URLs are absolute, on the
host the caller used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .config import MockConfig

if TYPE_CHECKING:
    from .vendor import Vendor

__all__ = ["overview"]


def overview(
    base: str,
    config: MockConfig,
    vendors: Mapping[str, Vendor],
    scenarios: Mapping[str, str],
    faults: Mapping[str, Mapping[str, float]],
) -> dict[str, Any]:
    """The overview document of a mock reached at *base* (``scheme://host:port``).

    Args:
        base: the origin the caller used; every URL is made on it.
        config: the mock's settings.
        vendors: the vendors served, by name.
        scenarios: the scenario each vendor answers in now.
        faults: the latency and error rate in force for each vendor.
    """
    return {
        "seed": config.seed,
        "carts": config.carts,
        "now": config.now.isoformat().replace("+00:00", "Z"),
        "workers": config.workers,
        "journal_size": config.journal_size,
        "cors": {"enabled": config.cors, "origins": list(config.cors_origins)},
        "admin_token": config.admin_token is not None,
        "vendors": {
            name: _vendor(base, vendor, scenarios[name], faults[name])
            for name, vendor in vendors.items()
        },
    }


def _vendor(
    base: str, vendor: Vendor, scenario: str, faults: Mapping[str, float]
) -> dict[str, Any]:
    auth = vendor.auth
    headers = vendor.demo_headers()
    prefix = base + vendor.prefix
    described: dict[str, Any] = {
        "title": vendor.spec["info"]["title"].split(" — ")[0],
        "list": {
            "method": vendor.method.upper(),
            "path": vendor.prefix + vendor.route,
            "url": base + vendor.example_path(),
        },
        "carts": len(vendor.dataset),
        "headers": headers,
        "credential": {
            "header": auth.header,
            "scheme": "bearer" if auth.bearer else "api-key",
            "value": headers[auth.header],
            "only": auth.expected is not None,
        },
        "specs": {fmt: f"{prefix}/openapi.{fmt}" for fmt in ("json", "yaml")},
        "tokens": [],
        "token_specs": None,
        "scenario": scenario,
        "faults": dict(faults),
    }
    if vendor.token_spec is not None:
        described["tokens"] = [
            {"method": method.upper(), "url": base + vendor.example_path(path)}
            for path, item in vendor.token_spec["paths"].items()
            for method in item
        ]
        described["token_specs"] = {
            fmt: f"{prefix}/tokens/openapi.{fmt}" for fmt in ("json", "yaml")
        }
    return described
