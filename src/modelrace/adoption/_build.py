"""The adoption figures of a report: every analysis for one snapshot, change since another, history."""

from __future__ import annotations

import json
from typing import Any

from modelrace.adoption._analyses import (
    SHARE_BREAKDOWNS,
    Scope,
    all_time_coverage,
    concentration,
    download_shares_many,
    ecosystem,
    family_by_country,
    movers,
    size_classes,
    top_models,
    totals,
    unattributed,
)
from modelrace.adoption._attributed import attribute_snapshot
from modelrace.adoption._headlines import headlines
from modelrace.registry import Registry, load_registry
from modelrace.store import SnapshotInfo, Warehouse, list_snapshots, resolve_snapshot

NAMESPACE_LIMIT = 100


def snapshot_json(snapshot: SnapshotInfo) -> dict[str, Any]:
    """How a report names the snapshot a figure rests on."""
    return {
        "id": snapshot.snapshot_id,
        "taken_at": snapshot.taken_at.isoformat(),
        "source": snapshot.source,
        "source_detail": snapshot.source_detail,
        "models": snapshot.model_count,
    }


def pipeline_tags(scope: Scope) -> list[str]:
    """The pipeline tags a snapshot covers (from its sync filters, else from its records)."""
    if scope.snapshot.filters:
        tags = json.loads(scope.snapshot.filters).get("pipeline_tags")
        if tags:
            return list(tags)
    rows = scope.rows(
        "SELECT DISTINCT coalesce(v.pipeline_tag, 'none') AS tag FROM snapshot_models sm "
        "JOIN model_versions v ON v.version_id = sm.version_id WHERE sm.snapshot_id = ? ORDER BY 1",
        [scope.snapshot.snapshot_id],
    )
    return [r["tag"] for r in rows]


def _scope_words(tags: list[str]) -> str:
    if len(tags) == 1:
        return f"{tags[0]} downloads (30 days)"
    return f"downloads (30 days) across {len(tags)} pipeline tags"


def build_adoption(
    warehouse: Warehouse,
    snapshot_ref: str | int | None = None,
    since: str | int | None = None,
    include_fixtures: bool = False,
    top: int = 25,
    history: int = 12,
    registry: Registry | None = None,
) -> dict[str, Any]:
    """All adoption figures for a snapshot (default latest), with change since ``since`` (default previous)."""
    registry = registry or load_registry()
    snapshot = resolve_snapshot(warehouse, snapshot_ref)
    connection = warehouse.connection
    scope = Scope(
        connection, attribute_snapshot(connection, snapshot.snapshot_id, registry), snapshot, include_fixtures
    )
    adoption: dict[str, Any] = {"totals": totals(scope)}
    root = download_shares_many(scope, {"country": None, "developer": None, "family": None}, "root")
    uploader = download_shares_many(
        scope,
        {"uploader_country": None, "uploader": None, "namespace": NAMESPACE_LIMIT, "library_name": None},
        "uploader",
    )
    for key, (column, _view) in SHARE_BREAKDOWNS.items():
        adoption[key] = root[column] if column in root else uploader[column]
    all_time = download_shares_many(scope, {"country": None, "family": None}, "root", measure="downloads_all_time")
    adoption["all_time"] = {"coverage": all_time_coverage(scope)} | {f"by_{k}": v for k, v in all_time.items()}
    adoption["ecosystem"] = {"by_family": ecosystem(scope, "family"), "by_country": ecosystem(scope, "country")}
    adoption["concentration"] = concentration(scope, root, adoption["totals"]["attributed_share"])
    adoption["size_classes"] = size_classes(scope)
    adoption["by_library"] = uploader["library_name"]
    adoption["top_models"] = top_models(scope, top)
    adoption["unattributed"] = unattributed(scope, top)

    snapshots = list_snapshots(warehouse)
    earlier = [s for s in snapshots if s.taken_at < snapshot.taken_at or s.snapshot_id < snapshot.snapshot_id]
    adoption["change"] = None
    if since is not None or earlier:
        then_snapshot = resolve_snapshot(warehouse, since) if since is not None else earlier[-1]
        if then_snapshot.snapshot_id != snapshot.snapshot_id:
            then = Scope(
                connection,
                attribute_snapshot(connection, then_snapshot.snapshot_id, registry),
                then_snapshot,
                include_fixtures,
            )
            then_shares = download_shares_many(then, {"country": None, "developer": None, "family": None}, "root")
            adoption["change"] = {"since": snapshot_json(then_snapshot)} | {
                f"by_{column}": movers(root[column], then_shares[column], column)
                for column in ("country", "developer", "family")
            }
    timeline = [s for s in snapshots if s.taken_at <= snapshot.taken_at][-history:]
    adoption["history"] = []
    for past in timeline:
        past_scope = (
            scope
            if past.snapshot_id == snapshot.snapshot_id
            else Scope(connection, attribute_snapshot(connection, past.snapshot_id, registry), past, include_fixtures)
        )
        shares = (
            root if past_scope is scope else download_shares_many(past_scope, {"country": None, "family": None}, "root")
        )
        adoption["history"].append(
            {"snapshot": snapshot_json(past), "by_country": shares["country"], "by_family": shares["family"][:15]}
        )
    tags = pipeline_tags(scope)
    figures = {
        "snapshot": snapshot_json(snapshot),
        "scope": {"pipeline_tags": tags, "include_fixtures": include_fixtures},
        "scope_words": _scope_words(tags),
        "adoption": adoption,
        "family_country": family_by_country(scope),
    }
    figures["headlines"] = headlines(figures)
    del figures["family_country"]
    return figures
