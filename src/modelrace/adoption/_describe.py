"""Everything the warehouse knows about one model: its chain to the root, attribution, licence, history."""

from __future__ import annotations

from typing import Any

from modelrace.errors import NotFoundError
from modelrace.registry import Registry, load_registry
from modelrace.store import Warehouse, resolve_snapshot
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
SELECT s.snapshot_id, s.taken_at, s.source, sm.downloads_30d, sm.downloads_all_time, sm.likes
FROM snapshot_models sm
JOIN snapshots s USING (snapshot_id)
JOIN models m ON m.model_key = sm.model_key
WHERE m.model_id = ?
ORDER BY s.taken_at, s.snapshot_id
"""

_ECOSYSTEM_SQL = """
SELECT finetunes, quantizations, adapters, merges, unspecified, derivative_downloads_30d
FROM root_ecosystem e JOIN models m ON m.model_key = e.root_key
WHERE e.snapshot_id = ? AND m.model_id = ?
"""


def describe_model(
    warehouse: Warehouse,
    model_id: str,
    snapshot_ref: str | int | None = None,
    registry: Registry | None = None,
) -> dict[str, Any]:
    """A JSON-ready description of one model in a snapshot (default: the latest)."""
    registry = registry or load_registry()
    snapshot = resolve_snapshot(warehouse, snapshot_ref)
    rows = warehouse.query(_VERSION_SQL, [snapshot.snapshot_id, model_id])
    if not rows:
        close = warehouse.query(
            "SELECT model_id FROM models WHERE lower(model_id) = lower(?) OR model_id ILIKE ? LIMIT 5",
            [model_id, f"%{model_id.split('/')[-1]}%"],
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
    return {
        "model_id": model_id,
        "snapshot": {
            "id": snapshot.snapshot_id,
            "taken_at": snapshot.taken_at.isoformat(),
            "source": snapshot.source,
        },
        "pipeline_tag": row["pipeline_tag"],
        "library_name": row["library_name"],
        "gated": row["gated"],
        "created_at": row["created_at"].isoformat() if row["created_at"] else None,
        "last_modified": row["last_modified"].isoformat() if row["last_modified"] else None,
        "params": {"total": row["params"], "active": row["params_active"], "source": row["params_source"]},
        "license": {"id": row["license"], "name": row["license_name"], "link": row["license_link"]},
        "is_fixture": registry.is_fixture(model_id),
        "chain": [
            {
                "model_id": link.model_id,
                "relation": link.relation,
                "in_snapshot": link.in_snapshot,
                "other_bases": list(link.other_bases),
            }
            for link in chain
        ],
        "root": primary["root_id"],
        "roots": [
            {
                "model_id": r["root_id"],
                "credit": r["credit"],
                "depth": r["depth"],
                "issue": r["issue"],
                "in_snapshot": r["root_in_snapshot"],
            }
            for r in roots
        ],
        "by_uploader": {
            "namespace": model_id.split("/")[0] if "/" in model_id else None,
            "organisation": uploader.developer,
            "kind": uploader.organisation.kind if uploader.organisation else None,
            "country": uploader.country,
        },
        "by_root_family": {
            "developer": developer.developer,
            "kind": developer.organisation.kind if developer.organisation else None,
            "family": developer.family,
            "country": developer.country,
            "method": developer.method,
        },
        "downloads": [
            {
                "snapshot_id": h["snapshot_id"],
                "taken_at": h["taken_at"].isoformat(),
                "source": h["source"],
                "downloads_30d": h["downloads_30d"],
                "downloads_all_time": h["downloads_all_time"],
                "likes": h["likes"],
            }
            for h in warehouse.query(_HISTORY_SQL, [model_id])
        ],
        "ecosystem": ecosystem[0] if ecosystem else None,
    }
