"""Real-browser fixtures: headless Chromium, a running mock, and a page on another origin.

The unit tests check the mock's CORS headers in-process; only a browser proves that a page can
*use* them: that the preflights pass, the bodies and documented headers are readable, and the
official Elastic Path SDK works against the mock as it does against the vendor.

Nothing here downloads anything. The browser is the system's Chromium (Debian's ``chromium``, or
``CARTKIT_CHROMIUM``), never one fetched by ``playwright install``, and the page's only library is
the vendored SDK under ``vendor/``. Without Chromium or Playwright the tests skip locally, but fail
when ``CI`` is set: CI must not pass without having run them.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

import httpx
import pytest
from starlette.testclient import TestClient

from cartkit.mockserver import create_app
from cartkit.mockserver.pytest_plugin import free_port

if TYPE_CHECKING:
    from playwright.sync_api import Browser

HERE = Path(__file__).parent
"""Served as the page's site: ``site/`` holds the page, ``vendor/`` the SDK it loads."""

CARTS, SEED = 200, 0
"""The mock's data: small enough to start in about two seconds."""

CHROMIUM_ENV = "CARTKIT_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser")
CHROMIUM_ARGS = (
    "--no-sandbox",  # we may run as root (CI containers)
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # No calls home: the network beyond loopback is closed, and the tests must not need it.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
_START_TIMEOUT = 30.0


def chromium_path() -> str | None:
    """The system Chromium: ``$CARTKIT_CHROMIUM`` if set, else ``chromium`` on the ``PATH``."""
    if configured := os.environ.get(CHROMIUM_ENV):
        return configured if os.access(configured, os.X_OK) else None
    return next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)


def unavailable() -> str | None:
    """Why the browser tests cannot run here, or ``None`` when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"Playwright for Python is not importable ({exc}): pip install -e '.[test]'"
    if chromium_path() is None:
        where = os.environ.get(CHROMIUM_ENV) or " or ".join(CHROMIUM_NAMES) + " on the PATH"
        return (
            f"no Chromium executable ({where}): install Debian's chromium "
            f"(apt-get install chromium) or set {CHROMIUM_ENV}; never `playwright install`"
        )
    return None


@dataclass(frozen=True)
class Server:
    """A server running in a child process on loopback, for the session."""

    url: str
    """Its origin as the browser reaches it (``http://host:port``)."""
    pid: int


@contextmanager
def serving(command: Sequence[str], url: str, ready: str, log: Path) -> Iterator[Server]:
    """Run *command*, wait until GET *ready* answers 200, and stop it by PID afterwards.

    Its output goes to *log*, quoted if it does not start.
    """
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_ready(process, command, ready, log)
            yield Server(url=url, pid=process.pid)
        finally:
            _stop(process, out)


def _wait_ready(
    process: subprocess.Popen[bytes], command: Sequence[str], ready: str, log: Path
) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(ready, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    status = "exited" if process.poll() is not None else f"not ready after {_START_TIMEOUT:.0f}s"
    output = log.read_text(errors="replace")[-3000:]
    raise RuntimeError(f"{' '.join(command)}: {status} (GET {ready})\n{output}")


def _stop(process: subprocess.Popen[bytes], out: IO[bytes]) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
    out.flush()


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium executable; skips (locally) or fails (under ``CI``) when there is none."""
    reason = unavailable()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the browser tests", pytrace=False)
        pytest.skip(reason)
    path = chromium_path()
    assert path is not None
    return path


@pytest.fixture(scope="package")
def browser(chromium: str) -> Iterator[Browser]:
    """One headless Chromium for the browser tests (start-up costs about a second).

    Package-scoped, not session-scoped: Playwright's sync API keeps an asyncio loop marked as
    running on this thread while it is open, so later tests' ``asyncio.run()`` would fail.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``cartkit serve`` as a user runs it, every vendor under its prefix, CORS on by default."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [_cartkit(), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--carts", str(CARTS), "--seed", str(SEED), "--log-level", "warning"]  # fmt: skip
    log = tmp_path_factory.mktemp("browser") / "mock.log"
    with serving(command, url, f"{url}/__cartkit/health", log) as server:
        yield server


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A static file server for the page, on another origin than the mock's.

    The browser reaches it as ``http://localhost:P2``: host and port both differ from the
    mock's ``http://127.0.0.1:P``, so every call the page makes is cross-origin.
    """
    port = free_port()
    command = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port),
               "--directory", str(HERE)]  # fmt: skip
    log = tmp_path_factory.mktemp("browser") / "site.log"
    ready = f"http://127.0.0.1:{port}/site/index.html"
    with serving(command, f"http://localhost:{port}", ready, log) as server:
        yield server


@pytest.fixture(scope="session")
def api(mock: Server) -> TestClient:
    """The same mock in-process: same configuration, so the same answers, byte for byte.

    Its base URL is the running mock's, so absolute links in bodies come out the same too.
    """
    return TestClient(create_app(carts=CARTS, seed=SEED), base_url=mock.url)


def _cartkit() -> str:
    """The ``cartkit`` console script of the running interpreter's environment."""
    script = shutil.which("cartkit", path=str(Path(sys.executable).parent)) or shutil.which(
        "cartkit"
    )
    if script is None:
        raise RuntimeError("the cartkit console script is not installed (pip install -e .)")
    return script
