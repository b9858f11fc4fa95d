from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from modelrace.hub import import_hub_json
from modelrace.store import Selection, Warehouse


def load(
    warehouse: Warehouse,
    tmp_path: Path,
    models: list[dict[str, Any]],
    when: datetime,
    name: str,
    selection: Selection = "complete",
) -> None:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(models))
    import_hub_json(warehouse, path, taken_at=when, selection=selection)  # a listing of the whole (test) Hub


@pytest.fixture
def two_snapshots(warehouse: Warehouse, tmp_path: Path, edge_cases: dict[str, Any]) -> Warehouse:
    first = [dict(m) for m in edge_cases["valid"]]
    load(warehouse, tmp_path, first, datetime(2025, 10, 1), "first")
    second = [dict(m) for m in edge_cases["valid"]]
    for m in second:
        if m["id"].startswith("deepseek-ai/"):
            m["downloads"] *= 10  # DeepSeek surges between the snapshots
    load(warehouse, tmp_path, second, datetime(2025, 11, 1), "second")
    return warehouse
