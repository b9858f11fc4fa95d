"""Licences per model in a snapshot: stated or inherited through the tree, verdict, and conflicts.

A model's *stated* licence is its Hub tag/card value (with ``license_name``/``license_link`` for ``other``).
A model that states nothing inherits the nearest stated licence up its first-listed bases. A **conflict** is
flagged when a model states a licence that its base does not allow: more open than the base's (apache-2.0
on a llama3 base), a different licence where the base requires derivatives to keep it, or a quantization
whose licence differs from its base's.
"""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from modelrace.licensing._registry import LicenceRegistry, load_licences
from modelrace.licensing._verdict import conflict_rule, decide
from modelrace.tree import resolve_roots, sorted_unique

_TRIPLES_SQL = """
SELECT DISTINCT v.license, v.license_name, v.license_link
FROM model_versions v
WHERE v.version_id IN (SELECT version_id FROM snapshot_models WHERE snapshot_id = ?)
"""

_STATED_SQL = """
CREATE OR REPLACE TEMP TABLE licence_stated_{id} AS
SELECT sm.model_key,
       (v.license IS NOT NULL OR v.license_name IS NOT NULL OR v.license_link IS NOT NULL) AS states,
       coalesce(n.licence_id, CASE WHEN v.license IS NOT NULL OR v.license_name IS NOT NULL
                                   OR v.license_link IS NOT NULL THEN 'unknown' END) AS stated_id,
       coalesce(n.raw, v.license) AS stated_raw,
       n.method,
       CASE WHEN len(v.base_models) > 0 THEN v.base_models[1].model_id END AS first_base,
       CASE WHEN len(v.base_models) > 1 THEN 'merge'
            WHEN len(v.base_models) = 1 THEN v.base_models[1].relation END AS relation,
       sm.version_id
FROM snapshot_models sm
JOIN model_versions v ON v.version_id = sm.version_id
LEFT JOIN licence_names n
  ON n.license IS NOT DISTINCT FROM v.license
 AND n.license_name IS NOT DISTINCT FROM v.license_name
 AND n.license_link IS NOT DISTINCT FROM v.license_link
WHERE sm.snapshot_id = ?
"""

_EFFECTIVE_SQL = """
CREATE OR REPLACE TEMP TABLE licences_{id} AS
WITH effective AS MATERIALIZED (  -- read four times below: computed once
    SELECT s.model_key, s.states, s.stated_id, s.stated_raw, s.method, s.relation, s.version_id,
           CASE WHEN s.states THEN s.stated_id ELSE a.stated_id END AS licence_id,
           CASE WHEN s.states THEN 'own' WHEN a.states THEN 'inherited' ELSE 'none' END AS licence_source,
           CASE WHEN NOT s.states AND a.states THEN h.source_key END AS inherited_from_key
    FROM licence_stated_{id} s
    LEFT JOIN inheritance h ON h.model_key = s.model_key
    LEFT JOIN licence_stated_{id} a ON a.model_key = h.source_key
),
bases AS (
    SELECT e.model_key, b.model_id AS base_id, p.licence_id AS base_licence
    FROM (
        SELECT e.model_key, unnest(v.base_models) AS b
        FROM effective e JOIN model_versions v ON v.version_id = e.version_id
        WHERE e.states AND e.relation IS NOT NULL
    ) e
    JOIN models m ON m.model_id = e.b.model_id
    JOIN effective p ON p.model_key = m.model_key
),
conflicts AS (
    SELECT e.model_key, string_agg(replace(r.reason, '{{base}}', b.base_id), '; ') AS conflict
    FROM effective e
    JOIN bases b ON b.model_key = e.model_key
    JOIN licence_conflict_rules r
      ON r.own = e.licence_id AND r.base = b.base_licence AND r.quantized = (e.relation = 'quantized')
    GROUP BY e.model_key
)
SELECT e.model_key, e.licence_id, e.licence_source, e.inherited_from_key, e.stated_raw, e.method,
       coalesce(v.verdict, 'unknown') AS verdict, c.conflict
FROM effective e
LEFT JOIN licence_verdicts v ON v.licence_id = e.licence_id
LEFT JOIN conflicts c ON c.model_key = e.model_key
"""


def _register_names(connection: duckdb.DuckDBPyConnection, snapshot_id: int, registry: LicenceRegistry) -> None:
    rows = []
    for license, license_name, license_link in connection.execute(_TRIPLES_SQL, [snapshot_id]).fetchall():
        found = registry.normalise(license, license_name, license_link)
        rows.append(
            {
                "license": license,
                "license_name": license_name,
                "license_link": license_link,
                "licence_id": found.licence_id,
                "raw": found.raw,
                "method": found.method,
            }
        )
    schema = pa.schema(
        [(name, pa.string()) for name in ("license", "license_name", "license_link", "licence_id", "raw", "method")]
    )
    connection.register("licence_names", pa.Table.from_pylist(rows, schema=schema))


def _register_rules(connection: duckdb.DuckDBPyConnection, registry: LicenceRegistry) -> None:
    """Verdicts, and every (own, base, quantized) licence pair that conflicts, from the Python rules."""
    rules = [
        {"own": own.id, "base": base.id, "quantized": quantized, "reason": reason}
        for own in registry.licences.values()
        for base in registry.licences.values()
        for quantized in (False, True)
        if (reason := conflict_rule(own, base, quantized)) is not None
    ]
    connection.register("licence_conflict_rules", pa.Table.from_pylist(rules))
    rows = [{"licence_id": licence.id, "verdict": decide(licence).verdict} for licence in registry.licences.values()]
    connection.register("licence_verdicts", pa.Table.from_pylist(rows))


def _register_inheritance(connection: duckdb.DuckDBPyConnection, snapshot_id: int) -> None:
    """For models that state nothing but have a base: the nearest ancestor that states a licence (or the top
    of the chain). Every other model is its own source, so only these few enter the resolver."""
    table = f"licence_stated_{snapshot_id}"
    edges = connection.execute(
        f"""SELECT s.model_key AS child, m.model_key AS parent FROM {table} s
            JOIN models m ON m.model_id = s.first_base WHERE NOT s.states"""
    ).fetchnumpy()
    child = np.asarray(edges["child"], dtype=np.int64)
    parent = np.asarray(edges["parent"], dtype=np.int64)
    nodes = sorted_unique(np.concatenate([child, parent]))
    found = resolve_roots(
        len(nodes), np.searchsorted(nodes, child), np.searchsorted(nodes, parent), np.searchsorted(nodes, child)
    )
    primary = found.is_primary
    connection.register(
        "inheritance",
        pa.table(
            {
                "model_key": pa.array(nodes[found.model[primary]], pa.int32()),
                "source_key": pa.array(nodes[found.root[primary]], pa.int32()),
            }
        ),
    )


def model_licences(
    connection: duckdb.DuckDBPyConnection, snapshot_id: int, registry: LicenceRegistry | None = None
) -> str:
    """Create the temporary table ``licences_<id>`` (one row per model of the snapshot); return its name."""
    registry = registry or load_licences()
    _register_names(connection, snapshot_id, registry)
    _register_rules(connection, registry)
    connection.execute(_STATED_SQL.format(id=int(snapshot_id)), [snapshot_id])
    _register_inheritance(connection, snapshot_id)
    connection.execute(_EFFECTIVE_SQL.format(id=int(snapshot_id)))
    for name in ("licence_names", "inheritance"):
        connection.unregister(name)
    connection.execute(f"DROP TABLE licence_stated_{int(snapshot_id)}")  # an intermediate: free its memory
    return f"licences_{int(snapshot_id)}"


def licence_row(connection: duckdb.DuckDBPyConnection, table: str, model_id: str) -> dict[str, Any] | None:
    """One model's row of a licence table, with ids instead of keys."""
    cursor = connection.execute(
        f"""SELECT l.licence_id, l.licence_source, f.model_id AS inherited_from, l.stated_raw, l.method,
                   l.verdict, l.conflict
            FROM {table} l JOIN models m ON m.model_key = l.model_key
            LEFT JOIN models f ON f.model_key = l.inherited_from_key
            WHERE m.model_id = ?""",
        [model_id],
    )
    columns = [d[0] for d in cursor.description or []]
    rows = cursor.fetchall()
    return dict(zip(columns, rows[0], strict=True)) if rows else None
