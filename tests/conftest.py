from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from modelrace.store import Warehouse

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


# Variables that pytest and libraries set for themselves (not ours to police).
_LIBRARY_VARIABLES = {
    "PYTEST_CURRENT_TEST",
    "KMP_DUPLICATE_LIB_OK",
    "KMP_INIT_AT_FORK",
    "TOKENIZERS_PARALLELISM",
    "CUDA_MODULE_LOADING",
    "TORCHINDUCTOR_CACHE_DIR",  # torch sets it on its first import
}


@pytest.fixture(autouse=True)
def _environment_is_left_alone() -> Iterator[None]:
    """modelrace never changes the process environment: a backend that set HF_HUB_OFFLINE once broke every later
    Hub call in the same process (and, inherited, in its children)."""
    before = dict(os.environ)
    yield
    changed = {
        name
        for name in set(before) | set(os.environ)
        if before.get(name) != os.environ.get(name) and name not in _LIBRARY_VARIABLES
    }
    assert not changed, f"the test left the environment changed: {sorted(changed)}"


def reference_dir() -> Path | None:
    env = os.environ.get("MODELRACE_REFERENCE_DATA")
    path = Path(env) if env else REPO.parent / "shared" / "data"
    return path if path.is_dir() else None


@pytest.fixture
def reference_data() -> Path:
    """The shared reference data; tests that need it skip (with the reason) where it is absent."""
    path = reference_dir()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("MODELRACE_REFERENCE_DATA is not set to the shared data folder in CI")
        pytest.skip("reference data absent: set MODELRACE_REFERENCE_DATA to ../shared/data")
    return path


@pytest.fixture
def edge_cases() -> dict[str, list[Any]]:
    return json.loads((FIXTURES / "hub_edge_cases.json").read_text())


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def warehouse(db_path: Path) -> Iterator[Warehouse]:
    wh = Warehouse.open(db_path)
    yield wh
    wh.close()
