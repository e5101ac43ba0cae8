"""The request journal: what the app under test sent the mock, readable from any worker.

Each worker writes its own requests to files of its own in the mock's state directory, so
recording takes no lock and none of another worker's time. An entry is kept in memory and
written out with the others of the moment as soon as the worker's event loop is next free (the
answer has been sent by then), one ``write`` per batch.

The journal is bounded: a worker writes at most ``size`` entries to a file, then starts a new one
and deletes the one before the last, so each worker keeps fewer than ``2 * size`` entries on disk
and a read (``GET /__cartkit/requests``) reads at most that much per worker. Clearing it records
the instant (in the shared state): older entries are no longer listed, on every worker.

Secrets never reach the files: credential headers and credential-like query values are masked
before an entry is written.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from .access_log import redact_query
from .auth import redact

__all__ = ["DEFAULT_SIZE", "Journal"]

_INSTANCES = itertools.count()  # apps of one process sharing a directory write apart

DEFAULT_SIZE = 1000
"""Entries kept per worker unless ``--journal-size`` says otherwise."""

# (time, method, path, query, status, milliseconds, vendor, scenario, request headers)
Entry = tuple[float, str, str, bytes, int, float, "str | None", "str | None", Sequence[Any]]


class Journal:
    """This worker's side of the journal, and a reader of every worker's.

    Args:
        directory: the mock's state directory (shared by its workers).
        size: entries per file (a worker keeps at most two files); 0 keeps nothing.
        cleared: the instant (Unix seconds) entries must be newer than to be listed, as the
            shared state says (called on every read).
    """

    def __init__(self, directory: Path, size: int, cleared: Callable[[], float]) -> None:
        if size < 0:
            raise ValueError(f"size must be >= 0, got {size!r}")
        self.directory, self.size, self._cleared = directory, size, cleared
        self._pending: list[Entry] = []
        self._written = 0  # entries in the current file
        self._part = 0
        self._scheduled = False
        self._name = f"journal-{os.getpid()}-{next(_INSTANCES)}"

    def record(self, entry: Entry) -> None:
        """Keep *entry*; it is written when the event loop is next free."""
        if not self.size:  # no journal
            return
        self._pending.append(entry)
        if not self._scheduled:
            self._scheduled = True
            try:
                asyncio.get_running_loop().call_soon(self.flush)
            except RuntimeError:  # no loop (a synchronous caller): write now
                self.flush()

    def flush(self) -> None:
        """Write the entries kept so far to this worker's current file."""
        self._scheduled = False
        pending, self._pending = self._pending, []
        while pending:
            room = self.size - self._written
            batch, pending = pending[:room], pending[room:]
            lines = b"".join(orjson.dumps(_jsonable(entry)) + b"\n" for entry in batch)
            with self._file(self._part).open("ab") as out:
                out.write(lines)
            self._written += len(batch)
            if self._written >= self.size:
                self._part += 1
                self._written = 0
                with contextlib.suppress(FileNotFoundError):
                    self._file(self._part - 2).unlink()

    def read(
        self, *, vendor: str | None = None, status: int | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """The most recent entries of every worker, newest first, filtered."""
        self.flush()
        since = self._cleared()
        found = []
        for path in self.directory.glob("journal-*.jsonl"):
            with contextlib.suppress(FileNotFoundError):  # a worker may delete an old file
                for line in path.read_bytes().splitlines():
                    entry = orjson.loads(line)
                    if entry["at"] <= since:
                        continue
                    if vendor is not None and entry["vendor"] != vendor:
                        continue
                    if status is not None and entry["status"] != status:
                        continue
                    found.append(entry)
        found.sort(key=lambda e: (e["at"], e["worker"]), reverse=True)
        return found[:limit]

    def _file(self, part: int) -> Path:
        return self.directory / f"{self._name}-{part:06d}.jsonl"


def _jsonable(entry: Entry) -> dict[str, Any]:
    at, method, path, query, status, elapsed, vendor, scenario, headers = entry
    return {
        "at": at,
        "time": datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds")[:-6] + "Z",
        "worker": os.getpid(),
        "vendor": vendor,
        "method": method,
        "path": path,
        "query": redact_query(query.decode("latin-1")),
        "status": status,
        "duration_ms": round(elapsed, 3),
        "scenario": scenario,
        "headers": _headers(headers),
    }


def _headers(headers: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw_name, raw_value in headers:
        name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
        value = redact(name, value)
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out
