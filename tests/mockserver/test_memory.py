"""A serving process: large blocks mapped on their own, start-up objects frozen."""

from __future__ import annotations

import subprocess
import sys

import pytest

# Allocates 40 MiB in 20 KiB blocks, each followed by a small block that stays (as answers kept
# between a page's temporary buffers do), frees the large ones and prints the RSS they leave.
_CHURN = """
import sys
from cartkit.mockserver.memory import map_large_blocks

def rss_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1])

mapped = map_large_blocks() if sys.argv[1] == "mapped" else False
large, kept = [], []
for i in range(2000):
    large.append(bytes(20 * 1024) + str(i).encode())
    kept.append(bytes(700) + str(i).encode())
before = rss_kib()
del large
print(mapped, before - rss_kib())
"""


def _returned_kib(mode: str) -> tuple[bool, int]:
    out = subprocess.run(
        [sys.executable, "-c", _CHURN, mode], capture_output=True, text=True, check=True
    ).stdout.split()
    return out[0] == "True", int(out[1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_large_blocks_go_back_to_the_system_when_freed() -> None:
    mapped, returned = _returned_kib("mapped")
    assert mapped  # CI runs on Debian: glibc has mallopt
    _, kept = _returned_kib("heap")
    # Mapped: the 40 MiB go back. From the heap: they stay, as holes between the small blocks.
    assert returned > 30 * 1024 and kept < 10 * 1024, (returned, kept)


def test_serving_freezes_what_start_up_built() -> None:
    code = (
        "import gc\n"
        "from mockserver import create_app\n"
        "from mockserver.memory import serve_from_here\n"
        "app = create_app(vendors=('stateset',), carts=100)\n"
        "before = gc.get_freeze_count()\n"
        "serve_from_here()\n"
        "print(before, gc.get_freeze_count())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after = map(int, out.stdout.split())
    assert before == 0 and after > 1000
