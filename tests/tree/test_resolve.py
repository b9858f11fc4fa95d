from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from modelrace.tree import resolve_roots


def roots_of(n: int, edges: list[tuple[int, int]], wanted: list[int] | None = None) -> dict[int, dict[int, float]]:
    """Run the resolver; return {model: {root: credit}} plus checks common to every case."""
    edges = sorted(edges, key=lambda e: e[0])  # stable: keeps declaration order per child
    child = np.array([c for c, _ in edges], dtype=np.int64)
    parent = np.array([p for _, p in edges], dtype=np.int64)
    wanted_arr = np.array(wanted if wanted is not None else list(range(n)), dtype=np.int64)
    result = resolve_roots(n, child, parent, wanted_arr)
    out: dict[int, dict[int, float]] = {}
    for model, root, credit in zip(result.model, result.root, result.credit, strict=True):
        out.setdefault(int(model), {})[int(root)] = float(credit)
    primaries = {int(m) for m, p in zip(result.model, result.is_primary, strict=True) if p}
    assert primaries == set(out), "every model has exactly one primary root"
    assert sum(result.is_primary) == len(out)
    return out


def test_chain_and_missing_parent() -> None:
    # 0 <- 1 <- 2 ; 3 -> 4 where 4 is a referenced-but-missing base (not wanted): it is the root.
    out = roots_of(5, [(1, 0), (2, 1), (3, 4)], wanted=[0, 1, 2, 3])
    assert out == {0: {0: 1.0}, 1: {0: 1.0}, 2: {0: 1.0}, 3: {4: 1.0}}


def test_depth_counts_edges() -> None:
    n = 50
    result = resolve_roots(n, np.arange(1, n), np.arange(0, n - 1), np.arange(n))
    assert result.depth.tolist() == list(range(n))
    assert set(result.root.tolist()) == {0}


def test_merge_splits_credit_equally_then_follows_each_parent() -> None:
    # 0 and 1 are roots; 2 is a finetune of 0; 3 merges 2 and 1; 4 quantizes 3; 5 merges 3 and 0.
    out = roots_of(6, [(2, 0), (3, 2), (3, 1), (4, 3), (5, 3), (5, 0)])
    assert out[3] == {0: 0.5, 1: 0.5}
    assert out[4] == {0: 0.5, 1: 0.5}
    assert out[5] == {0: 0.75, 1: 0.25}


def test_primary_root_of_a_tied_merge_is_the_first_listed_parent() -> None:
    result = resolve_roots(3, np.array([2, 2]), np.array([1, 0]), np.array([2]))
    primary = [int(r) for r, p in zip(result.root, result.is_primary, strict=True) if p]
    assert primary == [1]


def test_cycles_are_reported_and_resolved_deterministically() -> None:
    # 0 <-> 1 is a cycle; 2 leads into it; 3 is its own base; 4 is fine.
    result = resolve_roots(5, np.array([0, 1, 2, 3]), np.array([1, 0, 0, 3]), np.arange(5))
    roots = dict(zip(result.model.tolist(), result.root.tolist(), strict=True))
    cycle = dict(zip(result.model.tolist(), result.in_cycle.tolist(), strict=True))
    assert roots[0] == roots[1] == roots[2] == 0
    assert roots[3] == 3 and roots[4] == 4
    assert cycle == {0: True, 1: True, 2: True, 3: True, 4: False}
    assert result.in_cycles == 4


def test_cycle_through_a_merge_terminates() -> None:
    # 2 merges 0 and 3; 3 is a finetune of 2: a loop through a merge.
    out = roots_of(4, [(2, 0), (2, 3), (3, 2)])
    assert abs(sum(out[2].values()) - 1) < 1e-9
    assert abs(sum(out[3].values()) - 1) < 1e-9


def reference_roots(n: int, edges: list[tuple[int, int]]) -> dict[int, dict[int, float]]:
    """Slow, obviously-correct resolution for acyclic graphs: recursive credit splitting."""
    parents: dict[int, list[int]] = {}
    for c, p in edges:
        parents.setdefault(c, []).append(p)
    memo: dict[int, dict[int, float]] = {}

    def solve(node: int) -> dict[int, float]:
        if node in memo:
            return memo[node]
        bases = parents.get(node, [])
        if not bases:
            memo[node] = {node: 1.0}
            return memo[node]
        total: dict[int, float] = {}
        for base in bases:
            for root, share in solve(base).items():
                total[root] = total.get(root, 0.0) + share / len(bases)
        memo[node] = total
        return total

    return {node: solve(node) for node in range(n)}


@st.composite
def dags(draw: st.DrawFn) -> tuple[int, list[tuple[int, int]]]:
    n = draw(st.integers(1, 40))
    edges = []
    for child in range(1, n):
        count = min(child, draw(st.sampled_from([0, 1, 1, 1, 2, 3])))
        bases = draw(st.lists(st.integers(0, child - 1), min_size=count, max_size=count, unique=True))
        edges += [(child, base) for base in bases]
    return n, edges


@settings(max_examples=300, deadline=None)
@given(dags())
def test_matches_reference_on_random_dags(graph: tuple[int, list[tuple[int, int]]]) -> None:
    n, edges = graph
    got = roots_of(n, edges)
    want = reference_roots(n, edges)
    assert set(got) == set(want)
    for node, shares in want.items():
        assert set(got[node]) == set(shares)
        for root, share in shares.items():
            assert abs(got[node][root] - share) < 1e-9


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 30).flatmap(
        lambda n: st.tuples(st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60))
    )
)
def test_any_graph_gives_every_model_credit_summing_to_one(graph: tuple[int, list[tuple[int, int]]]) -> None:
    n, edges = graph
    edges = list(dict.fromkeys(edges))  # a base is listed once per child
    out = roots_of(n, edges)
    assert set(out) == set(range(n))
    for shares in out.values():
        assert abs(sum(shares.values()) - 1.0) < 1e-9
