"""Licences per model in a snapshot: stated or inherited through the tree, verdict, and conflicts.

A model's *stated* licence is its Hub tag/card value (with ``license_name``/``license_link`` for ``other``).
A model that states nothing inherits the nearest stated licence up its first-listed bases. A **conflict** is
flagged when a model states a licence that its base does not allow: more open than the base's (apache-2.0
on a llama3 base), a different licence where the base requires derivatives to keep it, or a quantization
whose licence differs from its base's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import numpy as np

from modelrace._serialise import JsonResult
from modelrace.adoption import open_part, store_part, temporary_exists
from modelrace.licensing._registry import LicenceRegistry, load_licences
from modelrace.licensing._verdict import VERDICTS, conflict_rule, decide
from modelrace.store import Warehouse
from modelrace.tree import resolve_roots, sorted_unique

# The snapshot's versions read once (list columns reduced before the join: first base, relation, base count).
_STATED_SQL = """
CREATE OR REPLACE TEMP TABLE licence_stated_{id} AS
WITH versions AS MATERIALIZED (
    SELECT version_id, license, license_name, license_link,
           CASE WHEN len(base_models) > 0 THEN base_models[1].model_id END AS first_base,
           CASE WHEN len(base_models) > 1 THEN 'merge'
                WHEN len(base_models) = 1 THEN base_models[1].relation END AS relation
    FROM model_versions
)
SELECT sm.model_key, sm.version_id, v.license, v.license_name, v.license_link, v.first_base, v.relation,
       (v.license IS NOT NULL OR v.license_name IS NOT NULL OR v.license_link IS NOT NULL) AS states
FROM snapshot_models sm
JOIN versions v ON v.version_id = sm.version_id
WHERE sm.snapshot_id = ?
"""

# Each distinct (license, license_name, license_link) is normalised once, in Python, not once per model.
_TRIPLES_SQL = "SELECT DISTINCT license, license_name, license_link FROM licence_stated_{id}"

# What each triple states, as the per-model table will hold it. The labels are ENUMs of the values they can take
# ({licence}: the registry's ids and 'unknown'), sorted so that ORDER BY sorts them as text: 2 M rows carry and
# group small integers instead of strings.
_NAMES_SQL = """
CREATE OR REPLACE TEMP TABLE licence_names AS
SELECT license, license_name, license_link,
       coalesce(licence_id, CASE WHEN states THEN 'unknown' END)::{licence} AS stated_id,
       coalesce(raw, license)::{raw} AS stated_raw, method::{method} AS method
FROM (
    SELECT *, (license IS NOT NULL OR license_name IS NOT NULL OR license_link IS NOT NULL) AS states
    FROM (SELECT unnest(?::VARCHAR[]) AS license, unnest(?::VARCHAR[]) AS license_name,
                 unnest(?::VARCHAR[]) AS license_link, unnest(?::VARCHAR[]) AS licence_id, unnest(?::VARCHAR[]) AS raw,
                 unnest(?::VARCHAR[]) AS method)
)
"""

_RULES_SQL = """
CREATE OR REPLACE TEMP TABLE licence_conflict_rules AS
SELECT own::{licence} AS own, base::{licence} AS base, quantized, reason
FROM (SELECT unnest(?::VARCHAR[]) AS own, unnest(?::VARCHAR[]) AS base, unnest(?::BOOLEAN[]) AS quantized,
             unnest(?::VARCHAR[]) AS reason)
"""

_VERDICTS_SQL = """
CREATE OR REPLACE TEMP TABLE licence_verdicts AS
SELECT licence_id::{licence} AS licence_id, verdict::{verdict} AS verdict
FROM (SELECT unnest(?::VARCHAR[]) AS licence_id, unnest(?::VARCHAR[]) AS verdict)
"""

_INHERITANCE_SQL = """
CREATE OR REPLACE TEMP TABLE licence_inheritance AS
SELECT unnest(?::INTEGER[]) AS model_key, unnest(?::INTEGER[]) AS source_key
"""

_EFFECTIVE_SQL = """
CREATE OR REPLACE {temp} TABLE {table} AS
WITH stated AS MATERIALIZED (
    SELECT s.model_key, s.states, s.relation, s.version_id, n.stated_id, n.stated_raw, n.method
    FROM licence_stated_{id} s  -- every row finds its triple: the names are the table's own triples
    LEFT JOIN licence_names n
      ON n.license IS NOT DISTINCT FROM s.license
     AND n.license_name IS NOT DISTINCT FROM s.license_name
     AND n.license_link IS NOT DISTINCT FROM s.license_link
),
inherited AS (  -- only the models that state nothing and have a base: their source's licence
    SELECT h.model_key, h.source_key, a.states, a.stated_id
    FROM licence_inheritance h JOIN stated a ON a.model_key = h.source_key
),
effective AS MATERIALIZED (  -- read four times below: computed once
    SELECT s.model_key, s.states, s.stated_id, s.stated_raw, s.method, s.relation, s.version_id,
           CASE WHEN s.states THEN s.stated_id ELSE a.stated_id END AS licence_id,
           CASE WHEN s.states THEN 'own'::{source} WHEN a.states THEN 'inherited'::{source} ELSE 'none'::{source}
           END AS licence_source,
           CASE WHEN NOT s.states AND a.states THEN a.source_key END AS inherited_from_key
    FROM stated s
    LEFT JOIN inherited a ON a.model_key = s.model_key
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
       coalesce(v.verdict, 'unknown'::{verdict}) AS verdict, c.conflict
FROM effective e
LEFT JOIN licence_verdicts v ON v.licence_id = e.licence_id
LEFT JOIN conflicts c ON c.model_key = e.model_key
"""

_HELPER_TABLES = ("licence_names", "licence_conflict_rules", "licence_verdicts", "licence_inheritance")
_SOURCES = ("own", "inherited", "none")


def _enum(values: Iterable[str | None], *more: str) -> str:
    """An inline DuckDB ENUM type of these values, sorted (its order is then the text's order); VARCHAR if none."""
    labels = sorted({*(v for v in values if v is not None), *more})
    if not labels:
        return "VARCHAR"
    return "ENUM({})".format(", ".join("'{}'".format(label.replace("'", "''")) for label in labels))


def _register_names(
    connection: duckdb.DuckDBPyConnection, snapshot_id: int, registry: LicenceRegistry
) -> dict[str, str]:
    """Normalise each distinct triple of the snapshot; return the ENUM type of each label column."""
    columns: tuple[list[str | None], ...] = ([], [], [], [], [], [])
    for license, license_name, license_link in connection.execute(_TRIPLES_SQL.format(id=int(snapshot_id))).fetchall():
        found = registry.normalise(license, license_name, license_link)
        values = (license, license_name, license_link, found.licence_id, found.raw, found.method)
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    types = {
        "licence": _enum([*(licence.id for licence in registry.licences.values()), *columns[3]], "unknown"),
        "raw": _enum(raw if raw is not None else license for raw, license in zip(columns[4], columns[0], strict=True)),
        "method": _enum(columns[5]),
        "verdict": _enum([decide(licence).verdict for licence in registry.licences.values()], *VERDICTS),
        "source": _enum(_SOURCES),
    }
    connection.execute(_NAMES_SQL.format(**types), list(columns))
    return types


def _register_rules(connection: duckdb.DuckDBPyConnection, registry: LicenceRegistry, types: dict[str, str]) -> None:
    """Verdicts, and every (own, base, quantized) licence pair that conflicts, from the Python rules."""
    rules = [
        (own.id, base.id, quantized, reason)
        for own in registry.licences.values()
        for base in registry.licences.values()
        for quantized in (False, True)
        if (reason := conflict_rule(own, base, quantized)) is not None
    ]
    connection.execute(_RULES_SQL.format(**types), [[rule[i] for rule in rules] for i in range(4)])
    licences = list(registry.licences.values())
    connection.execute(
        _VERDICTS_SQL.format(**types),
        [[licence.id for licence in licences], [decide(licence).verdict for licence in licences]],
    )


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
    connection.execute(
        _INHERITANCE_SQL,
        [nodes[found.model[primary]].astype(np.int32), nodes[found.root[primary]].astype(np.int32)],
    )


def _build(
    connection: duckdb.DuckDBPyConnection,
    snapshot_id: int,
    registry: LicenceRegistry,
    table: str,
    temporary: bool = True,
) -> None:
    connection.execute(_STATED_SQL.format(id=int(snapshot_id)), [snapshot_id])
    types = _register_names(connection, snapshot_id, registry)
    _register_rules(connection, registry, types)
    _register_inheritance(connection, snapshot_id)
    connection.execute(
        _EFFECTIVE_SQL.format(id=int(snapshot_id), table=table, temp="TEMP" if temporary else "", **types)
    )
    for name in (f"licence_stated_{int(snapshot_id)}", *_HELPER_TABLES):  # intermediates: free their memory
        connection.execute(f"DROP TABLE {name}")


def model_licences(
    connection: duckdb.DuckDBPyConnection, snapshot_id: int, registry: LicenceRegistry | None = None
) -> str:
    """Create the temporary table ``licences_<id>`` (one row per model of the snapshot); return its name. When the
    warehouse stores this snapshot's licences built from the same licence registry (store_licences), it is a view
    of those rows instead."""
    registry = registry or load_licences()
    return open_part(
        connection,
        "licences",
        int(snapshot_id),
        registry.data.model_dump_json(),
        f"licences_{int(snapshot_id)}",
        lambda name: _build(connection, int(snapshot_id), registry, name),
    )


def licence_verdicts(
    connection: duckdb.DuckDBPyConnection, snapshot_id: int, model_ids: list[str]
) -> dict[str, tuple[str | None, str]]:
    """The licence each of these models is read as (stated or inherited) and its verdict, by model id (the
    snapshot's licence table of this connection when the report made it already)."""
    table = f"licences_{int(snapshot_id)}"
    if not temporary_exists(connection, table):
        table = model_licences(connection, snapshot_id)
    rows = connection.execute(
        f"""SELECT m.model_id, l.licence_id, l.verdict FROM {table} l JOIN models m ON m.model_key = l.model_key
            WHERE m.model_id IN (SELECT unnest(?::VARCHAR[]))""",
        [model_ids],
    ).fetchall()
    return {str(model_id): (licence, str(verdict)) for model_id, licence, verdict in rows}


def store_licences(
    warehouse: Warehouse, snapshot_ref: str | int | None = None, registry: LicenceRegistry | None = None
) -> int:
    """Store a snapshot's licences (default: the latest, the one a report opens) for reports to read instead of
    building them (the newest other stored snapshot's stay, older ones go). Returns the snapshot id."""
    registry = registry or load_licences()
    return store_part(
        warehouse,
        "licences",
        snapshot_ref,
        registry.data.model_dump_json(),
        lambda snapshot_id, table: _build(warehouse.connection, snapshot_id, registry, table, temporary=False),
    )


@dataclass(frozen=True)
class LicenceTableRow(JsonResult):
    """One model's row of a licence table (:func:`model_licences`), with ids instead of keys."""

    licence_id: str | None
    licence_source: str  # own, inherited, none
    inherited_from: str | None  # the model whose licence it inherits
    stated_raw: str | None  # the licence text it states, as stated
    method: str | None  # how the stated text was resolved
    verdict: str
    conflict: str | None  # why its licence conflicts with its base's (None: no conflict)


def licence_row(connection: duckdb.DuckDBPyConnection, table: str, model_id: str) -> LicenceTableRow | None:
    """One model's row of a licence table, with ids instead of keys."""
    cursor = connection.execute(
        f"""SELECT l.licence_id, l.licence_source, f.model_id AS inherited_from, l.stated_raw, l.method,
                   l.verdict, l.conflict
            FROM {table} l JOIN models m ON m.model_key = l.model_key
            LEFT JOIN models f ON f.model_key = l.inherited_from_key
            WHERE m.model_id = ?""",
        [model_id],
    )
    rows = cursor.fetchall()
    return LicenceTableRow(*rows[0]) if rows else None
