"""Everything the warehouse knows about one model: its chain to the root, attribution, licence, history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from modelrace._serialise import JsonResult
from modelrace.adoption._models_scope import snapshot_scope_words
from modelrace.errors import NotFoundError
from modelrace.registry import Registry, load_registry
from modelrace.store import SnapshotInfo, Warehouse, licence_missing_from, missing_licence_words, resolve_snapshot
from modelrace.tree import chain_to_root

_VERSION_SQL = """
SELECT v.pipeline_tag, v.library_name, v.gated, v.license, v.license_name, v.license_link, v.params,
       v.params_active, v.params_source, v.created_at, v.last_modified, v.tags, sm.downloads_30d,
       sm.downloads_all_time, sm.likes, m.model_key
FROM snapshot_models sm
JOIN models m ON m.model_key = sm.model_key
JOIN model_versions v ON v.version_id = sm.version_id
WHERE sm.snapshot_id = ? AND m.model_id = ?
"""

_ROOTS_SQL = """
SELECT r.model_id AS root_id, t.credit, t.is_primary, t.depth, t.issue,
       EXISTS (SELECT 1 FROM snapshot_models s WHERE s.snapshot_id = t.snapshot_id
               AND s.model_key = t.root_key) AS root_in_snapshot
FROM model_tree t JOIN models r ON r.model_key = t.root_key
WHERE t.snapshot_id = ? AND t.model_key = ?
ORDER BY t.credit DESC, r.model_id
"""

_HISTORY_SQL = """
SELECT s.snapshot_id, s.taken_at, s.source, sm.downloads_30d, sm.downloads_all_time, sm.likes, s.data_date,
       s.selection
FROM snapshot_models sm
JOIN snapshots s USING (snapshot_id)
JOIN models m ON m.model_key = sm.model_key
WHERE m.model_id = ?
ORDER BY coalesce(s.data_date, s.taken_at::DATE::VARCHAR), s.taken_at, s.snapshot_id
"""

_ECOSYSTEM_SQL = """
SELECT finetunes, quantizations, adapters, merges, unspecified, derivative_downloads_30d
FROM root_ecosystem e JOIN models m ON m.model_key = e.root_key
WHERE e.snapshot_id = ? AND m.model_id = ?
"""


@dataclass(frozen=True)
class RootEcosystem(JsonResult):
    """A root model's derivatives in the snapshot, by relation, and the downloads credited to them."""

    finetunes: int
    quantizations: int
    adapters: int
    merges: int
    unspecified: int
    derivative_downloads_30d: float


@dataclass(frozen=True)
class SnapshotBrief(JsonResult):
    """The snapshot a description reads."""

    id: int
    taken_at: str
    source: str
    selection: str = ""  # its selection and filters in words ("snapshot 2: a subset of unknown selection ...")


@dataclass(frozen=True)
class ParamsInfo(JsonResult):
    """Parameter counts and where they come from (safetensors, or parsed from the name)."""

    total: int | None
    active: int | None
    source: str | None


@dataclass(frozen=True)
class StatedLicence(JsonResult):
    """The licence the Hub record states (id, card name, link)."""

    id: str | None
    name: str | None
    link: str | None
    missing_from: Literal["source", "hub"] | None = None  # where a missing licence comes from
    missing: str | None = None


@dataclass(frozen=True)
class ChainLink(JsonResult):
    """One step from the model towards its root."""

    model_id: str
    relation: str | None
    in_snapshot: bool
    other_bases: list[str]


@dataclass(frozen=True)
class RootCredit(JsonResult):
    """A root the model descends from, with its share of the credit (merges split it)."""

    model_id: str
    credit: float
    depth: int
    issue: str | None
    in_snapshot: bool


@dataclass(frozen=True)
class UploaderView(JsonResult):
    """Attribution by uploader: the namespace's organisation."""

    namespace: str | None
    organisation: str
    kind: str | None
    country: str


@dataclass(frozen=True)
class RootFamilyView(JsonResult):
    """Attribution by root family: the developer of the model's root."""

    developer: str
    kind: str | None
    family: str | None
    country: str
    method: str


@dataclass(frozen=True)
class DownloadPoint(JsonResult):
    """The model's downloads in one snapshot, with the date of the snapshot's data and its selection (a model's
    own downloads form a series across any selections: issue #25)."""

    snapshot_id: int
    taken_at: str
    source: str
    downloads_30d: int
    downloads_all_time: int | None
    likes: int | None
    data_date: str = ""
    selection: str = ""


@dataclass(frozen=True)
class ModelDescription(JsonResult):
    """Everything the warehouse knows about one model in one snapshot."""

    model_id: str
    snapshot: SnapshotBrief
    pipeline_tag: str | None
    library_name: str | None
    gated: str | None
    created_at: str | None
    last_modified: str | None
    params: ParamsInfo
    license: StatedLicence
    is_fixture: bool
    chain: list[ChainLink]
    root: str
    roots: list[RootCredit]
    by_uploader: UploaderView
    by_root_family: RootFamilyView
    downloads: list[DownloadPoint]
    ecosystem: RootEcosystem | None  # None: the model is no root of derivatives in the snapshot


def _stated_licence(warehouse: Warehouse, snapshot: SnapshotInfo, row: dict[str, Any]) -> StatedLicence:
    """The licence the record states, or where a missing one comes from (the source, or the Hub itself)."""
    if row["license"] is not None or row["license_name"] is not None or row["license_link"] is not None:
        return StatedLicence(row["license"], row["license_name"], row["license_link"])
    origin = licence_missing_from(warehouse, snapshot)
    return StatedLicence(None, None, None, origin, missing_licence_words(snapshot, origin, through_bases=False))


def describe_model(
    warehouse: Warehouse,
    model_id: str,
    snapshot_ref: str | int | None = None,
    registry: Registry | None = None,
) -> ModelDescription:
    """A description of one model in a snapshot (default: the latest)."""
    registry = registry or load_registry()
    snapshot = resolve_snapshot(warehouse, snapshot_ref)
    rows = warehouse.query(_VERSION_SQL, [snapshot.snapshot_id, model_id])
    if not rows:
        elsewhere = warehouse.query(
            """SELECT list(sm.snapshot_id ORDER BY sm.snapshot_id) AS snapshots FROM snapshot_models sm
               JOIN models m ON m.model_key = sm.model_key WHERE m.model_id = ?""",
            [model_id],
        )[0]["snapshots"]
        if elsewhere:  # the same id, held by other snapshots: say which, not "did you mean" itself
            held = ", ".join(map(str, elsewhere))
            raise NotFoundError(
                f"{model_id} is not in snapshot {snapshot.snapshot_id}; snapshot {held} holds it "
                f"(--snapshot {elsewhere[-1]})"
            )
        close = warehouse.query(
            """SELECT model_id FROM models WHERE (lower(model_id) = lower(?) OR model_id ILIKE ?) AND model_id <> ?
               ORDER BY model_id LIMIT 5""",
            [model_id, f"%{model_id.split('/')[-1]}%", model_id],
        )
        hint = f"; did you mean {', '.join(r['model_id'] for r in close)}?" if close else ""
        raise NotFoundError(f"{model_id} is not in snapshot {snapshot.snapshot_id}{hint}")
    row = rows[0]
    roots = warehouse.query(_ROOTS_SQL, [snapshot.snapshot_id, row["model_key"]])
    primary = next(r for r in roots if r["is_primary"])
    uploader = registry.uploader(model_id)
    developer = registry.developer(primary["root_id"])
    ecosystem = warehouse.query(_ECOSYSTEM_SQL, [snapshot.snapshot_id, model_id])
    chain = chain_to_root(warehouse.connection, snapshot.snapshot_id, model_id)
    return ModelDescription(
        model_id=model_id,
        snapshot=SnapshotBrief(
            snapshot.snapshot_id, snapshot.taken_at.isoformat(), snapshot.source, snapshot_scope_words(snapshot)
        ),
        pipeline_tag=row["pipeline_tag"],
        library_name=row["library_name"],
        gated=row["gated"],
        created_at=row["created_at"].isoformat() if row["created_at"] else None,
        last_modified=row["last_modified"].isoformat() if row["last_modified"] else None,
        params=ParamsInfo(row["params"], row["params_active"], row["params_source"]),
        license=_stated_licence(warehouse, snapshot, row),
        is_fixture=registry.is_fixture(model_id),
        chain=[ChainLink(link.model_id, link.relation, link.in_snapshot, list(link.other_bases)) for link in chain],
        root=primary["root_id"],
        roots=[RootCredit(r["root_id"], r["credit"], r["depth"], r["issue"], r["root_in_snapshot"]) for r in roots],
        by_uploader=UploaderView(
            namespace=model_id.split("/")[0] if "/" in model_id else None,
            organisation=uploader.developer,
            kind=uploader.organisation.kind if uploader.organisation else None,
            country=uploader.country,
        ),
        by_root_family=RootFamilyView(
            developer=developer.developer,
            kind=developer.organisation.kind if developer.organisation else None,
            family=developer.family,
            country=developer.country,
            method=developer.method,
        ),
        downloads=[
            DownloadPoint(
                h["snapshot_id"],
                h["taken_at"].isoformat(),
                h["source"],
                h["downloads_30d"],
                h["downloads_all_time"],
                h["likes"],
                str(h["data_date"] or h["taken_at"].date().isoformat()),
                h["selection"],
            )
            for h in warehouse.query(_HISTORY_SQL, [model_id])
        ],
        ecosystem=RootEcosystem(**ecosystem[0]) if ecosystem else None,
    )
