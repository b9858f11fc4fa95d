from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from modelrace.store import Warehouse
from modelrace.usage import import_usage


@pytest.fixture(scope="module")
def openrouter_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    """A warehouse holding every real OpenRouter file (imported once per module: ~1 s)."""
    from tests.conftest import reference_dir

    folder = reference_dir()
    if folder is None or not (folder / "openrouter").is_dir():
        pytest.skip("reference data absent: set MODELRACE_REFERENCE_DATA to ../shared/data")
    path = tmp_path_factory.mktemp("usage") / "warehouse.duckdb"
    warehouse = Warehouse.open(path)
    import_usage(warehouse, [folder / "openrouter"])
    yield warehouse
    warehouse.close()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
