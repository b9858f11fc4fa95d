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

from collections.abc import Iterable
from typing import Any

import duckdb

from modelrace.adoption._cache import open_part, store_part, temporary_exists
from modelrace.registry import UNATTRIBUTED, Registry, load_registry
from modelrace.store import Warehouse

# Each organisation's facts (``org``: its index in the registry; -1 the unattributed uploader), and its
# lower-cased namespaces. The labels are ENUMs of the values they can take (in sorted order, so that ORDER BY
# sorts them as text): every aggregate over 2 M rows groups small integers instead of strings.
_ORGANISATIONS_SQL = """
CREATE OR REPLACE TEMP TABLE reg_organisations AS
SELECT org, organisation::{organisation} AS organisation, kind::{kind} AS kind, country::{country} AS country
FROM (SELECT unnest(?::SMALLINT[]) AS org, unnest(?::VARCHAR[]) AS organisation, unnest(?::VARCHAR[]) AS kind,
             unnest(?::VARCHAR[]) AS country)
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
SELECT root_key, developer::{developer} AS developer, country::{country} AS country, family::{family} AS family
FROM (SELECT unnest(?::INTEGER[]) AS root_key, unnest(?::VARCHAR[]) AS developer, unnest(?::VARCHAR[]) AS country,
             unnest(?::VARCHAR[]) AS family)
"""

_ATTRIBUTED_SQL = """
CREATE OR REPLACE {temp} TABLE {table} AS
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
       o.organisation AS uploader, o.kind AS uploader_kind, o.country AS uploader_country,
       coalesce(ra.developer, 'unattributed'::{developer}) AS developer,
       coalesce(ra.country, 'unattributed'::{country}) AS country,
       coalesce(ra.family, 'unattributed'::{family}) AS family,
       f.relation, f.params, f.params_source, f.library_name, f.pipeline_tag,
       (m.fixture OR (t.root_key <> t.model_key AND r.fixture)) AS is_fixture
FROM tree t
JOIN facts f ON f.model_key = t.model_key
JOIN named m ON m.model_key = t.model_key
LEFT JOIN roots r ON r.model_key = t.root_key
JOIN reg_organisations o ON o.org = coalesce(m.org, -1)
LEFT JOIN root_attribution ra ON ra.root_key = t.root_key
"""


def _enum(values: Iterable[str | None], *more: str) -> str:
    """An inline DuckDB ENUM type of these values, sorted (its order is then the text's order)."""
    labels = sorted({*(v for v in values if v is not None), *more})
    return "ENUM({})".format(", ".join("'{}'".format(label.replace("'", "''")) for label in labels))


def _register_registry(connection: duckdb.DuckDBPyConnection, registry: Registry) -> None:
    organisations = registry.organisations
    namespaces = [(namespace.lower(), index) for index, o in enumerate(organisations) for namespace in o.namespaces]
    names = [UNATTRIBUTED, *(o.name for o in organisations)]
    kinds = ["unknown", *(o.kind for o in organisations)]
    countries = [UNATTRIBUTED, *(o.country or UNATTRIBUTED for o in organisations)]
    connection.execute(
        _ORGANISATIONS_SQL.format(organisation=_enum(names), kind=_enum(kinds), country=_enum(countries)),
        [[-1, *range(len(organisations))], names, kinds, countries],
    )
    connection.execute(
        _NAMESPACES_SQL, [[namespace for namespace, _ in namespaces], [index for _, index in namespaces]]
    )


def _register_roots(connection: duckdb.DuckDBPyConnection, snapshot_id: int, registry: Registry) -> dict[str, str]:
    """The registry's attribution of the snapshot's roots; returns the ENUM type of each label column."""
    columns: tuple[list[Any], ...] = ([], [], [], [])
    for root_key, root_id in connection.execute(_ROOTS_IN_REGISTRY_SQL, [snapshot_id]).fetchall():
        attribution = registry.developer(root_id)
        if attribution.organisation is None:
            continue
        for column, value in zip(
            columns, (root_key, attribution.developer, attribution.country, attribution.family), strict=True
        ):
            column.append(value)
    types = {
        "developer": _enum(columns[1], UNATTRIBUTED),
        "country": _enum(columns[2], UNATTRIBUTED),
        "family": _enum(columns[3], UNATTRIBUTED),
    }
    connection.execute(_ROOT_ATTRIBUTION_SQL.format(**types), list(columns))
    return types


def _build(
    connection: duckdb.DuckDBPyConnection, snapshot_id: int, registry: Registry, table: str, temporary: bool = True
) -> None:
    _register_registry(connection, registry)
    types = _register_roots(connection, snapshot_id, registry)
    connection.execute(
        _ATTRIBUTED_SQL.format(table=table, temp="TEMP" if temporary else "", **types),
        [registry.fixture_pattern, snapshot_id, snapshot_id],
    )
    for name in ("root_attribution", "reg_namespaces", "reg_organisations"):
        connection.execute(f"DROP TABLE {name}")


def attribute_snapshot(
    connection: duckdb.DuckDBPyConnection, snapshot_id: int, registry: Registry | None = None
) -> str:
    """Create (or replace) the temporary table ``attributed_<id>`` for a snapshot; return its name. When the
    warehouse stores this snapshot's attribution built from the same registry (store_attribution), it is a view
    of those rows instead."""
    table = f"attributed_{int(snapshot_id)}"
    # Built earlier on this connection: the snapshot and the registry have not changed.
    if temporary_exists(connection, table):
        return table
    registry = registry or load_registry()
    return open_part(
        connection,
        "attribution",
        int(snapshot_id),
        registry.data.model_dump_json(),
        table,
        lambda name: _build(connection, int(snapshot_id), registry, name),
    )


def store_attribution(
    warehouse: Warehouse, snapshot_ref: str | int | None = None, registry: Registry | None = None
) -> int:
    """Store a snapshot's attribution (default: the latest, the one a report opens) for reports to read instead of
    building it (the newest other stored snapshot's stays, older ones go). Returns the snapshot id."""
    registry = registry or load_registry()
    return store_part(
        warehouse,
        "attribution",
        snapshot_ref,
        registry.data.model_dump_json(),
        lambda snapshot_id, table: _build(warehouse.connection, snapshot_id, registry, table, temporary=False),
    )
