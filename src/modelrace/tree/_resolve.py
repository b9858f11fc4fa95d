"""Resolve every model of a snapshot to its root model(s) in the warehouse, fast enough for the whole Hub.

The rules are ``_roots.py``'s (docs/model-tree.md); this module reads a snapshot's edges, carries the tree over
from the snapshot before it for the models whose way to their roots did not change, and writes ``model_tree`` and
``root_ecosystem``.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from modelrace._progress import NoProgress, ProgressSink
from modelrace.tree._roots import IntArray, RootAssignment, dense_index, resolve_roots, sorted_unique


@dataclass(frozen=True)
class TreeStats:
    """What one resolution found."""

    models: int
    roots: int
    merges: int
    in_cycles: int  # models with a row flagged as leading into a cycle
    max_depth: int


_EDGES_SQL = """
WITH declared AS (
    SELECT sm.model_key AS child,
           unnest(v.base_models) AS base,
           generate_subscripts(v.base_models, 1) AS ordinal
    FROM snapshot_models sm JOIN model_versions v ON v.version_id = sm.version_id
    WHERE sm.snapshot_id = ? AND len(v.base_models) > 0
)
SELECT d.child, m.model_key AS parent
FROM declared d JOIN models m ON m.model_id = d.base.model_id
ORDER BY d.child, d.ordinal
"""


# A snapshot's tree is carried over from the snapshot before it for every model whose way to its roots did not change
# (issue #15: a daily import resolves again only what moved). When more than this share of the snapshot's models
# changed (or there is no earlier snapshot), the whole tree is resolved.
CARRY_OVER_MAX_CHANGED = 0.2

_CHANGED_SQL = """
WITH moved AS MATERIALIZED (
    SELECT coalesce(c.model_key, o.model_key) AS model_key, c.version_id AS new_version, o.version_id AS old_version
    FROM (SELECT model_key, version_id FROM snapshot_models WHERE snapshot_id = $new) c
    FULL JOIN (SELECT model_key, version_id FROM snapshot_models WHERE snapshot_id = $old) o
           ON c.model_key = o.model_key
    WHERE c.version_id IS DISTINCT FROM o.version_id
)
SELECT m.model_key, m.old_version IS NULL AS added, m.new_version IS NULL AS removed,
       coalesce(n.base_models, []) IS DISTINCT FROM coalesce(o.base_models, []) AS bases_changed
FROM moved m
LEFT JOIN (SELECT version_id, base_models FROM model_versions
           WHERE version_id IN (SELECT new_version FROM moved)) n ON n.version_id = m.new_version
LEFT JOIN (SELECT version_id, base_models FROM model_versions
           WHERE version_id IN (SELECT old_version FROM moved)) o ON o.version_id = m.old_version
"""


@dataclass(frozen=True)
class _Changes:
    """What differs between a snapshot and the one before it (model keys)."""

    previous: int  # the earlier snapshot's id
    bases_changed: IntArray  # models whose list of bases differs (absent = no bases)
    added: IntArray  # models in this snapshot only
    removed: IntArray  # models in the earlier snapshot only


def _changes(connection: duckdb.DuckDBPyConnection, snapshot_id: int, model_count: int) -> _Changes | None:
    """The changes since the previous snapshot, or None when the whole tree is to be resolved."""
    rows = connection.execute("SELECT max(snapshot_id) FROM snapshots WHERE snapshot_id < ?", [snapshot_id]).fetchall()
    previous = rows[0][0]
    if previous is None:
        return None
    moved = connection.execute(_CHANGED_SQL, {"new": snapshot_id, "old": int(previous)}).fetchnumpy()
    if len(moved["model_key"]) > CARRY_OVER_MAX_CHANGED * max(model_count, 1):
        return None
    keys = np.asarray(moved["model_key"], dtype=np.int64)
    return _Changes(
        previous=int(previous),
        bases_changed=keys[np.asarray(moved["bases_changed"], dtype=bool)],
        added=keys[np.asarray(moved["added"], dtype=bool)],
        removed=keys[np.asarray(moved["removed"], dtype=bool)],
    )


def _grow(mask: npt.NDArray[np.bool_], source: IntArray, target: IntArray) -> None:
    """Mark, in place, every node reachable from a marked one along the edges source -> target."""
    while True:
        grown = mask[source] & ~mask[target]
        if not grown.any():
            return
        mask[target[grown]] = True


def _present(keys: IntArray, nodes: IntArray, index: IntArray) -> IntArray:
    """The node indices of those ``keys`` that are nodes of the graph."""
    keys = keys[keys < len(index)]
    found: IntArray = index[keys]
    present: IntArray = found[nodes[found] == keys]
    return present


def _resolve_changed(
    nodes: IntArray, index: IntArray, child: IntArray, parent: IntArray, model_keys: IntArray, changes: _Changes
) -> tuple[RootAssignment, IntArray]:
    """Roots of the models whose result may differ from the previous snapshot's, on the part of the graph they
    reach: the models that changed their bases, every model that leads to one of them, and the added models.
    Returns the assignment (node indices) and the keys of the models it covers."""
    n = len(nodes)
    leads_to_change = np.zeros(n, dtype=bool)
    leads_to_change[_present(changes.bases_changed, nodes, index)] = True
    _grow(leads_to_change, parent, child)  # a child of a marked node leads to the change too
    models = index[model_keys]
    wanted = sorted_unique(np.concatenate([models[leads_to_change[models]], _present(changes.added, nodes, index)]))
    reached = np.zeros(n, dtype=bool)
    reached[wanted] = True
    _grow(reached, child, parent)  # everything the wanted models lead to, with all its edges
    part = np.flatnonzero(reached)  # in key order: a cycle's smallest member stays its smallest key
    local = np.full(n, -1, dtype=np.int64)
    local[part] = np.arange(len(part), dtype=np.int64)
    inside = reached[child]
    assignment = resolve_roots(len(part), local[child[inside]], local[parent[inside]], local[wanted])
    mapped = RootAssignment(
        model=part[assignment.model],
        root=part[assignment.root],
        credit=assignment.credit,
        is_primary=assignment.is_primary,
        depth=assignment.depth,
        in_cycle=assignment.in_cycle,
        merges=assignment.merges,
        in_cycles=assignment.in_cycles,
    )
    return mapped, nodes[wanted]


def resolve_tree(
    connection: duckdb.DuckDBPyConnection,
    snapshot_id: int,
    progress: ProgressSink | None = None,
    *,
    with_stats: bool = True,
) -> TreeStats | None:
    """Fill ``model_tree`` and ``root_ecosystem`` for one snapshot (inside the caller's transaction).

    Rows are written in model_key order, as ``snapshot_models`` is: a day's tree then costs little storage. The
    rows of models whose bases, and whose bases' bases, did not change since the previous snapshot are copied
    from it (:data:`CARRY_OVER_MAX_CHANGED`). The statistics of a carried-over tree cost a query over the whole
    snapshot: without ``with_stats`` it returns None then.
    """
    progress = progress or NoProgress()
    progress.start("resolve the model tree", 4)
    keys = connection.execute(
        "SELECT model_key FROM snapshot_models WHERE snapshot_id = ?", [snapshot_id]
    ).fetchnumpy()["model_key"]
    edges = connection.execute(_EDGES_SQL, [snapshot_id]).fetchnumpy()
    child_keys = np.asarray(edges["child"], dtype=np.int64)
    parent_keys = np.asarray(edges["parent"], dtype=np.int64)
    model_keys = np.asarray(keys, dtype=np.int64)
    nodes, index = dense_index(np.concatenate([model_keys, parent_keys]))
    child, parent = index[child_keys], index[parent_keys]
    changes = _changes(connection, snapshot_id, len(model_keys))
    progress.advance()
    carried: tuple[int, IntArray] | None = None  # the previous snapshot, and the keys not carried over from it
    if changes is None:
        assignment = resolve_roots(len(nodes), child, parent, index[model_keys])
    else:
        assignment, redone = _resolve_changed(nodes, index, child, parent, model_keys, changes)
        carried = changes.previous, np.concatenate([redone, changes.removed])
    tree = pa.table(
        {
            "model_key": pa.array(nodes[assignment.model], pa.int32()),
            "root_key": pa.array(nodes[assignment.root], pa.int32()),
            "credit": assignment.credit,
            "is_primary": assignment.is_primary,
            "depth": pa.array(assignment.depth, pa.int32()),
            "in_cycle": assignment.in_cycle,
        }
    )
    progress.advance()
    _write_tree(connection, snapshot_id, tree, carried)
    progress.advance()
    _write_ecosystem(connection, snapshot_id)
    progress.advance()
    if changes is not None and not with_stats:
        return None
    return _stats(connection, snapshot_id, len(keys), len(nodes), child, assignment if changes is None else None)


def _write_tree(
    connection: duckdb.DuckDBPyConnection,
    snapshot_id: int,
    tree: pa.Table,
    carried: tuple[int, IntArray] | None,
) -> None:
    """Write the snapshot's ``model_tree`` rows in model_key order: all of them resolved now, or (``carried``: the
    previous snapshot and the keys not carried over) its rows but for the models resolved again and those no longer
    in the snapshot."""
    connection.register("resolved_tree", tree)
    if carried is None:
        connection.execute(
            """
            INSERT INTO model_tree
            SELECT ?, model_key, root_key, credit, is_primary, depth,
                   CASE WHEN in_cycle THEN 'cycle' END
            FROM resolved_tree ORDER BY model_key
            """,
            [snapshot_id],
        )
    else:
        # The previous snapshot's rows, but for the models resolved again and those no longer in this snapshot.
        previous, not_carried = carried
        dropped = pa.table({"model_key": pa.array(not_carried, pa.int32())})
        connection.register("dropped_keys", dropped)
        connection.execute(
            """
            INSERT INTO model_tree
            SELECT $new, model_key, root_key, credit, is_primary, depth, issue
            FROM (SELECT t.model_key, t.root_key, t.credit, t.is_primary, t.depth, t.issue
                  FROM model_tree t ANTI JOIN dropped_keys d ON d.model_key = t.model_key
                  WHERE t.snapshot_id = $old
                  UNION ALL
                  SELECT model_key, root_key, credit, is_primary, depth, CASE WHEN in_cycle THEN 'cycle' END
                  FROM resolved_tree)
            ORDER BY model_key
            """,
            {"new": snapshot_id, "old": previous},
        )
        connection.unregister("dropped_keys")
    connection.unregister("resolved_tree")


def _write_ecosystem(connection: duckdb.DuckDBPyConnection, snapshot_id: int) -> None:
    """Each root's derivatives by relation (a merge: two or more bases) and the downloads they draw."""
    connection.execute(
        """
        INSERT INTO root_ecosystem
        SELECT t.snapshot_id, t.root_key,
               count(*) FILTER (WHERE relation = 'finetune'),
               count(*) FILTER (WHERE relation = 'quantized'),
               count(*) FILTER (WHERE relation = 'adapter'),
               count(*) FILTER (WHERE relation = 'merge'),
               count(*) FILTER (WHERE relation = 'unspecified'),
               sum(sm.downloads_30d * t.credit)
        FROM model_tree t
        JOIN snapshot_models sm ON sm.snapshot_id = t.snapshot_id AND sm.model_key = t.model_key
        JOIN (
            SELECT version_id,
                   CASE WHEN len(base_models) >= 2 THEN 'merge' ELSE base_models[1].relation END AS relation
            FROM model_versions
        ) v ON v.version_id = sm.version_id
        WHERE t.snapshot_id = ? AND t.model_key <> t.root_key
        GROUP BY t.snapshot_id, t.root_key
        """,
        [snapshot_id],
    )


def _stats(
    connection: duckdb.DuckDBPyConnection,
    snapshot_id: int,
    models: int,
    nodes: int,
    child: IntArray,
    assignment: RootAssignment | None,
) -> TreeStats:
    """The tree's statistics: from the assignment where the whole tree was resolved now, else by a query over the
    stored snapshot (a carried-over tree)."""
    if assignment is not None:
        roots = int(np.count_nonzero(np.bincount(assignment.root))) if len(assignment.root) else 0
        in_cycles = len(sorted_unique(assignment.model[assignment.in_cycle]))
        max_depth = int(assignment.depth.max()) if len(assignment.depth) else 0
    else:
        roots, in_cycles, max_depth = connection.execute(
            """SELECT count(DISTINCT root_key), count(DISTINCT model_key) FILTER (WHERE issue = 'cycle'),
                      coalesce(max(depth), 0)
               FROM model_tree WHERE snapshot_id = ?""",
            [snapshot_id],
        ).fetchall()[0]
    parent_count = np.bincount(child, minlength=nodes) if len(child) else np.zeros(0, dtype=np.int64)
    return TreeStats(
        models=models,
        roots=int(roots),
        merges=int((parent_count >= 2).sum()),
        in_cycles=int(in_cycles),
        max_depth=int(max_depth),
    )
