"""The fixture every check module's tests share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def made() -> Iterator[list[Any]]:
    """Contexts (or sessions) a test builds on fake servers; their targets are closed after it."""
    built: list[Any] = []
    yield built
    for item in built:
        getattr(item, "session", item).target.close()
