"""A scripted stand-in for Hypothesis's data object, for calling a check function directly."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st


class Drawn:
    """Each draw returns the next of *values*, whatever the strategy."""

    def __init__(self, *values: Any) -> None:
        self.values = list(values)

    def draw(self, strategy: st.SearchStrategy[Any], label: str | None = None) -> Any:
        """The next value."""
        return self.values.pop(0)
