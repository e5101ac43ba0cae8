"""State shared by the workers (``mockserver/shared.py``): atomic changes, counted."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pytest

from cartkit.mockserver.shared import SharedState


def test_a_fresh_state_is_empty_and_unchanged(tmp_path: Path) -> None:
    state = SharedState(tmp_path / "made" / "here")  # made if missing
    assert state.current() == {}
    assert (state.generation, state.journal_asked) == (0, 0)
    assert state.directory == tmp_path / "made" / "here"


def test_shared_state_changes_are_atomic_and_counted(tmp_path: Path) -> None:
    one, two = SharedState(tmp_path), SharedState(tmp_path)
    one.change(lambda state: state.update(a=1))
    assert two.current() == {"a": 1} and two.generation == 1

    def fail(state: dict[str, Any]) -> None:
        state["a"] = 2
        raise RuntimeError("half-way")

    with pytest.raises(RuntimeError):
        two.change(fail)
    assert one.current() == {"a": 1} and one.generation == 1


def test_a_second_opening_keeps_what_the_first_stored(tmp_path: Path) -> None:
    SharedState(tmp_path).change(lambda state: state.update(scenario="empty"))
    again = SharedState(tmp_path)  # a worker starting later must not reset the state
    assert again.current() == {"scenario": "empty"} and again.generation == 1


def test_change_returns_the_new_state_and_updates_build_on_the_stored_one(tmp_path: Path) -> None:
    one, two = SharedState(tmp_path), SharedState(tmp_path)
    assert one.change(lambda s: s.update(a=1)) == {"a": 1}
    # two never read the state: its update still gets what one stored, not a stale copy
    assert two.change(lambda s: s.update(b=s["a"] + 1)) == {"a": 1, "b": 2}
    assert one.current() == {"a": 1, "b": 2} and one.generation == 2


def test_current_is_read_again_only_after_a_change(tmp_path: Path) -> None:
    state = SharedState(tmp_path)
    first = state.current()
    assert state.current() is first  # nothing changed: no read
    (tmp_path / "state.json").write_text('{"sneaked": true}')  # not through change()
    assert state.current() is first
    state.change(lambda s: s.update(a=1))
    assert state.current() == {"sneaked": True, "a": 1}


def test_the_state_file_is_replaced_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    state = SharedState(tmp_path)
    state.change(lambda s: s.update(z=1, a=[1, 2]))
    assert json.loads((tmp_path / "state.json").read_text()) == {"a": [1, 2], "z": 1}
    assert not list(tmp_path.glob("*.tmp"))


def test_asking_for_the_journal_is_counted_apart_from_changes(tmp_path: Path) -> None:
    one, two = SharedState(tmp_path), SharedState(tmp_path)
    one.ask_journal()
    one.ask_journal()
    assert two.journal_asked == 2
    assert two.generation == 0 and two.current() == {}


def test_documents_are_written_whole_and_read_with_a_default(tmp_path: Path) -> None:
    one, two = SharedState(tmp_path), SharedState(tmp_path)
    assert two.read("carts") is None and two.read("carts", []) == []
    one.write("carts", [{"status": "active"}])
    assert two.read("carts") == [{"status": "active"}]
    one.write("carts", [])
    assert two.read("carts", None) == []  # replaced, not appended
    assert one.generation == 0  # a document alone does not count as a change
    assert not list(tmp_path.glob("*.tmp"))


def test_a_private_state_lives_in_a_temporary_directory_removed_with_it() -> None:
    state = SharedState()
    directory = state.directory
    state.change(lambda s: s.update(a=1))
    assert (directory / "state.json").exists()
    del state
    gc.collect()
    assert not directory.exists()
