"""``contracts`` and ``mockserver`` never import each other: the kit is an independent oracle."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from cartkit import contracts

ROOT = Path(__file__).resolve().parents[2]


def _imports(package: str) -> set[str]:
    """The package of every module imported anywhere in *package*'s source: the part after
    ``cartkit.`` for cartkit's own (relative imports resolved, so ``from ..mockserver`` counts),
    the top-level name for the others."""
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        here = ["cartkit", *path.relative_to(ROOT).parent.parts]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = here[: len(here) - node.level + 1] if node.level else []
                names = [".".join([*base, *([node.module] if node.module else [])])]
            for name in names:
                parts = name.split(".")
                found.add(parts[1] if parts[0] == "cartkit" and len(parts) > 1 else parts[0])
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"), [("contracts", "mockserver"), ("mockserver", "contracts")]
)
def test_no_import_in_the_source(package: str, forbidden: str) -> None:
    assert forbidden not in _imports(package)


# Ways to import a module whose name the source does not spell out.
_DYNAMIC_MODULES = {"importlib", "runpy", "pkgutil", "imp", "zipimport"}
_DYNAMIC_BUILTINS = {"__import__", "exec", "eval", "compile"}
_DYNAMIC_METHODS = {"__import__", "import_module", "run_module", "exec_module", "load_module"}


def _dynamic_imports(package: str) -> list[str]:
    """``path:line what`` for every dynamic import mechanism in *package*'s source."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Call):
                func = node.func
                if (isinstance(func, ast.Name) and func.id in _DYNAMIC_BUILTINS) or (
                    isinstance(func, ast.Attribute) and func.attr in _DYNAMIC_METHODS
                ):
                    names = [f"{ast.unparse(func)}()"]
            for name in names:
                if name.split(".")[0] in _DYNAMIC_MODULES or name.endswith("()"):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    return found


def test_the_kit_imports_nothing_dynamically() -> None:
    # A vendor module that loaded `mockserver` through a computed name would pass the scan above.
    assert _dynamic_imports("contracts") == []


def test_every_oracle_loads_without_the_mock() -> None:
    # Every oracle through `oracle_for`, every token oracle, and every check's plan, in a fresh
    # interpreter: whatever they import, `mockserver` must not be among it.
    code = """
import sys
from cartkit import specs
from cartkit import contracts
from cartkit.contracts.paging import Session
from cartkit.contracts.spec import Contract, TokenDocument
from cartkit.contracts.target import Target
from cartkit.contracts.vendors import oracle_for
from cartkit.contracts.vendors.tokens import token_oracle_for

for vendor in specs.VENDORS:
    target = Target(vendor, base_url="http://127.0.0.1:9", auth={"token": "t", "api_key": "k"})
    oracle = oracle_for(Contract(vendor))
    assert oracle.vendor == vendor, oracle
    document = TokenDocument.load(vendor)
    if document is not None:
        session = Session(target, oracle, max_pages=2)
        assert token_oracle_for(session, document).vendor == vendor
    assert contracts.plan(vendor)
loaded = sorted(m for m in sys.modules if m.startswith(("cartkit.mockserver", "mockserver")))
sys.exit(", ".join(loaded) or None)
"""
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, check=False, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("package", "forbidden"), [("contracts", "mockserver"), ("mockserver", "contracts")]
)
def test_no_import_at_runtime(package: str, forbidden: str) -> None:
    modules = (
        "contracts, contracts.cli, contracts.vendors.stateset"
        if package == "contracts"
        else "mockserver, mockserver.app"
    )
    imports = ", ".join(f"cartkit.{m}" for m in modules.split(", "))
    code = f"import sys, {imports}; sys.exit('cartkit.{forbidden}' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False)
    assert result.returncode == 0, f"importing {package} imported {forbidden}"


def test_every_vendor_has_an_oracle() -> None:
    from cartkit import specs
    from cartkit.contracts.spec import Contract
    from cartkit.contracts.vendors import oracle_for

    for vendor in specs.VENDORS:
        assert oracle_for(Contract(vendor)).vendor == vendor


def _isort_key(name: str) -> tuple[int, str]:
    # ruff's RUF022 order: CONSTANTS, then Classes, then functions.
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_the_public_surface_is_sorted_and_real() -> None:
    assert contracts.__all__ == sorted(contracts.__all__, key=_isort_key)
    for name in contracts.__all__:
        assert hasattr(contracts, name), name
