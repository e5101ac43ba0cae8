"""Test-suite wide settings: the Hypothesis profiles, and one copy of each package."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

# CI: derandomized and bounded, so a run is reproducible and its time predictable; failures print
# the blob to replay them. Locally: random, to keep finding new cases.
settings.register_profile(
    "ci",
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture(autouse=True, scope="session")
def _one_copy_of_each_package() -> Iterator[None]:
    """After the run: nothing imported a folder by its bare name (``specs``), which from the
    repository root would load a second copy beside ``cartkit.specs``."""
    yield
    bare = sorted(m for m in sys.modules if m.split(".")[0] in ("specs", "mockserver", "contracts"))
    assert bare == [], f"imported by their folder names, not through cartkit: {bare}"
