"""Where modelrace keeps and finds things: the warehouse file and the reference data."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from modelrace.errors import ConfigError

DB_ENV = "MODELRACE_DB"
REFERENCE_DATA_ENV = "MODELRACE_REFERENCE_DATA"


def default_db_path() -> Path:
    """The warehouse path: ``MODELRACE_DB`` if set, else the platform's user data dir."""
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("modelrace", appauthor=False)) / "modelrace.duckdb"


def reference_data_dir(required: bool = False) -> Path | None:
    """The reference-data folder (``MODELRACE_REFERENCE_DATA`` or ``../shared/data``), if it exists."""
    env = os.environ.get(REFERENCE_DATA_ENV)
    candidates = [Path(env).expanduser()] if env else [Path.cwd().parent / "shared" / "data"]
    for path in candidates:
        if path.is_dir():
            return path
    if required:
        raise ConfigError(
            f"reference data not found at {candidates[0]}; set {REFERENCE_DATA_ENV} to the shared/data folder"
        )
    return None
