"""A zero-argument app factory for ``uvicorn --factory`` (the CLI tests run a real server)."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.routing import Mount

from cartkit.mockserver import create_app
from tests.contracts import broken, changes


def app() -> Any:
    """The mock (all five vendors under their prefixes, small and seeded, as ``cartkit serve``
    lays them out), plus under ``/broken`` a StateSet that ignores the ``status`` filter and
    under ``/broken-twice`` one that ignores ``channel`` too (a new bug beside a known one)."""
    stateset = create_app(vendors=("stateset",), carts=200)
    faulty = broken.Rewrite(stateset, query=changes.drop("status"))
    twice = broken.Rewrite(stateset, query=changes.drop_all("status", "channel"))
    return Starlette(
        routes=[
            Mount("/broken", app=faulty),
            Mount("/broken-twice", app=twice),
            Mount("/", app=create_app(carts=200)),
        ]
    )
