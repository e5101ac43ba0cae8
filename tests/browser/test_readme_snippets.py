"""The README's browser snippets run, verbatim, in Chromium, and say what their comments say.

Each JavaScript block under a ``<!-- browser: NAME -->`` marker in README.md is run on a page of
another origin against ``cartkit serve`` on its defaults (seed 0, 1,000 carts), with only the
mock's address swapped for this run's port. A comment ending a statement is the README's claim
about its value, and is asserted: ``expr;  // "999"`` means ``expr`` gives ``"999"``, and
``const body = ...;  // body.total_count === 369`` means ``body.total_count`` gives ``369``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .conftest import Server, _cartkit, serving

if TYPE_CHECKING:
    from playwright.sync_api import Browser

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"<!-- browser: (\w+) -->\n```js\n(.*?)```", re.DOTALL)
DEFAULT = "127.0.0.1:8000"  # where the README's examples expect `cartkit serve`
LITERAL = r'("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null)'
CLAIM = re.compile(r"^(?P<code>\s*(?P<statement>\S.*?);)\s*// (?P<comment>.*)$")
EQUALS = re.compile(rf"^(?P<expr>[\w.\[\]]+) === {LITERAL}")
VALUE = re.compile(rf"^{LITERAL}")

SNIPPETS = dict(BLOCK.findall(README))


def instrument(code: str) -> tuple[str, list[tuple[str, Any]]]:
    """*code* recording the value of every statement whose comment states one, and the claims."""
    claims: list[tuple[str, Any]] = []
    lines = []
    for line in code.splitlines():
        match = CLAIM.match(line)
        if match is None:
            lines.append(line)
            continue
        statement, comment = match["statement"], match["comment"]
        if statement.startswith(("const ", "let ")):
            claim = EQUALS.match(comment)
            if claim is None:
                lines.append(line)
                continue
            expression, expected = claim[1], claim[2]
            lines.append(match["code"])
        else:
            value = VALUE.match(comment)
            if value is None:
                lines.append(line)
                continue
            expression, expected = statement, value[1]
        lines.append(f"__seen.push([{json.dumps(expression)}, await ({expression})]);")
        claims.append((expression, json.loads(expected)))
    body = "\n".join(lines)
    return f"async () => {{ const __seen = [];\n{body}\nreturn __seen; }}", claims


@pytest.fixture(scope="module")
def default_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``cartkit serve`` on its defaults, on a free port instead of 8000."""
    from cartkit.mockserver.pytest_plugin import free_port

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [_cartkit(), "serve", "--port", str(port), "--log-level", "warning"]
    log = tmp_path_factory.mktemp("readme") / "mock.log"
    with serving(command, url, f"{url}/__cartkit/health", log) as server:
        yield server


def test_the_readme_marks_its_browser_snippets() -> None:
    assert set(SNIPPETS) == {"fetch", "sdk"}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_a_readme_snippet_runs_as_it_says(
    browser: Browser, site: Server, default_mock: Server, name: str
) -> None:
    host = default_mock.url.removeprefix("http://")
    code, claims = instrument(SNIPPETS[name].replace(DEFAULT, host))
    assert claims, f"the {name!r} snippet states no value to check"
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{site.url}/site/sdk.html")
        seen = page.evaluate(code)
    finally:
        context.close()
    assert [(expression, value) for expression, value in seen] == claims
