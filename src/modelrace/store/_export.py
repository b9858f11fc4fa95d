"""The warehouse as Hive-partitioned Parquet, and such a folder attached read-only as a warehouse.

Layout of an export folder (documented in docs/scale.md):

* ``<table>/snapshot_id=<N>/data_0.parquet`` for every table with a ``snapshot_id`` column (``snapshot_models``,
  ``model_tree``, ``root_ecosystem``, ``rejections``, ...): one partition per snapshot, so that DuckDB, Spark or
  Trino over object storage read one day without touching the others;
* ``<table>/data_0.parquet`` for every other table (``models``, ``model_versions``, ``snapshots``, results,
  evaluations, ...); ``model_versions`` holds the versions the exported snapshots use;
* ``_schema.json``: the schema version, each table's columns and types in order, its partitioning, and the
  snapshots exported.

Exporting more snapshots into the same folder adds their partitions (a daily job appends one day); the shared
tables are rewritten. ``attach_parquet`` (``_parquet_folder.py``) opens a folder as a read-only :class:`Warehouse`
over views, so every analysis and the report run on it unchanged.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from modelrace._files import write_atomically
from modelrace._progress import NoProgress, ProgressSink
from modelrace._serialise import JsonResult
from modelrace.errors import NotFoundError, WarehouseError
from modelrace.store._parquet_folder import (
    INCOMPLETE,
    MANIFEST,
    _ints,
    _literal,
    _quoted,
    _read_json,
    _read_manifest,
)
from modelrace.store._warehouse import Warehouse

PARTITION_COLUMN = "snapshot_id"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class ExportedTable(JsonResult):
    """One table of an export: its columns (name, DuckDB type) and whether it is partitioned by snapshot."""

    name: str
    columns: tuple[tuple[str, str], ...]
    partitioned: bool
    rows: int


@dataclass(frozen=True)
class ExportResult(JsonResult):
    """What an export wrote."""

    folder: Path
    snapshots: tuple[int, ...]
    tables: tuple[ExportedTable, ...]
    bytes_written: int


# Derived tables a report stores for the newest snapshots (report.store_report_tables; adoption/_cache.py names
# them): a cache, rebuilt on demand from the exported tables, so not exported (an attached export builds them on
# the fly).
DERIVED_PREFIXES = ("report_cache", "report_attribution", "report_licences")


def is_derived(table: str) -> bool:
    """Whether ``table`` is one of the report's stored tables (``report_cache``, ``report_<part>_<snapshot>``)."""
    return table.startswith(DERIVED_PREFIXES)


def _tables(connection: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    rows = connection.execute(
        """SELECT table_name, column_name, data_type FROM information_schema.columns
           WHERE table_schema = 'main' AND table_catalog = current_database()
             AND table_name IN (SELECT table_name FROM information_schema.tables
                                WHERE table_type = 'BASE TABLE' AND table_schema = 'main'
                                  AND table_catalog = current_database())
           ORDER BY table_name, ordinal_position"""
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        if not is_derived(str(table)):
            tables.setdefault(str(table), []).append((str(column), str(kind)))
    return tables


def _shared_source(name: str, select: str, folder: Path, snapshots: list[int]) -> str:
    """The rows of a table without ``snapshot_id`` that an export holds."""
    if name == "model_versions":  # the versions the exported snapshots use, and those exported before
        source = (
            f"SELECT {select} FROM model_versions WHERE version_id IN (SELECT version_id FROM snapshot_models "
            "WHERE snapshot_id IN (SELECT snapshot_id FROM export_snapshots))"
        )
        previous = folder / name / "data_0.parquet"
        if previous.exists():
            source = (
                f"SELECT DISTINCT * FROM ({source} UNION ALL SELECT {select} FROM read_parquet({_literal(previous)}))"
            )
        return source
    if name == "snapshots":
        return f"SELECT {select} FROM snapshots WHERE snapshot_id IN ({', '.join(map(str, snapshots))})"
    return f"SELECT {select} FROM {_quoted(name)}"


def export_parquet(
    warehouse: Warehouse,
    folder: Path,
    snapshots: list[int] | None = None,
    progress: ProgressSink | None = None,
) -> ExportResult:
    """Write the warehouse (the given snapshots; None: all) as Hive-partitioned Parquet under ``folder``."""
    progress = progress or NoProgress()
    connection = warehouse.connection
    known = [int(r[0]) for r in connection.execute("SELECT snapshot_id FROM snapshots ORDER BY 1").fetchall()]
    wanted = known if snapshots is None else snapshots
    missing = sorted(set(wanted) - set(known))
    if missing:
        held = ", ".join(map(str, known)) or "none"
        raise NotFoundError(f"no snapshot {', '.join(map(str, missing))} in the warehouse (it holds {held})")
    if folder.exists() and not folder.is_dir():
        raise WarehouseError(f"{folder} exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WarehouseError(f"cannot create the export folder {folder}: {error.strerror}") from None
    marker = folder / INCOMPLETE
    if marker.exists():  # a killed export: what it held before, and what it was writing (written again now)
        interrupted = _read_json(marker)
        before, writing = _ints(interrupted.get("held")), _ints(interrupted.get("writing"))
        missing = sorted(set(writing) - set(known))
        if missing:
            raise NotFoundError(
                f"the interrupted export in {folder} was writing snapshot {', '.join(map(str, missing))}, which "
                "this warehouse no longer holds: export into a new folder"
            )
        wanted = sorted(set(wanted) | set(writing))
    else:
        before = _ints(_read_manifest(folder).get("snapshots")) if (folder / MANIFEST).exists() else []
    exported = sorted(set(wanted) | set(before))
    _write_json(marker, {"held": sorted(set(before) - set(wanted)), "writing": wanted})
    tables = _tables(connection)
    connection.execute("CREATE OR REPLACE TEMP TABLE export_snapshots (snapshot_id INTEGER)")
    connection.executemany("INSERT INTO export_snapshots VALUES (?)", [[s] for s in wanted])
    progress.start(f"export {len(wanted)} snapshot(s) to {folder}", len(tables))
    written: list[ExportedTable] = []
    for name, columns in sorted(tables.items()):
        names = [c for c, _ in columns]
        select = ", ".join(_quoted(c) for c in names)
        target = folder / name
        if PARTITION_COLUMN in names:
            chosen = f"WHERE {PARTITION_COLUMN} IN (SELECT snapshot_id FROM export_snapshots)"
            for snapshot in wanted:  # a re-exported snapshot replaces its partition, never doubles it
                shutil.rmtree(target / f"{PARTITION_COLUMN}={snapshot}", ignore_errors=True)
            connection.execute(
                f"COPY (SELECT {select} FROM {_quoted(name)} {chosen} ORDER BY {PARTITION_COLUMN}) TO "
                f"{_literal(target)} (FORMAT parquet, PARTITION_BY ({PARTITION_COLUMN}), OVERWRITE_OR_IGNORE, "
                "COMPRESSION zstd)"
            )
            rows = connection.execute(f"SELECT count(*) FROM {_quoted(name)} {chosen}").fetchall()[0][0]
        else:
            target.mkdir(parents=True, exist_ok=True)
            staged = target / "data_0.parquet.partial"
            source = _shared_source(name, select, folder, exported)
            connection.execute(f"COPY ({source}) TO {_literal(staged)} (FORMAT parquet, COMPRESSION zstd)")
            staged.replace(target / "data_0.parquet")
            rows = connection.execute(
                f"SELECT count(*) FROM read_parquet({_literal(target / 'data_0.parquet')})"
            ).fetchall()[0][0]
        written.append(ExportedTable(name, tuple(columns), PARTITION_COLUMN in names, int(rows)))
        progress.advance()
    connection.execute("DROP TABLE export_snapshots")
    manifest = {
        "format": "modelrace-parquet",
        "format_version": FORMAT_VERSION,
        "schema_version": warehouse.schema_version,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "partition_column": PARTITION_COLUMN,
        "snapshots": exported,
        "tables": {
            t.name: {"partitioned": t.partitioned, "columns": [{"name": c, "type": k} for c, k in t.columns]}
            for t in written
        },
    }
    _write_json(folder / MANIFEST, manifest)
    marker.unlink()
    size = sum(p.stat().st_size for p in folder.rglob("*.parquet"))
    return ExportResult(folder, tuple(exported), tuple(written), size)


def _write_json(path: Path, data: dict[str, object]) -> None:
    write_atomically(path, json.dumps(data, indent=2) + "\n")
