"""The DuckDB warehouse: opening, numbered schema migrations, transactions and the snapshot list.

Owns the schema (``store/migrations``) and access to the file. Imports ``errors`` only; every other layer reads
and writes through it, it imports none of them.
"""

from modelrace.store._snapshots import SnapshotInfo, latest_snapshot, list_snapshots, resolve_snapshot
from modelrace.store._warehouse import Migration, Warehouse, migrations

__all__ = [
    "Migration",
    "SnapshotInfo",
    "Warehouse",
    "latest_snapshot",
    "list_snapshots",
    "migrations",
    "resolve_snapshot",
]
