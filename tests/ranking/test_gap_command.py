"""`modelrace gap`: the documented JSON shape, the table, and one clear line for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from modelrace.cli.main import app
from modelrace.sources import import_results
from modelrace.store import Warehouse

runner = CliRunner()
BOARDS = {
    "2025-01-01": {"gpt-4o-2024-08-06": 1300, "deepseek-v3": 1250},
    "2025-04-01": {"gpt-4o-2024-08-06": 1301, "gpt-4.5-preview-2025-02-27": 1330, "deepseek-v3": 1252},
    "2025-07-01": {"gpt-4o-2024-08-06": 1302, "gpt-5": 1380, "deepseek-r1": 1320},
}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    with Warehouse.open(path) as warehouse:
        for day, ratings in BOARDS.items():
            full = {n: {"rating": r, "rating_q025": r - 4, "rating_q975": r + 4} for n, r in ratings.items()}
            board = tmp_path / f"lmarena_leaderboard_text_{day}.json"
            board.write_text(json.dumps({"full": full}))
            import_results(warehouse, "lmarena", board)
    return path


def test_gap_json_has_the_documented_shape(db: Path) -> None:
    result = runner.invoke(app, ["--db", str(db), "gap", "--between", "CN,US", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["between", "benchmark", "series", "trend"]
    assert data["between"] == ["CN", "US"] and data["benchmark"] == "lmarena:full"
    assert [p["date"] for p in data["series"]] == list(BOARDS)
    last = data["series"][-1]
    assert list(last) == [
        "date", "best_a", "best_b", "gap", "gap_lower", "gap_upper", "months_behind", "months_behind_lower",
        "months_behind_upper", "behind",
    ]  # fmt: skip
    assert last["best_b"] == {"model": "gpt-5", "rating": 1380, "lower": 1376, "upper": 1384}
    assert last["gap"] == pytest.approx(60) and last["behind"] == "CN"
    # gpt-4.5 (1330) on the board of 2025-04-01 was already at deepseek-r1's 1320: 91 days
    assert last["months_behind"] == pytest.approx(91 / 30.436875)
    assert list(data["trend"]) == ["change_per_year", "lower", "upper", "verdict"]
    since = json.loads(runner.invoke(app, ["--db", str(db), "gap", "--since", "2025-04-01", "--json"]).stdout)
    assert [p["date"] for p in since["series"]] == ["2025-04-01", "2025-07-01"]


def test_gap_table_and_bad_input(db: Path) -> None:
    table = runner.invoke(app, ["--db", str(db), "gap", "--between", "CN,US"])
    assert table.exit_code == 0 and "months behind" in table.output and "trend:" in table.output
    for args, message in (
        (["--between", "CN"], "two sides"),
        (["--between", "CN,Mars"], "neither open, closed nor a country"),
        (["--benchmark", "lmarena"], "SOURCE:BENCHMARK"),
        (["--benchmark", "livebench:Global Average"], "no board of livebench:Global Average"),
        (["--since", "yesterday"], "not an ISO date"),
    ):
        result = runner.invoke(app, ["--db", str(db), "gap", *args])
        assert result.exit_code != 0 and message in result.output, (args, result.output)
        assert "Traceback" not in result.output
