from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from modelrace.hub import import_hub_json
from modelrace.store import Warehouse


@pytest.fixture
def licence_cases() -> list[dict[str, Any]]:
    return json.loads((Path(__file__).parent.parent / "fixtures" / "licence_cases.json").read_text())


@pytest.fixture
def licensed(
    warehouse: Warehouse, tmp_path: Path, edge_cases: dict[str, Any], licence_cases: list[dict[str, Any]]
) -> Warehouse:
    path = tmp_path / "models.json"
    path.write_text(json.dumps(edge_cases["valid"] + licence_cases))
    import_hub_json(warehouse, path, taken_at=datetime(2025, 10, 1))
    return warehouse
