"""An exported Parquet folder (``_export.py`` writes it): its manifest, and its tables attached as views.

Imports nothing from ``store``: the warehouse opens such a folder through it, and the export writes one with it.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from modelrace.errors import WarehouseError

MANIFEST = "_schema.json"
# Written before an export touches anything and removed after its manifest: while it is there the folder is
# half-written (a killed export), and attaching it is refused; the next export completes it.
INCOMPLETE = "_export_incomplete.json"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _ints(values: object) -> list[int]:
    return [v for v in values if isinstance(v, int)] if isinstance(values, list) else []


def _read_json(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise WarehouseError(f"{path} cannot be read: {error}") from None
    return data if isinstance(data, dict) else {}


def _read_manifest(folder: Path) -> dict[str, object]:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise WarehouseError(f"{folder / MANIFEST} is not a modelrace export manifest: {error}") from None
    if not isinstance(data, dict) or data.get("format") != "modelrace-parquet":
        raise WarehouseError(f"{folder / MANIFEST} is not a modelrace export manifest")
    return data


def is_parquet_export(path: Path) -> bool:
    """Whether ``path`` is a folder written by :func:`export_parquet` (or being written: attaching it says so)."""
    return path.is_dir() and ((path / MANIFEST).is_file() or (path / INCOMPLETE).is_file())


def attach_views(folder: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory connection over an export folder: one view per table, the partitions read where they lie.

    ``Warehouse.open`` wraps it as a read-only warehouse (``attach_parquet``)."""
    if (folder / INCOMPLETE).exists():
        writing = ", ".join(map(str, _ints(_read_json(folder / INCOMPLETE).get("writing"))))
        raise WarehouseError(
            f"the export in {folder} was interrupted while writing snapshot {writing}: its files are incomplete; "
            f"run `modelrace export parquet {folder}` again from the warehouse to complete it"
        )
    manifest = _read_manifest(folder)
    tables = manifest.get("tables")
    if not isinstance(tables, dict):
        raise WarehouseError(f"{folder / MANIFEST} lists no tables")
    connection = duckdb.connect(":memory:")
    for name, spec in tables.items():
        columns = [(c["name"], c["type"]) for c in spec["columns"]]
        select = ", ".join(f"{_quoted(c)}::{kind} AS {_quoted(c)}" for c, kind in columns)
        if spec["partitioned"]:
            pattern = folder / name / "*" / "*.parquet"
            if not any((folder / name).glob("*/*.parquet")):
                source = "(SELECT NULL LIMIT 0)"
                select = ", ".join(f"NULL::{kind} AS {_quoted(c)}" for c, kind in columns)
            else:
                source = f"read_parquet({_literal(pattern)}, hive_partitioning = true)"
        else:
            source = f"read_parquet({_literal(folder / name / 'data_0.parquet')})"
        connection.execute(f"CREATE VIEW {_quoted(name)} AS SELECT {select} FROM {source}")
    return connection
