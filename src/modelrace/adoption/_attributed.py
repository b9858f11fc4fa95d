"""Attribution of one snapshot: every model with its uploader and its root's developer, family and country.

Built once per report as a temporary table (one row per model and root; merges have several rows whose
``credit`` sums to 1), so every analysis reads the same attribution. It holds keys, not id strings, to stay
small at 2 M models: join ``models`` for the ids of the few rows shown (and ``snapshot_models`` /
``model_versions`` for likes and licence of those rows).

How it stays cheap at 2 M models (issue #15): each per-model fact is computed once, in one scan (the
fixture-name pattern and the uploader's organisation over ``models``; relation, size, library and tag over the
snapshot's versions, the base-model lists left behind before any join), and the root's facts are looked up
only for derivatives (an original is its own root). The registry reaches DuckDB as small temporary tables
built from parameter lists (registering Arrow tables would import pandas, ~0.5 s).
"""

from __future__ import annotations

from typing import Any

import duckdb

from modelrace.registry import Registry, load_registry

# Each organisation's facts (``org``: its index in the registry), and its lower-cased namespaces.
_ORGANISATIONS_SQL = """
CREATE OR REPLACE TEMP TABLE reg_organisations AS
SELECT unnest(?::SMALLINT[]) AS org, unnest(?::VARCHAR[]) AS organisation, unnest(?::VARCHAR[]) AS kind,
       unnest(?::VARCHAR[]) AS country
"""
_NAMESPACES_SQL = """
CREATE OR REPLACE TEMP TABLE reg_namespaces AS
SELECT n.namespace, n.org, o.kind
FROM (SELECT unnest(?::VARCHAR[]) AS namespace, unnest(?::SMALLINT[]) AS org) n
JOIN reg_organisations o ON o.org = n.org
"""

# Roots of the snapshot's tree held in a registry namespace (the only roots the registry can attribute).
_ROOTS_IN_REGISTRY_SQL = """
SELECT DISTINCT t.root_key, m.model_id AS root_id
FROM (SELECT model_key, model_id FROM models WHERE lower(namespace) IN (SELECT namespace FROM reg_namespaces)) m
JOIN model_tree t ON t.root_key = m.model_key
WHERE t.snapshot_id = ?
"""

_ROOT_ATTRIBUTION_SQL = """
CREATE OR REPLACE TEMP TABLE root_attribution AS
SELECT unnest(?::INTEGER[]) AS root_key, unnest(?::VARCHAR[]) AS developer, unnest(?::VARCHAR[]) AS country,
       unnest(?::VARCHAR[]) AS family
"""

_ATTRIBUTED_SQL = """
CREATE OR REPLACE TEMP TABLE {table} AS
WITH named AS MATERIALIZED (  -- each model's name and namespace tested once, in one scan
    SELECT m.model_key, m.namespace, n.org,
           (coalesce(n.kind, '') = 'test-fixture' OR regexp_matches(split_part(m.model_id, '/', -1), ?, 'i'))
               AS fixture
    FROM models m LEFT JOIN reg_namespaces n ON n.namespace = lower(m.namespace)
),
versions AS MATERIALIZED (  -- the relation computed before any join: the base-model lists stay behind
    SELECT version_id, params, params_source, library_name, pipeline_tag,
           CASE WHEN len(base_models) = 0 THEN 'original'
                WHEN len(base_models) >= 2 THEN 'merge'
                ELSE base_models[1].relation END AS relation
    FROM model_versions
),
facts AS MATERIALIZED (
    SELECT sm.model_key, sm.downloads_30d, sm.downloads_all_time,
           v.relation, v.params, v.params_source, v.library_name, v.pipeline_tag
    FROM snapshot_models sm JOIN versions v ON v.version_id = sm.version_id
    WHERE sm.snapshot_id = ?
),
tree AS (SELECT model_key, root_key, credit, is_primary, issue FROM model_tree WHERE snapshot_id = ?),
roots AS MATERIALIZED (  -- derivatives' roots only: an original is its own root
    SELECT model_key, namespace, fixture FROM named
    WHERE model_key IN (SELECT root_key FROM tree WHERE root_key <> model_key)
)
SELECT t.model_key, m.namespace,
       CASE WHEN t.root_key = t.model_key THEN m.namespace ELSE r.namespace END AS root_namespace,
       f.downloads_30d, f.downloads_all_time,
       t.credit, t.is_primary, t.root_key, t.issue,
       coalesce(o.organisation, 'unattributed') AS uploader,
       coalesce(o.kind, 'unknown') AS uploader_kind,
       coalesce(o.country, 'unattributed') AS uploader_country,
       coalesce(ra.developer, 'unattributed') AS developer,
       coalesce(ra.country, 'unattributed') AS country,
       coalesce(ra.family, 'unattributed') AS family,
       f.relation, f.params, f.params_source, f.library_name, f.pipeline_tag,
       (m.fixture OR (t.root_key <> t.model_key AND r.fixture)) AS is_fixture
FROM tree t
JOIN facts f ON f.model_key = t.model_key
JOIN named m ON m.model_key = t.model_key
LEFT JOIN roots r ON r.model_key = t.root_key
LEFT JOIN reg_organisations o ON o.org = m.org
LEFT JOIN root_attribution ra ON ra.root_key = t.root_key
"""


def _register_registry(connection: duckdb.DuckDBPyConnection, registry: Registry) -> None:
    organisations = registry.organisations
    namespaces = [(namespace.lower(), index) for index, o in enumerate(organisations) for namespace in o.namespaces]
    connection.execute(
        _ORGANISATIONS_SQL,
        [
            list(range(len(organisations))),
            [o.name for o in organisations],
            [o.kind for o in organisations],
            [o.country for o in organisations],
        ],
    )
    connection.execute(
        _NAMESPACES_SQL, [[namespace for namespace, _ in namespaces], [index for _, index in namespaces]]
    )


def _register_roots(connection: duckdb.DuckDBPyConnection, snapshot_id: int, registry: Registry) -> None:
    columns: tuple[list[Any], ...] = ([], [], [], [])
    for root_key, root_id in connection.execute(_ROOTS_IN_REGISTRY_SQL, [snapshot_id]).fetchall():
        attribution = registry.developer(root_id)
        if attribution.organisation is None:
            continue
        for column, value in zip(
            columns, (root_key, attribution.developer, attribution.country, attribution.family), strict=True
        ):
            column.append(value)
    connection.execute(_ROOT_ATTRIBUTION_SQL, list(columns))


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
    _register_registry(connection, registry)
    _register_roots(connection, snapshot_id, registry)
    connection.execute(_ATTRIBUTED_SQL.format(table=table), [registry.fixture_pattern, snapshot_id, snapshot_id])
    for name in ("root_attribution", "reg_namespaces", "reg_organisations"):
        connection.execute(f"DROP TABLE {name}")
    return table
