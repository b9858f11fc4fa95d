"""The adoption figures of a report: every analysis for one snapshot, change since another, history."""

from __future__ import annotations

import json

from modelrace.adoption._analyses import (
    Scope,
    all_time_coverage,
    concentration,
    coverage,
    download_shares_many,
    ecosystem,
    ecosystem_totals,
    family_by_country,
    movers,
    size_classes,
    top_models,
    totals,
    unattributed,
)
from modelrace.adoption._attributed import attribute_snapshot
from modelrace.adoption._comparable import comparability, narrower, own_scope, restrict
from modelrace.adoption._figures import (
    Adoption,
    AdoptionFigures,
    AdoptionScope,
    AllTime,
    CommonScope,
    Ecosystem,
    HistoryPoint,
    Movers,
    ShareChange,
    SnapshotRef,
)
from modelrace.adoption._headlines import headlines
from modelrace.adoption._models_scope import ModelScope, in_model_scope, rest_of_hub, snapshot_scope_words
from modelrace.adoption._rows import LeftOut, ShareRow
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
    # The attribution holds every model of the snapshot (fixtures too): no second join of the versions.
    rows = scope.rows("SELECT DISTINCT coalesce(pipeline_tag, 'none') AS tag FROM {t} ORDER BY 1")
    return [r["tag"] for r in rows]


def _scope_words(tags: list[str], snapshot: SnapshotInfo, models: ModelScope) -> str:
    """What the shares are of, in words, the snapshot's selection and filters included (a top-N listing says
    "among the top N", a subset never stands for the Hub)."""
    if models == "llm":
        what = "language-model downloads (30 days)"
    elif len(tags) == 1:
        what = f"{tags[0]} downloads (30 days)"
    else:
        what = f"downloads (30 days) across {len(tags)} pipeline tags"
    if snapshot.selection == "top-downloads":
        return f"{what} among the top {snapshot.model_count:,} models listed by downloads"
    if snapshot.selection == "subset":
        return f"{what} of a subset of unknown selection ({snapshot.model_count:,} models)"
    author = snapshot.filter_values.get("author")
    return f"{what} of author {author} only" if author else what


_ROOT_VIEWS: dict[str, int | None] = {"country": None, "developer": None, "family": None}


def _change(
    warehouse: Warehouse,
    scope: Scope,
    earlier: list[SnapshotInfo],
    since: str | int | None,
    registry: Registry,
    models: ModelScope = "all",
) -> ShareChange | None:
    """Share changes since ``since`` (default: the latest earlier snapshot comparable with this one, else the
    previous one, marked not comparable) on the scope both hold."""
    snapshot = scope.snapshot
    connection = warehouse.connection
    if since is not None:
        then = resolve_snapshot(warehouse, since)
        if then.snapshot_id == snapshot.snapshot_id:
            return None
        checked = comparability(connection, snapshot, then)
    else:
        if not earlier:
            return None
        then, checked = earlier[-1], comparability(connection, snapshot, earlier[-1])
        for candidate in reversed(earlier):
            found = comparability(connection, snapshot, candidate)
            if found.comparable:
                then, checked = candidate, found
                break
    if not checked.comparable or checked.scope is None:
        empty = Movers([], [])
        return ShareChange(SnapshotRef.of(then), empty, empty, empty, False, None, checked.reason)
    now_shares = download_shares_many(restrict(scope, checked.scope), _ROOT_VIEWS, "root")
    then_scope = restrict(
        in_model_scope(scope_of(warehouse, then, scope.include_fixtures, registry), models), checked.scope
    )
    then_shares = download_shares_many(then_scope, _ROOT_VIEWS, "root")
    return ShareChange(
        since=SnapshotRef.of(then),
        by_country=movers(now_shares["country"], then_shares["country"], "country"),
        by_developer=movers(now_shares["developer"], then_shares["developer"], "developer"),
        by_family=movers(now_shares["family"], then_shares["family"], "family"),
        comparable=True,
        scope=checked.scope,
        reason=None,
    )


def _history(
    warehouse: Warehouse,
    scope: Scope,
    shares: dict[str, list[ShareRow]],
    snapshots: list[SnapshotInfo],
    length: int,
    registry: Registry,
    models: ModelScope = "all",
) -> tuple[list[HistoryPoint], CommonScope | None, list[LeftOut]]:
    """Country and family shares over the snapshots comparable with this one on its own filters, all computed
    on the one scope every point holds; the others are listed with the reason they are left out."""
    snapshot = scope.snapshot
    connection = warehouse.connection
    position = next(i for i, s in enumerate(snapshots) if s.snapshot_id == snapshot.snapshot_id)
    timeline = snapshots[:position]
    timeline = timeline[-(length - 1) :] if length > 1 else []
    own = own_scope(connection, snapshot)
    kept: list[SnapshotInfo] = []
    left_out: list[LeftOut] = []
    common = own
    for past in timeline:
        checked = comparability(connection, snapshot, past)
        if not checked.comparable or checked.scope is None:
            left_out.append(LeftOut(past.snapshot_id, past.provenance, checked.reason))
            continue
        if (checked.scope.pipeline_tags, checked.scope.author) != (own.pipeline_tags, own.author):
            left_out.append(
                LeftOut(
                    past.snapshot_id,
                    past.provenance,
                    f"it holds only {checked.scope.words}, not all of this snapshot's filters",
                )
            )
            continue
        kept.append(past)
        common = narrower(common, checked.scope)
    if not kept:
        return [HistoryPoint(SnapshotRef.of(snapshot), shares["country"], shares["family"][:15])], None, left_out
    points = []
    for past in [*kept, snapshot]:
        base = (
            scope
            if past.snapshot_id == snapshot.snapshot_id
            else in_model_scope(scope_of(warehouse, past, scope.include_fixtures, registry), models)
        )
        found = download_shares_many(restrict(base, common), {"country": None, "family": None}, "root")
        points.append(HistoryPoint(SnapshotRef.of(past), found["country"], found["family"][:15]))
    return points, common, left_out


def build_adoption(
    warehouse: Warehouse,
    snapshot_ref: str | int | None = None,
    since: str | int | None = None,
    include_fixtures: bool = False,
    top: int = 25,
    history: int = 12,
    registry: Registry | None = None,
    models: ModelScope = "all",
) -> AdoptionFigures:
    """All adoption figures for a snapshot (default latest), with change since ``since`` (default previous), over
    ``models`` (``llm``: language models only, the race's scope; ``all``: every model the snapshot holds)."""
    registry = registry or load_registry()
    whole = open_scope(warehouse, snapshot_ref, include_fixtures, registry)
    scope = in_model_scope(whole, models)
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
    # Oldest data first (list_snapshots' order): the snapshots before this one are the earlier data.
    position = next(i for i, s in enumerate(snapshots) if s.snapshot_id == snapshot.snapshot_id)
    earlier = snapshots[:position]
    change = _change(warehouse, scope, earlier, since, registry, models)
    points, history_scope, left_out = _history(warehouse, scope, root, snapshots, history, registry, models)

    adoption = Adoption(
        totals=total,
        by_country=root["country"],
        by_uploader_country=uploader["uploader_country"],
        by_developer=root["developer"],
        by_uploader=uploader["uploader"],
        by_family=root["family"],
        by_namespace=uploader["namespace"],
        all_time=AllTime(all_time_coverage(scope), all_time["country"], all_time["family"]),
        ecosystem=Ecosystem(ecosystem(scope, "family"), ecosystem(scope, "country"), ecosystem_totals(scope)),
        concentration=concentration(scope, root, total.attributed_share),
        size_classes=size_classes(scope),
        by_library=uploader["library_name"],
        top_models=top_models(scope, top),
        unattributed=unattributed(scope, top),
        change=change,
        history=points,
        coverage=coverage(scope),
        history_scope=history_scope,
        history_left_out=left_out,
    )
    tags = pipeline_tags(scope)
    reference = SnapshotRef.of(snapshot)
    words = _scope_words(tags, snapshot, models)
    return AdoptionFigures(
        snapshot=reference,
        scope=AdoptionScope(tags, include_fixtures, models, snapshot_scope_words(snapshot, models)),
        rest_of_hub=rest_of_hub(whole) if models == "llm" else [],
        scope_words=words,
        adoption=adoption,
        headlines=headlines(reference, words, adoption, family_by_country(scope)),
    )
