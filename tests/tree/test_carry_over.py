"""A snapshot's tree carried over from the one before it equals the tree resolved whole (issue #15).

Two random snapshots of a small catalogue (chains, merges, cycles, self-loops, bases that are not in the
catalogue; the second day changes some models' bases, drops some models and adds others, some of them ids the
first day only referenced) are written twice: once with every tree resolved whole, once with the second day's
tree carried over. Both warehouses must hold the same tree and the same root ecosystems.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import modelrace.tree._resolve as resolve
from modelrace.hub import Provenance
from modelrace.hub._ingest import SnapshotWriter
from modelrace.store import Warehouse

IDS = [f"org/m{i}" for i in range(12)]
RELATIONS = ["finetune", "quantized", "adapter", "merge"]

bases = st.lists(st.tuples(st.sampled_from(IDS), st.sampled_from(RELATIONS)), max_size=3, unique_by=lambda b: b[0])


@st.composite
def two_days(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two catalogues {model id: its bases}; ids outside the first day's catalogue may still be named as bases."""
    first = {model_id: draw(bases) for model_id in draw(st.sets(st.sampled_from(IDS), min_size=1, max_size=9))}
    second: dict[str, Any] = {}
    for model_id, listed in first.items():
        fate = draw(st.sampled_from(["keep", "keep", "keep", "change", "drop"]))
        if fate != "drop":
            second[model_id] = listed if fate == "keep" else draw(bases)
    for model_id in draw(st.sets(st.sampled_from(IDS), max_size=3)):
        second.setdefault(model_id, draw(bases))
    return first, second


def _records(catalogue: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"id": model_id, "downloads": 10 + i, "tags": [f"base_model:{relation}:{base}" for base, relation in listed]}
        for i, (model_id, listed) in enumerate(sorted(catalogue.items()))
    ]


def _write(warehouse: Warehouse, catalogue: dict[str, Any]) -> None:
    with SnapshotWriter(warehouse, Provenance("hub-json"), allow_partial=True) as writer:
        writer.add_many(_records(catalogue))
        writer.commit()


def _contents(warehouse: Warehouse, snapshot_id: int) -> tuple[list[Any], list[Any]]:
    tree = warehouse.connection.execute(
        """SELECT m.model_id, r.model_id, round(t.credit, 9), t.is_primary, t.depth, t.issue
           FROM model_tree t JOIN models m ON m.model_key = t.model_key JOIN models r ON r.model_key = t.root_key
           WHERE t.snapshot_id = ? ORDER BY ALL""",
        [snapshot_id],
    ).fetchall()
    ecosystem = warehouse.connection.execute(
        # Downloads are credit-weighted sums of doubles: equal up to the order of their additions.
        """SELECT r.model_id, e.* EXCLUDE (snapshot_id, root_key, derivative_downloads_30d),
                  round(e.derivative_downloads_30d, 6)
           FROM root_ecosystem e JOIN models r ON r.model_key = e.root_key WHERE e.snapshot_id = ? ORDER BY ALL""",
        [snapshot_id],
    ).fetchall()
    return tree, ecosystem


def _both_days(path: Path, days: tuple[dict[str, Any], dict[str, Any]], share: float) -> tuple[list[Any], ...]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(resolve, "CARRY_OVER_MAX_CHANGED", share)
        with Warehouse.open(path) as warehouse:
            for catalogue in days:
                _write(warehouse, catalogue)
            return (*_contents(warehouse, 1), *_contents(warehouse, 2))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(days=two_days())
def test_a_carried_over_tree_equals_the_tree_resolved_whole(
    tmp_path_factory: pytest.TempPathFactory, days: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    folder = tmp_path_factory.mktemp("carry")
    carried: list[int] = []
    original = resolve._resolve_changed

    def counting(*args: Any) -> Any:
        carried.append(1)
        return original(*args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(resolve, "_resolve_changed", counting)
        incremental = _both_days(folder / "carried.duckdb", days, share=float("inf"))
    assert carried == [1], "the second day's tree was carried over"
    whole = _both_days(folder / "whole.duckdb", days, share=-1.0)
    assert incremental == whole


def test_a_snapshot_with_many_changes_is_resolved_whole(warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = resolve._resolve_changed

    def counting(*args: Any) -> Any:
        calls.append(1)
        return original(*args)

    monkeypatch.setattr(resolve, "_resolve_changed", counting)
    _write(warehouse, {"org/m0": [], "org/m1": [("org/m0", "finetune")]})
    _write(warehouse, {"org/m0": [], "org/m1": [("org/m0", "finetune")]})
    assert calls == [1]  # nothing changed: carried over
    _write(warehouse, {"org/m0": [("org/m2", "merge")], "org/m1": [], "org/m3": []})
    assert calls == [1]  # every model changed: resolved whole
    tree, _ = _contents(warehouse, 3)
    assert [row[:2] for row in tree] == [("org/m0", "org/m2"), ("org/m1", "org/m1"), ("org/m3", "org/m3")]
