from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest

from modelrace.adoption import (
    EcosystemRow,
    Scope,
    ShareRow,
    attribute_snapshot,
    build_adoption,
    concentration,
    download_shares,
    ecosystem,
    ecosystem_totals,
    hhi_label,
    movers,
    size_classes,
    totals,
)
from modelrace.hub import import_hub_json
from modelrace.store import Warehouse, resolve_snapshot

R = TypeVar("R", ShareRow, EcosystemRow)


def scope(warehouse: Warehouse, include_fixtures: bool = False, ref: str | None = None) -> Scope:
    snapshot = resolve_snapshot(warehouse, ref)
    table = attribute_snapshot(warehouse.connection, snapshot.snapshot_id)
    return Scope(warehouse.connection, table, snapshot, include_fixtures)


def by(rows: Sequence[R], column: str) -> dict[str, R]:
    """Rows by their breakdown's value (``column`` names it, as the rows' JSON does)."""
    assert all(r.column == column for r in rows)
    return {r.key: r for r in rows}


def test_root_view_credits_derivatives_to_the_original(two_snapshots: Warehouse, edge_cases: dict[str, Any]) -> None:
    s = scope(two_snapshots)
    families = by(download_shares(s, "family", "root"), "family")
    downloads = {m["id"]: m["downloads"] for m in edge_cases["valid"]}
    qwen = (
        downloads["Qwen/Qwen2.5-7B"]
        + downloads["Qwen/Qwen2.5-7B-Instruct"]
        + downloads["bartowski/Qwen2.5-7B-Instruct-GGUF"]
        + downloads["someone/lora-on-qwen"]
        + downloads["Qwen/Qwen3-235B-A22B"]
        + downloads["someone/qwen-llama-merge"] / 2
        + downloads["someone/merge-of-merge"] / 4
    )
    assert families["Qwen"].downloads == round(qwen)
    assert families["Qwen"].country == "CN"
    assert sum(r.share for r in families.values()) == pytest.approx(1.0)


def test_uploader_view_keeps_reuploads_with_the_uploader(two_snapshots: Warehouse) -> None:
    s = scope(two_snapshots)
    uploaders = by(download_shares(s, "uploader", "uploader"), "uploader")
    assert uploaders["bartowski"].downloads == 250000
    countries = by(download_shares(s, "uploader_country", "uploader"), "uploader_country")
    root_countries = by(download_shares(s, "country", "root"), "country")
    assert countries["CN"].downloads < root_countries["CN"].downloads


def test_fixtures_excluded_by_default(two_snapshots: Warehouse) -> None:
    without = totals(scope(two_snapshots))
    with_fixtures = totals(scope(two_snapshots, include_fixtures=True))
    assert without.fixtures_excluded == 2
    assert with_fixtures.downloads_30d - without.downloads_30d == 400000 + 30000
    namespaces = {r.key for r in download_shares(scope(two_snapshots), "namespace", "uploader")}
    assert "hf-internal-testing" not in namespaces


def test_unknown_namespaces_are_unattributed_not_dropped(two_snapshots: Warehouse) -> None:
    s = scope(two_snapshots)
    countries = by(download_shares(s, "country", "root"), "country")
    assert countries["unattributed"].downloads > 0
    assert totals(s).attributed_share < 1


def test_ecosystem_by_relation(two_snapshots: Warehouse) -> None:
    families = by(ecosystem(scope(two_snapshots), "family"), "family")
    assert (families["Qwen"].finetunes, families["Qwen"].quantizations, families["Qwen"].adapters) == (
        1,
        1,
        1,
    )
    assert families["Qwen"].merges == 2


def test_a_derivative_counts_once_per_family_and_once_in_the_totals(
    warehouse: Warehouse, tmp_path: Path, edge_cases: dict[str, Any]
) -> None:
    """A merge of two Llama roots is one Llama merge (it has a tree row per root), and a fine-tune of a Qwen-Llama
    merge is one fine-tune of each family but one fine-tune of the snapshot."""
    extra = [
        {"id": "meta-llama/Meta-Llama-3.1-8B", "downloads": 500},  # the same model's old name: a second Llama root
        {"id": "someone/llama-twins", "downloads": 80, "tags": [
            "base_model:merge:meta-llama/Llama-3.1-8B", "base_model:merge:meta-llama/Meta-Llama-3.1-8B"]},
        {"id": "someone/finetune-of-merge", "downloads": 40, "tags": ["base_model:finetune:someone/qwen-llama-merge"]},
    ]  # fmt: skip
    path = tmp_path / "models.json"
    path.write_text(json.dumps([*edge_cases["valid"], *extra]))
    import_hub_json(warehouse, path, taken_at=datetime(2025, 10, 1), selection="complete")
    s = scope(warehouse)
    families = by(ecosystem(s, "family"), "family")
    llama, qwen = families["Llama"], families["Qwen"]
    # merges: qwen-llama-merge, merge-of-merge, llama-twins (two rows, one merge)
    assert (llama.merges, llama.finetunes, qwen.finetunes) == (3, 2, 2)
    twins = s.rows("SELECT count(*) AS n, sum(credit) AS credit FROM {t} t JOIN models m USING (model_key) "
                   "WHERE m.model_id = 'someone/llama-twins'")[0]  # fmt: skip
    assert twins == {"n": 2, "credit": pytest.approx(1.0)}
    assert llama.derivative_downloads_30d == round(9393633 + 1200 / 2 + 300 / 4 + 80 + 40 / 2)
    counted = ecosystem_totals(s)
    stored = s.rows("SELECT count(DISTINCT model_key) AS n FROM {t} WHERE {f} AND model_key <> root_key")[0]["n"]
    assert counted.derivatives == stored
    # the fine-tune of the merge is in two families' rows but once in the snapshot's total
    assert sum(r.finetunes for r in families.values()) == counted.finetunes + 1


def test_concentration_is_over_attributed_downloads() -> None:
    assert hhi_label(2500) == "highly concentrated"
    assert hhi_label(1200) == "moderately concentrated"
    assert hhi_label(400) == "unconcentrated"


def test_concentration_figures(two_snapshots: Warehouse) -> None:
    figures = concentration(scope(two_snapshots))
    rows = [r for r in download_shares(scope(two_snapshots), "developer", "root") if r.key != "unattributed"]
    total = sum(r.downloads for r in rows)
    expected = sum((r.downloads / total * 100) ** 2 for r in rows)
    assert figures.hhi_developer == pytest.approx(expected, abs=0.1)
    assert figures.top1_developer == rows[0].key
    assert 0 < figures.top1_share <= figures.top5_share <= 1


def test_size_classes_cover_everything(two_snapshots: Warehouse) -> None:
    classes = size_classes(scope(two_snapshots))
    assert sum(c.share for c in classes) == pytest.approx(1.0)
    assert {c.size_class for c in classes} >= {"3-10B", ">100B"}


def test_movers() -> None:
    def row(country: str, share: float) -> ShareRow:
        return ShareRow("country", country, 0, share, 1)

    then = [row("US", 0.6), row("CN", 0.4)]
    now = [row("US", 0.5), row("CN", 0.47), row("FR", 0.03)]
    result = movers(now, then, "country")
    assert [g.key for g in result.gains] == ["CN", "FR"]
    assert result.losses[0].key == "US"
    assert result.losses[0].change_pp == pytest.approx(-10)
    # in JSON a mover is named by its breakdown's column, first
    assert list(result.losses[0].to_json()) == ["country", "share_then", "share_now", "change_pp"]


def test_build_adoption_change_and_history(two_snapshots: Warehouse) -> None:
    figures = build_adoption(two_snapshots)
    adoption = figures.adoption
    assert figures.snapshot.id == 2
    assert adoption.change is not None and adoption.change.since.id == 1
    assert adoption.change.by_family.gains[0].key == "DeepSeek"
    assert [h.snapshot.id for h in adoption.history] == [1, 2]
    only_first = build_adoption(two_snapshots, snapshot_ref=1)
    assert only_first.adoption.change is None


def test_headlines_rest_on_figures(two_snapshots: Warehouse) -> None:
    figures = build_adoption(two_snapshots)
    texts = [h.text for h in figures.headlines]
    by_country = [r for r in figures.adoption.by_country if r.key != "unattributed"]
    lead = by_country[0]
    assert any(f"{lead.share * 100:.1f} %" in t for t in texts)
    for headline in figures.headlines:
        assert headline.snapshot == 2
        assert headline.figures
    assert any("since snapshot 1" in t and t.startswith("On all models of each snapshot") for t in texts)
    assert not any("unattributed draw" in t.lower() for t in texts)
