"""Roots of a graph of base-model edges, as pure vectorised functions (numpy): no warehouse, no SQL.

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

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


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


def dense_index(keys: IntArray) -> tuple[IntArray, IntArray]:
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
