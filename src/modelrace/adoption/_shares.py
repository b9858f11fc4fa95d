"""One share table on demand (``modelrace shares``): a breakdown of one snapshot's downloads."""

from __future__ import annotations

from dataclasses import dataclass

from modelrace._serialise import JsonResult
from modelrace.adoption._analyses import SHARE_BREAKDOWNS, Measure, View, coverage, download_shares
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
    known_share: float = 1.0  # the share of downloads for which the breakdown's fact is known (docs/provenance.md)


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
    known = coverage(scope)
    fact = {
        "country": known.country,
        "uploader_country": known.uploader,
        "developer": known.developer,
        "family": known.developer,
        "uploader": known.uploader,
    }.get(by, 1.0)
    return ShareTable(SnapshotRef.of(scope.snapshot), by, BREAKDOWN_VIEWS[by], measure, rows, fact)
