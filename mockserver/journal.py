"""The request journal: what the app under test sent the mock, readable from any worker.

Each worker writes its own requests to files of its own in the mock's state directory, so
recording takes no lock and none of another worker's time. An entry is kept in memory and
written out, masked and as one compact JSON line, with the others of the next few milliseconds
(:data:`FLUSH_AFTER`): one ``write`` per batch, after the answers were sent.

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
import re
import weakref
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from .access_log import SECRET_QUERY, redact_query
from .auth import SECRET_HEADERS, masked

__all__ = ["DEFAULT_SIZE", "Journal"]

_SECRET = re.compile("|".join(SECRET_QUERY).encode())  # searched in the lower-cased query
_SECRET_NAMES = frozenset(name.encode() for name in SECRET_HEADERS)
_INSTANCES = itertools.count()  # apps of one process sharing a directory write apart

FLUSH_AFTER = 0.005
"""Seconds an entry waits in memory for others to share its ``write``: a reader waiting twice
that long sees every worker's requests."""

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
        self._out: int | None = None  # the current file, open for appending
        self._close: Callable[[], Any] = lambda: None

    def record(self, entry: Entry) -> None:
        """Keep *entry*; it is written within :data:`FLUSH_AFTER` seconds."""
        if not self.size:  # no journal
            return
        self._pending.append(entry)
        if not self._scheduled:
            self._scheduled = True
            try:
                asyncio.get_running_loop().call_later(FLUSH_AFTER, self.flush)
            except RuntimeError:  # no loop (a synchronous caller): write now
                self.flush()

    def flush(self) -> None:
        """Write the entries kept so far to this worker's current file (one ``write``)."""
        self._scheduled = False
        pending, self._pending = self._pending, []
        worker = os.getpid()
        while pending:
            room = self.size - self._written
            batch, pending = pending[:room], pending[room:]
            if self._out is None:
                flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
                self._out = os.open(self._file(self._part), flags, 0o600)
                self._close = weakref.finalize(self, os.close, self._out)
            os.write(self._out, b"".join(_line(entry, worker) for entry in batch))
            self._written += len(batch)
            if self._written >= self.size:
                self._close()
                self._out = None
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
                    entry = _entry(line)
                    if entry["at"] <= since:
                        continue
                    if vendor is not None and entry["vendor"] != vendor:
                        continue
                    if status is not None and entry["status"] != status:
                        continue
                    found.append(entry)
        found.sort(key=lambda e: (e["at"], e["worker"]), reverse=True)
        listed = found[:limit]
        for entry in listed:
            stamp = datetime.fromtimestamp(entry.pop("at"), UTC)
            entry["time"] = stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return listed

    def _file(self, part: int) -> Path:
        return self.directory / f"{self._name}-{part:06d}.jsonl"


def _line(entry: Entry, worker: int) -> bytes:
    """One journal line, secrets masked: a compact JSON array (readers make the object)."""
    at, method, path, query, status, elapsed, vendor, scenario, headers = entry
    text = query.decode("latin-1")
    if query and _SECRET.search(query.lower()):
        text = redact_query(text)
    sent = b"\n".join(
        [
            name + b": " + (masked(value) if name in _SECRET_NAMES else value)
            for name, value in headers
        ]
    )
    fields = (
        at,
        worker,
        vendor,
        method,
        path,
        text,
        status,
        elapsed,
        scenario,
        sent.decode("latin-1"),
    )
    return orjson.dumps(fields) + b"\n"


def _entry(line: bytes) -> dict[str, Any]:
    """The object a journal line stands for (see :func:`_line`)."""
    at, worker, vendor, method, path, query, status, elapsed, scenario, sent = orjson.loads(line)
    headers: dict[str, str] = {}
    for pair in sent.split("\n") if sent else ():
        name, _, value = pair.partition(": ")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return {
        "at": at,
        "worker": worker,
        "vendor": vendor,
        "method": method,
        "path": path,
        "query": query,
        "status": status,
        "duration_ms": round(elapsed, 3),
        "scenario": scenario,
        "headers": headers,
    }
