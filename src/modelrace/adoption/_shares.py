"""One share table on demand (``modelrace shares``): a breakdown of one snapshot's downloads."""

from __future__ import annotations

from dataclasses import dataclass

from modelrace._serialise import JsonResult
from modelrace.adoption._analyses import SHARE_BREAKDOWNS, Measure, View, download_shares
from modelrace.adoption._build import open_scope
from modelrace.adoption._figures import Row, SnapshotRef
from modelrace.errors import ConfigError
from modelrace.store import Warehouse

# breakdown column -> view (root family for country/developer/family, uploader for the others)
BREAKDOWN_VIEWS: dict[str, View] = {column: view for column, view in SHARE_BREAKDOWNS.values()}


@dataclass(frozen=True)
class ShareTable(JsonResult):
    """Download shares of one snapshot by one breakdown."""

    snapshot: SnapshotRef
    by: str
    view: View
    measure: Measure
    rows: list[Row]


def share_table(
    warehouse: Warehouse,
    by: str,
    snapshot_ref: str | int | None = None,
    include_fixtures: bool = False,
    measure: Measure = "downloads_30d",
) -> ShareTable:
    """Shares by ``by`` (country, uploader_country, developer, uploader, family, namespace)."""
    if by not in BREAKDOWN_VIEWS:
        raise ConfigError(f"--by {by!r}: choose one of {', '.join(BREAKDOWN_VIEWS)}")
    scope = open_scope(warehouse, snapshot_ref, include_fixtures)
    rows = download_shares(scope, by, BREAKDOWN_VIEWS[by], measure=measure)
    return ShareTable(SnapshotRef.of(scope.snapshot), by, BREAKDOWN_VIEWS[by], measure, rows)
