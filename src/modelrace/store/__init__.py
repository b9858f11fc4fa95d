"""The DuckDB warehouse: opening, numbered schema migrations, transactions and the snapshot list.

Owns the schema (``store/migrations``), access to the file and snapshot provenance. Imports ``errors`` and
``_serialise`` only; every other layer reads
and writes through it, it imports none of them.
"""

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
    list_snapshots,
    resolve_snapshot,
    tables_with_column,
)
from modelrace.store._warehouse import Migration, Warehouse, migrations

__all__ = [
    "SELECTIONS",
    "SELECTION_WORDS",
    "SOURCE_KINDS",
    "Migration",
    "Selection",
    "SnapshotInfo",
    "SourceKind",
    "Warehouse",
    "check_selection",
    "drop_snapshot",
    "latest_snapshot",
    "list_snapshots",
    "migrations",
    "resolve_snapshot",
    "tables_with_column",
]
