"""At 80 and 100 columns, the tables of `imports`, `snapshots`, `claims`, `arena`, `versus` and `leaderboard` keep
every id, spec and date whole (issue #27): nothing is cut with "…", no table line is wider than the terminal, and
each value a user reads or copies (a snapshot's date, a model name, a row's data date) appears on one line."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from modelrace.cli import _app
from modelrace.cli.main import app
from modelrace.hub import import_hub_json
from modelrace.store import Warehouse

runner = CliRunner()


@pytest.fixture
def terminal_width() -> Iterator[Any]:
    original = _app.stdout._width

    def set_width(width: int) -> None:
        _app.stdout.width = width

    yield set_width
    _app.stdout._width = original


@pytest.fixture(scope="module")
def race_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with a real top-100 listing, LMArena and Artificial Analysis results, and real battles."""
    from tests.conftest import reference_dir

    data = reference_dir()
    if data is None:
        pytest.skip("the reference data is not available (set MODELRACE_REFERENCE_DATA)")
    db = tmp_path_factory.mktemp("widths") / "race.duckdb"
    with Warehouse.open(db) as warehouse:
        import_hub_json(
            warehouse,
            data / "hub_api_top100_textgen_2026-02-16.json",
            taken_at=datetime(2026, 2, 16),
            selection="top-downloads",
        )
    for source, name in (
        ("lmarena", "lmarena_leaderboard_text_2025-12.json"),
        ("artificial-analysis", "artificial_analysis_providers_2025-08-14.csv"),
        ("battles", "arena_human_battles_2023-04_06.jsonl"),
    ):
        imported = runner.invoke(app, ["--db", str(db), "-q", "import", source, str(data / name)])
        assert imported.exit_code == 0, imported.output
    return db


def _table_lines_fit(output: str, width: int) -> bool:
    return all(len(line) <= width for line in output.splitlines() if line.startswith(("┃", "│", "┏", "└", "┡")))


def _run(db: Path, *args: str) -> tuple[str, Any]:
    text = runner.invoke(app, ["--db", str(db), *args])
    assert text.exit_code == 0, text.output
    data = runner.invoke(app, ["--db", str(db), *args, "--json"])
    assert data.exit_code == 0, data.output
    return text.stdout, json.loads(data.stdout)


def _lines(output: str) -> str:
    return "\n".join(output.splitlines())


@pytest.mark.reference
@pytest.mark.parametrize("width", [80, 100])
def test_tables_keep_ids_and_dates_whole(width: int, race_db: Path, terminal_width: Any) -> None:
    terminal_width(width)
    outputs: dict[str, str] = {}

    imports, listed = _run(race_db, "imports")
    outputs["imports"] = imports
    for snapshot in listed["snapshots"]:
        assert snapshot["data_date"] in imports and snapshot["selection"] in imports
    for result_import in listed["result_imports"]:
        assert result_import["data_date"] in imports and result_import["source"] in imports

    snapshots, held = _run(race_db, "snapshots")
    outputs["snapshots"] = snapshots
    assert all(s["data_date"] in snapshots and s["selection"] in snapshots for s in held)

    claims, checked = _run(race_db, "claims")
    outputs["claims"] = claims
    assert all(c["date"] is None or c["date"] in claims for c in checked)

    arena, board = _run(race_db, "arena")
    outputs["arena"] = arena
    assert board["models"] and all(m["name"] in arena for m in board["models"])  # every name whole

    versus, compared = _run(race_db, "versus", "deepseek-r1", "o1")
    outputs["versus"] = versus
    assert compared["benchmarks"]
    # a date per row: as many table lines with a whole date as benchmarks, each row's date among them
    dated = [
        line for line in versus.splitlines() if line.startswith("│") and re.search(r"│ \d{4}-\d{2}-\d{2} +│", line)
    ]
    assert len(dated) == len(compared["benchmarks"])
    assert all(any(row["data_date"] in line for line in dated) for row in compared["benchmarks"])

    leaderboard, ranked = _run(race_db, "leaderboard", "--benchmark", "lmarena:full")
    outputs["leaderboard"] = leaderboard
    for bench in ranked["benchmarks"]:
        for entry in bench["classes"]:
            assert entry["leader"]["model"] in leaderboard

    for command, output in outputs.items():
        assert "…" not in output, command
        assert _table_lines_fit(output, width), command


@pytest.mark.reference
def test_shares_name_the_snapshot_selection_and_the_scope(race_db: Path, terminal_width: Any) -> None:
    terminal_width(100)
    text, shares = _run(race_db, "shares")
    assert "snapshot 1: the top 100 models by 30-day downloads" in text and "language models only" in text
    assert shares["selection"].startswith("snapshot 1: the top 100 models") and shares["models"] == "llm"
    assert shares["caveat"] is None


@pytest.mark.reference
@pytest.mark.parametrize("width", [80, 100])
def test_the_race_over_time_keeps_ids_and_dates_whole(width: int, tmp_path: Path, terminal_width: Any) -> None:
    from tests.conftest import reference_dir

    data = reference_dir()
    assert data is not None
    db = tmp_path / "boards.duckdb"
    boards = [data / "lmarena_history" / f"lmarena_leaderboard_text_{day}.json" for day in ("2025-05-24", "2025-12-11")]
    imported = runner.invoke(app, ["--db", str(db), "-q", "import", "lmarena", *map(str, boards)])
    assert imported.exit_code == 0, imported.output
    terminal_width(width)
    gap, found = _run(db, "gap", "--between", "open,closed")
    assert len(found["series"]) == 2
    for point in found["series"]:
        assert point["date"] in gap and point["best_a"]["model"] in gap  # the first side's best, whole
    trend, followed = _run(db, "trend", "--metric", "rating", "--by", "country", "--top", "3")
    assert followed["points"] and all(p["date"] in trend for p in followed["points"])
    for output in (gap, trend):
        assert "…" not in output and _table_lines_fit(output, width)
