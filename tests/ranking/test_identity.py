"""Leaderboard identity and source sanity (issue #10): provider variants are one model, closed models lead no size
class, ties are ties in a fixed order, impossible release dates are flagged and kept out of time series."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from modelrace.hub import import_hub_stats
from modelrace.ranking import check_dates, leaderboard
from modelrace.sources import import_results
from modelrace.sources._artificial_analysis import AA_BENCHMARKS, provider_variant
from modelrace.store import Warehouse

INDEX = AA_BENCHMARKS[0]


def test_provider_variants_are_the_provider_not_the_model() -> None:
    assert provider_variant("Llama 3.3 70B Vertex", "Google Vertex") == "Llama 3.3 70B"
    assert provider_variant("Llama 3.3 70B Snowflake", "Snowflake Snowflake") == "Llama 3.3 70B"
    assert provider_variant("Llama 3.3 70B (Turbo, FP8)", "Deepinfra (Turbo, FP8)") == "Llama 3.3 70B"
    assert provider_variant("GPT-5 (high)", "OpenAI") == "GPT-5 (high)"  # effort is the model's
    assert provider_variant("Snowflake", "Snowflake") == "Snowflake"  # never the whole name


def _aa(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["API Provider", "Model", "License", *AA_BENCHMARKS[:3]])
        for provider, model, licence, index in rows:
            writer.writerow([provider, model, licence, index, "70%", "50%"])
    return path


def test_provider_variants_are_one_model_with_their_spread_and_closed_models_lead_no_class(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    # Before: "Llama 3.3 70B Vertex" led 40-100B with "Llama 3.3 70B Snowflake" second at margin 0.0, the order
    # flipping between runs; GPT-5 led an "unknown size" class.
    path = _aa(
        tmp_path / "aa_2025-08-14.csv",
        [
            ("Google Vertex", "Llama 3.3 70B Vertex", "Open", "41"),
            ("Snowflake Snowflake", "Llama 3.3 70B Snowflake", "Open", "41"),
            ("Groq", "Llama 3.3 70B", "Open", "39"),
            ("Alibaba", "Qwen2.5 72B", "Open", "41"),
            ("OpenAI", "GPT-5 (high)", "Proprietary", "69"),
            ("xAI", "Grok 4", "Proprietary", "68"),
        ],
    )
    import_results(warehouse, "artificial-analysis", path)
    board = leaderboard(warehouse, INDEX).benchmarks[0]
    names = [c.leader.model for c in board.classes]
    llama = [c for c in board.classes if "Llama 3.3 70B" in c.tie_set or c.leader.model == "Llama 3.3 70B"]
    assert llama, [c.size_class for c in board.classes]
    entry = llama[0]
    assert entry.leader.model in ("Llama 3.3 70B", "Qwen2.5 72B")
    everyone = [n for c in board.classes for n in c.tie_set]
    assert everyone.count("Llama 3.3 70B") == 1 and not any("Vertex" in n or "Snowflake" in n for n in everyone)
    score = next(s for c in board.classes for s in [c.leader, c.runner_up] if s and s.model == "Llama 3.3 70B")
    assert score.value == 41 and score.spread == (39, 41) and score.providers == 3
    assert sorted(entry.tied_leaders) == ["Llama 3.3 70B", "Qwen2.5 72B"]  # an exact tie is shown as one
    assert entry.tied_leaders == sorted(entry.tied_leaders, key=str.lower)  # in a fixed order
    assert not any(n in ("GPT-5 (high)", "Grok 4") for n in names)  # closed models lead no size class
    best_closed = board.open_vs_closed.best_closed
    assert best_closed and best_closed.model == "GPT-5 (high)"  # ... but are in open vs closed
    again = leaderboard(warehouse, INDEX).benchmarks[0]
    assert [c.to_json() for c in again.classes] == [c.to_json() for c in board.classes]


@pytest.mark.reference
def test_kimi_k2_0905_dated_2024_is_flagged_and_kept_out_of_the_series(
    warehouse: Warehouse, reference_data: Path
) -> None:
    # Epoch's file dates Kimi-K2-Instruct-0905 to 2024-09-05; the Hub first shows it on 2025-09-03.
    import_hub_stats(warehouse, reference_data / "hub_stats_subset_2026-05.parquet", selection="subset")
    import_results(warehouse, "epoch-benchmarks", reference_data / "epoch_benchmarking_hub_2025-12.json")
    dates = check_dates(warehouse)
    kimi = [f for f in dates.flagged if f.name == "Kimi-K2-Instruct-0905"]
    assert kimi and str(kimi[0].release_date) == "2024-09-05" and str(kimi[0].first_on_hub) == "2025-09-03"
    assert "before moonshotai/Kimi-K2-Instruct-0905 first appeared on the Hub" in kimi[0].reason
    for board in leaderboard(warehouse).benchmarks:
        for point in board.open_vs_closed.over_time:
            assert not (point.model == "moonshotai/Kimi-K2-Instruct-0905" and point.date < "2025")
