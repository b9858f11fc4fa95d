"""Attribution of one snapshot: every model with its uploader and its root's developer, family and country.

Built once per report as a temporary table (one row per model and root; merges have several rows whose
``credit`` sums to 1), so every analysis reads the same attribution. It holds keys, not id strings, to stay
small at 2 M models: join ``models`` for the ids of the few rows shown.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from modelrace.registry import Registry, load_registry

_ROOTS_IN_REGISTRY_SQL = """
SELECT DISTINCT t.root_key, r.model_id AS root_id
FROM model_tree t
JOIN models r ON r.model_key = t.root_key
JOIN reg_namespaces n ON n.namespace = lower(r.namespace)
WHERE t.snapshot_id = ?
"""

_ATTRIBUTED_SQL = """
CREATE OR REPLACE TEMP TABLE {table} AS
WITH named AS MATERIALIZED (  -- each name in the snapshot's tree tested once, in a scan (cheaper than after joins)
    SELECT model_key, namespace,
           regexp_matches(split_part(model_id, '/', -1), ?, 'i') AS fixture_name
    FROM models
    WHERE model_key IN (SELECT model_key FROM model_tree WHERE snapshot_id = ?
                        UNION ALL SELECT root_key FROM model_tree WHERE snapshot_id = ?)
)
SELECT t.snapshot_id, sm.model_key, m.namespace, r.namespace AS root_namespace,
       sm.downloads_30d, sm.downloads_all_time, sm.likes,
       t.credit, t.is_primary, t.root_key, t.issue,
       coalesce(un.organisation, 'unattributed') AS uploader,
       coalesce(un.kind, 'unknown') AS uploader_kind,
       coalesce(un.country, 'unattributed') AS uploader_country,
       coalesce(ra.developer, 'unattributed') AS developer,
       coalesce(ra.country, 'unattributed') AS country,
       coalesce(ra.family, 'unattributed') AS family,
       v.relation, v.params, v.params_source, v.library_name, v.license, v.pipeline_tag,
       (coalesce(un.kind, '') = 'test-fixture' OR coalesce(rn.kind, '') = 'test-fixture'
        OR m.fixture_name OR r.fixture_name) AS is_fixture
FROM model_tree t
JOIN snapshot_models sm ON sm.snapshot_id = t.snapshot_id AND sm.model_key = t.model_key
JOIN named m ON m.model_key = t.model_key
JOIN named r ON r.model_key = t.root_key
JOIN (  -- the relation computed before the join: the base-model lists stay out of the hash table
    SELECT version_id, params, params_source, library_name, license, pipeline_tag,
           CASE WHEN len(base_models) = 0 THEN 'original'
                WHEN len(base_models) >= 2 THEN 'merge'
                ELSE base_models[1].relation END AS relation
    FROM model_versions
) v ON v.version_id = sm.version_id
LEFT JOIN reg_namespaces un ON un.namespace = lower(m.namespace)
LEFT JOIN reg_namespaces rn ON rn.namespace = lower(r.namespace)
LEFT JOIN root_attribution ra ON ra.root_key = t.root_key
WHERE t.snapshot_id = ?
"""


def _register_namespaces(connection: duckdb.DuckDBPyConnection, registry: Registry) -> None:
    rows = [
        {
            "namespace": namespace.lower(),
            "organisation": organisation.name,
            "kind": organisation.kind,
            "country": organisation.country,
        }
        for organisation in registry.organisations
        for namespace in organisation.namespaces
    ]
    connection.register("reg_namespaces", pa.Table.from_pylist(rows))


def attribute_snapshot(
    connection: duckdb.DuckDBPyConnection, snapshot_id: int, registry: Registry | None = None
) -> str:
    """Create (or replace) the temporary table ``attributed_<id>`` for a snapshot; return its name."""
    table = f"attributed_{int(snapshot_id)}"
    exists = connection.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?", [table]
    ).fetchall()[0][0]
    if exists:  # built earlier on this connection: the snapshot and the registry have not changed
        return table
    registry = registry or load_registry()
    _register_namespaces(connection, registry)
    roots = connection.execute(_ROOTS_IN_REGISTRY_SQL, [snapshot_id]).fetchall()
    attributed_roots = []
    for root_key, root_id in roots:
        attribution = registry.developer(root_id)
        if attribution.organisation is None:
            continue
        attributed_roots.append(
            {
                "root_key": root_key,
                "developer": attribution.developer,
                "developer_kind": attribution.organisation.kind,
                "country": attribution.country,
                "family": attribution.family,
                "method": attribution.method,
            }
        )
    schema = pa.schema(
        [
            ("root_key", pa.int32()),
            ("developer", pa.string()),
            ("developer_kind", pa.string()),
            ("country", pa.string()),
            ("family", pa.string()),
            ("method", pa.string()),
        ]
    )
    connection.register("root_attribution", pa.Table.from_pylist(attributed_roots, schema=schema))
    pattern = registry.fixture_pattern
    connection.execute(_ATTRIBUTED_SQL.format(table=table), [pattern, snapshot_id, snapshot_id, snapshot_id])
    connection.unregister("root_attribution")
    return table
