"""One warehouse with the reference data imported, shared by the answers tests (importing it takes a minute)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from modelrace.hub import import_hub_json
from modelrace.sources import import_results
from modelrace.store import Warehouse

REPO = Path(__file__).resolve().parents[2]
RESULT_FILES = (
    ("open-llm-leaderboard", "open_llm_leaderboard_v2_contents_2025-02.csv"),
    ("lmarena", "lmarena_leaderboard_text_2025-12.json"),
    ("artificial-analysis", "artificial_analysis_providers_2025-08-14.csv"),
    ("livebench", "livebench_table_2026-01-08.csv"),
    ("epoch-benchmarks", "epoch_benchmarking_hub_2025-12.json"),
)
HUB_LISTING = "hub_api_top_models_2024-09-20.json"


def _reference() -> Path:
    env = os.environ.get("MODELRACE_REFERENCE_DATA")
    path = Path(env) if env else REPO.parent / "shared" / "data"
    if not path.is_dir():
        if os.environ.get("CI"):
            pytest.fail("MODELRACE_REFERENCE_DATA is not set to the shared data folder in CI")
        pytest.skip("reference data absent: set MODELRACE_REFERENCE_DATA to ../shared/data")
    return path


@pytest.fixture(scope="session")
def reference_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real results of every source, and the text-generation models of the real 2024-09-20 Hub listing of the
    most downloaded models (as `sync --pipeline-tag text-generation` against a replay of it would store them)."""
    data = _reference()
    folder = tmp_path_factory.mktemp("answers")
    listing = [m for m in json.loads((data / HUB_LISTING).read_text()) if m.get("pipeline_tag") == "text-generation"]
    path = folder / "text_generation_2024-09-20.json"
    path.write_text(json.dumps(listing))
    db = folder / "reference.duckdb"
    with Warehouse.open(db) as warehouse:
        import_hub_json(warehouse, path, taken_at=datetime(2024, 9, 20), selection="top-downloads")
        for source, name in RESULT_FILES:
            import_results(warehouse, source, data / name)
    return db


@pytest.fixture
def reference(reference_warehouse: Path) -> Iterator[Warehouse]:
    """The shared reference warehouse, read-only."""
    warehouse = Warehouse.open(reference_warehouse, read_only=True)
    yield warehouse
    warehouse.close()
