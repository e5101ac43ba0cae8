"""Every example in a docstring of cartkit's packages runs and shows what it says."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from types import ModuleType

import pytest

from cartkit import contracts, mockserver, specs


def _modules() -> list[str]:
    names = []
    for package in (specs, mockserver, contracts):
        names.append(package.__name__)
        names += [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    return names


@pytest.mark.parametrize("name", _modules())
def test_the_examples_hold(name: str) -> None:
    module: ModuleType = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed"


def test_there_are_examples_to_run() -> None:
    examples = sum(
        len(test.examples)
        for name in _modules()
        for test in doctest.DocTestFinder().find(importlib.import_module(name))
    )
    assert examples >= 30
