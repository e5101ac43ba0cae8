"""The request journal (``mockserver/journal.py``): bounded, masked, read across workers."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cartkit.mockserver.journal import Journal
from cartkit.mockserver.shared import SharedState


def entry(
    n: int,
    *,
    path: str | None = None,
    query: bytes = b"",
    status: int = 200,
    vendor: str | None = "stateset",
    headers: Sequence[tuple[bytes, bytes]] = (),
    at: float | None = None,
) -> tuple[Any, ...]:
    """A journal entry as the app records it: request *n* at second ``n + 1``."""
    when = float(n + 1) if at is None else at
    return (when, "GET", path or f"/p{n}", query, status, 1.0, vendor, None, list(headers))


def test_a_negative_size_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="size"):
        Journal(SharedState(tmp_path), size=-1)


def test_size_zero_keeps_nothing(tmp_path: Path) -> None:
    journal = Journal(SharedState(tmp_path), size=0)
    journal.record(entry(0))
    assert journal.read() == []
    assert not list(tmp_path.glob("journal-*.jsonl"))


def test_the_journal_is_bounded(tmp_path: Path) -> None:
    state = SharedState(tmp_path)
    journal = Journal(state, size=10)
    for n in range(95):
        journal.record(entry(n))
        if n % 7 == 0:
            journal.flush()
    kept = journal.read(limit=1000)
    # At most two files of ten, and ten held in memory: the newest entries, newest first.
    assert 10 <= len(kept) <= 20
    assert [e["path"] for e in kept[:3]] == ["/p94", "/p93", "/p92"]
    assert len(list(tmp_path.glob("journal-*.jsonl"))) <= 2
    assert state.generation == 0


def test_recording_costs_no_write_until_someone_reads(tmp_path: Path) -> None:
    journal = Journal(SharedState(tmp_path), size=10)
    for n in range(25):
        journal.record(entry(n))
    assert not list(tmp_path.glob("journal-*.jsonl"))  # nothing written yet
    assert [e["path"] for e in journal.read(limit=100)] == [f"/p{n}" for n in range(24, 14, -1)]


def test_an_entry_reads_back_as_the_documented_object(tmp_path: Path) -> None:
    journal = Journal(SharedState(tmp_path), size=5)
    at = datetime(2026, 1, 15, 12, 0, 0, 250_000, tzinfo=UTC).timestamp()
    sent = [(b"accept", b"application/json"), (b"x-tag", b"a"), (b"x-tag", b"b")]
    journal.record((at, "POST", "/v1/carts", b"limit=5", 201, 1.23456, "stateset", "empty", sent))
    (read,) = journal.read()
    assert read.pop("worker") > 0
    assert read == {
        "time": "2026-01-15T12:00:00.250Z",
        "vendor": "stateset",
        "method": "POST",
        "path": "/v1/carts",
        "query": "limit=5",
        "status": 201,
        "duration_ms": 1.235,
        "scenario": "empty",
        "headers": {"accept": "application/json", "x-tag": "a, b"},  # repeated: joined
    }


def test_secrets_never_reach_the_files(tmp_path: Path) -> None:
    journal = Journal(SharedState(tmp_path), size=5)
    headers = [
        (b"authorization", b"Bearer sk_live_secret"),
        (b"spm-api-key", b"raw-key-secret-0123456789"),
        (b"accept", b"application/json"),
    ]
    journal.record(entry(0, query=b"limit=5&api_key=qsecret&Token=tsecret", headers=headers))
    (read,) = journal.read()
    written = b"".join(p.read_bytes() for p in tmp_path.glob("journal-*.jsonl"))
    for secret in (b"sk_live_secret", b"raw-key-secret", b"qsecret", b"tsecret"):
        assert secret not in written
    assert read["headers"]["authorization"] == "Bearer ***"
    assert read["headers"]["spm-api-key"] == "***"
    assert read["headers"]["accept"] == "application/json"
    assert "limit=5" in read["query"] and "api_key=***" in read["query"]


def test_a_query_without_a_secret_is_kept_byte_for_byte(tmp_path: Path) -> None:
    journal = Journal(SharedState(tmp_path), size=5)
    raw = b"filter=eq(status,%22open%22)&page[limit]=2"  # no re-encoding of what was sent
    journal.record(entry(0, query=raw))
    assert journal.read()[0]["query"] == raw.decode()


def test_reading_filters_by_vendor_and_status_then_limits(tmp_path: Path) -> None:
    journal = Journal(SharedState(tmp_path), size=50)
    for n in range(12):
        vendor = "stateset" if n % 2 else "epages"
        journal.record(entry(n, vendor=vendor, status=429 if n % 3 == 0 else 200))
    assert [e["path"] for e in journal.read(vendor="stateset", status=429)] == ["/p9", "/p3"]
    assert {e["vendor"] for e in journal.read(vendor="epages")} == {"epages"}
    assert [e["path"] for e in journal.read(limit=2)] == ["/p11", "/p10"]


def test_clearing_hides_older_entries_from_every_reader(tmp_path: Path) -> None:
    state = SharedState(tmp_path)
    one, two = Journal(state, size=10), Journal(SharedState(tmp_path), size=10)
    one.record(entry(0, at=100.0))
    two.record(entry(1, at=200.0))
    assert [e["path"] for e in one.read()] == ["/p0"]  # two's entry is still in two's memory
    assert [e["path"] for e in two.read()] == ["/p1", "/p0"]  # a read writes out its own
    state.change(lambda s: s.update(journal_cleared=150.0))
    assert [e["path"] for e in two.read()] == ["/p1"]
    assert [e["path"] for e in one.read()] == ["/p1"]


def test_a_reader_gathers_what_another_worker_kept(tmp_path: Path) -> None:
    async def run() -> list[dict[str, Any]]:
        # Two journals on one state directory stand for two workers on their event loops.
        worker = Journal(SharedState(tmp_path), size=10)
        reader = Journal(SharedState(tmp_path), size=10)
        worker.record(entry(0, path="/from-the-worker"))
        assert reader.read() == []  # kept in the worker's memory, not written
        return await reader.gather()

    assert [e["path"] for e in asyncio.run(run())] == ["/from-the-worker"]
