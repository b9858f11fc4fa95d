"""One model's own downloads in every snapshot that holds it: a series that needs no common scope (a model's
downloads are its own, whatever else each snapshot selected)."""

from __future__ import annotations

from dataclasses import dataclass

from modelrace._serialise import JsonResult
from modelrace.store import Warehouse


@dataclass(frozen=True)
class ModelDownloads(JsonResult):
    """The model's 30-day downloads in one snapshot, with the snapshot's date and selection."""

    snapshot_id: int
    data_date: str
    downloads_30d: int
    selection: str
    source: str


def model_downloads(warehouse: Warehouse, model_id: str) -> list[ModelDownloads]:
    """The model's downloads in every snapshot holding it, oldest first (none: an empty list)."""
    rows = warehouse.query(
        """SELECT s.snapshot_id, s.data_date, sm.downloads_30d, s.selection, s.source
           FROM snapshot_models sm JOIN models m ON m.model_key = sm.model_key
           JOIN snapshots s ON s.snapshot_id = sm.snapshot_id
           WHERE m.model_id = ? ORDER BY s.data_date, s.snapshot_id""",
        [model_id],
    )
    return [ModelDownloads(**row) for row in rows]
