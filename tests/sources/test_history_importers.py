"""Bad input to the history imports: one clear line each, the rest kept, nothing half-written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelrace.errors import ImportFormatError
from modelrace.hub import import_hub_json
from modelrace.sources._history import import_boards
from modelrace.store import Warehouse

HEADER = "key,Model,rating,License,Organization,date\n"


def _board(path: Path, ratings: dict[str, float]) -> Path:
    path.write_text(json.dumps({"full": {name: {"rating": r, "rating_q025": r - 5, "rating_q975": r + 5}
                                         for name, r in ratings.items()}}))  # fmt: skip
    return path


def _counts(warehouse: Warehouse) -> tuple[int, int]:
    imports = warehouse.query("SELECT count(*) AS n FROM result_imports")[0]["n"]
    results = warehouse.query("SELECT count(*) AS n FROM results")[0]["n"]
    return int(imports), int(results)


def test_a_history_csv_keeps_its_good_rows_and_says_what_it_refused(warehouse: Warehouse, tmp_path: Path) -> None:
    csv = tmp_path / "alltime.csv"
    csv.write_text(
        HEADER
        + "a,A,1000,Proprietary,OpenAI,20240101\n"
        + "b,B,inf,MIT,Meta,20240101\n"  # not a finite rating: rejected, its board kept
        + "c,C,990,Weird Licence 9,Lab,20240101\n"  # unknown licence: kept, open/closed unknown, one line
        + "d,D,980,MIT,Meta,\n"  # no date: skipped, one line
        + "a,A,1010,Proprietary,OpenAI,20240201\n"
    )
    found = import_boards(warehouse, [csv])
    assert [s.data_date.isoformat() for s in found.imports] == ["2024-01-01", "2024-02-01"]
    assert found.imports[0].results == 2 and found.imports[0].rejected == 1
    assert "not a finite number" in found.imports[0].rejection_samples[0]["reason"]
    lines = [p.message for p in found.problems]
    assert any("unknown licence string 'Weird Licence 9' (1 rows)" in line for line in lines)
    assert any("1 rows without a readable date (lines 5)" in line for line in lines)
    stated = warehouse.query("SELECT source_name, open_weights FROM source_models WHERE import_id = 1 ORDER BY 1")
    assert stated == [{"source_name": "a", "open_weights": False}, {"source_name": "c", "open_weights": None}]


def test_a_board_without_a_date_costs_one_line_and_the_others_are_kept(warehouse: Warehouse, tmp_path: Path) -> None:
    undated = _board(tmp_path / "board.json", {"x": 1000})
    dated = _board(tmp_path / "board_2025-01-02.json", {"x": 1000, "y": 990})
    found = import_boards(warehouse, [undated, dated])
    assert [s.data_date.isoformat() for s in found.imports] == ["2025-01-02"]
    assert len(found.problems) == 1 and "give the date of its data" in found.problems[0].message
    assert _counts(warehouse) == (1, 2)


def test_two_files_of_one_date_with_different_contents_keep_the_first(warehouse: Warehouse, tmp_path: Path) -> None:
    first = _board(tmp_path / "a_2025-01-02.json", {"x": 1000, "y": 990})
    (tmp_path / "other").mkdir()
    second = _board(tmp_path / "other" / "b_2025-01-02.json", {"x": 1001, "y": 990})
    found = import_boards(warehouse, [first, second])
    assert found.stored == 1
    assert len(found.problems) == 1
    assert "board of 2025-01-02 is already stored with different contents (import 1" in found.problems[0].message
    assert _counts(warehouse) == (1, 2)  # nothing of the second written
    again = import_boards(warehouse, [first])  # the same file again: recognised, not a clash
    assert again.imports[0].already_imported and not again.problems


def test_an_older_board_imported_later_does_not_replace_the_newest(warehouse: Warehouse, tmp_path: Path) -> None:
    from modelrace.ranking import load_catalogue

    newest = _board(tmp_path / "b_2025-06-01.json", {f"m{i}": 1000 + i for i in range(10)})
    oldest = _board(tmp_path / "b_2024-01-01.json", {"m0": 900})  # much smaller, but older: not refused
    found = import_boards(warehouse, [newest, oldest])
    assert found.stored == 2 and not found.problems
    catalogue = load_catalogue(warehouse)
    board = next(b for key, b in catalogue.benchmarks.items() if key == "lmarena:full")
    assert len(board.scores) == 10  # the leaderboard reads the newest data, not the last import


def test_an_llmfit_file_without_a_date_is_refused(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "llmfit.json"
    path.write_text(json.dumps([{"name": "Qwen/Qwen3-8B", "hf_downloads": 10}]))
    with pytest.raises(ImportFormatError, match="dated by its file name"):
        import_hub_json(warehouse, path)
    dated = tmp_path / "llmfit_2026-01-02.json"
    dated.write_text(json.dumps([{"name": "Qwen/Qwen3-8B", "hf_downloads": 10}]))
    snapshot, _ = import_hub_json(warehouse, dated)
    assert (snapshot.data_date, snapshot.selection, snapshot.lacks) == (
        "2026-01-02",
        "subset",
        ("base_models", "license"),
    )
