"""Store what a report would otherwise build (issue #15): a snapshot's attribution and licences, for the report
to read instead (store migration 0008; docs/benchmarks.md, "Report speed at 2.2 M"). A step of its own after an
import: each part in its own transaction, a killed run leaves no half cache, and no cache only means the report
builds the tables as before."""

from __future__ import annotations

from modelrace._progress import NoProgress, ProgressSink
from modelrace.adoption import store_attribution
from modelrace.licensing import store_licences
from modelrace.report._memory import bounded_memory
from modelrace.store import Warehouse


def store_report_tables(
    warehouse: Warehouse, snapshot_ref: str | int | None = None, progress: ProgressSink | None = None
) -> int:
    """Store the attribution and licences of a snapshot (default: the latest, the one a report opens) beside the
    newest other stored snapshot's (``adoption._cache``: older ones are dropped); returns the snapshot id."""
    progress = progress or NoProgress()
    progress.start("store the report's attribution and licences", 2)
    with bounded_memory(warehouse.connection):
        snapshot_id = store_attribution(warehouse, snapshot_ref)
        progress.advance()
        store_licences(warehouse, snapshot_id)
        progress.advance()
    return snapshot_id
