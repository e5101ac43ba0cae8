"""Run the benchmark: ``python bench/run.py [--quick] [--vendors stateset] ...`` (``--help``), or
the soak: ``python bench/run.py --soak [--duration 300] ...`` (``--soak --help``)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the ``bench`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cli import main


def run(argv: Sequence[str] | None = None) -> int:
    """:func:`bench.cli.main`, with Ctrl-C ending quietly (servers are stopped before this)."""
    try:
        return main(argv)
    except KeyboardInterrupt:
        print("interrupted: every server started was stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(run())
