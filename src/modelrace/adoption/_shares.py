"""One share table on demand (``modelrace shares``): a breakdown of one snapshot's downloads."""

from __future__ import annotations

from dataclasses import dataclass

from modelrace._serialise import JsonResult
from modelrace.adoption._analyses import SHARE_BREAKDOWNS, View, coverage, download_shares
from modelrace.adoption._build import open_scope
from modelrace.adoption._figures import SnapshotRef
from modelrace.adoption._models_scope import ModelScope, answers_share_claims, in_model_scope, snapshot_scope_words
from modelrace.adoption._rows import Measure, ShareRow
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
    rows: list[ShareRow]
    known_share: float = 1.0  # the share of downloads for which the breakdown's fact is known (docs/provenance.md)
    models: str = "all"  # "llm": language models only (adoption/_models_scope.py)
    selection: str = ""  # the snapshot's selection and filters in words: "snapshot 4: author Qwen only"
    caveat: str | None = None  # why these shares do not stand for the Hub (a subset, a one-author listing)


def share_table(
    warehouse: Warehouse,
    by: str,
    snapshot_ref: str | int | None = None,
    include_fixtures: bool = False,
    measure: Measure = "downloads_30d",
    models: ModelScope = "all",
) -> ShareTable:
    """Shares by ``by`` (country, uploader_country, developer, uploader, family, namespace) over ``models``, with
    the snapshot's selection and filters in words and, where they cannot stand for the Hub, why not."""
    if by not in BREAKDOWN_VIEWS:
        raise ConfigError(f"--by {by!r}: choose one of {', '.join(BREAKDOWN_VIEWS)}")
    scope = in_model_scope(open_scope(warehouse, snapshot_ref, include_fixtures), models)
    rows = download_shares(scope, by, BREAKDOWN_VIEWS[by], measure=measure)
    known = coverage(scope)
    fact = {
        "country": known.country,
        "uploader_country": known.uploader,
        "developer": known.developer,
        "family": known.developer,
        "uploader": known.uploader,
    }.get(by, 1.0)
    blocked = answers_share_claims(scope.snapshot)
    return ShareTable(
        SnapshotRef.of(scope.snapshot),
        by,
        BREAKDOWN_VIEWS[by],
        measure,
        rows,
        fact,
        models,
        snapshot_scope_words(scope.snapshot, models),
        f"snapshot {scope.snapshot.snapshot_id}: {blocked}" if blocked else None,
    )
