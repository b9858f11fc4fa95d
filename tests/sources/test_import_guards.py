"""A results import cannot damage the warehouse: dated from the data, refused when it would replace a board with a
much smaller one, removable, and importable again (issue #10)."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from modelrace.errors import ImportFormatError, ImportRefusedError
from modelrace.ranking import leaderboard
from modelrace.sources import data_date, dating, drop_import, import_results, list_imports
from modelrace.store import Warehouse

TASKS = [f"task{i}" for i in range(6)]


def _livebench(folder: Path, name: str, models: int, tasks: list[str] = TASKS) -> Path:
    lines = ["model," + ",".join(tasks)]
    lines += [f"model-{m}," + ",".join(str(40 + m + t) for t in range(len(tasks))) for m in range(models)]
    path = folder / name
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_file_without_a_date_is_never_dated_by_its_modification_time(tmp_path: Path) -> None:
    path = _livebench(tmp_path, "table.csv", 3)
    os.utime(path, (1_600_000_000, 1_600_000_000))
    with pytest.raises(ImportFormatError, match="pass --date"):
        data_date(path)
    assert dating(path, date(2026, 1, 8)).basis == "--date"
    assert dating(tmp_path / "livebench_2026-01-08.csv").value == date(2026, 1, 8)
    # A range of months is as of its end; a range that runs backwards gives no date.
    assert dating(tmp_path / "arena_2023-04_06.jsonl").value == date(2023, 6, 30)
    assert dating(tmp_path / "arena_2024-01_02.jsonl").value == date(2024, 2, 29)
    with pytest.raises(ImportFormatError, match="--date"):
        dating(tmp_path / "arena_2023-06_04.jsonl")
    assert dating(tmp_path / "x_2026-01-08.csv", contents=date(2026, 1, 2)).basis == "contents"


def test_a_truncated_board_is_refused_and_the_good_one_stays(warehouse: Warehouse, tmp_path: Path) -> None:
    # Before: a truncated LiveBench table imported fine (dated by its mtime), replaced the good board, and
    # re-importing the good file said "already imported ... nothing to do".
    good = _livebench(tmp_path, "livebench_table_2026-01-08.csv", 40)
    first = import_results(warehouse, "livebench", good)
    assert first.date_basis == "file name"
    truncated = _livebench(tmp_path, "truncated_2026-01-09.csv", 5)
    with pytest.raises(ImportRefusedError, match=r"much smaller than import 1 .*5 models against 40.*--force"):
        import_results(warehouse, "livebench", truncated)
    fewer_tasks = _livebench(tmp_path, "fewer_2026-01-09.csv", 40, TASKS[:3])
    with pytest.raises(ImportRefusedError, match="3 benchmarks against 6"):
        import_results(warehouse, "livebench", fewer_tasks)
    assert [i.import_id for i in list_imports(warehouse).result_imports] == [1]

    forced = import_results(warehouse, "livebench", truncated, force=True)
    board = leaderboard(warehouse, "livebench:task0")
    assert board.benchmarks[0].data_date == "2026-01-09"  # the forced one is read now
    again = import_results(warehouse, "livebench", good)
    assert again.already_imported and again.superseded_by == forced.import_id
    drop_import(warehouse, forced.import_id)
    assert warehouse.query("SELECT count(*) AS n FROM results WHERE import_id = ?", [forced.import_id])[0]["n"] == 0
    assert leaderboard(warehouse, "livebench:task0").benchmarks[0].data_date == "2026-01-08"
    imports = list_imports(warehouse).result_imports
    assert [(i.import_id, i.in_use) for i in imports] == [(1, True)]
    reimported = import_results(warehouse, "livebench", truncated, force=True)  # dropped: importable again
    assert not reimported.already_imported


def test_an_import_that_stores_no_result_or_rejects_most_rows_is_refused(warehouse: Warehouse, tmp_path: Path) -> None:
    empty = tmp_path / "livebench_2026-01-08.csv"
    empty.write_text("model,task0\n,1\n,2\n")
    with pytest.raises(ImportRefusedError, match=r"stores nothing .*no model name"):
        import_results(warehouse, "livebench", empty)
    mostly_bad = tmp_path / "livebench_2026-01-09.csv"
    mostly_bad.write_text("model,task0\na,1\nb,x\nc,y\nd,z\n")
    with pytest.raises(ImportRefusedError, match="rejects 3 of the 4 rows"):
        import_results(warehouse, "livebench", mostly_bad)
    assert list_imports(warehouse).result_imports == []
    stored = import_results(warehouse, "livebench", mostly_bad, allow_partial=True)
    assert (stored.models, stored.rejected) == (1, 3)


def test_lm_eval_is_dated_from_its_contents(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text(
        json.dumps(
            {"model_name": "org/m", "date": 1767225600.0, "results": {"arc_easy": {"acc,none": 0.5}}, "config": {}}
        )
    )
    summary = import_results(warehouse, "lm-eval", path)
    assert (summary.data_date, summary.date_basis) == (date(2026, 1, 1), "contents")
