"""What ``pip install cartkit`` installs: ``specs/``, ``mockserver/`` and ``contracts/`` under the
one import name ``cartkit``, every subpackage and data file included, no bare top-level name."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
import zipfile
from fnmatch import fnmatch
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("specs", "mockserver", "contracts")
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def _installed_name(folder: Path) -> str:
    """The import name the package-dir mapping gives a source folder."""
    parts = folder.relative_to(ROOT).parts
    return ".".join(("cartkit", *parts))


def test_each_folder_installs_under_cartkit() -> None:
    assert SETUPTOOLS["package-dir"] == {f"cartkit.{name}": name for name in FOLDERS}


def test_every_package_folder_is_listed() -> None:
    # The list is explicit (a package-dir mapping cannot be searched): a new subpackage that is
    # not listed would be left out of the wheel.
    found = {
        _installed_name(init.parent)
        for name in FOLDERS
        for init in (ROOT / name).rglob("__init__.py")
    }
    assert sorted(found) == sorted(SETUPTOOLS["packages"])


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_data_file_is_package_data(folder: str) -> None:
    globs = SETUPTOOLS["package-data"][f"cartkit.{folder}"]
    data = [
        path.relative_to(ROOT / folder).as_posix()
        for path in (ROOT / folder).rglob("*")
        if path.is_file()
        and path.suffix not in {".py", ".pyc"}
        and "__pycache__" not in path.parts
        and path.name != "README.md"
    ]
    assert data, folder
    assert [f for f in data if not any(fnmatch(f, glob) for glob in globs)] == []


def _bare_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        found += [
            f"{path.relative_to(ROOT)}:{node.lineno} {name}"
            for name in names
            if name.split(".")[0] in FOLDERS
        ]
    return found


def test_nothing_imports_the_folder_names() -> None:
    # From the repository root `import specs` would still work (the folder is on sys.path) and
    # load a second copy of the package: every import goes through `cartkit`.
    sources = [
        path
        for path in ROOT.rglob("*.py")
        if not {".git", "build", "node_modules"} & set(path.parts)
        and not path.relative_to(ROOT).parts[0].startswith(".venv")
    ]
    assert [hit for path in sources for hit in _bare_imports(path)] == []


def test_the_installed_names_import_outside_the_tree(tmp_path: Path) -> None:
    # Run from elsewhere, so the source folders are not on sys.path: only the install serves.
    code = (
        "import importlib.util, sys\n"
        "from cartkit import contracts, mockserver, specs\n"
        "from importlib import resources\n"
        "assert resources.files('cartkit.specs').joinpath('epages.yaml').is_file()\n"
        "assert resources.files('cartkit.mockserver').joinpath('console', 'index.html').is_file()\n"
        "bare = [n for n in ('specs', 'mockserver', 'contracts') if importlib.util.find_spec(n)]\n"
        "sys.exit(', '.join(bare) or None)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_wheel_holds_cartkit_and_nothing_beside_it(tmp_path: Path) -> None:
    # Built from the files git tracks (no stale build/ folder), offline with the installed
    # setuptools: what `pip install cartkit` would unpack.
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    source = tmp_path / "source"
    for name in filter(None, tracked.split("\0")):
        path = ROOT / name
        if path.is_file() and not path.is_symlink():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            (source / name).write_bytes(path.read_bytes())
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", str(source), "--wheel-dir", str(tmp_path)],
        check=True, capture_output=True,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("cartkit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {
        "cartkit",
        wheel.name.split("-py")[0] + ".dist-info",
    }
    for shipped in (
        "cartkit/specs/epages.yaml",
        "cartkit/specs/tokens/epages.yaml",
        "cartkit/mockserver/console/index.html",
        "cartkit/mockserver/carts.schema.json",
        "cartkit/contracts/checks/__init__.py",
        "cartkit/contracts/py.typed",
    ):
        assert shipped in names
