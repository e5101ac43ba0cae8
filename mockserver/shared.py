"""Runtime state every worker of one mock shares: what the admin API changed.

``cartkit serve --workers N`` runs N processes, each with its own copy of the app; an admin call
reaches one of them, yet must change what every worker answers before it returns. The state
lives in a directory the mock owns:

- ``state.json``, the state itself, replaced atomically (write, then rename) under a file lock
  by whichever worker changes it;
- ``generation``, counters that every worker maps into memory. A request reads the first (a
  few hundred nanoseconds, no system call); only when it moved does the worker read
  ``state.json`` again. The writer bumps it after the rename, so any request that starts after
  the admin call returned, on any worker, sees the change. The second counts how often a reader
  of the journal asked every worker to write out what it kept (see :mod:`.journal`).

The directory comes from the parent process (``cartkit serve`` makes one for its workers) or is
made, and removed at exit, by a single-process mock.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import mmap
import os
import tempfile
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["SharedState"]

_COUNTER = 8  # bytes of one counter
_COUNTERS = 2  # the state's generation, then how often the journal was asked for


class SharedState:
    """A JSON object shared by every worker of one mock, and a counter of its changes.

    Args:
        directory: where the state lives (made if missing); ``None`` makes a private temporary
            directory, removed when this object is collected or the interpreter exits.
    """

    def __init__(self, directory: Path | None = None) -> None:
        if directory is None:
            made = tempfile.TemporaryDirectory(prefix="cartkit-state-")
            weakref.finalize(self, made.cleanup)
            directory = Path(made.name)
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._file = directory / "state.json"
        with self._locked():
            counter = directory / "generation"
            if not counter.exists():
                counter.write_bytes(bytes(_COUNTER * _COUNTERS))
                self._file.write_text("{}")
        descriptor = os.open(counter, os.O_RDWR)
        try:
            self._counter = mmap.mmap(descriptor, _COUNTER * _COUNTERS)
        finally:
            os.close(descriptor)
        # Read and written as native 64-bit integers (only this machine's processes share the
        # file): a read costs ~35 ns, against ~175 ns for int.from_bytes on a slice.
        self._counters = memoryview(self._counter).cast("Q")
        self._seen = -1
        self._state: dict[str, Any] = {}

    @property
    def generation(self) -> int:
        """How many changes the state has seen (all workers together)."""
        return self._counters[0]

    @property
    def journal_asked(self) -> int:
        """How often some worker asked every worker to write its journal out."""
        return self._counters[1]

    def ask_journal(self) -> None:
        """Ask every worker to write its journal out (each does within a few milliseconds)."""
        with self._locked():
            self._counters[1] = self.journal_asked + 1

    def current(self) -> dict[str, Any]:
        """The state as it is now (read again only when some worker changed it)."""
        generation = self.generation
        if generation != self._seen:
            self._state = json.loads(self._file.read_text(encoding="utf-8"))
            self._seen = generation
        return self._state

    def change(self, update: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        """Apply *update* to the state, for every worker, and return the new state.

        Under the lock, *update* gets the state as stored; if it raises, nothing changes.
        """
        with self._locked():
            state: dict[str, Any] = json.loads(self._file.read_text(encoding="utf-8"))
            update(state)
            fresh = self._file.with_suffix(f".{os.getpid()}.tmp")
            fresh.write_text(json.dumps(state, sort_keys=True), encoding="utf-8")
            os.replace(fresh, self._file)
            self._counters[0] = self.generation + 1
        return self.current()

    def read(self, name: str, default: Any = None) -> Any:
        """The document *name* (see :meth:`write`), or *default* if there is none."""
        try:
            return json.loads((self.directory / f"{name}.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return default

    def write(self, name: str, value: Any) -> None:
        """Replace the document *name* atomically: a part of the state too large to read again
        on every change (added carts). Call it from the *update* of :meth:`change`, under the
        lock, and record a version of it in the state, so that readers know when to read it."""
        target = self.directory / f"{name}.json"
        fresh = target.with_suffix(f".{os.getpid()}.tmp")
        fresh.write_text(json.dumps(value, separators=(",", ":")), encoding="utf-8")
        os.replace(fresh, target)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with (self.directory / "lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
