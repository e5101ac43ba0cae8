"""``python -m bench.soak``: the same as ``python bench/run.py --soak``."""

from __future__ import annotations

import sys

from bench.run import run

if __name__ == "__main__":
    sys.exit(run(["--soak", *sys.argv[1:]]))
