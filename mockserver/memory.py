"""How a serving process uses memory: start-up objects out of the collector's sight, and large
blocks taken from (and given back to) the system directly.

Both matter once the answer memory is full and replaces answers all the time (see
:mod:`.response_cache`):

- **Frozen start-up objects.** The carts, their renderings and the validators live as long as
  the process, yet every full collection would walk them again, stopping every request of the
  worker meanwhile. :func:`serve_from_here` freezes them (measured in process over 60,000 calls
  of the soak's mix: the longest full collection 90.7 ms with nothing frozen, 17.7 ms frozen
  and with answers kept as tuples). Nothing frozen becomes garbage later: the start-up vendors
  are kept for the process's life.
- **Large blocks from the system.** glibc serves blocks under its dynamic ``mmap`` threshold
  (up to 32 MiB) from one heap, and keeps what is freed there for reuse: the temporary buffers
  of each page rendered, freed between the answers kept, leave holes the heap never returns.
  Measured in process after 100,000 calls of the soak's mix: RSS 330 MiB, of which
  ``malloc_trim`` returned 31 MiB, and within a second of further calls the holes were back.
  With blocks of 16 KiB and more mapped on their own (``mallopt(M_MMAP_THRESHOLD)``), RSS ended
  at 301 MiB with nothing left to trim; a block that size is a large page's rendering, which
  costs far more than its mapping.

Only a process that serves does this (``cartkit serve``, its workers, the pytest fixture's
server): an app built in a test or a script leaves its host process's memory alone. On a C
library without ``mallopt`` (macOS, musl) the blocks are left to it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc

__all__ = ["LARGE_BLOCK", "map_large_blocks", "serve_from_here"]

LARGE_BLOCK = 16 * 1024
"""Bytes from which a block is mapped on its own, and unmapped when freed."""

_M_MMAP_THRESHOLD = -3  # glibc's malloc.h


def map_large_blocks(threshold: int = LARGE_BLOCK) -> bool:
    """Have blocks of *threshold* bytes and more mapped on their own; ``False`` where the C
    library cannot (no glibc ``mallopt``)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, threshold))


def serve_from_here() -> None:
    """Set this process up to serve: large blocks mapped on their own, and everything built so
    far (the app, its carts) frozen out of the garbage collector's sight."""
    map_large_blocks()
    gc.collect()
    gc.freeze()
