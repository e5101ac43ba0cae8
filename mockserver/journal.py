"""The request journal: what the app under test sent the mock, readable from any worker.

Recording a request costs the hot path almost nothing: the worker keeps the raw entry in memory
(at most ``size`` of them, the oldest dropped first). Only when someone reads the journal does
any work happen: the reader asks every worker, through the shared state, to write out what it
kept; each worker, which looks for such a request every few milliseconds while it holds entries
(:data:`WATCH_EVERY`), masks them and appends them to files of its own in the mock's state
directory as compact JSON lines, one ``write`` per batch. The reader waits twice that long, then
reads every worker's files.

The journal is bounded: a worker writes at most ``size`` entries to a file, then starts a new one
and deletes the one before the last, so each worker keeps fewer than ``2 * size`` entries on disk
and a read reads at most that much per worker. Clearing it records the instant (in the shared
state): older entries are no longer listed, on every worker.

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
from collections import deque
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from .access_log import SECRET_NAMES, SECRET_QUERY, redact_query
from .auth import SECRET_HEADERS, masked
from .shared import SharedState

__all__ = ["DEFAULT_SIZE", "Journal"]

# Searched in the lower-cased query: a hit sends the query through the exact rule.
_SECRET = re.compile("|".join((*SECRET_QUERY, *SECRET_NAMES)).encode())
_SECRET_NAMES = frozenset(name.encode() for name in SECRET_HEADERS)
_INSTANCES = itertools.count()  # apps of one process sharing a directory write apart

WATCH_EVERY = 0.005
"""Seconds between a worker's looks for a reader's request, while it holds entries: a reader
waiting twice that long sees every worker's requests."""

DEFAULT_SIZE = 1000
"""Entries kept per worker unless ``--journal-size`` says otherwise."""

# (time, method, path, query, status, milliseconds, vendor, scenario, request headers)
Entry = tuple[float, str, str, bytes, int, float, "str | None", "str | None", Sequence[Any]]


class Journal:
    """This worker's side of the journal, and a reader of every worker's.

    Args:
        state: the state the mock's workers share (its directory holds the journal's files).
        size: entries kept in memory and per file (a worker keeps at most two files); 0 keeps
            nothing.
    """

    def __init__(self, state: SharedState, size: int) -> None:
        if size < 0:
            raise ValueError(f"size must be >= 0, got {size!r}")
        self.state, self.directory, self.size = state, state.directory, size
        self._pending: deque[Entry] = deque(maxlen=size or None)
        self._answered = state.journal_asked
        self._watching = False
        self._written = 0  # entries in the current file
        self._part = 0
        self._name = f"journal-{os.getpid()}-{next(_INSTANCES)}"
        self._out: int | None = None  # the current file, open for appending
        self._close: Callable[[], Any] = lambda: None

    def record(self, entry: Entry) -> None:
        """Keep *entry* (in memory, until a reader asks)."""
        if not self.size:  # no journal
            return
        self._pending.append(entry)
        if not self._watching:
            try:
                asyncio.get_running_loop().call_later(WATCH_EVERY, self._watch)
            except RuntimeError:  # no loop (a synchronous caller): a read of this worker writes
                return
            self._watching = True

    def _watch(self) -> None:
        """Write out what this worker kept when a reader asked; look again while it holds any."""
        if self.state.journal_asked != self._answered:
            self.flush()
        if self._pending:
            asyncio.get_running_loop().call_later(WATCH_EVERY, self._watch)
        else:
            self._watching = False

    def flush(self) -> None:
        """Write the entries kept so far to this worker's current file (one ``write``)."""
        self._answered = self.state.journal_asked
        pending = list(self._pending)
        self._pending.clear()
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

    async def gather(
        self, *, vendor: str | None = None, status: int | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """Every worker's most recent entries, newest first, filtered: ask every worker to
        write out what it kept, wait for them, then :meth:`read`."""
        self.state.ask_journal()
        await asyncio.sleep(2 * WATCH_EVERY)
        return self.read(vendor=vendor, status=status, limit=limit)

    def read(
        self, *, vendor: str | None = None, status: int | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """The entries every worker has written out, and this worker's, newest first, filtered."""
        self.flush()
        since = float(self.state.current().get("journal_cleared", 0.0))
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
