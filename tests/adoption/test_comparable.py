"""Shares of two snapshots are compared only on a scope both hold (issue #10, docs/provenance.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from huggingface_hub import HfApi

from modelrace.adoption import build_adoption, comparability
from modelrace.hub import SyncOptions, import_hub_json, sync_hub
from modelrace.replay import ReplayHub, replay_hub
from modelrace.store import Selection, SnapshotInfo, Warehouse


@pytest.fixture
def hub(edge_cases: dict[str, list[Any]]) -> Iterator[ReplayHub]:
    with replay_hub(edge_cases["valid"]) as running:
        yield running


def _file(
    warehouse: Warehouse, tmp_path: Path, models: list[dict[str, Any]], when: datetime, selection: Selection
) -> SnapshotInfo:
    path = tmp_path / f"models-{when:%Y%m%d}.json"
    path.write_text(json.dumps(models))
    return import_hub_json(warehouse, path, taken_at=when, selection=selection)[0]


def _sync(warehouse: Warehouse, hub: ReplayHub, **options: Any) -> SnapshotInfo:
    return sync_hub(warehouse, SyncOptions(**options), api=HfApi(endpoint=hub.endpoint)).snapshot


def test_never_across_a_subset(warehouse: Warehouse, tmp_path: Path, edge_cases: dict[str, Any]) -> None:
    # Before: a 2024 top-downloads listing and a 2026 subset gave "China gained 48.2 percentage points".
    top = _file(warehouse, tmp_path, edge_cases["valid"], datetime(2024, 9, 20), "top-downloads")
    subset = _file(warehouse, tmp_path, edge_cases["valid"][:20], datetime(2026, 5, 20), "subset")
    checked = comparability(warehouse.connection, subset, top)
    assert not checked.comparable and checked.scope is None
    assert f"snapshot {subset.snapshot_id}" in (checked.reason or "") and "subset of unknown selection" in (
        checked.reason or ""
    )
    figures = build_adoption(warehouse)
    change = figures.adoption.change
    assert change is not None and not change.comparable and change.reason == checked.reason
    assert change.by_country.gains == [] and change.by_country.losses == []
    texts = [h.text for h in figures.headlines]
    assert not any("gained" in t for t in texts)
    assert any(t.startswith(f"Shares are not compared with snapshot {top.snapshot_id} (2024-09-20)") for t in texts)
    assert [p.snapshot.id for p in figures.adoption.history] == [subset.snapshot_id]  # no point across the subset
    assert figures.adoption.history_left_out[0].snapshot == top.snapshot_id
    json.dumps(figures.to_json())


def test_a_top_k_sync_against_a_declared_listing_compares_the_top_k_of_each(
    warehouse: Warehouse, tmp_path: Path, edge_cases: dict[str, Any], hub: ReplayHub
) -> None:
    listing = _file(warehouse, tmp_path, edge_cases["valid"], datetime(2024, 9, 20), "top-downloads")
    top5 = _sync(warehouse, hub, limit=5)
    checked = comparability(warehouse.connection, top5, listing)
    assert checked.comparable and checked.scope is not None
    assert (checked.scope.pipeline_tags, checked.scope.author, checked.scope.top_k) == (["text-generation"], None, 5)
    assert checked.scope.words == "the top 5 text-generation models by 30-day downloads of each snapshot"
    change = build_adoption(warehouse, since=listing.snapshot_id).adoption.change
    assert change is not None and change.comparable and change.scope == checked.scope


def test_a_qwen_only_sync_is_compared_on_qwen_and_kept_out_of_the_full_history(
    warehouse: Warehouse, edge_cases: dict[str, Any], hub: ReplayHub
) -> None:
    # Before: the history chart plotted a Qwen-only snapshot as 100 % China between two full listings.
    _sync(warehouse, hub)
    qwen = _sync(warehouse, hub, author="Qwen")
    full = _sync(warehouse, hub)
    checked = comparability(warehouse.connection, full, qwen)
    assert checked.comparable and checked.scope is not None and checked.scope.author == "Qwen"
    adoption = build_adoption(warehouse).adoption
    assert [p.snapshot.id for p in adoption.history] == [1, full.snapshot_id]
    assert [row.snapshot for row in adoption.history_left_out] == [qwen.snapshot_id]
    assert "Qwen" in adoption.history_left_out[0].reason
    assert adoption.change is not None and adoption.change.since.id == qwen.snapshot_id
    assert adoption.change.scope is not None and adoption.change.scope.author == "Qwen"


def test_different_tags_or_authors_are_not_comparable(warehouse: Warehouse, hub: ReplayHub) -> None:
    text = _sync(warehouse, hub)
    embeddings = _sync(warehouse, hub, pipeline_tags=("feature-extraction",))
    qwen = _sync(warehouse, hub, author="Qwen")
    meta = _sync(warehouse, hub, author="meta-llama")
    assert "no pipeline tag in common" in (comparability(warehouse.connection, embeddings, text).reason or "")
    assert "different authors" in (comparability(warehouse.connection, meta, qwen).reason or "")


def test_a_full_listing_against_a_top_100_is_compared_on_the_top_100(
    warehouse: Warehouse, tmp_path: Path, edge_cases: dict[str, Any], hub: ReplayHub
) -> None:
    # Before: `report --since` compared a top-100 with a full listing without a word.
    top = _sync(warehouse, hub, limit=3)
    full = _sync(warehouse, hub)
    figures = build_adoption(warehouse, since=top.snapshot_id)
    change = figures.adoption.change
    assert change is not None and change.scope is not None and change.scope.top_k == 3
    assert any(h.text.startswith("On the top 3 text-generation models") for h in figures.headlines) or not (
        change.by_country.gains
    )
    assert full.selection == "complete"


def test_low_country_coverage_is_stated_with_the_share_among_the_known(
    warehouse: Warehouse, tmp_path: Path, edge_cases: dict[str, Any]
) -> None:
    models = [dict(m) for m in edge_cases["valid"]]
    models.append({"id": "nobody-knows/huge", "downloads": 200_000_000, "pipeline_tag": "text-generation"})
    _file(warehouse, tmp_path, models, datetime(2025, 1, 1), "complete")
    figures = build_adoption(warehouse)
    coverage = figures.adoption.coverage
    assert coverage is not None and coverage.country < 0.8
    lead = next(h for h in figures.headlines if h.text.startswith("Families from"))
    assert f"known for only {coverage.country * 100:.1f} %" in lead.text
    assert lead.figures["share_among_known"] == pytest.approx(lead.figures["share"] / coverage.country)
