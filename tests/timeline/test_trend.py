"""Trends, passes and the qwen-overtook-llama claim on small synthetic histories with a known answer, and the
claim on the real llmfit history."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from modelrace.answers import Evidence, check_claim, load_claims
from modelrace.hub import import_hub_json
from modelrace.store import Warehouse
from modelrace.timeline import DownloadsMetric, Observation, first_pass, growth, trend, trend_of
from modelrace.timeline._metrics import MetricData


def _snapshot(warehouse: Warehouse, tmp_path: Path, day: str, downloads: dict[str, int]) -> None:
    path = tmp_path / f"hub_{day}.json"
    path.write_text(
        json.dumps([{"id": m, "downloads": d, "pipeline_tag": "text-generation"} for m, d in downloads.items()])
    )
    import_hub_json(warehouse, path, taken_at=datetime.fromisoformat(day))


def _claim(warehouse: Warehouse) -> tuple[str, str]:
    claim = next(c for c in load_claims().claims if c.id == "qwen-overtook-llama")
    checked = check_claim(Evidence(warehouse), claim)
    return checked.verdict, checked.why


def test_shares_are_among_the_same_models_and_the_pass_is_dated(warehouse: Warehouse, tmp_path: Path) -> None:
    _snapshot(
        warehouse, tmp_path, "2025-01-01", {"Qwen/Qwen2.5-7B": 10, "meta-llama/Llama-3.1-8B": 30, "x/only-here": 500}
    )
    _snapshot(warehouse, tmp_path, "2025-02-01", {"Qwen/Qwen2.5-7B": 20, "meta-llama/Llama-3.1-8B": 20})
    _snapshot(warehouse, tmp_path, "2025-03-01", {"Qwen/Qwen2.5-7B": 40, "meta-llama/Llama-3.1-8B": 10, "y/new": 9})
    found = trend(warehouse, DownloadsMetric(), "family", None)
    assert found.scope.startswith("the same 2 models")
    first = {p.key: p for p in found.points if p.date == date(2025, 1, 1)}
    assert first["Qwen"].share == 0.25 and first["Llama"].share == 0.75
    assert first["Qwen"].coverage == 40 / 540  # the scope holds 40 of the first snapshot's 540 downloads
    passing = first_pass(found, "Qwen", "Llama")
    assert passing.observed and passing.when == date(2025, 3, 1) and passing.before == date(2025, 2, 1)
    movers = growth(found)
    assert movers[0].key == "Qwen" and movers[0].ratio == 4.0
    verdict, why = _claim(warehouse)
    assert verdict == "supported", why
    assert "between 2025-02-01 and 2025-03-01" in why


def test_a_family_that_falls_back_does_not_support_the_claim(warehouse: Warehouse, tmp_path: Path) -> None:
    _snapshot(warehouse, tmp_path, "2025-01-01", {"Qwen/Qwen2.5-7B": 10, "meta-llama/Llama-3.1-8B": 30})
    _snapshot(warehouse, tmp_path, "2025-02-01", {"Qwen/Qwen2.5-7B": 40, "meta-llama/Llama-3.1-8B": 30})
    _snapshot(warehouse, tmp_path, "2025-03-01", {"Qwen/Qwen2.5-7B": 5, "meta-llama/Llama-3.1-8B": 30})
    verdict, why = _claim(warehouse)
    assert verdict == "not supported", why
    assert "passed Llama between 2025-01-01 and 2025-02-01" in why


def test_too_little_history_is_insufficient(warehouse: Warehouse, tmp_path: Path) -> None:
    _snapshot(warehouse, tmp_path, "2025-01-01", {"Qwen/Qwen2.5-7B": 10, "meta-llama/Llama-3.1-8B": 30})
    verdict, why = _claim(warehouse)
    assert verdict == "insufficient data" and "a history needs two or more" in why


def test_the_claim_on_the_real_llmfit_history(warehouse: Warehouse, reference_data: Path) -> None:
    for path in sorted((reference_data / "hub_history_llmfit").glob("*.json")):
        import_hub_json(warehouse, path)
    verdict, why = _claim(warehouse)
    # Qwen leads Llama in every version from 2026-02-15: the passing is before this history starts.
    assert verdict == "insufficient data"
    assert "ahead of Llama in every one of the 13 comparable pairs of snapshots from 2026-02-15" in why


def test_a_rating_trend_keeps_each_side_best_model() -> None:
    day = date(2025, 1, 1)
    observations = [
        Observation(day, "import 1", "a", 1300, "A", "US", "FamA", 1290, 1310),
        Observation(day, "import 1", "b", 1320, "B", "US", "FamB", 1310, 1330),
        Observation(day, "import 1", "c", 1310, "C", "CN", "FamC"),
    ]
    points = trend_of(MetricData(observations, {day: 1.0}, "one board"), "max", "country")
    best = {p.key: p for p in points}
    assert (best["US"].value, best["US"].model, best["US"].lower) == (1320, "b", 1310)
    assert best["CN"].share is None  # a best-of has no share
    assert [p.key for p in trend_of(MetricData(observations, {}, "x"), "max", "model", top=1)] == ["b"]


def test_the_report_draws_family_downloads_one_segment_per_pair_of_snapshots(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    from modelrace.report._history_section import family_download_rows, race_section

    assert family_download_rows(warehouse) == [] and race_section(warehouse) is None  # no snapshot: no section
    _snapshot(warehouse, tmp_path, "2025-01-01", {"Qwen/Qwen2.5-7B": 10, "meta-llama/Llama-3.1-8B": 30})
    _snapshot(warehouse, tmp_path, "2025-02-01", {"Qwen/Qwen2.5-7B": 20, "meta-llama/Llama-3.1-8B": 20, "y/a": 5})
    _snapshot(warehouse, tmp_path, "2025-03-01", {"Qwen/Qwen2.5-7B": 40, "y/a": 60})
    rows = family_download_rows(warehouse)
    segments = sorted({r["segment"] for r in rows})
    assert len(segments) == 2 and all(s.endswith("the 2 models both hold") for s in segments)
    assert segments[0].startswith("snapshots 1 and 2 (2025-01-01 to 2025-02-01)")
    # shares are among the pair's common models: Qwen 40 of 100 on 2025-03-01 (Llama is not in the second pair)
    last = {r["family"]: r["share"] for r in rows if r["segment"] == segments[1] and r["date"] == "2025-03-01"}
    assert last["Qwen"] == 0.4 and "Llama" not in last
    first = {r["family"]: r["share"] for r in rows if r["segment"] == segments[0] and r["date"] == "2025-01-01"}
    assert first == {"Qwen": 0.25, "Llama": 0.75}
    section = race_section(warehouse)
    assert section is not None and [c.id for c in section.charts] == ["race-family-downloads"]
    assert section.charts[0].spec["encoding"]["detail"]["field"] == "segment"  # the breaks where the scope changes
