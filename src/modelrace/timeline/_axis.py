"""The boards and snapshots on the time axis: their dates and counts (``modelrace history``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from modelrace._serialise import JsonResult
from modelrace.knowledge import RUN_SOURCES
from modelrace.store import Warehouse, list_snapshots


@dataclass(frozen=True)
class BoardPoint(JsonResult):
    """One board import on the time axis."""

    import_id: int
    source: str
    data_date: date
    date_basis: str | None
    models: int
    results: int
    path: str


@dataclass(frozen=True)
class SnapshotPoint(JsonResult):
    """One Hub snapshot on the time axis."""

    snapshot_id: int
    source: str
    data_date: str
    selection: str
    models: int
    lacks: list[str]
    origin: str | None


@dataclass(frozen=True)
class History(JsonResult):
    """Every board and snapshot, oldest first, with the span each source covers."""

    boards: list[BoardPoint]
    snapshots: list[SnapshotPoint]


def history(warehouse: Warehouse, source: str | None = None) -> History:
    """The boards (result imports of board sources; runs are not boards) and snapshots in date order; ``source``
    keeps one result source (``lmarena``) or snapshot source (``hub-json``)."""
    rows = warehouse.query(
        f"""SELECT import_id, source, data_date, date_basis, models, results, path FROM result_imports
            WHERE results > 0 AND source NOT IN {RUN_SOURCES} AND (? IS NULL OR source = ?)
            ORDER BY data_date, import_id""",
        [source, source],
    )
    boards = [BoardPoint(**row) for row in rows]
    snapshots = [
        SnapshotPoint(s.snapshot_id, s.source, s.data_date, s.selection, s.model_count, list(s.lacks), s.origin_name)
        for s in sorted(list_snapshots(warehouse), key=lambda s: (s.data_date, s.snapshot_id))
        if source is None or s.source == source
    ]
    return History(boards, snapshots)
