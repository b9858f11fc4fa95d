"""The history imports on the real files: dates and counts, a model's series across the llmfit versions, the
same-models scope on two subsets, and the trend on both metrics."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from modelrace.adoption import same_models
from modelrace.hub import import_hub_json
from modelrace.sources._history import import_boards, read_arena_top50, read_lmarena_history
from modelrace.store import Warehouse, list_snapshots
from modelrace.timeline import DownloadsMetric, RatingMetric, first_pass, history, model_downloads, trend


def test_the_history_csv_is_105_dated_boards(reference_data: Path) -> None:
    boards, problems = read_lmarena_history(
        reference_data / "lmarena_history/lmarena_alltime_2023-05-08_2025-03-26.csv"
    )
    dates = [b.batch.data_date for b in boards]
    assert len(boards) == 105 and dates == sorted(dates)
    assert dates[0] == date(2023, 5, 8) and dates[-1] == date(2025, 3, 26)
    rows = sum(len(b.batch.results) + len(b.batch.rejected) for b in boards)
    # every row is a result, a rejection with its reason (a second row of a key) or the very same row again, said
    assert rows == 13_434 - 96
    assert any(p.message.startswith("96 rows given again, identically") for p in problems)
    assert all(b.batch.date_basis == "contents" for b in boards)
    first = boards[0].batch.models
    assert first["chatglm-6b"].organisation == "Tsinghua" and first["chatglm-6b"].open_weights is True
    gpt4 = next(m for b in boards for m in b.batch.models.values() if m.license == "Proprietary")
    assert gpt4.open_weights is False
    assert any("unknown licence string 'Nvidia'" in p.message for p in problems)  # one line, the rows kept


def test_a_top50_board_reads_ci_as_a_half_width(reference_data: Path) -> None:
    batch = read_arena_top50(reference_data / "arena_text_top50_2026/arena_text_top50_2026-03-19.json")
    assert batch.contents_date == date(2026, 3, 19)
    top = batch.results[0]
    assert (top.source_name, top.value, top.ci_low, top.ci_high) == ("claude-opus-4-6-thinking", 1502, 1496, 1508)
    assert batch.models["claude-opus-4-6-thinking"].organisation == "Anthropic"
    assert batch.models["claude-opus-4-6-thinking"].open_weights is False


def test_the_folders_import_as_dated_boards_and_again_as_nothing(warehouse: Warehouse, reference_data: Path) -> None:
    found = import_boards(warehouse, [reference_data / "lmarena_history", reference_data / "arena_text_top50_2026"])
    axis = history(warehouse)
    lmarena = [b for b in axis.boards if b.source == "lmarena"]
    top50 = [b for b in axis.boards if b.source == "arena-top50"]
    assert len(top50) == 32 and top50[0].data_date == date(2026, 3, 19) and top50[-1].data_date == date(2026, 4, 19)
    json_boards = [b for b in lmarena if b.path.endswith(".json")]
    assert len(json_boards) == 15 and json_boards[0].data_date == date(2025, 3, 7)
    # The CSV's board of 2025-03-17 is the day a JSON board (with intervals, read first) already gives: one line.
    assert len(lmarena) == 15 + 104
    clash = [p for p in found.problems if "2025-03-17" in p.message and "different contents" in p.message]
    assert len(clash) == 1
    again = import_boards(warehouse, [reference_data / "lmarena_history"])
    assert again.stored == 0 and len(again.imports) == 119


def test_llmfit_versions_are_dated_subset_snapshots_and_a_model_has_a_series(
    warehouse: Warehouse, reference_data: Path
) -> None:
    for path in sorted((reference_data / "hub_history_llmfit").glob("*.json")):
        import_hub_json(warehouse, path)
    snapshots = list_snapshots(warehouse)
    assert len(snapshots) == 14
    assert [s.data_date for s in snapshots][:2] == ["2026-02-15", "2026-02-19"]
    assert {s.selection for s in snapshots} == {"subset"}
    assert all(s.lacks == ("base_models", "license") for s in snapshots)
    assert (snapshots[0].model_count, snapshots[-1].model_count) == (33, 1852)
    series = model_downloads(warehouse, "Qwen/Qwen2.5-7B-Instruct")
    assert len(series) == 14 and [p.data_date for p in series] == sorted(p.data_date for p in series)
    assert series[0].downloads_30d == 12_142_981  # the file's hf_downloads of 2026-02-15
    # Two subsets compared on the models both hold: shares among them, each snapshot's coverage stated.
    scope = same_models(warehouse.connection, [snapshots[0].snapshot_id, snapshots[-1].snapshot_id])
    assert 0 < len(scope.model_keys) <= 33
    first, last = scope.snapshots
    assert first.coverage is not None and last.coverage is not None and last.coverage < first.coverage <= 1
    found = trend(warehouse, DownloadsMetric(), "family", None)
    assert found.scope.startswith(
        f"the same {len(same_models(warehouse.connection, [s.snapshot_id for s in snapshots]).model_keys)} models"
    )
    for when in found.dates():
        shares = [p.share for p in found.points if p.date == when]
        assert sum(s or 0 for s in shares) == pytest.approx(1.0)
    passing = first_pass(found, "Qwen", "Llama")
    assert passing.ahead_at_last and not passing.observed  # Qwen leads from the first version on


def test_the_rating_trend_takes_each_board_best(warehouse: Warehouse, reference_data: Path) -> None:
    import_boards(warehouse, [reference_data / "arena_text_top50_2026"])
    found = trend(warehouse, RatingMetric(), "country", None)
    assert len(found.dates()) == 32
    first_day = [p for p in found.points if p.date == date(2026, 3, 19)]
    us = next(p for p in first_day if p.key == "US")
    assert (us.value, us.model, us.lower, us.upper) == (1502, "claude-opus-4-6-thinking", 1496, 1508)
