"""A zero-argument app factory for ``uvicorn --factory`` (the CLI test runs a real server)."""

from __future__ import annotations

from typing import Any

from mockserver import create_app


def app() -> Any:
    """All five vendors under their prefixes, small and seeded, as ``cartkit serve`` would."""
    return create_app(carts=200)
