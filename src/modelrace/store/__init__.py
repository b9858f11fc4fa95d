"""The DuckDB warehouse: opening, numbered schema migrations, transactions and the snapshot list.

Owns the schema (``store/migrations``), access to the file, snapshot provenance, and the export as Hive-partitioned
Parquet (``export_parquet``; such a folder opens read-only as a warehouse). Imports ``errors``, ``_serialise`` and
``_progress`` only; every other layer reads
and writes through it, it imports none of them.
"""

from modelrace.store._export import (
    DERIVED_PREFIXES,
    ExportedTable,
    ExportResult,
    export_parquet,
    is_derived,
)
from modelrace.store._parquet_folder import is_parquet_export
from modelrace.store._snapshots import (
    SELECTION_WORDS,
    SELECTIONS,
    SOURCE_KINDS,
    Selection,
    SnapshotInfo,
    SourceKind,
    check_selection,
    drop_snapshot,
    latest_snapshot,
    licence_missing_from,
    list_snapshots,
    missing_licence_words,
    resolve_snapshot,
    tables_with_column,
)
from modelrace.store._warehouse import Migration, Warehouse, attach_parquet, migrations

__all__ = [
    "DERIVED_PREFIXES",
    "SELECTIONS",
    "SELECTION_WORDS",
    "SOURCE_KINDS",
    "ExportResult",
    "ExportedTable",
    "Migration",
    "Selection",
    "SnapshotInfo",
    "SourceKind",
    "Warehouse",
    "attach_parquet",
    "check_selection",
    "drop_snapshot",
    "export_parquet",
    "is_derived",
    "is_parquet_export",
    "latest_snapshot",
    "licence_missing_from",
    "list_snapshots",
    "migrations",
    "missing_licence_words",
    "resolve_snapshot",
    "tables_with_column",
]
