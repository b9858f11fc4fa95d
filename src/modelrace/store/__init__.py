"""The DuckDB warehouse: schema, migrations, snapshots and the named queries analyses use."""

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
