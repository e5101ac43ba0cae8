"""Contract speed: the wall time of ``cartkit check VENDOR`` against the mock.

The mock is ``cartkit serve`` with its defaults (all vendors, 1,000 carts, seed 0) on a free
port; each vendor is checked at ``http://127.0.0.1:PORT/<vendor>`` with the check's defaults
(``--max-examples`` can be lowered for a smoke run), each run bounded by a timeout.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass

from .servers import Fleet, cartkit_command, free_port, http_ok

__all__ = ["CheckTiming", "time_checks"]

_SUMMARY = re.compile(r"\d+ passed, \d+ failed[^\n]*")
API_KEY = "bench-api-key-0123456789"  # ShopiMind's key shape: [a-zA-Z0-9-]{20,64}
TOKEN = "bench-token"


@dataclass(frozen=True, slots=True)
class CheckTiming:
    """One ``cartkit check`` run."""

    vendor: str
    seconds: float
    exit_code: int | None  # None: killed at the timeout
    summary: str


def time_checks(
    fleet: Fleet,
    vendors: Sequence[str],
    *,
    timeout: float = 300.0,
    max_examples: int | None = None,
    start_timeout: float = 120.0,
) -> list[CheckTiming]:
    """Time ``cartkit check`` for each vendor against one default ``cartkit serve``."""
    port = free_port()
    mock = fleet.start(
        "cartkit-check",
        cartkit_command("serve", "--port", str(port)),
        port,
        lambda: http_ok(port, "/__cartkit/health"),
        timeout=start_timeout,
    )
    out = []
    try:
        for vendor in vendors:
            argv = cartkit_command(
                "check",
                vendor,
                "--url",
                f"{mock.base}/{vendor}",
                "--token",
                TOKEN,
                "--api-key",
                API_KEY,
            )
            if max_examples is not None:
                argv += ["--max-examples", str(max_examples)]
            start = time.monotonic()
            try:
                done = subprocess.run(
                    argv, capture_output=True, text=True, timeout=timeout, check=False
                )
            except subprocess.TimeoutExpired:
                out.append(CheckTiming(vendor, timeout, None, f"killed after {timeout:.0f} s"))
                continue
            seconds = time.monotonic() - start
            found = _SUMMARY.findall(done.stdout + done.stderr)
            summary = found[-1].strip() if found else (done.stderr.strip().splitlines() or [""])[-1]
            out.append(CheckTiming(vendor, seconds, done.returncode, summary))
    finally:
        fleet.stop(mock)
    return out
