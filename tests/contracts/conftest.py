"""Fixtures for the contract kit's tests: the mock as the system under test (in process, or
served by uvicorn), and a CI budget."""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cartkit import contracts
from cartkit.mockserver import create_app, datasets
from cartkit.mockserver.pytest_plugin import free_port

CREDENTIALS: dict[str, dict[str, str]] = {
    "shopimind": {"api_key": "cartkit-test-key-0123456789"},
    "nextcommerce": {"token": "test-token"},
    "elasticpath": {"token": "test-token"},
    "epages": {"token": "test-token"},
    "stateset": {"token": "test-token"},
}
"""Credentials the mock accepts, per vendor."""

BUDGET: dict[str, Any] = {"max_examples": 10, "seed": None, "max_pages": 25}
"""A small derandomized budget: every contract run in the suite is reproducible and quick."""

CARTS = 60
"""Carts per vendor: enough for every check to find values, pages and ties, few enough that the
hundred-odd runs of tests/contracts/bugs stay quick."""

# 29 Next lists only the open carts, 20 a page: 90 carts give it a page between two others.
_NEXTCOMMERCE_CARTS = 90


@functools.cache
def mock_app(vendor: str) -> Any:
    """The mock serving *vendor* under ``/<vendor>`` (built once; the checks only read)."""
    return create_app(
        vendors=(vendor,), carts=_NEXTCOMMERCE_CARTS if vendor == "nextcommerce" else CARTS
    )


@functools.cache
def shopper_tokens() -> dict[str, str]:
    """Elastic Path shopper tokens the mock accepts: the customer and the account with most carts.

    The mock's tokens are the owners' ids (``relationships.customers``/``accounts``).
    """
    carts = datasets(mock_app("elasticpath"))["elasticpath"].carts
    customers = Counter(c.customer.uid for c in carts if c.customer is not None)
    accounts = Counter(c.account_uid for c in carts if c.account_uid is not None)
    return {
        "customer_token": customers.most_common(1)[0][0],
        "account_token": accounts.most_common(1)[0][0],
    }


@functools.cache
def customer_login() -> dict[str, str]:
    """An Elastic Path customer login the mock accepts: the e-mail of the customer with most
    carts (the mock takes any password of a known customer)."""
    carts = datasets(mock_app("elasticpath"))["elasticpath"].carts
    customers = Counter(c.customer for c in carts if c.customer is not None)
    customer = customers.most_common(1)[0][0]
    return {"customer_email": customer.email, "customer_password": "cartkit-test-password"}


def run(vendor: str, app: Any, **options: Any) -> contracts.Report:
    """``contracts.check`` of *app* (in-process) as *vendor* with the CI budget.

    ``auth`` adds to the vendor's usual credentials (e.g. a shopper token).
    """
    auth = {**CREDENTIALS[vendor], **options.pop("auth", {})}
    return contracts.check(
        vendor,
        app=app,
        base_url=f"http://testserver/{vendor}",
        auth=auth,
        **{**BUDGET, **options},
    )


@pytest.fixture
def check() -> Any:
    """``check(vendor, app, **options) -> Report`` with the CI budget."""
    return run


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``uvicorn --factory tests.contracts.served:app`` on a free port; stopped by its PID."""
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "uvicorn.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "tests.contracts.served:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/__cartkit/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the mock did not start: {log.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
