"""MockConfig: one immutable record, and its JSON for other processes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from cartkit.mockserver import MockConfig


def test_to_json_sends_the_validated_carts_not_the_file(tmp_path: Path) -> None:
    data = tmp_path / "carts.json"
    data.write_text(json.dumps({"carts": [{"status": "abandoned"}, {}]}), encoding="utf-8")
    config = MockConfig(vendors=("stateset",), carts=3, data=data)
    sent = json.loads(config.to_json())
    assert sent["data"] == [{"status": "abandoned"}, {}] and "entries" not in sent
    rebuilt = MockConfig.from_json(config.to_json())
    assert rebuilt.entries == config.entries
    assert rebuilt.data_source == str(data)  # errors still name the file


def test_from_json_restores_instants_and_tuples() -> None:
    config = MockConfig(
        now=datetime(2025, 6, 1, 8, 30, tzinfo=timezone(timedelta(hours=2))),
        scenarios=(("stateset", "empty"),),
        shops=("Other",),
    )
    rebuilt = MockConfig.from_json(config.to_json())
    assert rebuilt == config
    assert rebuilt.now.astimezone(UTC) == datetime(2025, 6, 1, 6, 30, tzinfo=UTC)
    assert isinstance(rebuilt.scenarios[0], tuple)
