"""``contracts`` and ``mockserver`` never import each other: the kit is an independent oracle."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import contracts

ROOT = Path(__file__).resolve().parents[2]


def _imports(package: str) -> set[str]:
    """Top-level names of every module imported anywhere in *package*'s source."""
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"), [("contracts", "mockserver"), ("mockserver", "contracts")]
)
def test_no_import_in_the_source(package: str, forbidden: str) -> None:
    assert forbidden not in _imports(package)


@pytest.mark.parametrize(
    ("package", "forbidden"), [("contracts", "mockserver"), ("mockserver", "contracts")]
)
def test_no_import_at_runtime(package: str, forbidden: str) -> None:
    modules = (
        "contracts, contracts.cli, contracts.vendors.stateset"
        if package == "contracts"
        else "mockserver, mockserver.app"
    )
    code = f"import sys, {modules}; sys.exit({forbidden!r} in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False)
    assert result.returncode == 0, f"importing {package} imported {forbidden}"


def test_every_vendor_has_an_oracle() -> None:
    import specs
    from contracts.spec import Contract
    from contracts.vendors import oracle_for

    for vendor in specs.VENDORS:
        assert oracle_for(Contract(vendor)).vendor == vendor


def _isort_key(name: str) -> tuple[int, str]:
    # ruff's RUF022 order: CONSTANTS, then Classes, then functions.
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_the_public_surface_is_sorted_and_real() -> None:
    assert contracts.__all__ == sorted(contracts.__all__, key=_isort_key)
    for name in contracts.__all__:
        assert hasattr(contracts, name), name
