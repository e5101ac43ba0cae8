"""``python -m bench``: the same as ``python bench/run.py``."""

from __future__ import annotations

import sys

from bench.run import run

if __name__ == "__main__":
    sys.exit(run())
