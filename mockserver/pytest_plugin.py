"""pytest plugin (entry point ``cartkit``): a running mock for a consumer's own test suite.

    def test_my_client_lists_abandoned_carts(cartkit_mock):
        client = MyStateSetClient(base_url=cartkit_mock.url("stateset"), api_key="sk_test_x")
        carts = client.list_carts(status="abandoned")
        expected = [c for c in cartkit_mock.dataset("stateset").carts if c.status == "abandoned"]
        assert len(carts) == len(expected)

Override the ``cartkit_mock_config`` fixture (returning a :class:`~cartkit.mockserver.MockConfig`) to
change the seed, the number of carts, the token, ... A test can switch a scenario
(``cartkit_mock.scenario("empty", "stateset")``), add its own carts
(``cartkit_mock.add_carts([{"status": "abandoned"}])``; ``MockConfig(data=...)`` for the whole
session) and read what the app under test sent (``cartkit_mock.requests("stateset")``).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from .app import startup_dataset
from .cli import CONFIG_ENV
from .config import MockConfig
from .dataset import Dataset

__all__ = ["RunningMock", "cartkit_mock", "cartkit_mock_config", "free_port", "start", "stop"]

_START_TIMEOUT = 60.0


@dataclass(frozen=True)
class RunningMock:
    """A mock server running in a child process for the test session."""

    base_url: str
    config: MockConfig
    pid: int

    @property
    def seed(self) -> int:
        return self.config.seed

    def url(self, vendor: str) -> str:
        """Base URL to give a client of *vendor* (``scheme://host[/prefix]``)."""
        return self.base_url + self.config.prefix(vendor)

    def requests(
        self, vendor: str | None = None, *, status: int | None = None, limit: int = 1000
    ) -> list[dict[str, Any]]:
        """What the mock was asked, newest first (the journal; credentials masked)."""
        params = {"vendor": vendor, "status": status, "limit": limit}
        response = httpx.get(
            f"{self.base_url}/__cartkit/requests",
            params={k: v for k, v in params.items() if v is not None},
            headers=self._admin(),
        )
        response.raise_for_status()
        found: list[dict[str, Any]] = response.json()["requests"]
        return found

    def clear_requests(self) -> None:
        """Empty the journal (a test's own requests then stand alone)."""
        httpx.delete(
            f"{self.base_url}/__cartkit/requests", headers=self._admin()
        ).raise_for_status()

    def scenario(self, name: str, vendor: str | None = None) -> None:
        """Switch *vendor* (every vendor by default) to scenario *name*, on every worker."""
        body = {"scenario": name, **({"vendor": vendor} if vendor else {})}
        response = httpx.put(
            f"{self.base_url}/__cartkit/scenario", json=body, headers=self._admin()
        )
        response.raise_for_status()

    def add_carts(self, carts: list[dict[str, Any]]) -> dict[str, int]:
        """Add *carts* (the shape of ``carts.schema.json``) for every vendor, on every worker;
        returns how many carts each vendor lists now."""
        response = httpx.post(
            f"{self.base_url}/__cartkit/carts", json={"carts": carts}, headers=self._admin()
        )
        if response.status_code == 400:
            raise ValueError(response.json()["error"]["message"])
        response.raise_for_status()
        counts: dict[str, int] = response.json()["carts"]
        return counts

    def reset_carts(self) -> None:
        """Back to the start-up carts."""
        httpx.delete(f"{self.base_url}/__cartkit/carts", headers=self._admin()).raise_for_status()

    def _admin(self) -> dict[str, str]:
        token = self.config.admin_token
        return {"Authorization": f"Bearer {token}"} if token else {}

    def dataset(self, vendor: str) -> Dataset:
        """The canonical carts the server started with for *vendor* (generated ones and the data
        file's; rebuilt here: both are deterministic)."""
        return _dataset(self.config, vendor)


@functools.cache
def _dataset(config: MockConfig, vendor: str) -> Dataset:
    return startup_dataset(config, vendor)


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(config: MockConfig) -> RunningMock:
    """Start a mock for *config* on a free loopback port and wait until it is ready."""
    port = free_port()
    env = {**os.environ, CONFIG_ENV: config.to_json()}
    command = [sys.executable, "-m", "uvicorn", "--factory", "cartkit.mockserver.cli:app_from_env",
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]  # fmt: skip
    process = subprocess.Popen(command, env=env)
    mock = RunningMock(base_url=f"http://127.0.0.1:{port}", config=config, pid=process.pid)
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"cartkit mock exited with status {process.returncode} at start-up")
        try:
            if httpx.get(f"{mock.base_url}/__cartkit/health", timeout=1).status_code == 200:
                return mock
        except httpx.TransportError:
            time.sleep(0.1)
    stop(mock)
    raise RuntimeError(f"cartkit mock not ready after {_START_TIMEOUT:.0f}s")


def stop(mock: RunningMock) -> None:
    """Stop the mock's process by PID and reap it."""
    try:
        os.kill(mock.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        pid, _ = os.waitpid(mock.pid, os.WNOHANG)
        if pid:
            return
        time.sleep(0.05)
    os.kill(mock.pid, signal.SIGKILL)
    os.waitpid(mock.pid, 0)


@pytest.fixture(scope="session")
def cartkit_mock_config() -> MockConfig:
    """The mock's configuration; override this fixture to change it."""
    return dataclasses.replace(MockConfig(), carts=200)


@pytest.fixture(scope="session")
def cartkit_mock(cartkit_mock_config: MockConfig) -> Iterator[RunningMock]:
    """A cartkit mock serving every configured vendor for the whole test session."""
    mock = start(cartkit_mock_config)
    try:
        yield mock
    finally:
        stop(mock)
