"""Resolve every model of a snapshot to its root model(s), fast enough for the whole Hub.

Rules (documented in docs/model-tree.md):
* A model without base models is a root. A base model that is referenced but not in the catalog (not
  synced, deleted, private) still has a known id, so it becomes the root: the last known id of the chain.
* A model with one base follows it; the chain is followed by pointer jumping (O(n log depth), numpy).
* A model with several bases (a merge) splits its credit equally among its bases, and each base passes its
  share on to its own roots. The primary root is the one with the largest share (first-listed on ties).
* A cycle (A's base is B, B's base is A, or a model listing itself) is reported: every model that leads into
  it gets as root the cycle's member with the smallest key, and the issue ``cycle``.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from modelrace._progress import NoProgress, ProgressSink

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class TreeStats:
    """What one resolution found."""

    models: int
    roots: int
    merges: int
    in_cycles: int  # models with a row flagged as leading into a cycle
    max_depth: int


@dataclass(frozen=True)
class RootAssignment:
    """Columns of the model-to-root table (one row per model and root), as numpy arrays of node indices."""

    model: IntArray
    root: IntArray
    credit: npt.NDArray[np.float64]
    is_primary: npt.NDArray[np.bool_]
    depth: IntArray
    in_cycle: npt.NDArray[np.bool_]
    merges: int
    in_cycles: int


def resolve_roots(node_count: int, child: IntArray, parent: IntArray, wanted: IntArray) -> RootAssignment:
    """Roots for the nodes ``wanted`` of a graph of ``node_count`` nodes with edges child -> parent.

    Edges must be in the children's declaration order (the first edge of a child is its first base).
    """
    child = np.asarray(child, dtype=np.int64)
    parent = np.asarray(parent, dtype=np.int64)
    wanted = np.asarray(wanted, dtype=np.int64)
    n = node_count
    identity = np.arange(n, dtype=np.int64)
    parent_count = np.bincount(child, minlength=n) if len(child) else np.zeros(n, dtype=np.int64)
    single_edge = parent_count[child] == 1
    step = identity.copy()
    step[child[single_edge]] = parent[single_edge]
    is_terminal = parent_count != 1
    self_loop = np.zeros(n, dtype=bool)
    self_loop[child[single_edge & (child == parent)]] = True

    # Pointer jumping: after k rounds each node points 2^k steps up its single-parent chain (or to the end).
    anchor = step.copy()
    depth = (step != identity).astype(np.int64)
    for _ in range(max(1, math.ceil(math.log2(max(n, 2)))) + 1):
        jumped = anchor[anchor]
        if np.array_equal(jumped, anchor):  # every chain has reached its end (or is circling a cycle)
            break
        depth = depth + depth[anchor]
        anchor = jumped
    reaches_cycle = ~is_terminal[anchor] | self_loop[anchor]

    cycle_root = _cycle_roots(step, anchor, reaches_cycle)
    merge_roots, merge_depth, merge_cycle = _merge_roots(
        parent_count, child, parent, anchor, depth, reaches_cycle, cycle_root
    )

    rows_model: list[IntArray] = []
    rows_root: list[IntArray] = []
    rows_credit: list[npt.NDArray[np.float64]] = []
    rows_primary: list[npt.NDArray[np.bool_]] = []
    rows_depth: list[IntArray] = []
    rows_cycle: list[npt.NDArray[np.bool_]] = []

    wanted_anchor = anchor[wanted]
    via_merge = parent_count[wanted_anchor] >= 2
    via_merge &= ~reaches_cycle[wanted]
    plain = wanted[~via_merge]
    plain_anchor = anchor[plain]
    plain_cycle = reaches_cycle[plain]
    rows_model.append(plain)
    rows_root.append(np.where(plain_cycle, cycle_root[plain], plain_anchor))
    rows_credit.append(np.ones(len(plain)))
    rows_primary.append(np.ones(len(plain), dtype=bool))
    rows_depth.append(np.where(plain_cycle, 0, depth[plain]))
    rows_cycle.append(plain_cycle)

    merged: list[tuple[int, int, float, bool, int, bool]] = []
    for node in wanted[via_merge].tolist():
        merge = int(anchor[node])
        shares = merge_roots[merge]
        best = max(shares.values())
        primary_root = next(root for root, share in shares.items() if share == best)
        for root, share in shares.items():
            node_depth = int(depth[node]) + merge_depth[merge]
            merged.append((node, root, share, root == primary_root, node_depth, merge_cycle[merge]))
    if merged:
        columns = list(zip(*merged, strict=True))
        rows_model.append(np.array(columns[0], dtype=np.int64))
        rows_root.append(np.array(columns[1], dtype=np.int64))
        rows_credit.append(np.array(columns[2], dtype=np.float64))
        rows_primary.append(np.array(columns[3], dtype=bool))
        rows_depth.append(np.array(columns[4], dtype=np.int64))
        rows_cycle.append(np.array(columns[5], dtype=bool))

    return RootAssignment(
        model=np.concatenate(rows_model),
        root=np.concatenate(rows_root),
        credit=np.concatenate(rows_credit),
        is_primary=np.concatenate(rows_primary),
        depth=np.concatenate(rows_depth),
        in_cycle=np.concatenate(rows_cycle),
        merges=int((parent_count >= 2).sum()),
        in_cycles=int(reaches_cycle[wanted].sum()),
    )


def sorted_unique(values: IntArray) -> IntArray:
    """Sorted distinct values (numpy 2.x's hash-based ``np.unique`` is several times slower here)."""
    ordered = np.sort(values)
    if len(ordered) == 0:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _dense_index(keys: IntArray) -> tuple[IntArray, IntArray]:
    """The distinct keys in order, and for every key up to the largest its place among them (model keys are
    small dense integers: a lookup array instead of a sort and binary searches)."""
    if len(keys) == 0:
        return keys, keys
    present = np.zeros(int(keys.max()) + 1, dtype=bool)
    present[keys] = True
    return np.flatnonzero(present), np.cumsum(present, dtype=np.int64) - 1


def _cycle_roots(step: IntArray, anchor: IntArray, reaches_cycle: npt.NDArray[np.bool_]) -> IntArray:
    """For nodes leading into a single-parent cycle, the cycle's smallest member; -1 elsewhere."""
    result = np.full(len(step), -1, dtype=np.int64)
    representative: dict[int, int] = {}
    for start in sorted_unique(anchor[reaches_cycle]).tolist():
        if start in representative:
            continue
        members = [start]
        node = int(step[start])
        while node != start:
            members.append(node)
            node = int(step[node])
        smallest = min(members)
        for member in members:
            representative[member] = smallest
    nodes = np.flatnonzero(reaches_cycle)
    result[nodes] = [representative[a] for a in anchor[nodes].tolist()]
    return result


def _merge_roots(
    parent_count: IntArray,
    child: IntArray,
    parent: IntArray,
    anchor: IntArray,
    depth: IntArray,
    reaches_cycle: npt.NDArray[np.bool_],
    cycle_root: IntArray,
) -> tuple[dict[int, dict[int, float]], dict[int, int], dict[int, bool]]:
    """Share of credit per root for every merge node (a few percent of models: plain Python suffices)."""
    merge_mask = parent_count[child] >= 2
    parents_of: dict[int, list[int]] = {}
    for c, p in zip(child[merge_mask].tolist(), parent[merge_mask].tolist(), strict=True):
        parents_of.setdefault(c, []).append(p)
    shares: dict[int, dict[int, float]] = {}
    merge_depth: dict[int, int] = {}
    merge_cycle: dict[int, bool] = {}
    visiting: set[int] = set()

    def solve(merge: int) -> None:
        visiting.add(merge)
        result: dict[int, float] = {}
        bases = parents_of[merge]
        weight = 1.0 / len(bases)
        cycle = False
        first_depth = 0
        for position, base in enumerate(bases):
            end = int(anchor[base])
            if reaches_cycle[base]:
                found: dict[int, float] = {int(cycle_root[base]): 1.0}
                cycle, extra = True, 0
            elif parent_count[end] >= 2:
                if end in visiting:  # a cycle through merges: the merge is its own root
                    found, cycle, extra = {merge: 1.0}, True, 0
                else:
                    if end not in shares:
                        solve(end)
                    found, extra = shares[end], merge_depth[end]
                    cycle = cycle or merge_cycle[end]
            else:
                found, extra = {end: 1.0}, 0
            if position == 0:
                first_depth = 1 + int(depth[base]) + extra
            for root, share in found.items():
                result[root] = result.get(root, 0.0) + weight * share
        visiting.discard(merge)
        shares[merge] = result
        merge_depth[merge] = first_depth
        merge_cycle[merge] = cycle

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000 + 4 * len(parents_of)))
    try:
        for merge in parents_of:
            if merge not in shares:
                solve(merge)
    finally:
        sys.setrecursionlimit(limit)
    return shares, merge_depth, merge_cycle


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
    nodes, index = _dense_index(np.concatenate([model_keys, parent_keys]))
    child, parent = index[child_keys], index[parent_keys]
    changes = _changes(connection, snapshot_id, len(model_keys))
    progress.advance()
    if changes is None:
        assignment = resolve_roots(len(nodes), child, parent, index[model_keys])
    else:
        assignment, redone = _resolve_changed(nodes, index, child, parent, model_keys, changes)
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
    connection.register("resolved_tree", tree)
    if changes is None:
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
        dropped = pa.table({"model_key": pa.array(np.concatenate([redone, changes.removed]), pa.int32())})
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
            {"new": snapshot_id, "old": changes.previous},
        )
        connection.unregister("dropped_keys")
    connection.unregister("resolved_tree")
    progress.advance()
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
    progress.advance()
    if changes is not None and not with_stats:
        return None
    if changes is None:
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
    parent_count = np.bincount(child, minlength=len(nodes)) if len(child) else np.zeros(0, dtype=np.int64)
    return TreeStats(
        models=len(keys),
        roots=int(roots),
        merges=int((parent_count >= 2).sum()),
        in_cycles=int(in_cycles),
        max_depth=int(max_depth),
    )
