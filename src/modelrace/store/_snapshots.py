"""Snapshots: one dated, complete state of the catalog per sync or import."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from modelrace.errors import NotFoundError

if TYPE_CHECKING:
    from modelrace.store._warehouse import Warehouse


@dataclass(frozen=True)
class SnapshotInfo:
    """What a snapshot is: when it was taken, from where, and how many records it holds or refused."""

    snapshot_id: int
    taken_at: datetime
    source: str
    source_detail: str | None
    filters: str | None
    model_count: int
    rejected_count: int
    duplicate_count: int
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (datetimes as ISO 8601)."""
        data = asdict(self)
        data["taken_at"] = self.taken_at.isoformat()
        data["created_at"] = self.created_at.isoformat()
        return data


_COLUMNS = (
    "snapshot_id, taken_at, source, source_detail, filters, model_count, rejected_count, duplicate_count, created_at"
)


def list_snapshots(warehouse: Warehouse) -> list[SnapshotInfo]:
    """Every snapshot, oldest first."""
    rows = warehouse.connection.execute(f"SELECT {_COLUMNS} FROM snapshots ORDER BY taken_at, snapshot_id").fetchall()
    return [SnapshotInfo(*row) for row in rows]


def latest_snapshot(warehouse: Warehouse) -> SnapshotInfo | None:
    """The most recent snapshot, or None when the warehouse holds none."""
    snapshots = list_snapshots(warehouse)
    return snapshots[-1] if snapshots else None


def resolve_snapshot(warehouse: Warehouse, ref: str | int | None) -> SnapshotInfo:
    """A snapshot by id, ``latest`` (the default) or ``previous``; a clear error when there is none."""
    snapshots = list_snapshots(warehouse)
    if not snapshots:
        raise NotFoundError(
            "the warehouse holds no snapshot yet: run `modelrace sync` (or `modelrace import hub-stats PATH`)"
        )
    if ref is None or ref == "latest":
        return snapshots[-1]
    if ref == "previous":
        if len(snapshots) < 2:
            raise NotFoundError("there is only one snapshot, so no previous one")
        return snapshots[-2]
    try:
        wanted = int(ref)
    except (TypeError, ValueError):
        raise NotFoundError(f"no snapshot {ref!r}: give an id, 'latest' or 'previous'") from None
    for snapshot in snapshots:
        if snapshot.snapshot_id == wanted:
            return snapshot
    known = ", ".join(str(s.snapshot_id) for s in snapshots)
    raise NotFoundError(f"no snapshot {wanted}; the warehouse holds {known}")
