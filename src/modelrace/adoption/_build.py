"""The adoption figures of a report: every analysis for one snapshot, change since another, history."""

from __future__ import annotations

import json

from modelrace.adoption._analyses import (
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
from modelrace.adoption._figures import (
    Adoption,
    AdoptionFigures,
    AdoptionScope,
    AllTime,
    Ecosystem,
    HistoryPoint,
    ShareChange,
    SnapshotRef,
)
from modelrace.adoption._headlines import headlines
from modelrace.registry import Registry, load_registry
from modelrace.store import SnapshotInfo, Warehouse, list_snapshots, resolve_snapshot

NAMESPACE_LIMIT = 100


def open_scope(
    warehouse: Warehouse,
    snapshot_ref: str | int | None = None,
    include_fixtures: bool = False,
    registry: Registry | None = None,
) -> Scope:
    """The attributed scope of a snapshot (default latest): the one way every analysis opens a snapshot."""
    snapshot = resolve_snapshot(warehouse, snapshot_ref)
    return scope_of(warehouse, snapshot, include_fixtures, registry)


def scope_of(
    warehouse: Warehouse, snapshot: SnapshotInfo, include_fixtures: bool = False, registry: Registry | None = None
) -> Scope:
    """The attributed scope of a resolved snapshot (its attribution table is built once per connection)."""
    connection = warehouse.connection
    return Scope(connection, attribute_snapshot(connection, snapshot.snapshot_id, registry), snapshot, include_fixtures)


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
) -> AdoptionFigures:
    """All adoption figures for a snapshot (default latest), with change since ``since`` (default previous)."""
    registry = registry or load_registry()
    scope = open_scope(warehouse, snapshot_ref, include_fixtures, registry)
    snapshot = scope.snapshot
    total = totals(scope)
    root = download_shares_many(scope, {"country": None, "developer": None, "family": None}, "root")
    uploader = download_shares_many(
        scope,
        {"uploader_country": None, "uploader": None, "namespace": NAMESPACE_LIMIT, "library_name": None},
        "uploader",
    )
    all_time = download_shares_many(scope, {"country": None, "family": None}, "root", measure="downloads_all_time")

    snapshots = list_snapshots(warehouse)
    earlier = [s for s in snapshots if s.taken_at < snapshot.taken_at or s.snapshot_id < snapshot.snapshot_id]
    change = None
    if since is not None or earlier:
        then_snapshot = resolve_snapshot(warehouse, since) if since is not None else earlier[-1]
        if then_snapshot.snapshot_id != snapshot.snapshot_id:
            then = scope_of(warehouse, then_snapshot, include_fixtures, registry)
            then_shares = download_shares_many(then, {"country": None, "developer": None, "family": None}, "root")
            change = ShareChange(
                since=SnapshotRef.of(then_snapshot),
                by_country=movers(root["country"], then_shares["country"], "country"),
                by_developer=movers(root["developer"], then_shares["developer"], "developer"),
                by_family=movers(root["family"], then_shares["family"], "family"),
            )
    timeline = [s for s in snapshots if s.taken_at <= snapshot.taken_at][-history:]
    points = []
    for past in timeline:
        if past.snapshot_id == snapshot.snapshot_id:
            shares = root
        else:
            past_scope = scope_of(warehouse, past, include_fixtures, registry)
            shares = download_shares_many(past_scope, {"country": None, "family": None}, "root")
        points.append(HistoryPoint(SnapshotRef.of(past), shares["country"], shares["family"][:15]))

    adoption = Adoption(
        totals=total,
        by_country=root["country"],
        by_uploader_country=uploader["uploader_country"],
        by_developer=root["developer"],
        by_uploader=uploader["uploader"],
        by_family=root["family"],
        by_namespace=uploader["namespace"],
        all_time=AllTime(all_time_coverage(scope), all_time["country"], all_time["family"]),
        ecosystem=Ecosystem(ecosystem(scope, "family"), ecosystem(scope, "country")),
        concentration=concentration(scope, root, total.attributed_share),
        size_classes=size_classes(scope),
        by_library=uploader["library_name"],
        top_models=top_models(scope, top),
        unattributed=unattributed(scope, top),
        change=change,
        history=points,
    )
    tags = pipeline_tags(scope)
    reference = SnapshotRef.of(snapshot)
    words = _scope_words(tags)
    return AdoptionFigures(
        snapshot=reference,
        scope=AdoptionScope(tags, include_fixtures),
        scope_words=words,
        adoption=adoption,
        headlines=headlines(reference, words, adoption, family_by_country(scope)),
    )
